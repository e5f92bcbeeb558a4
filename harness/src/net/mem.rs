//! [`MemNetwork`]: a per-cluster network of in-memory addresses.

use super::{Killable, ServerStream};
use crate::cluster::run::{Admitted, Run};
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::DuplexStream;
use tokio_util::sync::CancellationToken;

/// Bytes buffered in each direction of an in-memory connection.
const DUPLEX_BUFFER: usize = 256 * 1024;

/// Addresses (URI authorities such as `backend-0.jostle:50051`) mapped to the backends listening
/// on them. Connecting to an address nobody listens on fails with `ConnectionRefused`, as TCP does.
#[derive(Debug, Default)]
pub struct MemNetwork {
    listeners: Mutex<HashMap<String, Arc<Run>>>,
}

impl MemNetwork {
    /// An empty network.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Starts listening on `authority`; fails with `AddrInUse` if somebody already does.
    pub(crate) fn listen(&self, authority: &str, run: Arc<Run>) -> io::Result<()> {
        let mut listeners = self.listeners.lock().unwrap_or_else(PoisonError::into_inner);
        if listeners.contains_key(authority) {
            return Err(io::Error::new(io::ErrorKind::AddrInUse, format!("{authority} is in use")));
        }
        listeners.insert(authority.to_owned(), run);
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

    /// Opens a connection to `authority`, as a TCP connect would, with the connection faults
    /// standing on that backend: refused, never completing, delayed, or reset.
    pub async fn connect(&self, authority: &str) -> io::Result<Killable<DuplexStream>> {
        let run = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(authority)
            .cloned()
            .ok_or_else(|| refused(authority))?;
        let admission = run.faults.admission();
        if admission.refuse {
            return Err(refused(authority));
        }
        if let Some(id) = admission.blackhole_connect {
            tokio::select! {
                () = run.faults.healed(id) => {}
                () = run.stop.cancelled() => return Err(refused(authority)),
            }
        }
        if !admission.connect_delay.is_zero() {
            tokio::time::sleep(admission.connect_delay).await;
        }
        let (client, server) = tokio::io::duplex(DUPLEX_BUFFER);
        match run.admit(ServerStream::Left(server), Duration::ZERO) {
            Admitted::Serving => Ok(Killable::peer(client, run.kill.clone())),
            Admitted::Reset => {
                let reset = CancellationToken::new();
                reset.cancel();
                Ok(Killable::new(client, reset))
            }
        }
    }
}

fn refused(authority: &str) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionRefused, format!("connection refused: {authority}"))
}
