//! `BalancedChannel` readiness polled by hand (tokio-test): `poll_ready` is always ready, and
//! the call's future is where an empty ready set is met. Under `wait_for_ready` it stays
//! pending, woken only when an endpoint becomes ready; without it, it waits only while the
//! first connections are made (gRPC's CONNECTING) and fails once they have all failed.

use super::client;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle::discover::{self, ChangeSender};
use jostle_harness::cluster::Cluster;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::time::Duration;
use tokio_test::task;
use tokio_test::{assert_pending, assert_ready_ok};
use tonic::Code;

/// A channel over an in-memory cluster of one backend whose address is not yet discovered.
async fn undiscovered(wait_for_ready: bool) -> (Cluster, ChangeSender, BalancedChannel) {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let (changes, endpoints) = discover::channel();
    let channel = BalancedChannel::builder()
        .config(BalanceConfig { wait_for_ready, ..super::config() })
        .build(endpoints, cluster.connector());
    (cluster, changes, channel)
}

fn poll_ready(channel: &mut BalancedChannel) -> std::task::Poll<Result<(), String>> {
    let mut ready = task::spawn(());
    ready.enter(|cx, _| tower::Service::poll_ready(channel, cx).map_err(|e| e.to_string()))
}

#[tokio::test(start_paused = true)]
async fn poll_ready_is_ready_while_no_endpoint_is() {
    for wait_for_ready in [true, false] {
        let (_cluster, _changes, mut channel) = undiscovered(wait_for_ready).await;
        assert_eq!(channel.ready_count(), 0, "nothing discovered, nothing ready");
        assert_ready_ok!(
            poll_ready(&mut channel),
            "poll_ready must not wait for endpoints (wait_for_ready {wait_for_ready}): the call does"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn under_wait_for_ready_a_call_stays_pending_until_an_endpoint_is_ready() {
    let (cluster, changes, channel) = undiscovered(true).await;
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(30));
    let mut client = client(&channel);
    let mut call = task::spawn(client.create_order(request));
    assert_pending!(call.poll(), "wait_for_ready must wait while no endpoint is ready");

    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(!call.is_woken(), "nothing became ready: the waiting call must not be woken");
    assert_pending!(call.poll(), "still no endpoint ready 10 s in: the call must still wait");

    changes.insert(cluster.addresses().remove(0));
    channel
        .wait_until(|endpoints| endpoints.iter().any(|e| e.ready))
        .bounded("an endpoint to become ready")
        .await;
    assert!(call.is_woken(), "an endpoint becoming ready must wake the waiting call");
    let response = tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("a woken call must be served within 1 s")
        .expect("served by the endpoint that became ready");
    assert_eq!(response.get_ref().served_by, "backend-0", "the ready endpoint serves the call");
}

#[tokio::test(start_paused = true)]
async fn without_wait_for_ready_a_call_waits_while_the_first_connections_are_made() {
    let (cluster, changes, channel) = undiscovered(false).await;
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(30));
    let mut client = client(&channel);
    let mut call = task::spawn(client.create_order(request));
    assert_pending!(call.poll(), "nothing heard from discovery yet: as gRPC's CONNECTING, wait");

    changes.insert(cluster.addresses().remove(0));
    channel.wait_until(|endpoints| endpoints.iter().any(|e| e.ready)).await;
    assert!(call.is_woken(), "the first connection must wake the waiting call");
    let response = tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("a woken call must be served within 1 s")
        .expect("served by the endpoint that connected");
    assert_eq!(response.get_ref().served_by, "backend-0", "the new connection serves the call");
}

#[tokio::test(start_paused = true)]
async fn without_wait_for_ready_a_call_fails_unavailable_once_every_first_connection_failed() {
    let (cluster, changes, channel) = undiscovered(false).await;
    cluster.crash(0).await.unwrap();
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(30));
    let mut client = client(&channel);
    let mut call = task::spawn(client.create_order(request));
    assert_pending!(call.poll(), "nothing heard from discovery yet: wait");

    changes.insert(cluster.addresses().remove(0));
    let status = tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("a refused first connection must end the wait at once, not at the deadline")
        .expect_err("nothing can serve the call");
    assert_eq!(status.code(), Code::Unavailable, "fail-fast answers UNAVAILABLE: {status:?}");
    assert_eq!(status.message(), "no ready endpoint (1 known)", "the status says why");
}
