//! A TCP backend that is down keeps its port: connects are refused, and no other socket of this
//! or another process can bind it, so a client still dialling the address never reaches a server
//! that is not the cluster's (a port-0 listener of another test, given the freed port, answered
//! tonic's `balance_list` calls for a terminated pod and broke the `accounting` of a correct run).

use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};

fn socket_address(cluster: &Cluster, index: usize) -> SocketAddr {
    let address = cluster.backend(index).unwrap().address();
    address.authority().unwrap().as_str().parse().expect("a TCP backend's address is an IP:port")
}

/// Binds `address` as another program would, without `SO_REUSEADDR`: the error, if any.
fn bind_elsewhere(address: SocketAddr) -> Option<ErrorKind> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(address).err().map(|error| error.kind())
}

/// Waits until a connect to `address` is refused: nothing listens there.
async fn until_refused(address: SocketAddr) {
    loop {
        match TcpStream::connect(address).await {
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => return,
            _ => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
}

async fn served(cluster: &Cluster) -> String {
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());
    let answer = client.create_order(create_order_request(0)).await;
    answer.expect("the backend serves on its port again").into_inner().served_by
}

#[rstest]
#[case::crash(StopMode::Abrupt)]
#[case::graceful(StopMode::Graceful)]
#[case::terminate(StopMode::Terminate { grace: Duration::from_millis(50) })]
#[tokio::test]
async fn a_stopped_tcp_backend_refuses_connects_and_no_one_else_can_take_its_port(
    #[case] mode: StopMode,
) {
    let cluster = Cluster::builder().backends(1).transport(Transport::Tcp).start().await.unwrap();
    let address = socket_address(&cluster, 0);
    assert_eq!(served(&cluster).await, "backend-0");
    cluster.backend(0).unwrap().stop(mode).await.unwrap();

    let refused = TcpStream::connect(address).await.map(drop).map_err(|error| error.kind());
    assert_eq!(refused, Err(ErrorKind::ConnectionRefused), "a stopped backend refuses connects");
    assert_eq!(
        bind_elsewhere(address),
        Some(ErrorKind::AddrInUse),
        "a stopped backend's port must stay the cluster's ({mode:?}): another process could bind \
         it and answer calls sent to the backend"
    );
    cluster.start(0).await.expect("it starts again on the port it kept");
    assert_eq!(served(&cluster).await, "backend-0");

    cluster.shutdown().await;
    assert_eq!(bind_elsewhere(address), None, "a cluster shut down frees its ports");
}

#[tokio::test]
async fn a_refusing_tcp_backend_keeps_its_port_and_listens_on_it_again_when_healed() {
    let cluster = Cluster::builder().backends(1).transport(Transport::Tcp).start().await.unwrap();
    let address = socket_address(&cluster, 0);
    let refuse = cluster.inject(Fault::Refuse.on(0)).unwrap();
    until_refused(address).bounded("connects to be refused").await;
    assert_eq!(
        bind_elsewhere(address),
        Some(ErrorKind::AddrInUse),
        "a refusing backend's port must stay the cluster's: another process could bind it"
    );
    cluster.heal(refuse);
    assert_eq!(served(&cluster).await, "backend-0");
    cluster.shutdown().await;
    assert_eq!(bind_elsewhere(address), None, "a cluster shut down frees its ports");
}
