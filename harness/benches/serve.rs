//! Calls per second from a separate client process to one backend of `jostle serve` (no fault
//! active), against a bare tonic server binary serving the same order service, in the same run:
//! this bench process is the client; it starts `jostle serve --backends 1` and a second copy of
//! itself as the bare server (`--bare-server`), each its own process on 127.0.0.1. One TCP
//! connection to each, 64 calls in flight; rounds alternate, medians are compared. Target: a
//! ratio of at least 0.90.
//!
//! Run: `cargo bench -p jostle-harness --bench serve` (`-- CALLS ROUNDS`, defaults 40000 5).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::service::Orders;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use tonic::transport::{Endpoint, Server};

const IN_FLIGHT: u64 = 64;

fn main() {
    if std::env::args().any(|arg| arg == "--bare-server") {
        bare_server();
        return;
    }
    let (calls, rounds, runtime) = bare::setup();
    let mut served =
        spawn(Command::new(env!("CARGO_BIN_EXE_jostle")).args(["serve", "--backends", "1"]));
    let served_address = first_line(&mut served)["backends"][0]["address"]
        .as_str()
        .expect("serve announces its backend")
        .to_owned();
    let mut bare =
        spawn(Command::new(std::env::current_exe().expect("this bench")).arg("--bare-server"));
    let bare_address = first_line(&mut bare)["address"].as_str().expect("an address").to_owned();
    let (served_pid, bare_pid) = (served.id(), bare.id());
    let (bare_rate, served_rate) = runtime.block_on(async {
        let connect = |address: String| async move {
            let channel = Endpoint::from_shared(format!("http://{address}"))
                .expect("an address")
                .tcp_nodelay(true)
                .connect()
                .await
                .expect("the server is up");
            bare::warm(&channel).await;
            channel
        };
        let (to_bare, to_served) = (connect(bare_address).await, connect(served_address).await);
        let (mut bare_rates, mut served_rates) = (Vec::new(), Vec::new());
        let (mut bare_cpu, mut served_cpu) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Alternate which goes first, so neither always runs on a warmer machine.
            for first in [round % 2 == 0, round % 2 == 1] {
                let (channel, pid, rates, cpu) = if first {
                    (&to_bare, bare_pid, &mut bare_rates, &mut bare_cpu)
                } else {
                    (&to_served, served_pid, &mut served_rates, &mut served_cpu)
                };
                let before = bare::cpu_seconds_of(&pid.to_string());
                rates.push(bare::load(boxed(channel.clone()), calls, IN_FLIGHT).await);
                cpu.push((bare::cpu_seconds_of(&pid.to_string()) - before) / calls as f64 * 1e6);
            }
        }
        println!("rounds, calls/s: bare {bare_rates:.0?}, jostle serve {served_rates:.0?}");
        println!("rounds, server CPU us/call: bare {bare_cpu:.1?}, jostle serve {served_cpu:.1?}");
        let (bare_us, served_us) = (bare::median(bare_cpu), bare::median(served_cpu));
        println!("  server CPU per call (median): bare {bare_us:.1} us, jostle serve {served_us:.1} us: ratio of throughput at equal CPU {:.3}", bare_us / served_us);
        (bare::median(bare_rates), bare::median(served_rates))
    });
    stop(&mut bare);
    stop(&mut served);
    let ratio = served_rate / bare_rate;
    println!(
        "serve bench: {calls} calls x {rounds} rounds, {IN_FLIGHT} in flight, one TCP connection each, client in its own process"
    );
    println!("  bare tonic server binary: {bare_rate:.0} calls/s (median)");
    println!("  jostle serve, one backend: {served_rate:.0} calls/s (median)");
    let verdict = if ratio >= 0.90 { "met" } else { "missed" };
    println!("  ratio {ratio:.3} (target at least 0.90: {verdict})");
}

/// The bare server: the reference order service on an ephemeral port of 127.0.0.1, its address
/// as one JSON line, served until stdin closes.
fn bare_server() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let incoming =
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        println!("{{\"address\":\"{address}\"}}");
        let _ = std::io::stdout().flush();
        let closed = async {
            tokio::task::spawn_blocking(|| {
                let mut sink = String::new();
                while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
            })
            .await
            .ok();
        };
        Server::builder()
            .add_service(Orders::new("bare").into_server())
            .serve_with_incoming_shutdown(incoming, closed)
            .await
            .expect("the bare server serves");
    });
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("a server process starts")
}

fn first_line(child: &mut Child) -> serde_json::Value {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server announces itself");
    serde_json::from_str(&line).expect("a JSON line")
}

/// Ends a server: stdin closed (the bare one stops), then SIGTERM (serve stops), then waited for.
fn stop(child: &mut Child) {
    drop(child.stdin.take());
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}
