//! Shared by the benches: a bare tonic server serving the reference order service, the
//! baseline every jostle figure is a ratio of, closed-loop and open-loop loads of unary calls,
//! the command line's numbers and the runtimes the benches run on.

#![allow(dead_code, unreachable_pub)]

use jostle_harness::channel::BoxChannel;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::service::Orders;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::DuplexStream;
use tokio::sync::mpsc;
use tonic::Request;
use tonic::transport::{Channel, Endpoint, Server};

/// A bare tonic server on an ephemeral port of 127.0.0.1, and a channel to it.
pub async fn tcp() -> Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tokio::spawn(
        Server::builder()
            .add_service(Orders::new("bare").into_server())
            .serve_with_incoming(incoming),
    );
    Endpoint::from_shared(format!("http://{address}")).unwrap().connect().await.unwrap()
}

/// A bare tonic server over in-memory duplex streams, and a channel to it.
pub async fn in_memory() -> Channel {
    let (accept, incoming) = mpsc::unbounded_channel::<DuplexStream>();
    let incoming = futures_lite_stream(incoming);
    tokio::spawn(
        Server::builder()
            .add_service(Orders::new("bare").into_server())
            .serve_with_incoming(incoming),
    );
    Endpoint::from_static("http://bare.jostle:50051")
        .connect_with_connector(tower::service_fn(move |_| {
            let accept = accept.clone();
            async move {
                let (client, server) = tokio::io::duplex(256 * 1024);
                accept.send(server).map_err(|_| std::io::Error::other("bare server gone"))?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(client))
            }
        }))
        .await
        .unwrap()
}

fn futures_lite_stream(
    mut receiver: mpsc::UnboundedReceiver<DuplexStream>,
) -> impl tokio_stream::Stream<Item = Result<DuplexStream, std::io::Error>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(stream) = receiver.recv().await {
            if tx.send(Ok(stream)).is_err() {
                break;
            }
        }
    });
    UnboundedStream(rx)
}

struct UnboundedStream<T>(mpsc::UnboundedReceiver<T>);

impl<T> tokio_stream::Stream for UnboundedStream<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// `calls` CreateOrder calls with `in_flight` at a time over `channel`; calls per second.
pub async fn load(channel: BoxChannel, calls: u64, in_flight: u64) -> f64 {
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..in_flight {
        let mut client = OrderServiceClient::new(channel.clone());
        workers.spawn(async move {
            let mut call = worker;
            while call < calls {
                client.create_order(create_order_request(call)).await.expect("a healthy call");
                call += in_flight;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Warms a channel up so the first connect is not measured.
pub async fn warm(channel: &Channel) {
    let mut client = OrderServiceClient::new(channel.clone());
    for call in 0..200 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// An open loop over `channel`: one CreateOrder call started every `1 / per_second` seconds for
/// `duration`, whatever the earlier calls are doing, each with `deadline` sent as
/// `grpc-timeout` (the scenario driver's pace, without its log). Calls sent and calls ok.
pub async fn open_loop(
    channel: BoxChannel,
    per_second: f64,
    duration: Duration,
    deadline: Duration,
) -> (u64, u64) {
    let started = tokio::time::Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut calls = tokio::task::JoinSet::new();
    let mut sent = 0;
    loop {
        ticks.tick().await;
        if started.elapsed() >= duration {
            break;
        }
        let mut client = OrderServiceClient::new(channel.clone());
        let mut request = Request::new(create_order_request(sent));
        request.set_timeout(deadline);
        calls.spawn(async move { client.create_order(request).await.is_ok() });
        sent += 1;
    }
    let mut ok = 0;
    while let Some(done) = calls.join_next().await {
        ok += u64::from(done.unwrap());
    }
    (sent, ok)
}

/// A closed loop over `channel`: `in_flight` slots, each starting its next CreateOrder call
/// as the last one ends and `pause` later (a backend's service time, which a bare server does
/// not have, taken at the client instead), for `duration`, each with `deadline` sent as
/// `grpc-timeout`. Calls sent and calls ok.
pub async fn closed_loop(
    channel: BoxChannel,
    in_flight: u32,
    duration: Duration,
    deadline: Duration,
    pause: Duration,
) -> (u64, u64) {
    let started = tokio::time::Instant::now();
    let mut slots = tokio::task::JoinSet::new();
    for slot in 0..in_flight {
        let mut client = OrderServiceClient::new(channel.clone());
        slots.spawn(async move {
            let (mut sent, mut ok) = (0, 0);
            while started.elapsed() < duration {
                let mut request = Request::new(create_order_request(u64::from(slot) + sent));
                request.set_timeout(deadline);
                ok += u64::from(client.create_order(request).await.is_ok());
                sent += 1;
                tokio::time::sleep(pause).await;
            }
            (sent, ok)
        });
    }
    let (mut sent, mut ok) = (0, 0);
    while let Some(done) = slots.join_next().await {
        let (s, o) = done.unwrap();
        (sent, ok) = (sent + s, ok + o);
    }
    (sent, ok)
}

/// The numbers on the command line (`cargo bench ... -- 40000 5`), in order.
pub fn numbers() -> Vec<u64> {
    std::env::args().skip(1).filter_map(|arg| arg.parse().ok()).collect()
}

/// The runtime `jostle run` plays an in-memory scenario on: current thread, paused clock.
pub fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a tokio runtime")
}

/// `CALLS ROUNDS` from the command line (`cargo bench ... -- CALLS ROUNDS`), 40,000 and 5 by
/// default, and the 2-worker runtime every throughput bench runs on.
pub fn setup() -> (u64, u64, tokio::runtime::Runtime) {
    let numbers = numbers();
    let calls = numbers.first().copied().unwrap_or(40_000);
    let rounds = numbers.get(1).copied().unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    (calls, rounds, runtime)
}

/// The CPU time this process has used, from /proc/self/stat (user and system, in clock ticks
/// of 10 ms): on a machine busy with other work, the wall time a quiet one would show.
pub fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// The CPU time process `pid` (a number, or `self`) has used, as [`cpu_seconds`].
pub fn cpu_seconds_of(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |at: usize| fields.get(at).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of the file (utime, stime); the state, field 3, is the first here.
    (ticks(11) + ticks(12)) as f64 / 100.0
}
