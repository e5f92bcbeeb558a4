//! The instants at which in memory and TCP could part: a call in flight at a crash, restart or
//! SIGTERM, and a call made on the very next line after each of them (and after a drain or a
//! refuse begins). The same client code, tonic's plain `Channel` and jostle's
//! `BalancedChannel`, plays each instant on both transports and must end with the same code;
//! TCP, played three times, must give one code at each instant (it does on this machine), and
//! the codes are the ones docs/FAULTS.md gives.

use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::CreateOrderRequest;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tonic::{Code, Request};

/// What happens to backend 0 at the instant.
#[derive(Debug, Clone, Copy)]
enum Instant {
    /// `cluster.crash(0).await`.
    Crash,
    /// `cluster.restart(0).await`: crash and start again at once.
    Restart,
    /// A `drain` fault: GOAWAY, keep accepting.
    Drain,
    /// A `terminate` fault with a 200 ms grace.
    Terminate,
    /// A `refuse` fault begins: open connections keep working.
    Refuse,
}

/// The client under test.
#[derive(Debug, Clone, Copy)]
enum Client {
    Tonic,
    Balanced,
}

type Call =
    Box<dyn FnMut(Request<CreateOrderRequest>) -> Pin<Box<dyn Future<Output = Code> + Send>>>;

fn calling<T>(client: OrderServiceClient<T>) -> Call
where
    T: tonic::client::GrpcService<tonic::body::Body> + Clone + Send + 'static,
    T::Future: Send,
    T::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as http_body::Body>::Error: Into<tonic::codegen::StdError> + Send,
    T::Error: Into<tonic::codegen::StdError>,
{
    Box::new(move |request| {
        let mut client = client.clone();
        Box::pin(async move {
            client.create_order(request).await.map_or_else(|s| s.code(), |_| Code::Ok)
        })
    })
}

/// A call the backend never answers (the interop header's `keep-open`).
fn kept_open() -> Request<CreateOrderRequest> {
    let mut request = Request::new(create_order_request(1));
    request.metadata_mut().insert("rpc-behavior", "keep-open".parse().unwrap());
    request
}

/// The code of the call in flight at the instant (`None` where the instant does not end it)
/// and of the call made on the next line after it.
async fn play(transport: Transport, client: Client, instant: Instant) -> (Option<Code>, Code) {
    let cluster = Cluster::builder()
        .backends(1)
        .transport(transport)
        .rpc_behavior(true)
        .seed(5)
        .start()
        .await
        .unwrap();
    let backend = cluster.backend(0).unwrap().clone();
    let mut call = match client {
        Client::Tonic => calling(OrderServiceClient::new(cluster.channel(0).unwrap())),
        Client::Balanced => {
            let config = BalanceConfig { seed: Some(0), ..BalanceConfig::default() };
            let channel = BalancedChannel::builder()
                .balancer(RoundRobin::new())
                .config(config)
                .build(discover::fixed(cluster.addresses()), cluster.connector());
            channel.wait_until(|e| e.iter().any(|e| e.ready)).bounded("backend-0 ready").await;
            calling(OrderServiceClient::new(channel))
        }
    };
    assert_eq!(call(Request::new(create_order_request(0))).await, Code::Ok, "a first call");
    let in_flight = tokio::spawn(call(kept_open()));
    backend.wait_until(|stats| stats.total_started() == 2).bounded("a call in flight").await;
    let next = match instant {
        Instant::Crash => {
            cluster.crash(0).await.unwrap();
            call(Request::new(create_order_request(2)))
        }
        Instant::Restart => {
            cluster.restart(0).await.unwrap();
            call(Request::new(create_order_request(2)))
        }
        Instant::Drain => {
            cluster.inject(Fault::Drain.on(0)).unwrap();
            call(Request::new(create_order_request(2)))
        }
        Instant::Terminate => {
            let grace = Duration::from_millis(200);
            cluster.inject(Fault::Terminate { grace }.on(0)).unwrap();
            call(Request::new(create_order_request(2)))
        }
        Instant::Refuse => {
            cluster.inject(Fault::Refuse.on(0)).unwrap();
            call(Request::new(create_order_request(2)))
        }
    };
    let next = next.bounded("the call after the instant").await;
    let in_flight = match instant {
        Instant::Crash | Instant::Restart | Instant::Terminate => {
            Some(in_flight.bounded("the call in flight").await.unwrap())
        }
        Instant::Drain | Instant::Refuse => None,
    };
    (in_flight, next)
}

/// One play on its own runtime: the paused clock in memory, the wall clock over TCP.
fn played(transport: Transport, client: Client, instant: Instant) -> (Option<Code>, Code) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(transport == Transport::InMemory)
        .build()
        .unwrap()
        .block_on(play(transport, client, instant))
}

#[rstest]
#[case::crash(Instant::Crash, Some(Code::Unknown), Code::Cancelled)]
#[case::restart(Instant::Restart, Some(Code::Unknown), Code::Cancelled)]
#[case::drain(Instant::Drain, None, Code::Ok)]
#[case::terminate(Instant::Terminate, Some(Code::Unknown), Code::Ok)]
#[case::refuse(Instant::Refuse, None, Code::Ok)]
fn a_call_at_the_instant_of_a_fault_ends_in_memory_with_the_code_tcp_gives(
    #[case] instant: Instant,
    #[case] in_flight: Option<Code>,
    #[case] next: Code,
) {
    for client in [Client::Tonic, Client::Balanced] {
        let mut tcp = Vec::new();
        for _ in 0..3 {
            let outcome = played(Transport::Tcp, client, instant);
            if !tcp.contains(&outcome) {
                tcp.push(outcome);
            }
        }
        assert_eq!(
            tcp,
            [(in_flight, next)],
            "{client:?} over TCP at a {instant:?}: the call in flight and the next call end as \
             docs/FAULTS.md says, the same in three plays"
        );
        let memory = played(Transport::InMemory, client, instant);
        assert!(
            tcp.contains(&memory),
            "{client:?} at a {instant:?}: in memory a call in flight and the call on the next \
             line must end as over TCP (in flight, next): in memory {memory:?}, over TCP {tcp:?}"
        );
    }
}
