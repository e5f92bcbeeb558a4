//! The control API of `jostle serve` (`proto/control.proto`, package `jostle.control.v1`): a
//! gRPC service over a [`Cluster`](crate::cluster::Cluster) that lists its backends and
//! counters, injects faults named as scenario files name them, heals them, crashes, stops,
//! starts and restarts backends, reads the fault log and resets the counters. docs/SERVE.md is
//! the reference.
//!
//! ```
//! use jostle_harness::cluster::Cluster;
//! use jostle_harness::control::{self, Controller, proto};
//! use jostle_harness::net::Transport;
//! use proto::control_client::ControlClient;
//! use std::sync::Arc;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cluster = Cluster::builder().backends(2).transport(Transport::Tcp).start().await?;
//! let controller = Arc::new(Controller::new(Arc::new(cluster)));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! let stop = tokio_util::sync::CancellationToken::new();
//! let server = tokio::spawn(control::serve(Arc::clone(&controller), listener, stop.clone().cancelled_owned(), None));
//!
//! let mut client = ControlClient::connect(format!("http://{address}")).await?;
//! let listed = client.list_backends(proto::ListBackendsRequest {}).await?.into_inner();
//! assert_eq!(listed.backends[1].name, "backend-1");
//! let unknown = proto::BackendRequest { backend: "backend-7".into() };
//! let refused = client.crash(unknown).await.unwrap_err();
//! assert_eq!(refused.code(), tonic::Code::InvalidArgument);
//!
//! stop.cancel();
//! server.await??;
//! # Ok(())
//! # }
//! ```

mod auth;
mod counters;
mod echo;
mod events;
pub(crate) mod inject;
pub mod proto;
mod service;
mod token;

pub use auth::{Auth, Client, client};
pub(crate) use counters::delta;
pub use counters::{address, code_name, since, state_name, window};
pub use echo::{ECHO_CHARS, MAX_MESSAGE, bounded};
pub use events::EVERY as EVENTS_EVERY;
pub use service::Controller;
pub use token::{MAX_TOKEN, MIN_TOKEN, TOKEN_ENV, Token};

use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;

/// Serves `controller` on `listener` until `shutdown` completes, then returns once every
/// control connection is closed. With a `token`, every call must carry it
/// ([`Token::check`]); a call without it, or with another, is answered `UNAUTHENTICATED` and
/// serving goes on.
///
/// # Errors
///
/// The transport's, when the server fails.
pub async fn serve(
    controller: Arc<Controller>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    token: Option<Token>,
) -> Result<(), tonic::transport::Error> {
    let checked = move |request: tonic::Request<()>| match &token {
        Some(token) => token.check(&request).map(|()| request),
        None => Ok(request),
    };
    tonic::transport::Server::builder()
        .add_service(InterceptedService::new(controller.into_server(), checked))
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}
