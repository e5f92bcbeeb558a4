//! One run of a backend's server, from start to stop: its listener, its serve task, its tokens.

use crate::fault::{FaultLayer, FaultSet};
use crate::net::{MemListener, MemNetwork, ServerConn, ServerStream};
use crate::record::{BackendStats, RecordLayer};
use std::io;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream_shim::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::Server;

/// Where a generation listens.
pub(crate) enum Listen {
    /// On an in-memory network, at an authority.
    Mem { network: Arc<MemNetwork>, authority: String },
    /// On a bound TCP listener.
    Tcp(TcpListener),
}

/// A running server. Dropping it without [`Generation::stop`] leaves its tasks to end on their own
/// once [`Generation::cut`] has run.
#[derive(Debug)]
pub(crate) struct Generation {
    /// Closes the listener.
    close: CancellationToken,
    /// Starts the graceful shutdown: GOAWAY, then wait for in-flight calls.
    shutdown: CancellationToken,
    /// Resets every connection of this generation.
    kill: CancellationToken,
    mem: Option<(Arc<MemNetwork>, String)>,
    accept: Option<JoinHandle<()>>,
    serve: Option<JoinHandle<()>>,
}

impl Generation {
    /// Starts serving `routes` on `listen`, counting on `stats` and faulting with `faults`.
    pub(crate) fn start(
        listen: Listen,
        routes: Routes,
        stats: &Arc<BackendStats>,
        faults: &Arc<FaultSet>,
    ) -> io::Result<Self> {
        let close = CancellationToken::new();
        let shutdown = CancellationToken::new();
        let kill = CancellationToken::new();
        let (accept_tx, accept_rx) = mpsc::unbounded_channel::<ServerConn>();
        let (mem, accept) = match listen {
            Listen::Mem { network, authority } => {
                let listener =
                    MemListener { accept: accept_tx, kill: kill.clone(), stats: Arc::clone(stats) };
                network.listen(&authority, listener)?;
                (Some((network, authority)), None)
            }
            Listen::Tcp(listener) => {
                let task =
                    accept_tcp(listener, accept_tx, close.clone(), kill.clone(), Arc::clone(stats));
                (None, Some(tokio::spawn(task)))
            }
        };
        let server = Server::builder()
            .layer(RecordLayer::new(Arc::clone(stats)))
            .layer(FaultLayer::new(Arc::clone(faults)))
            .add_routes(routes)
            .serve_with_incoming_shutdown(
                ReceiverStream::new(accept_rx),
                shutdown.clone().cancelled_owned(),
            );
        let serve = tokio::spawn(async move {
            // The incoming stream never errors, so neither does the server.
            let _ = server.await;
        });
        Ok(Self { close, shutdown, kill, mem, accept, serve: Some(serve) })
    }

    /// Stops listening: from now on connects are refused. Waits until the listener is gone.
    pub(crate) async fn close_listener(&mut self) {
        if let Some((network, authority)) = &self.mem {
            network.close(authority);
        }
        self.close.cancel();
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
    }

    /// Resets every connection of this generation at once.
    pub(crate) fn kill(&self) {
        self.kill.cancel();
    }

    /// Sends GOAWAY on every connection and waits until all in-flight calls have finished and
    /// every connection is closed.
    pub(crate) async fn drain(&mut self) {
        self.shutdown.cancel();
        if let Some(serve) = self.serve.take() {
            let _ = serve.await;
        }
    }

    /// Cuts everything at once, without waiting: for `Drop`, which cannot await. The tasks end
    /// by themselves as soon as the runtime polls them.
    pub(crate) fn cut(&self) {
        if let Some((network, authority)) = &self.mem {
            network.close(authority);
        }
        self.close.cancel();
        self.kill.cancel();
        self.shutdown.cancel();
    }
}

async fn accept_tcp(
    listener: TcpListener,
    accept: mpsc::UnboundedSender<ServerConn>,
    close: CancellationToken,
    kill: CancellationToken,
    stats: Arc<BackendStats>,
) {
    loop {
        tokio::select! {
            biased;
            () = close.cancelled() => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                // Zero linger: dropping the socket resets the peer, as a killed process would.
                let _ = stream.set_zero_linger();
                let _ = stream.set_nodelay(true);
                let conn = ServerConn::new(ServerStream::Tcp(stream), kill.clone(), Arc::clone(&stats));
                if accept.send(conn).is_err() {
                    break;
                }
            }
        }
    }
}

/// A minimal `Stream` over an unbounded receiver, yielding `Ok` items as tonic's incoming wants.
mod tokio_stream_shim {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tokio::sync::mpsc::UnboundedReceiver;

    #[derive(Debug)]
    pub(crate) struct ReceiverStream<T>(UnboundedReceiver<T>);

    impl<T> ReceiverStream<T> {
        pub(crate) fn new(receiver: UnboundedReceiver<T>) -> Self {
            Self(receiver)
        }
    }

    impl<T> tokio_stream::Stream for ReceiverStream<T> {
        type Item = Result<T, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.0.poll_recv(cx).map(|item| item.map(Ok))
        }
    }
}
