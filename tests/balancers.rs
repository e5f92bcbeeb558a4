//! The harness applied to balancers: jostle's own, tonic's and third parties', and broken ones.
//! One test binary, so that `cargo test` runs these tests side by side (a binary's tests run in
//! parallel; binaries run one after another), each directory one module:
//!
//! - `balance`: jostle's `BalancedChannel` against clusters under fault;
//! - `conformance`: the conformance battery against every policy, tonic's and broken balancers;
//! - `explore`: explore finds and shrinks every known flaw and raises no false alarm;
//! - `readme`: the README's Rust examples, compiled and run.
//!
//! Rerun one part: `cargo test --test balancers explore::` (any test-name filter works).

#[path = "balance/main.rs"]
mod balance;
#[path = "conformance/main.rs"]
mod conformance;
#[path = "explore/main.rs"]
mod explore;
#[path = "readme/main.rs"]
mod readme;
#[path = "support/wrap.rs"]
mod wrap;
