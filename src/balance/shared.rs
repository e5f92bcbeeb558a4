//! The state a [`BalancedChannel`](super::BalancedChannel) shares with its tasks: the endpoints,
//! which of them are ready, the balancer, and the health bookkeeping.

use super::events;
use super::outlier::OutlierDetector;
use super::watched::Closed;
use super::{BalanceConfig, Balancer, Candidate, EndpointId, Outcome};
use http::Uri;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tonic::Code;
use tonic::transport::Channel;

/// How a routed call ended, for health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// With a status code from the endpoint.
    Status(Code),
    /// At its deadline.
    Timeout,
    /// On a transport error: the connection failed under it.
    Transport,
}

pub(crate) struct Shared {
    pub(crate) config: BalanceConfig,
    state: Mutex<State>,
    balancer: Mutex<Box<dyn Balancer>>,
    outlier: Option<Mutex<OutlierDetector<EndpointId>>>,
    /// Called after each failed connection attempt (DNS re-resolves then).
    pub(crate) on_connect_failure: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Told whenever an endpoint becomes ready or goes down.
    pub(crate) changed: Notify,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .field("balancer", &self.balancer_name())
            .field("endpoints", &self.snapshot())
            .finish()
    }
}

#[derive(Debug)]
struct State {
    next_id: u64,
    endpoints: BTreeMap<EndpointId, Entry>,
    jitter: ChaCha8Rng,
    /// Whether discovery has said anything yet (a change, or the end of its stream).
    discovered: bool,
}

#[derive(Debug)]
struct Entry {
    address: Uri,
    weight: u32,
    /// The connection, while ready.
    ready: Option<(Channel, Arc<Closed>)>,
    in_flight: Arc<AtomicUsize>,
    /// Failures since a call on it was last answered (any status but `UNAVAILABLE`): drives
    /// the backoff.
    attempt: u32,
    /// Whether its connection broke and it reconnected at once, with no call answered since:
    /// the next break backs off (a backend that accepts and drops connections is no loop).
    reconnected_at_once: bool,
    /// Consecutive calls that ended at their deadline.
    timeouts: u32,
    /// Whether it has had a connection before: its next one readmits it.
    connected_before: bool,
    /// Whether its first connection attempt has ended, in a connection or a failure.
    settled: bool,
    /// Dropped (or set) when the endpoint is removed: its task stops.
    stop: watch::Sender<bool>,
}

/// A pick: the endpoint, its connection, and its in-flight count (already incremented).
#[derive(Debug)]
pub(crate) struct Picked {
    pub(crate) id: EndpointId,
    pub(crate) channel: Channel,
    pub(crate) in_flight: InFlight,
}

/// Counts one request in flight on an endpoint until dropped.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A copy of one endpoint's state, for tests and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSnapshot {
    /// Its id.
    pub id: EndpointId,
    /// Its address.
    pub address: Uri,
    /// Whether it is in the ready set (connected, and not ejected as an outlier).
    pub ready: bool,
    /// Whether outlier detection has ejected it.
    pub ejected: bool,
    /// Requests in flight on it.
    pub in_flight: usize,
    /// Failures since a call on it was last answered (with any status but `UNAVAILABLE`).
    pub failures: u32,
    /// Its weight for weighted policies, as discovery last gave it.
    pub weight: u32,
}

impl Shared {
    pub(crate) fn new(config: BalanceConfig, balancer: Box<dyn Balancer>) -> Self {
        let jitter = config.rng(0);
        let outlier =
            config.outlier.clone().map(|outlier| Mutex::new(OutlierDetector::new(outlier)));
        Self {
            outlier,
            on_connect_failure: None,
            config,
            state: Mutex::new(State {
                next_id: 0,
                endpoints: BTreeMap::new(),
                jitter,
                discovered: false,
            }),
            balancer: Mutex::new(balancer),
            changed: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn balancer(&self) -> MutexGuard<'_, Box<dyn Balancer>> {
        self.balancer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `address`, or updates its weight; returns the new endpoint's id and stop signal, or
    /// `None` if it was there already.
    pub(crate) fn insert(
        &self,
        address: &Uri,
        weight: u32,
    ) -> Option<(EndpointId, watch::Receiver<bool>)> {
        let mut state = self.state();
        state.discovered = true;
        if let Some(entry) = state.endpoints.values_mut().find(|entry| &entry.address == address) {
            if entry.weight != weight {
                entry.weight = weight;
                events::weight_changed(address, weight);
                drop(state);
                self.changed.notify_waiters();
            }
            return None;
        }
        let id = EndpointId(state.next_id);
        state.next_id += 1;
        let (stop, stopped) = watch::channel(false);
        let entry = Entry {
            address: address.clone(),
            weight,
            ready: None,
            in_flight: Arc::default(),
            attempt: 0,
            reconnected_at_once: false,
            timeouts: 0,
            connected_before: false,
            settled: false,
            stop,
        };
        state.endpoints.insert(id, entry);
        drop(state);
        events::added(address, id, weight);
        if let Some(outlier) = &self.outlier {
            outlier.lock().unwrap_or_else(PoisonError::into_inner).add(id);
        }
        Some((id, stopped))
    }

    /// Discovery's stream ended: whatever it said is all there is.
    pub(crate) fn discovery_ended(&self) {
        self.state().discovered = true;
        self.changed.notify_waiters();
    }

    /// Whether the channel is still making its first connections, as gRPC's CONNECTING: no
    /// word from discovery yet, or an endpoint whose first connection attempt has not ended.
    /// A call that finds nothing ready waits then, even when it would fail fast.
    pub(crate) fn connecting(&self) -> bool {
        let state = self.state();
        !state.discovered || state.endpoints.values().any(|entry| !entry.settled)
    }

    /// Removes `address`: it gets no new request, its task stops, its connection closes.
    pub(crate) fn remove(&self, address: &Uri) {
        let removed = {
            let mut state = self.state();
            state.discovered = true;
            let id = state
                .endpoints
                .iter()
                .find(|(_, entry)| &entry.address == address)
                .map(|(id, _)| *id);
            id.and_then(|id| state.endpoints.remove(&id).map(|entry| (id, entry)))
        };
        if let Some((id, entry)) = removed {
            events::removed(address, id);
            entry.stop.send_replace(true);
            if let Some(outlier) = &self.outlier {
                outlier.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
            }
            self.balancer().forget(id);
            self.changed.notify_waiters();
        }
    }

    pub(crate) fn set_ready(&self, id: EndpointId, channel: Channel, closed: Arc<Closed>) {
        let outlier_ejected = self.ejected().contains(&id);
        if let Some(entry) = self.state().endpoints.get_mut(&id) {
            entry.ready = Some((channel, closed));
            events::connected(&entry.address, id, entry.connected_before, outlier_ejected);
            entry.connected_before = true;
            entry.settled = true;
        }
        self.changed.notify_waiters();
    }

    /// Takes `id` out of the ready set, its connection closed for `reason`; returns how long to
    /// wait before reconnecting.
    pub(crate) fn set_down(&self, id: EndpointId, reason: &str) -> Duration {
        let wait = {
            let mut state = self.state();
            let State { endpoints, jitter, .. } = &mut *state;
            let Some(entry) = endpoints.get_mut(&id) else { return Duration::ZERO };
            entry.settled = true;
            let was_ready = entry.ready.take().is_some();
            let healthy = entry.attempt == 0 && !entry.reconnected_at_once;
            let wait = if was_ready && healthy {
                // A working connection broke: reconnect at once; if that fails, the first wait
                // is the initial backoff (gRPC: the backoff resets once a connection is up).
                entry.reconnected_at_once = true;
                Duration::ZERO
            } else {
                self.failed(entry, jitter)
            };
            events::closed(&entry.address, id, reason, wait);
            wait
        };
        self.balancer().forget(id);
        self.changed.notify_waiters();
        wait
    }

    /// Counts a failed connection attempt; returns how long to wait before the next one.
    pub(crate) fn connect_failed(&self, id: EndpointId) -> Duration {
        if let Some(hook) = &self.on_connect_failure {
            hook();
        }
        let wait = {
            let mut state = self.state();
            let State { endpoints, jitter, .. } = &mut *state;
            let Some(entry) = endpoints.get_mut(&id) else { return Duration::ZERO };
            entry.settled = true;
            self.failed(entry, jitter)
        };
        // A call waiting for the first connections may now fail fast.
        self.changed.notify_waiters();
        wait
    }

    /// Counts one more failure of `entry`; returns the backoff its failures now call for.
    fn failed(&self, entry: &mut Entry, jitter: &mut ChaCha8Rng) -> Duration {
        entry.attempt = entry.attempt.saturating_add(1);
        self.config.backoff.wait(entry.attempt, jitter.random_range(-1.0..=1.0))
    }

    /// Picks a ready endpoint with the balancer, or `None` when none is ready.
    pub(crate) fn pick(&self) -> Option<Picked> {
        let ejected = self.ejected();
        let state = self.state();
        let ready: Vec<(&EndpointId, &Entry)> = state
            .endpoints
            .iter()
            .filter(|(id, entry)| entry.ready.is_some() && !ejected.contains(id))
            .collect();
        if ready.is_empty() {
            return None;
        }
        let candidates: Vec<Candidate<'_>> = ready
            .iter()
            .map(|(id, entry)| Candidate {
                id: **id,
                address: &entry.address,
                in_flight: entry.in_flight.load(Ordering::SeqCst),
                weight: entry.weight,
            })
            .collect();
        let index = self.balancer().pick(&candidates);
        let (id, entry) = ready.get(index)?;
        let (channel, _) = entry.ready.as_ref()?;
        entry.in_flight.fetch_add(1, Ordering::SeqCst);
        Some(Picked {
            id: **id,
            channel: channel.clone(),
            in_flight: InFlight(Arc::clone(&entry.in_flight)),
        })
    }

    /// Books how a call on `id` ended: health first, then the balancer's hook.
    pub(crate) fn report(&self, id: EndpointId, ended: Ended, latency: Duration) {
        {
            let mut state = self.state();
            if let Some(entry) = state.endpoints.get_mut(&id) {
                let kick = match ended {
                    Ended::Status(Code::Unavailable) if self.config.eject_on_unavailable => {
                        Some("answered UNAVAILABLE")
                    }
                    Ended::Transport => Some("a call failed on a transport error"),
                    Ended::Timeout => {
                        entry.timeouts += 1;
                        let eject = self.config.timeouts_to_eject;
                        (eject > 0 && entry.timeouts >= eject)
                            .then_some("timeouts_to_eject calls in a row ended at their deadline")
                    }
                    // Any other answer, OK or not (NOT_FOUND, INVALID_ARGUMENT, ...), shows
                    // the connection serving calls: its failures are over, and a later break
                    // reconnects at once (gRPC resets the backoff once a connection is up).
                    Ended::Status(_) => {
                        entry.attempt = 0;
                        entry.reconnected_at_once = false;
                        entry.timeouts = 0;
                        None
                    }
                };
                if let Some(reason) = kick {
                    entry.timeouts = 0;
                    if let Some((_, closed)) = &entry.ready {
                        // The endpoint's task sees this as a closed connection and takes it down.
                        closed.close(reason);
                    }
                }
            }
        }
        let code = match ended {
            Ended::Status(code) => code,
            Ended::Timeout => Code::DeadlineExceeded,
            Ended::Transport => Code::Unavailable,
        };
        if let Some(outlier) = &self.outlier {
            outlier.lock().unwrap_or_else(PoisonError::into_inner).record(&id, code == Code::Ok);
        }
        self.balancer().observe(id, &Outcome { code, latency });
    }

    /// Endpoints that outlier detection has ejected now.
    fn ejected(&self) -> Vec<EndpointId> {
        self.outlier
            .as_ref()
            .map(|outlier| outlier.lock().unwrap_or_else(PoisonError::into_inner).ejected())
            .unwrap_or_default()
    }

    /// One outlier-detection interval: ejects and returns endpoints per A50. Does nothing
    /// without outlier detection.
    pub(crate) fn outlier_tick(&self, rng: &mut ChaCha8Rng) {
        if let Some(outlier) = &self.outlier {
            let now = tokio::time::Instant::now().into_std();
            let changes = outlier
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .tick(now, &mut |bound| rng.random_range(0..bound.max(1)));
            if !changes.is_empty() {
                let state = self.state();
                events::outlier(&changes, |id| {
                    state.endpoints.get(&id).map(|entry| (&entry.address, entry.ready.is_some()))
                });
            }
            self.changed.notify_waiters();
        }
    }

    /// The endpoints now, in id order.
    pub(crate) fn snapshot(&self) -> Vec<EndpointSnapshot> {
        let ejected = self.ejected();
        self.state()
            .endpoints
            .iter()
            .map(|(id, entry)| EndpointSnapshot {
                id: *id,
                address: entry.address.clone(),
                ready: entry.ready.is_some() && !ejected.contains(id),
                ejected: ejected.contains(id),
                in_flight: entry.in_flight.load(Ordering::SeqCst),
                failures: entry.attempt,
                weight: entry.weight,
            })
            .collect()
    }

    /// The balancer's name.
    pub(crate) fn balancer_name(&self) -> String {
        self.balancer().name().to_owned()
    }
}
