//! Scenario files: every fixture parses, and every kind of malformed file is rejected with its
//! place (FILE:LINE:COLUMN) and what was expected; runs give their verdicts, byte-identical
//! JSON and a chart that a browser draws.

mod avoidable;
mod browser;
mod chart;
mod chart_story;
mod dns;
mod every_check;
mod explore;
mod extremes;
mod factories;
mod fail_fast;
mod figures;
mod fixtures;
mod foreign_channel;
mod foreign_dialer;
mod grpc_corpus;
mod incidents;
mod invariants;
mod kinds;
mod latency;
mod malformed;
mod profile;
mod properties;
mod records;
mod reliability;
mod run;
#[path = "../../../tests/support/sabotage.rs"]
mod sabotage;
mod schema;
mod sockets;
mod terminate;
mod transports;
mod two_sided;
mod windows;
