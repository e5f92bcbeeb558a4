//! [`MemNetwork`]: a per-cluster network of in-memory addresses.

use super::{Killable, ServerConn, ServerStream};
use crate::record::BackendStats;
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::DuplexStream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Bytes buffered in each direction of an in-memory connection.
const DUPLEX_BUFFER: usize = 256 * 1024;

/// Addresses (URI authorities such as `backend-0.jostle:50051`) mapped to the backends listening
/// on them. Connecting to an address nobody listens on fails with `ConnectionRefused`, as TCP does.
#[derive(Debug, Default)]
pub struct MemNetwork {
    listeners: Mutex<HashMap<String, MemListener>>,
}

/// What a backend leaves on the network while it listens.
#[derive(Debug, Clone)]
pub(crate) struct MemListener {
    pub(crate) accept: mpsc::UnboundedSender<ServerConn>,
    pub(crate) kill: CancellationToken,
    pub(crate) stats: Arc<BackendStats>,
}

impl MemNetwork {
    /// An empty network.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Starts listening on `authority`; fails with `AddrInUse` if somebody already does.
    pub(crate) fn listen(&self, authority: &str, listener: MemListener) -> io::Result<()> {
        let mut listeners = self.listeners.lock().unwrap_or_else(PoisonError::into_inner);
        if listeners.contains_key(authority) {
            return Err(io::Error::new(io::ErrorKind::AddrInUse, format!("{authority} is in use")));
        }
        listeners.insert(authority.to_owned(), listener);
        Ok(())
    }

    /// Stops listening on `authority`: later connects are refused.
    pub(crate) fn close(&self, authority: &str) {
        self.listeners.lock().unwrap_or_else(PoisonError::into_inner).remove(authority);
    }

    /// Whether somebody listens on `authority`.
    pub fn is_listening(&self, authority: &str) -> bool {
        self.listeners.lock().unwrap_or_else(PoisonError::into_inner).contains_key(authority)
    }

    /// Opens a connection to `authority`, as a TCP connect would.
    pub fn connect(&self, authority: &str) -> io::Result<Killable<DuplexStream>> {
        let listener = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(authority)
            .cloned()
            .ok_or_else(|| refused(authority))?;
        let (client, server) = tokio::io::duplex(DUPLEX_BUFFER);
        let conn =
            ServerConn::new(ServerStream::Mem(server), listener.kill.clone(), listener.stats);
        listener.accept.send(conn).map_err(|_| refused(authority))?;
        Ok(Killable::new(client, listener.kill))
    }
}

fn refused(authority: &str) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionRefused, format!("connection refused: {authority}"))
}
