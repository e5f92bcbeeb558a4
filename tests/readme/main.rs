//! The README's Rust examples, each compiled and run as a test: every ```rust block of
//! README.md is, byte for byte, one of the files below (or tests/conformance/readme.rs), so the
//! README cannot drift from code that runs.
//!
//! Rerun: `cargo test --test balancers readme::` (and `cargo test --test balancers readme`).

mod claims;
mod first_test;
// The README's examples are written as in a user's crate, where `pub` is reachable.
#[allow(unreachable_pub)]
mod real_service;
mod replay;
mod report_block;
mod toolchain;

use jostle_harness::prelude::*;

/// The README's Rust blocks, in order, and the files that hold them.
const BLOCKS: [(&str, &str); 4] = [
    ("tests/readme/first_test.rs", include_str!("first_test.rs")),
    ("tests/readme/replay.rs", include_str!("replay.rs")),
    ("tests/readme/real_service.rs", include_str!("real_service.rs")),
    ("tests/conformance/readme.rs", include_str!("../conformance/readme.rs")),
];

#[test]
fn every_rust_example_of_the_readme_is_a_file_that_runs_as_a_test() {
    let readme = include_str!("../../README.md");
    let examples: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .collect();
    assert_eq!(
        examples.len(),
        BLOCKS.len(),
        "every ```rust block of README.md must be one of {:?}",
        BLOCKS.map(|(path, _)| path)
    );
    for (example, (path, file)) in examples.iter().zip(BLOCKS) {
        assert_eq!(
            *example, file,
            "README.md's example must be {path} byte for byte (copy one into the other)"
        );
    }
}

#[tokio::test]
async fn the_real_service_example_balances_calls_over_every_replica() -> Result<(), BoxError> {
    let cluster = Cluster::builder().backends(3).transport(Transport::Tcp).start().await?;
    let mut client = real_service::orders_client(cluster.addresses());
    // BalancedChannel connects in the background and, without wait_for_ready, fails a call
    // made before any endpoint is ready: wait (bounded) until every replica has a connection.
    for backend in cluster.backends() {
        let connected = backend.wait_until(|stats| stats.connections_open >= 1);
        tokio::time::timeout(std::time::Duration::from_secs(10), connected).await.map_err(
            |_| format!("{} got no connection from the client within 10 s", backend.name()),
        )?;
    }
    for call in 0..30 {
        client.create_order(create_order_request(call)).await?;
    }
    for backend in cluster.backends() {
        assert!(
            backend.stats().ok("CreateOrder") > 0,
            "the README's client must balance calls onto every replica, {} served none",
            backend.name()
        );
    }
    Ok(())
}
