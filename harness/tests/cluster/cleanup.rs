use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;

/// How long leftovers may take to go; they take microseconds (in memory) to milliseconds (TCP).
const BOUND: Duration = Duration::from_secs(10);

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Polls, with a bound, until the runtime has no more tasks alive than `baseline`.
async fn tasks_return_to(baseline: usize, what: &str) {
    let deadline = std::time::Instant::now() + BOUND;
    while alive_tasks() > baseline {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {} tasks still alive, {baseline} before the cluster started\nrerun: cargo test --test harness cleanup",
            alive_tasks()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A cluster with live connections, a finished call and a call hung in flight.
async fn busy_cluster(
    transport: Transport,
) -> (Cluster, Vec<OrderServiceClient<tonic::transport::Channel>>) {
    let cluster = Cluster::builder().backends(3).transport(transport).start().await.unwrap();
    let mut clients = Vec::new();
    for backend in cluster.backends() {
        let mut client = OrderServiceClient::new(cluster.channel(backend.id()).unwrap());
        client.create_order(create_order_request(0)).await.unwrap();
        clients.push(client);
    }
    let hung = cluster.backend(2).unwrap();
    cluster.inject(Fault::Hang.on(2)).unwrap();
    let mut held = clients[2].clone();
    tokio::spawn(async move {
        let _ = held.create_order(create_order_request(1)).await;
    });
    hung.wait_until(|stats| stats.in_flight() == 1).bounded("the hung call to be in flight").await;
    (cluster, clients)
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn dropping_a_cluster_and_its_clients_leaves_no_task_and_frees_every_port(
    #[case] transport: Transport,
) {
    let baseline = alive_tasks();
    let (cluster, clients) = busy_cluster(transport).await;
    let addresses = cluster.addresses();
    assert!(alive_tasks() > baseline, "a busy cluster runs tasks");
    drop(clients);
    drop(cluster);
    tasks_return_to(baseline, &format!("dropping a {transport} cluster")).await;
    if transport == Transport::Tcp {
        for address in addresses {
            let authority = address.authority().unwrap().to_string();
            tokio::net::TcpListener::bind(&authority)
                .await
                .unwrap_or_else(|error| panic!("{authority} must be free after the drop: {error}"));
        }
    }
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn a_test_that_panics_with_a_busy_cluster_still_leaves_nothing_behind(
    #[case] transport: Transport,
) {
    let baseline = alive_tasks();
    let panicked = tokio::spawn(async move {
        let (_cluster, _clients) = busy_cluster(transport).await;
        panic!("the test body fails while the cluster is busy");
    })
    .await
    .unwrap_err();
    assert!(panicked.is_panic());
    tasks_return_to(baseline, &format!("a {transport} cluster dropped during a panic")).await;
}

#[tokio::test]
async fn shutdown_waits_until_every_connection_is_closed() {
    let baseline = alive_tasks();
    let (cluster, clients) = busy_cluster(Transport::Tcp).await;
    let backends = cluster.backends().to_vec();
    cluster.shutdown().await;
    for backend in &backends {
        assert_eq!(backend.stats().connections_open, 0, "{} has open connections", backend.name());
    }
    drop(clients);
    tasks_return_to(baseline, "shutting a cluster down").await;
}

/// Found by the flake hunt: the leak check counted every fd of the process, so a runtime that
/// a parallel test started after the baseline failed a correct balancer's leak check.
#[tokio::test]
async fn the_leak_check_counts_the_clusters_sockets_not_the_processs_other_fds() {
    use jostle_harness::check::{Baseline, Context, leak_free};
    let cluster = Cluster::builder().backends(1).transport(Transport::Tcp).start().await.unwrap();
    let baseline = Baseline::now(&cluster);
    let limit = Duration::from_millis(200);
    // One call, so that the check has a client to judge, through a channel dropped before it.
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());
    client.create_order(create_order_request(0)).await.unwrap();
    drop(client);
    // What a parallel test opens meanwhile: a listener and a connection of its own.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let _other = tokio::net::TcpStream::connect(elsewhere.local_addr().unwrap()).await.unwrap();
    let clean = leak_free(&cluster, baseline, 1, limit, &Context::default()).await;
    assert!(clean.passed, "fds outside the cluster are not the client's: {clean:?}");

    let authority = cluster.backend(0).unwrap().address().authority().unwrap().to_string();
    let held = tokio::net::TcpStream::connect(authority).await.unwrap();
    let leaked = leak_free(&cluster, baseline, 1, limit, &Context::default()).await;
    assert!(!leaked.passed, "a connection to a backend held open is a leak: {leaked:?}");
    assert!(
        leaked.value("fds over baseline").is_some_and(|fds| fds >= 1.0),
        "the held socket is counted: {leaked:?}"
    );
    drop(held);
}
