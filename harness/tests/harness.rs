//! The harness's own tests. One test binary, so that `cargo test` runs these tests side by side
//! (a binary's tests run in parallel; binaries run one after another), each directory one module:
//! `cli` (the `jostle` command), `cluster`, `faults`, `load`, `scenarios` (scenario files and
//! runs), `serve` (serve, ctl, drive, real clients) and `service` (the order service).
//!
//! Rerun one part: `cargo test -p jostle-harness --test harness scenarios::` (any test-name
//! filter works). `cli` and `serve` need the `cli` feature (on by default).

#[cfg(feature = "cli")]
#[path = "cli/main.rs"]
mod cli;
#[path = "cluster/main.rs"]
mod cluster;
#[path = "faults/main.rs"]
mod faults;
#[path = "load/main.rs"]
mod load;
#[path = "scenarios/main.rs"]
mod scenarios;
#[cfg(feature = "cli")]
#[path = "serve/main.rs"]
mod serve;
#[path = "service/main.rs"]
mod service;
mod stories;
#[path = "../../tests/support/wrap.rs"]
mod wrap;
