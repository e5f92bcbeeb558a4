//! The fault layer polled by hand (tokio-test) under the paused clock: a `Hang` keeps the
//! response pending until healed, a `Delay` until the clock passes it; neither answers early.

use http::{Request, Response};
use jostle_harness::fault::{ConnHandle, Fault, FaultLayer, FaultService, FaultSet};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_test::task;
use tokio_test::{assert_pending, assert_ready_ok};
use tonic::body::Body;
use tower::{Layer, Service, ServiceExt};

/// The header the inner service sets, so a response is known to be its own.
const SERVED: &str = "x-served-by-inner";

type Inner = tower::util::ServiceFn<
    fn(Request<Body>) -> std::future::Ready<Result<Response<Body>, Infallible>>,
>;

/// A service that answers every call at once, wrapped in a fault layer over `faults`.
fn wrapped(faults: &Arc<FaultSet>) -> FaultService<Inner> {
    fn answer(_: Request<Body>) -> std::future::Ready<Result<Response<Body>, Infallible>> {
        let mut response = Response::new(Body::empty());
        response.headers_mut().insert(SERVED, http::HeaderValue::from_static("yes"));
        std::future::ready(Ok(response))
    }
    let layer =
        FaultLayer::new(Arc::clone(faults), Arc::from("backend-0"), false, ConnHandle::default());
    layer.layer(tower::service_fn(answer as fn(_) -> _))
}

fn faults() -> Arc<FaultSet> {
    Arc::new(FaultSet::new(0, "backend-0", 7, Arc::default()))
}

#[tokio::test(start_paused = true)]
async fn a_hang_keeps_the_response_pending_until_healed_then_it_completes() {
    let faults = faults();
    let id = faults.inject(Fault::Hang);
    let mut service = wrapped(&faults);
    let mut response =
        task::spawn(service.ready().await.unwrap().call(Request::new(Body::empty())));
    assert_pending!(response.poll(), "a hung call must not answer");

    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(!response.is_woken(), "time passing must not wake a hung call");
    assert_pending!(response.poll(), "a hang holds an hour later: only healing ends it");

    faults.heal(id);
    assert!(response.is_woken(), "healing must wake the hung call");
    let answered = assert_ready_ok!(response.poll(), "a healed call must complete at once");
    assert!(answered.headers().contains_key(SERVED), "after the hang the inner service answers");
}

#[tokio::test(start_paused = true)]
async fn a_delay_keeps_the_response_pending_until_the_clock_passes_it() {
    let faults = faults();
    faults.inject(Fault::delay(Duration::from_millis(500)));
    let mut service = wrapped(&faults);
    let mut response =
        task::spawn(service.ready().await.unwrap().call(Request::new(Body::empty())));
    assert_pending!(response.poll(), "a delayed call must not answer at once");

    tokio::time::advance(Duration::from_millis(499)).await;
    assert!(!response.is_woken(), "499 ms into a 500 ms delay the call must not be woken");
    assert_pending!(response.poll(), "499 ms into a 500 ms delay the call must still wait");

    tokio::time::advance(Duration::from_millis(1)).await;
    assert!(response.is_woken(), "the end of the delay must wake the call");
    let answered = assert_ready_ok!(response.poll(), "at 500 ms the delayed call must complete");
    assert!(answered.headers().contains_key(SERVED), "after the delay the inner service answers");
}
