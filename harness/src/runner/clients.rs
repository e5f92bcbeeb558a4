//! `[load] clients`: the load driven by several independent clients at once, each with its own
//! balancer, connections and draws, and their call logs made one.

use crate::channel::BoxChannel;
use crate::error::{Error, Result};
use crate::load::{CallLog, LoadSpec, Progress, drive_within};
use std::sync::Arc;
use tokio::sync::Semaphore;
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
/// One client's log is exactly what [`drive_with`](crate::load::drive_with) gives.
///
/// At most `in_flight` calls of all clients are in flight at once
/// ([`MAX_IN_FLIGHT`](crate::load::limits::MAX_IN_FLIGHT) for a run); also gives how many
/// calls started late because that many were.
pub(super) async fn drive(
    channels: &[BoxChannel],
    spec: &LoadSpec,
    progress: &Progress,
    in_flight: usize,
) -> Result<(CallLog, u64, Vec<CallName>)> {
    let in_flight = Arc::new(Semaphore::new(in_flight));
    if let [channel] = channels {
        let (log, held) = drive_within(channel.clone(), spec, progress, &in_flight).await?;
        let names = log.calls.iter().map(|call| CallName { seed: spec.seed, index: call.index });
        let names = names.collect();
        return Ok((log, held, names));
    }
    let loads: Vec<_> = channels
        .iter()
        .enumerate()
        .map(|(client, channel)| {
            let spec = LoadSpec { seed: seed(spec.seed, client), ..spec.clone() };
            let (channel, progress) = (channel.clone(), progress.clone());
            let in_flight = Arc::clone(&in_flight);
            // Aborted if this load is dropped (a run stopped early): no client outlives it.
            AbortOnDropHandle::new(tokio::spawn(async move {
                drive_within(channel, &spec, &progress, &in_flight).await
            }))
        })
        .collect();
    let (mut calls, mut held) = (Vec::new(), 0);
    for (client, load) in loads.into_iter().enumerate() {
        let (log, late) = load.await.map_err(|error| Error::Panicked {
            what: format!("the load of client {client}"),
            message: error.to_string(),
        })??;
        held += late;
        calls.extend(log.calls.into_iter().map(|call| crate::load::CallRecord { client, ..call }));
    }
    calls.sort_by_key(|call| (call.start, call.client, call.index));
    let client_seeds: Vec<u64> =
        (0..channels.len()).map(|client| seed(spec.seed, client)).collect();
    let mut names = Vec::with_capacity(calls.len());
    for (index, call) in calls.iter_mut().enumerate() {
        names.push(CallName { seed: client_seeds[call.client], index: call.index });
        call.index = index as u64;
    }
    Ok((CallLog { calls, seed: spec.seed }, held, names))
}

/// The name the load driver gave a call in [`CALL_HEADER`](crate::CALL_HEADER): its client's
/// load seed and its index in that client's load (before the clients' logs were merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct CallName {
    pub(super) seed: u64,
    pub(super) index: u64,
}

#[cfg(test)]
mod tests {
    use super::{drive, seed};
    use crate::channel::{BoxChannel, boxed};
    use crate::load::{LoadSpec, Progress};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A channel whose calls never answer, counting the most in flight at once in `most`.
    fn hanging(now: &Arc<AtomicUsize>, most: &Arc<AtomicUsize>) -> BoxChannel {
        let (now, most) = (Arc::clone(now), Arc::clone(most));
        boxed(tower::service_fn(move |_: http::Request<tonic::body::Body>| {
            let (now, most) = (Arc::clone(&now), Arc::clone(&most));
            async move {
                struct Leaving(Arc<AtomicUsize>);
                impl Drop for Leaving {
                    fn drop(&mut self) {
                        self.0.fetch_sub(1, Ordering::SeqCst);
                    }
                }
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                let _leaving = Leaving(now);
                std::future::pending::<()>().await;
                Err::<http::Response<tonic::body::Body>, tonic::Status>(tonic::Status::ok(""))
            }
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn hung_calls_of_every_client_together_stay_within_the_in_flight_cap_and_are_counted() {
        let (now, most) = (Arc::default(), Arc::default());
        let channels: Vec<_> = (0..3).map(|_| hanging(&now, &most)).collect();
        // 3 clients × 100 calls/s for 1 s, every call hanging until the driver's guard (3 s).
        let spec = LoadSpec::open(100.0, Duration::from_secs(1));
        let (log, held, _) = drive(&channels, &spec, &Progress::new(), 50).await.unwrap();
        assert_eq!(log.calls.len(), 300, "every declared call is made, late or not");
        let most = most.load(Ordering::SeqCst);
        assert!(most <= 50, "at most 50 calls in flight over all clients, saw {most}");
        assert_eq!(held, 250, "the 250 calls due while 50 hung started late, and are counted");
    }

    #[test]
    fn client_zero_draws_from_the_scenario_seed_and_every_other_client_from_its_own() {
        assert_eq!(seed(7, 0), 7, "a one-client run keeps the scenario's seed");
        let seeds: std::collections::BTreeSet<u64> =
            (0..1000).map(|client| seed(7, client)).collect();
        assert_eq!(seeds.len(), 1000, "two clients of 1,000 would draw alike");
    }
}
