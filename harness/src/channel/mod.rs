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

mod factory;
mod target;

pub use factory::Factory;
pub use target::Target;

use bytes::Bytes;
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

/// Boxes any gRPC channel whose responses are tonic bodies ([`boxed_with`] for any other).
pub fn boxed<S>(channel: S) -> BoxChannel
where
    S: tower::Service<Request<Body>, Response = Response<Body>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    BoxChannel(BoxCloneSyncService::new(channel.map_err(|error| ChannelError(error.into()))))
}

/// Boxes any gRPC channel of another stack (another hyper or tonic version, or your own): a
/// tower `Service` of `http::Request<R>`, `into_body` making its request body `R` from the
/// tonic body each call sends (for tonic 0.13: `tonic_0_13::body::Body::new`;
/// `std::convert::identity` when `R` is tonic's), whose response body is any
/// `http_body::Body` of `Bytes`, and whose errors convert into a boxed error. A
/// `tonic::Status` among them keeps its code on the way to the client.
pub fn boxed_with<S, R, B>(
    channel: S,
    into_body: impl Fn(Body) -> R + Clone + Send + Sync + 'static,
) -> BoxChannel
where
    S: tower::Service<Request<R>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let channel = channel
        .map_request(move |request: Request<Body>| request.map(&into_body))
        .map_response(|response: Response<B>| response.map(Body::new));
    boxed(channel)
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
