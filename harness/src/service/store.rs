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
    orders: BTreeMap<String, Order>,
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
        inner.orders.insert(order.id.clone(), order.clone());
        if let Some(created) = &inner.created {
            // Nobody watching any more is fine.
            let _ = created.send(order.clone());
        }
        order
    }

    pub(crate) fn get(&self, id: &str) -> Option<Order> {
        let inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.orders.get(id).cloned()
    }

    /// The orders held now, in id order, and a receiver of every order created after them.
    pub(crate) fn snapshot_and_subscribe(&self) -> (Vec<Order>, broadcast::Receiver<Order>) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Subscribing under the lock: no order is both in the snapshot and on the receiver.
        let receiver =
            inner.created.get_or_insert_with(|| broadcast::channel(WATCH_BUFFER).0).subscribe();
        (inner.orders.values().cloned().collect(), receiver)
    }
}
