//! Test hosts with their own addresses (docs/SERVE.md): three network namespaces on a bridge,
//! each running `jostle serve` on the same port at its own address, as pods; jostle's balancer
//! on the host finds them through a real name server on 127.0.0.1, which a rolling deploy
//! re-points. Traffic stays on loopback and inside the namespaces the test made.
//!
//! Needs root and iproute2's `ip`; otherwise skipped with a message, unless
//! JOSTLE_REQUIRE_NETNS is set (.ci/run sets it), when it fails instead.
//!
//! Rerun: `cargo test -p jostle-harness --test harness namespaces`.

use super::dns::NameServer;
use super::load::Load;
use super::netns::{self, Hosts};
use super::process::lines;
use super::tally::Tally;
use jostle::balance::BalancedChannel;
use jostle::dial::TcpConnector;
use jostle::discover::dns::{DnsDiscovery, HickoryResolver};
use jostle_harness::wait::Within;
use serde_json::Value;
use std::net::Ipv4Addr;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const RERUN: &str = "rerun: cargo test -p jostle-harness --test harness namespaces";

/// The rolling deploy's subnet, 10.213.10.0/24 (the cleanup test takes 10.213.11.0/24).
const SUBNET: u8 = 10;
/// Every host's backend port: the same on each, as every pod of a Deployment has.
const PORT: u16 = 50051;
/// Every host's control API port, on the host's own address (the host cannot reach a
/// namespace's loopback), so behind a token.
const CONTROL_PORT: u16 = 7000;
/// The name the balancer resolves, in the name server's zone.
const HOST: &str = "orders";
/// The records' TTL in seconds: the balancer asks again this often.
const TTL: u32 = 1;
/// Each call's deadline.
const CALL_DEADLINE: Duration = Duration::from_secs(10);
/// The bound of the load: far more calls than the deploy takes (a few thousand).
const CALL_BOUND: u64 = 500_000;
/// Calls before the deploy, and after the old host stopped.
const PHASE: u64 = 300;
/// How long any one wait may take: a step of setup, a DNS re-resolution, a phase of calls.
const DEADLINE: Duration = Duration::from_secs(60);

/// The control token of every host's serve (16 to 1024 visible ASCII characters).
fn token() -> String {
    format!("jostle-namespaces-test-{}", std::process::id())
}

/// `jostle ctl --control CONTROL args...` with the token; it must succeed.
fn ctl(control: &str, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_jostle"))
        .args(["ctl", "--control", control])
        .args(args)
        .env("JOSTLE_CONTROL_TOKEN", token())
        .output()
        .expect("jostle ctl runs");
    assert_eq!(output.status.code(), Some(0), "ctl {args:?} must succeed ({RERUN}): {output:?}");
    output
}

/// The one backend of a host, as `jostle ctl list` gives it.
fn backend(control: &str) -> Value {
    lines(&ctl(control, &["list"]).stdout).remove(0)
}

fn served_count(control: &str) -> u64 {
    backend(control)["served"].as_u64().expect("a served count")
}

/// Polls `condition` until it holds, at most [`DEADLINE`]; fails naming `what`.
fn poll_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < DEADLINE, "gave up after {DEADLINE:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts one `jostle serve` per host, at the host's address, port [`PORT`], its control API
/// at the same address, port [`CONTROL_PORT`]: the control addresses.
fn serve_everywhere(hosts: &mut Hosts, count: usize) -> Vec<String> {
    let token = token();
    (0..count)
        .map(|index| {
            let address = hosts.address(index).to_string();
            let control = format!("{address}:{CONTROL_PORT}");
            let (port, env) = (PORT.to_string(), [("JOSTLE_CONTROL_TOKEN", token.as_str())]);
            let args = ["--host", &address, "--ports", &port, "--control", &control];
            let served = hosts.serve(index, &args, &env);
            assert_eq!(
                served.backend(0),
                format!("{address}:{PORT}"),
                "host {index}'s backend must listen on its own address ({RERUN})"
            );
            assert_eq!(served.control(), control, "and its control API too ({RERUN})");
            control
        })
        .collect()
}

fn authority(address: Ipv4Addr) -> String {
    format!("{address}:{PORT}")
}

#[test]
fn a_rolling_dns_repoint_across_three_namespaced_hosts_fails_no_call() {
    if !netns::runnable() {
        return;
    }
    let mut hosts = Hosts::create(SUBNET, 3);
    let controls = serve_everywhere(&mut hosts, 3);
    let [h0, h1, h2] = [0, 1, 2].map(|index| hosts.address(index));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dns = runtime.block_on(NameServer::start(HOST, &[h0, h1], TTL));

    // jostle's balancer, round robin, discovering through the name server on loopback.
    let tally = Tally::default();
    let resolver = HickoryResolver::with_name_servers(&[dns.address()]).expect("a resolver");
    let target = format!("{HOST}.jostle.test:{PORT}");
    let (changes, refresh) = DnsDiscovery::with_resolver(&target, resolver)
        .expect("a valid target")
        .min_ttl(Duration::from_millis(500))
        .changes();
    let channel = {
        let _inside = runtime.enter();
        BalancedChannel::builder()
            .balancer(tally.round_robin())
            .refresh_dns_on_failure(refresh)
            .build(changes, TcpConnector::new())
    };
    let ready = |channel: &BalancedChannel, expected: &[Ipv4Addr]| {
        let mut wanted: Vec<String> = expected.iter().map(|&ip| authority(ip)).collect();
        wanted.sort();
        let channel = channel.clone();
        runtime.block_on(async move {
            channel
                .wait_until(|endpoints| {
                    let mut now: Vec<String> = endpoints
                        .iter()
                        .filter(|endpoint| endpoint.ready)
                        .filter_map(|endpoint| endpoint.address.authority().map(|a| a.to_string()))
                        .collect();
                    now.sort();
                    now == wanted && endpoints.len() == wanted.len()
                })
                .within(DEADLINE, format!("the balancer's endpoints to be {wanted:?}, all ready"))
                .await;
        });
    };
    ready(&channel, &[h0, h1]);

    let load = Load::start(&runtime, channel.clone(), CALL_BOUND, CALL_DEADLINE);
    load.wait_for_calls(PHASE, DEADLINE, "a phase of calls before the deploy");
    let before = [0, 1, 2].map(|index| served_count(&controls[index]));
    assert!(
        before[0] > 0 && before[1] > 0,
        "round robin over the two hosts of the first answer must call both ({RERUN}): {before:?}"
    );
    assert_eq!(before[2], 0, "h2 is in no DNS answer yet: it must serve nothing ({RERUN})");

    // The rolling deploy: the name now answers h1 and h2.
    runtime.block_on(dns.point(HOST, &[h1, h2]));
    poll_until("h2 to serve calls (its own counter, jostle ctl list) after the re-point", || {
        served_count(&controls[2]) > 0
    });
    ready(&channel, &[h1, h2]);
    // The old pod retires gracefully: its calls in flight finish, its port closes.
    let stopped = lines(&ctl(&controls[0], &["stop", "backend-0"]).stdout).remove(0);
    assert_eq!(stopped["state"], "stopped", "ctl stop must stop h0's backend ({RERUN})");
    let h0_at_stop = stopped["served"].as_u64().expect("a served count");
    let after = load.calls() + PHASE;
    load.wait_for_calls(after, DEADLINE, "a phase of calls after h0 stopped");
    let made = load.finish(&runtime);

    let counts = [0, 1, 2].map(|index| served_count(&controls[index]));
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "namespaces: {} calls, {} ok, failed {:?}; served h0 {} (stopped at {h0_at_stop}), \
             h1 {}, h2 {}; client tally {:?}",
            made.calls,
            made.ok,
            made.failed,
            counts[0],
            counts[1],
            counts[2],
            tally.counts()
        );
    }
    assert!(!made.hit_bound, "the load must be stopped, not reach its bound ({RERUN})");
    assert!(
        made.failed.is_empty() && tally.counts().failed.is_empty(),
        "a rolling DNS re-point with a graceful stop must fail no call ({RERUN}): {:?} {:?}",
        made.failed,
        tally.counts().failed
    );
    assert!(counts[2] > 0, "h2 must serve calls after the re-point ({RERUN})");
    assert_eq!(counts[0], h0_at_stop, "h0 must serve no call once stopped ({RERUN})");
    assert_eq!(backend(&controls[0])["state"], "stopped", "h0 must stay stopped ({RERUN})");
    let expected = [h0, h1, h2]
        .iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .map(|(&ip, count)| (authority(ip), count))
        .collect();
    assert_eq!(
        tally.counts().ok,
        expected,
        "the client's calls per host must equal each host's own served counter ({RERUN})"
    );
    assert_eq!(made.ok, counts.iter().sum::<u64>(), "every OK call must be counted by a host");
    drop(channel);
    drop(dns);
    let made = hosts.made();
    drop(hosts);
    let left = made.left();
    assert!(left.is_empty(), "the test must remove every namespace, link and process: {left:?}");
}
