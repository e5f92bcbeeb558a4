//! Calls per second through a jostle backend (recorder and fault layer installed, no fault
//! active) against a bare tonic server serving the same service, same client, same run, on
//! both transports. Rounds alternate between the two; the medians are compared.
//!
//! Run: `cargo bench -p jostle-harness --bench fault_layer` (`-- CALLS ROUNDS` to change the
//! defaults of 40000 calls and 5 rounds).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;

const IN_FLIGHT: u64 = 64;

fn main() {
    let (calls, rounds, runtime) = bare::setup();
    runtime.block_on(async {
        println!("{calls} unary CreateOrder calls, {IN_FLIGHT} in flight, one connection, {rounds} rounds, medians");
        for transport in Transport::ALL {
            let cluster = Cluster::builder().backends(1).transport(transport).start().await.unwrap();
            let jostle = cluster.channel(0).unwrap();
            let bare = match transport {
                Transport::InMemory => bare::in_memory().await,
                Transport::Tcp => bare::tcp().await,
            };
            bare::warm(&jostle).await;
            bare::warm(&bare).await;
            let (mut with_layer, mut baseline) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                baseline.push(bare::load(boxed(bare.clone()), calls, IN_FLIGHT).await);
                with_layer.push(bare::load(boxed(jostle.clone()), calls, IN_FLIGHT).await);
            }
            let (with_layer, baseline) = (bare::median(with_layer), bare::median(baseline));
            println!(
                "{transport:>9}: bare tonic {baseline:>8.0} calls/s, jostle backend {with_layer:>8.0} calls/s, ratio {:.3}",
                with_layer / baseline
            );
            cluster.shutdown().await;
        }
    });
}
