//! How long 1,000 in-memory backends take to start and to serve one call each, and what one
//! backend costs in memory (resident set, before and after, from /proc/self/status).
//!
//! Run: `cargo bench -p jostle-harness --bench scale` (add `-- 5000` for another count).

#![allow(missing_docs, clippy::print_stdout)]

use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use std::time::Instant;

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let count: usize = std::env::args().skip(1).find_map(|arg| arg.parse().ok()).unwrap_or(1_000);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let before = resident_kib();
        let started = Instant::now();
        let cluster = Cluster::builder().backends(count).start().await.unwrap();
        let start_time = started.elapsed();
        let after_start = resident_kib();

        let served = Instant::now();
        let mut clients = Vec::with_capacity(count);
        for backend in cluster.backends() {
            let mut client = OrderServiceClient::new(cluster.channel(backend.id()).unwrap());
            client.create_order(create_order_request(0)).await.unwrap();
            clients.push(client);
        }
        let serve_time = served.elapsed();
        let after_calls = resident_kib();
        let ok: u64 = cluster.backends().iter().map(|b| b.stats().ok("CreateOrder")).sum();
        assert_eq!(ok, count as u64, "every backend must serve its call");

        let per = |kib: u64| kib as f64 / count as f64;
        println!("backends: {count} in-memory");
        println!("start:                {start_time:>10.2?}  ({:.1} us per backend)", start_time.as_secs_f64() * 1e6 / count as f64);
        println!("one call each:        {serve_time:>10.2?}  (connect + call, {:.1} us per backend)", serve_time.as_secs_f64() * 1e6 / count as f64);
        println!("memory, idle backend: {:>8.1} KiB per backend (RSS {before} -> {after_start} KiB)", per(after_start.saturating_sub(before)));
        println!("memory, one client connection each: {:>8.1} KiB per backend (RSS {after_start} -> {after_calls} KiB)", per(after_calls.saturating_sub(after_start)));
        drop(clients);
        cluster.shutdown().await;
    });
}
