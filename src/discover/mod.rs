//! Discovery: where the set of endpoints comes from, as a stream of [`Change`]s.
//!
//! - a static list ([`fixed`]);
//! - changes sent while running ([`channel`]): add or remove endpoints at any time;
//! - DNS ([`dns`]): a name re-resolved every TTL and after connection failures.
//!
//! ```
//! use jostle::discover::{self, Change};
//! use tokio_stream::StreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (sender, mut changes) = discover::channel();
//! sender.insert("http://127.0.0.1:50051".parse().unwrap());
//! sender.remove("http://127.0.0.1:50051".parse().unwrap());
//! drop(sender);
//! assert!(matches!(changes.next().await, Some(Change::Insert { weight: 1, .. })));
//! assert!(matches!(changes.next().await, Some(Change::Remove(_))));
//! assert!(changes.next().await.is_none());
//! # }
//! ```

pub mod dns;

use http::Uri;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio_stream::Stream;

/// One change to the set of endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Add an endpoint (or change its weight if it is there).
    Insert {
        /// Its address.
        address: Uri,
        /// Its static weight for weighted policies; 1 by default.
        weight: u32,
    },
    /// Remove an endpoint: no new requests go to it, its connection closes.
    Remove(Uri),
}

impl Change {
    /// Adds `address` with weight 1.
    pub fn insert(address: Uri) -> Self {
        Change::Insert { address, weight: 1 }
    }
}

/// A stream of changes, boxed.
pub type Changes = Pin<Box<dyn Stream<Item = Change> + Send + 'static>>;

/// A fixed set of endpoints, each with weight 1.
pub fn fixed(addresses: impl IntoIterator<Item = Uri>) -> Changes {
    let changes: Vec<Change> = addresses.into_iter().map(Change::insert).collect();
    Box::pin(tokio_stream::iter(changes))
}

/// Sends changes to a balanced channel while it runs.
#[derive(Debug, Clone)]
pub struct ChangeSender(mpsc::UnboundedSender<Change>);

impl ChangeSender {
    /// Adds `address` with weight 1. Returns false if the receiving side is gone.
    pub fn insert(&self, address: Uri) -> bool {
        self.send(Change::insert(address))
    }

    /// Removes `address`. Returns false if the receiving side is gone.
    pub fn remove(&self, address: Uri) -> bool {
        self.send(Change::Remove(address))
    }

    /// Sends any change. Returns false if the receiving side is gone.
    pub fn send(&self, change: Change) -> bool {
        self.0.send(change).is_ok()
    }
}

/// A sender of changes, and the stream that delivers them; the stream ends when every sender
/// is dropped.
pub fn channel() -> (ChangeSender, Changes) {
    let (sender, receiver) = mpsc::unbounded_channel();
    (ChangeSender(sender), Box::pin(Receiver(receiver)))
}

struct Receiver(mpsc::UnboundedReceiver<Change>);

impl Stream for Receiver {
    type Item = Change;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Change>> {
        self.0.poll_recv(cx)
    }
}
