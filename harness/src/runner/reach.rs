//! The load of a user's channel on the in-memory transport, stopped with an error saying why
//! when the channel reaches no backend: a channel that dials the addresses itself (tonic's
//! `Endpoint::connect`) instead of through the target's connector.
//!
//! In-memory addresses are IP literals on port 0 (`net::mem_address`): such a channel gets
//! `ConnectionRefused` from the kernel on every call, at once, and never asks a resolver. Its
//! run would end with every call failed and checks that blame the balancer; this stops it
//! within [`REACH_BOUND`] of the load instead, with the fix in the message.

use crate::error::{Error, Result};
use crate::load::{CallLog, Progress};
use crate::net::Transport;
use crate::scenario::{BalancerChoice, Scenario};
use std::future::Future;
use std::time::Duration;

/// How long the load of a user's channel may run without one connect through the target's
/// connector (tokio time: virtual under the paused clock).
pub(super) const REACH_BOUND: Duration = Duration::from_secs(2);

/// The load `load`, ended with [`Error::Unreached`] when `scenario`'s user channel, on the
/// in-memory transport with a backend announced when the load starts, has made calls but
/// not one connect through the network (`dials` reads the network's count) by
/// [`REACH_BOUND`], or by the load's end if sooner. Any other run: `load` as it is (its log and
/// how many calls started late).
pub(super) async fn watched(
    scenario: &Scenario,
    dials: impl Fn() -> u64,
    progress: &Progress,
    load: impl Future<Output = Result<(CallLog, u64)>>,
) -> Result<(CallLog, u64)> {
    let custom = match scenario.balancer() {
        BalancerChoice::Custom(custom) => custom.name().to_owned(),
        _ => return load.await,
    };
    let announced = !scenario.discovery().at(scenario.warm_up()).is_empty();
    if scenario.transport() != Transport::InMemory || !announced {
        return load.await;
    }
    let unreached = |calls: u64| Error::Unreached {
        balancer: custom.clone(),
        calls,
        warm_up: scenario.warm_up(),
        bound: REACH_BOUND,
    };
    tokio::pin!(load);
    tokio::select! {
        biased;
        played = &mut load => {
            let (log, late) = played?;
            if dials() == 0 && !log.calls.is_empty() {
                return Err(unreached(log.calls.len() as u64));
            }
            Ok((log, late))
        }
        () = tokio::time::sleep(REACH_BOUND) => {
            if dials() == 0 {
                // Dropping the load ends its calls: none reached a backend.
                return Err(unreached(progress.calls_finished()));
            }
            load.await
        }
    }
}
