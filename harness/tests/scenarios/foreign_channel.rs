//! A channel of another stack (another hyper or tonic version) plugs in with `boxed_with`: its
//! own request and response body types and its own error type, no adapter to write.

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body as HttpBody, Frame};
use jostle_harness::channel::{BoxChannel, boxed_with};
use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tonic::body::Body;
use tonic::transport::Channel;

const RERUN: &str = "cargo test -p jostle-harness --test harness foreign_channel";

/// Another stack's error type.
#[derive(Debug)]
struct ForeignError(String);

impl std::fmt::Display for ForeignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "foreign: {}", self.0)
    }
}

impl std::error::Error for ForeignError {}

/// Another stack's body type: frames of bytes, failing with its own error.
struct ForeignBody(Body);

impl HttpBody for ForeignBody {
    type Data = Bytes;
    type Error = ForeignError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, ForeignError>>> {
        Pin::new(&mut self.0).poll_frame(cx).map_err(|status| ForeignError(status.to_string()))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }
}

/// A hand-written channel speaking `ForeignBody` both ways and failing with `ForeignError`;
/// `refuse` makes every call fail before it is sent.
#[derive(Clone)]
struct ForeignChannel {
    inner: Channel,
    refuse: bool,
}

impl tower::Service<Request<ForeignBody>> for ForeignChannel {
    type Response = Response<ForeignBody>;
    type Error = ForeignError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ForeignError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ForeignError>> {
        tower::Service::<Request<Body>>::poll_ready(&mut self.inner, cx)
            .map_err(|error| ForeignError(error.to_string()))
    }

    fn call(&mut self, request: Request<ForeignBody>) -> Self::Future {
        if self.refuse {
            return Box::pin(async { Err(ForeignError("connection pool exhausted".into())) });
        }
        let call = self.inner.call(request.map(Body::new));
        Box::pin(async move {
            let response = call.await.map_err(|error| ForeignError(error.to_string()))?;
            Ok(response.map(ForeignBody))
        })
    }
}

async fn client(refuse: bool) -> (Cluster, OrderServiceClient<BoxChannel>) {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let foreign = ForeignChannel { inner: cluster.channel(0).unwrap(), refuse };
    (cluster, OrderServiceClient::new(boxed_with(foreign, ForeignBody)))
}

#[tokio::test(start_paused = true)]
async fn a_channel_with_its_own_body_and_error_types_plugs_in_whole() {
    let (cluster, mut client) = client(false).await;
    for call in 0..20 {
        let reply = client.create_order(create_order_request(call)).await;
        assert!(
            reply.is_ok(),
            "call {call} through the foreign channel must succeed: {reply:?}\nrerun: {RERUN}"
        );
    }
    assert_eq!(
        cluster.stats()[0].total_started(),
        20,
        "every call reached the backend through the foreign channel\nrerun: {RERUN}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_foreign_channels_own_error_reaches_the_client_with_its_message() {
    let (_cluster, mut client) = client(true).await;
    let status = client.create_order(create_order_request(0)).await.unwrap_err();
    assert!(
        status.message().contains("foreign: connection pool exhausted"),
        "the channel's own error reaches the client: {status:?}\nrerun: {RERUN}"
    );
}
