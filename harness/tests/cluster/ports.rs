//! `ClusterBuilder::ports`: TCP backends on the ports given, and the ports checked.

use jostle_harness::Error;
use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;

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
