//! The cluster's foundation: distribution as the backends count it, stops and restarts, the
//! paused clock, scale, cleanup, and the article's story, on both transports.
//!
//! Rerun: `cargo test --test harness cluster::`.

mod cleanup;
mod distribution;
mod latency;
mod paused_clock;
mod port_kept;
mod ports;
mod refused;
mod scale;
mod send_sync;
mod stop_restart;
