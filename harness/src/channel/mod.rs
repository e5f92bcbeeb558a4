//! [`BoxChannel`]: any balancer under test, as one type: jostle's `BalancedChannel`, a tonic
//! `Channel` (plain, `balance_list`, or dialed through the article's dialers), or your own;
//! [`Target`] and [`Factory`]: how a scenario hands its cluster to your balancer.
//!
//! ```
//! use jostle_harness::channel::{BoxChannel, boxed};
//! use jostle_harness::cluster::Cluster;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let cluster = Cluster::builder().backends(1).start().await?;
//! let channel: BoxChannel = boxed(cluster.channel(0)?);
//! let _client = jostle_harness::proto::order_service_client::OrderServiceClient::new(channel);
//! # Ok(())
//! # }
//! ```

mod target;

pub use target::{Factory, Target};

use http::{Request, Response};
use std::task::{Context, Poll};
use tonic::body::Body;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

/// Any boxed error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error of a [`BoxChannel`]: the channel's own error, kept as its source, so that a
/// `tonic::Status` the channel gave reaches the client with its code (tonic looks for one down
/// the source chain).
///
/// A concrete type rather than a bare `Box<dyn Error>`: tonic's client futures over a boxed
/// error trip rustc's higher-ranked `Send` inference when spawned.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChannelError(#[source] BoxError);

/// A cloneable, type-erased gRPC channel that generated clients accept.
#[derive(Debug, Clone)]
pub struct BoxChannel(BoxCloneSyncService<Request<Body>, Response<Body>, ChannelError>);

/// Boxes any gRPC channel whose responses are tonic bodies.
pub fn boxed<S>(channel: S) -> BoxChannel
where
    S: tower::Service<Request<Body>, Response = Response<Body>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    BoxChannel(BoxCloneSyncService::new(channel.map_err(|error| ChannelError(error.into()))))
}

impl tower::Service<Request<Body>> for BoxChannel {
    type Response = Response<Body>;
    type Error = ChannelError;
    type Future =
        <BoxCloneSyncService<Request<Body>, Response<Body>, ChannelError> as tower::Service<
            Request<Body>,
        >>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        self.0.call(request)
    }
}
