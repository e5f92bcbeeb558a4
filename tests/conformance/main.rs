//! The conformance battery: every jostle policy passes every check it claims; tonic's
//! `balance_list` and the article's dialers fail exactly the checks their flaws predict; and
//! deliberately broken balancers are each caught by the right check.
//!
//! Rerun: `cargo test --test balancers conformance::`.

mod balance_list;
mod broken;
mod incident;
mod incidents;
mod peers;
mod policies;
// The README's example, byte for byte (tests/readme checks it): its `pub` reads as in a crate.
#[allow(unreachable_pub)]
mod readme;
mod seeds;
mod specimens;
mod user_balancer;
