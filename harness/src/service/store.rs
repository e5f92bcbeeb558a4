//! One backend's orders, held in memory and lost when the backend restarts.

use crate::proto::{Order, OrderStatus};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// How many created orders a slow watcher may lag behind before it misses some.
const WATCH_BUFFER: usize = 1024;

#[derive(Debug)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_sequence: u64,
    /// Each order under its id, with the sequence number it was created with.
    orders: BTreeMap<String, (u64, Order)>,
    /// Made by the first watcher: a backend nobody watches pays nothing for it.
    created: Option<broadcast::Sender<Order>>,
}

impl Store {
    pub(crate) fn new() -> Self {
        Self { inner: Mutex::default() }
    }

    /// Stores a new pending order under the next id of `backend` and tells the watchers.
    pub(crate) fn insert(&self, backend: &str, mut order: Order) -> Order {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.next_sequence += 1;
        order.id = format!("{backend}-{}", inner.next_sequence);
        order.status = OrderStatus::Pending.into();
        let sequence = inner.next_sequence;
        inner.orders.insert(order.id.clone(), (sequence, order.clone()));
        if let Some(created) = &inner.created {
            // Nobody watching any more is fine.
            let _ = created.send(order.clone());
        }
        order
    }

    pub(crate) fn get(&self, id: &str) -> Option<Order> {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.orders.get(id).map(|(_, order)| order.clone())
    }

    /// A receiver of every order created from now on, and the last sequence number held now:
    /// the orders held now are those [`Store::held_after`] gives up to it. Nothing is copied,
    /// so a watch costs what it reads, whatever the store's size.
    pub(crate) fn subscribe(&self) -> (u64, broadcast::Receiver<Order>) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Subscribing under the lock: no order is both held by then and on the receiver.
        let receiver =
            inner.created.get_or_insert_with(|| broadcast::channel(WATCH_BUFFER).0).subscribe();
        (inner.next_sequence, receiver)
    }

    /// The first order in id order after `cursor` (from the start with `None`) that was held
    /// when the sequence number was `upto`: one step of a watch's walk over the held orders.
    pub(crate) fn held_after(&self, cursor: Option<&str>, upto: u64) -> Option<Order> {
        use std::ops::Bound::{Excluded, Unbounded};
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let from = cursor.map_or(Unbounded, Excluded);
        inner
            .orders
            .range::<str, _>((from, Unbounded))
            .find(|(_, (sequence, _))| *sequence <= upto)
            .map(|(_, (_, order))| order.clone())
    }
}
