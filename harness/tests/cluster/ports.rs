//! `ClusterBuilder::ports`: TCP backends on the ports given, and the ports checked; a backend
//! whose port was taken while a fault held it down.

use jostle_harness::Error;
use jostle_harness::cluster::{BackendState, Cluster};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::wait::{WAIT_LIMIT, Within};
use std::time::Duration;

#[tokio::test]
async fn a_tcp_backend_listens_and_restarts_on_the_port_given() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let cluster =
        Cluster::builder().backends(2).transport(Transport::Tcp).ports([0, port]).start().await;
    let cluster = cluster.expect("a free port given must be listened on");
    let wanted = format!("http://127.0.0.1:{port}/");
    assert_eq!(cluster.backend(1).unwrap().address().to_string(), wanted, "backend-1's port");
    assert_ne!(cluster.backend(0).unwrap().address().port_u16(), Some(0), "0 is ephemeral");
    cluster.restart(1).await.unwrap();
    assert_eq!(cluster.backend(1).unwrap().address().to_string(), wanted, "the same port again");
    cluster.shutdown().await;
}

#[tokio::test]
async fn ports_are_refused_in_memory_and_beyond_the_backend_count() {
    let in_memory = Cluster::builder().backends(2).ports([0]).start().await;
    assert!(
        matches!(in_memory, Err(Error::InvalidParameter { parameter: "ports", .. })),
        "ports are for TCP backends only: {in_memory:?}"
    );
    let too_many = Cluster::builder().backends(1).transport(Transport::Tcp).ports([0, 0]).start();
    let too_many = too_many.await;
    assert!(
        matches!(too_many, Err(Error::InvalidParameter { parameter: "ports", .. })),
        "at most one port per backend: {too_many:?}"
    );
}

#[tokio::test]
async fn a_tcp_backend_on_every_interface_is_reached_on_loopback_and_restarts_there() {
    use jostle_harness::proto::order_service_client::OrderServiceClient;
    use jostle_harness::sample::create_order_request;
    let host = std::net::IpAddr::from([0, 0, 0, 0]);
    let cluster = Cluster::builder().backends(1).transport(Transport::Tcp).host(host).start().await;
    let cluster = cluster.expect("0.0.0.0 can be listened on");
    let address = cluster.backend(0).unwrap().address().clone();
    assert_eq!(address.host(), Some("0.0.0.0"), "it listens where it was told: {address}");
    let port = address.port_u16().unwrap();
    let loopback = format!("http://127.0.0.1:{port}");
    let call = |uri: String| async move {
        let channel = tonic::transport::Endpoint::from_shared(uri).unwrap().connect().await?;
        let answer = OrderServiceClient::new(channel).create_order(create_order_request(0)).await?;
        Ok::<_, Box<dyn std::error::Error>>(answer.into_inner().served_by)
    };
    assert_eq!(call(loopback.clone()).await.unwrap(), "backend-0", "reached on 127.0.0.1");
    cluster.restart(0).await.unwrap();
    assert_eq!(cluster.backend(0).unwrap().address(), &address, "the same address again");
    assert_eq!(call(loopback).await.unwrap(), "backend-0", "and reached again after a restart");
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_host_is_refused_in_memory() {
    let host = std::net::IpAddr::from([0, 0, 0, 0]);
    let in_memory = Cluster::builder().backends(1).host(host).start().await;
    assert!(
        matches!(in_memory, Err(Error::InvalidParameter { parameter: "host", .. })),
        "a host is for TCP backends only: {in_memory:?}"
    );
}

/// A down TCP backend keeps its port bound (`port_kept.rs`), but a listener bound with
/// `SO_REUSEADDR` on that very port (std's and tokio's are) still takes it, and the backend
/// cannot listen again. Restoring the cluster must then end, and the cluster name the backend and
/// why, for the run to fail on it; it once waited for ever for that backend to run (a whole test
/// binary hung).
#[tokio::test]
async fn a_backend_whose_port_was_taken_while_down_is_named_and_restore_does_not_wait_for_it() {
    let cluster = Cluster::builder().backends(2).transport(Transport::Tcp).start().await.unwrap();
    let down = Duration::from_secs(600);
    cluster.inject(Fault::Restart { down_for: down }.on(1)).unwrap();
    let backend = cluster.backend(1).unwrap();
    backend.wait_for_state(BackendState::Stopped).within(WAIT_LIMIT, "the crash").await;
    let address = backend.address().authority().unwrap().to_string();
    let taken = std::net::TcpListener::bind(&address).expect("the crashed backend's port is free");
    cluster.restore().within(WAIT_LIMIT, "restore, one backend unable to listen").await;
    let failure = cluster.accept_failure();
    let failure = failure.expect("a backend that could not listen again must fail the run");
    let message = failure.to_string();
    let Error::ListenAgain { backend, address: tried, source } = failure else {
        panic!("a failed re-listen is its own kind of failure, not an accept failure: {message}");
    };
    assert_eq!((backend.as_str(), tried.as_str()), ("backend-1", address.as_str()), "who, where");
    assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse, "the system's reason is kept typed");
    let wanted = format!("backend-1 could not listen again on {address}: {source}");
    assert_eq!(message, wanted, "the failure names the backend, its address and why");
    assert_eq!(cluster.backend(0).unwrap().state(), BackendState::Running, "the other runs");
    drop(taken);
    cluster.shutdown().await;
}
