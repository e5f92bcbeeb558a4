//! `[load] clients`: the load driven by several independent clients at once, each with its own
//! balancer, connections and draws, and their call logs made one.

use crate::channel::BoxChannel;
use crate::error::{Error, Result};
use crate::load::{CallLog, LoadSpec, Progress, drive_with};
use tokio_util::task::AbortOnDropHandle;

/// The seed of client `client`'s draws (its load's methods, its balancer's random choices):
/// the scenario's own for client 0, so a one-client run is the run it always was; a mix of
/// the two for the others, so no two clients draw alike.
pub(super) fn seed(seed: u64, client: usize) -> u64 {
    seed ^ (client as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Drives `spec` through every one of `channels` at once (client `i` through `channels[i]`,
/// with [`seed`]`(spec.seed, i)`), and gives one log: every call tagged with its client, in
/// start order (ties by client, then by the client's own order), numbered from 0 in that order.
/// One client's log is exactly what [`drive_with`] gives.
pub(super) async fn drive(
    channels: &[BoxChannel],
    spec: &LoadSpec,
    progress: &Progress,
) -> Result<CallLog> {
    if let [channel] = channels {
        return drive_with(channel.clone(), spec, progress).await;
    }
    let loads: Vec<_> = channels
        .iter()
        .enumerate()
        .map(|(client, channel)| {
            let spec = LoadSpec { seed: seed(spec.seed, client), ..spec.clone() };
            let (channel, progress) = (channel.clone(), progress.clone());
            // Aborted if this load is dropped (a run stopped early): no client outlives it.
            AbortOnDropHandle::new(tokio::spawn(async move {
                drive_with(channel, &spec, &progress).await
            }))
        })
        .collect();
    let mut calls = Vec::new();
    for (client, load) in loads.into_iter().enumerate() {
        let log = load.await.map_err(|error| Error::Panicked {
            what: format!("the load of client {client}"),
            message: error.to_string(),
        })??;
        calls.extend(log.calls.into_iter().map(|call| crate::load::CallRecord { client, ..call }));
    }
    calls.sort_by_key(|call| (call.start, call.client, call.index));
    for (index, call) in calls.iter_mut().enumerate() {
        call.index = index as u64;
    }
    Ok(CallLog { calls, seed: spec.seed })
}

#[cfg(test)]
mod tests {
    use super::seed;

    #[test]
    fn client_zero_draws_from_the_scenario_seed_and_every_other_client_from_its_own() {
        assert_eq!(seed(7, 0), 7, "a one-client run keeps the scenario's seed");
        let seeds: std::collections::BTreeSet<u64> =
            (0..1000).map(|client| seed(7, client)).collect();
        assert_eq!(seeds.len(), 1000, "two clients of 1,000 would draw alike");
    }
}
