//! Where a run listens: an address on the in-memory network, or a TCP port of 127.0.0.1.

use super::port_hold::PortHold;
use super::run::Run;
use crate::net::{MemNetwork, ServerStream};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long to wait before trying again to bind a port a refuse fault had closed.
const REBIND_RETRY: Duration = Duration::from_millis(5);

/// The first and the longest wait before accepting again after accepting failed (out of file
/// descriptors: the connection stays queued, and accepting at once would fail at once again).
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(1), Duration::from_secs(1));

/// A run's listener. Closing it refuses new connections at once.
#[derive(Debug)]
pub(crate) enum Listener {
    Mem { network: Arc<MemNetwork>, authority: String },
    Tcp { close: CancellationToken, accept: Option<JoinHandle<()>> },
}

impl Listener {
    /// Listens on `authority` of `network` for `run`.
    pub(crate) fn mem(
        network: &Arc<MemNetwork>,
        authority: &str,
        run: &Arc<Run>,
    ) -> std::io::Result<Self> {
        network.listen(authority, Arc::clone(run))?;
        Ok(Listener::Mem { network: Arc::clone(network), authority: authority.to_owned() })
    }

    /// Accepts on `listener` for `run`, closing and reopening the port as refuse faults come
    /// and go.
    pub(crate) fn tcp(listener: TcpListener, run: &Arc<Run>) -> std::io::Result<Self> {
        let address = listener.local_addr()?;
        let close = CancellationToken::new();
        let accept = tokio::spawn(accept(listener, address, Arc::clone(run), close.clone()));
        Ok(Listener::Tcp { close, accept: Some(accept) })
    }

    /// Stops listening; returns once connects are refused.
    pub(crate) async fn close(&mut self) {
        self.cut();
        if let Listener::Tcp { accept, .. } = self
            && let Some(accept) = accept.take()
        {
            let _ = accept.await;
        }
    }

    /// Stops listening without waiting (for `Drop`).
    pub(crate) fn cut(&self) {
        match self {
            Listener::Mem { network, authority } => network.close(authority),
            Listener::Tcp { close, .. } => close.cancel(),
        }
    }
}

async fn accept(
    listener: TcpListener,
    address: SocketAddr,
    run: Arc<Run>,
    close: CancellationToken,
) {
    let mut listener = Some(listener);
    // The port while a refuse fault stands: bound, not listening (see `PortHold`).
    let mut hold: Option<PortHold> = None;
    let mut changes = run.faults.subscribe();
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        if run.faults.is_refusing() {
            // Nothing listens: the kernel refuses connects, and the port stays the backend's.
            if listener.take().is_some() {
                let kept = PortHold::keep(address, &run.name);
                drop(std::mem::replace(&mut hold, kept));
            }
        } else if listener.is_none() {
            // Bound beside the hold (both reuse the address, the hold does not listen), so the
            // port is never free in between.
            match TcpListener::bind(address).await {
                Ok(bound) => {
                    listener = Some(bound);
                    drop(hold.take());
                }
                Err(_) => {
                    tokio::select! {
                        biased;
                        () = close.cancelled() => break,
                        () = tokio::time::sleep(REBIND_RETRY) => continue,
                    }
                }
            }
        }
        let Some(bound) = &listener else {
            tokio::select! {
                biased;
                () = close.cancelled() => break,
                _ = changes.changed() => continue,
            }
        };
        tokio::select! {
            biased;
            () = close.cancelled() => break,
            _ = changes.changed() => {}
            accepted = bound.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(error) if transient(&error) => continue,
                    Err(error) => {
                        // Reported once; the run fails with it (`Cluster::accept_failure`).
                        if run.stats.accept_failed(&error) {
                            let backend = &*run.name;
                            tracing::warn!(backend, %error, "cannot accept connections; retrying");
                        }
                        tokio::select! {
                            biased;
                            () = close.cancelled() => break,
                            () = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                        continue;
                    }
                };
                backoff = ACCEPT_BACKOFF.0;
                // Zero linger: dropping the socket resets the peer, as a killed process would.
                let _ = stream.set_zero_linger();
                let _ = stream.set_nodelay(true);
                let delay = run.faults.admission().connect_delay;
                run.admit(ServerStream::Right(stream), delay);
            }
        }
    }
}

/// An accept error about one connection (its client gave up first), not about the listener.
fn transient(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted, WouldBlock};
    matches!(error.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock)
}
