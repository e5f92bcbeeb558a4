//! [`MemNetwork`]: a per-cluster network of in-memory addresses.

use super::{Killable, ServerStream};
use crate::cluster::run::{Admitted, Run};
use std::collections::HashMap;
use std::io;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::DuplexStream;
use tokio_util::sync::CancellationToken;

/// Bytes buffered in each direction of an in-memory connection.
const DUPLEX_BUFFER: usize = 256 * 1024;

/// The first in-memory address: backend `i` listens on `127.74.0.1 + i`, port 0.
const FIRST: u32 = u32::from_be_bytes([127, 74, 0, 1]);

/// The in-memory address of backend `index`: `127.74.0.1:0` for backend 0, `127.74.0.2:0` for
/// backend 1, and so on (the cluster's 10,000 backends at most stay inside 127.74.0.0/16).
///
/// An IP literal, so that no client ever hands it to a resolver; in 127/8, so that a dial that
/// does not go through jostle's [`Connector`](super::Connector) stays on this machine; on
/// port 0, which nothing can listen on, so that such a dial is refused at once (the kernel
/// answers a connect to port 0 with a reset: `ConnectionRefused`).
pub fn mem_address(index: usize) -> String {
    // A cluster has at most 10,000 backends (`MAX_BACKENDS`): the sum cannot leave 127/8.
    let offset = u32::try_from(index).unwrap_or(u32::MAX).min(0x00FF_FFFE - 0x004A_0001);
    format!("{}:0", Ipv4Addr::from(FIRST + offset))
}

/// Addresses (URI authorities such as `127.74.0.1:0`, see [`mem_address`]) mapped to the
/// backends listening on them. Connecting to an address nobody listens on fails with
/// `ConnectionRefused`, as TCP does.
#[derive(Debug, Default)]
pub struct MemNetwork {
    listeners: Mutex<HashMap<String, Arc<Run>>>,
    dials: AtomicU64,
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

    /// How many connects this network was asked for, answered or refused: 0 after a load
    /// means the client never dialled through the network's [`Connector`](super::Connector).
    pub fn dials(&self) -> u64 {
        self.dials.load(Ordering::Relaxed)
    }

    /// Opens a connection to `authority`, as a TCP connect would, with the connection faults
    /// standing on that backend: refused, never completing, delayed, or reset.
    pub async fn connect(&self, authority: &str) -> io::Result<Killable<DuplexStream>> {
        self.dials.fetch_add(1, Ordering::Relaxed);
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
