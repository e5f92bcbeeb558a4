//! [`Fleet`]: `jostle serve` pods elsewhere, one backend each, as one [`Plane`] through their
//! control APIs: backend `i` of a scenario is the `i`-th pod. What `jostle drive` plays on (in
//! Kubernetes, the pods behind a headless Service). A followed fleet
//! ([`Fleet::following`]) moves a backend to a new pod when the pods change
//! ([`Fleet::follow`]).

use super::PlayError;
use super::follow::{Followed, Missed, Unanswered};
use super::held::Held;
use super::plane::{Described, Plane};
use super::pod::{Pod, Reading, plus, unanswered};
use crate::control::Token;
use crate::control::proto::{Counters, FaultWindow, HealRequest, InjectRequest};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Backend `i`'s place in the fleet: its pod now, and what its earlier pods counted.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    pub(super) pod: Pod,
    /// Bumped at each move: a reading of an earlier pod is not this one's.
    pub(super) generation: u64,
    /// What its earlier pods counted, to their last reading.
    pub(super) carried: Counters,
    /// Its counts at the last reading, `carried` included.
    pub(super) last: Counters,
    /// When the pod now was last read (it answered).
    pub(super) last_read: Duration,
    /// Whether its last reading failed (the pod did not answer).
    pub(super) silent: bool,
    /// The fault steps its pod now took.
    pub(super) held: Vec<Held>,
}

/// What a fleet holds behind its lock.
#[derive(Debug)]
pub(super) struct State {
    pub(super) slots: Vec<Slot>,
    /// The addresses the source gave last, sorted.
    pub(super) resolved: Vec<SocketAddr>,
    /// When the source last gave the addresses the fleet started with, before any change.
    pub(super) unchanged_at: Duration,
    pub(super) followed: Followed,
    /// The fault windows of pods left behind, on the fleet's clock.
    pub(super) retired: Vec<FaultWindow>,
}

/// Pods reached through their control APIs, each serving one backend, in the order given.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) origin: Instant,
    pub(super) token: Option<Token>,
    following: bool,
}

impl Fleet {
    /// Connects to the control API of every pod in `controls` (each `jostle serve --backends
    /// 1`), with `token` if they need one. The fleet's clock starts now, and its counters
    /// count from now: calls a pod served before are not the fleet's.
    ///
    /// # Errors
    ///
    /// [`PlayError::Unreachable`] for a pod that cannot be reached; [`PlayError::Control`] for
    /// one that refuses (a wrong token) or serves other than one backend.
    pub async fn connect(controls: &[SocketAddr], token: Option<Token>) -> Result<Self, PlayError> {
        let mut slots = Vec::with_capacity(controls.len());
        for (index, &address) in controls.iter().enumerate() {
            let pod = Pod::connect(index, address, token.clone()).await?;
            let zero = Counters::default();
            slots.push(Slot {
                pod,
                generation: 0,
                carried: zero.clone(),
                last: zero,
                last_read: Duration::ZERO,
                silent: false,
                held: Vec::new(),
            });
        }
        let mut resolved = controls.to_vec();
        resolved.sort_unstable();
        let state = State {
            slots,
            resolved,
            unchanged_at: Duration::ZERO,
            followed: Followed::default(),
            retired: Vec::new(),
        };
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
            origin: Instant::now(),
            token,
            following: false,
        })
    }

    /// This fleet, followed: its pods come from a source that [`Fleet::follow`] is given
    /// again and again. A pod that does not answer is then no error: its counts stay at its
    /// last reading, a fault step it misses is noted, and the report says so
    /// ([`Followed`]).
    pub fn following(mut self) -> Self {
        self.following = true;
        self
    }

    /// How many pods.
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.lock().slots.is_empty()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Since the fleet's origin.
    pub(super) fn now(&self) -> Duration {
        Instant::now().duration_since(self.origin)
    }

    /// Backend `index`'s pod now, and its slot's generation.
    fn pod(&self, index: usize) -> (Pod, u64) {
        let state = self.lock();
        (state.slots[index].pod.clone(), state.slots[index].generation)
    }
}

impl Plane for Fleet {
    fn describe(&self) -> Vec<Described> {
        self.lock().slots.iter().map(|slot| slot.pod.backend.clone()).collect()
    }

    fn origin(&self) -> Instant {
        self.origin
    }

    async fn inject(
        &self,
        targets: &[usize],
        kind: &str,
        parameters: &BTreeMap<String, String>,
    ) -> Result<(), PlayError> {
        let every: Vec<usize> = (0..self.len()).collect();
        let targets = if targets.is_empty() { every.as_slice() } else { targets };
        for &index in targets {
            let (pod, generation) = self.pod(index);
            let request = InjectRequest {
                kind: kind.to_owned(),
                targets: Vec::new(),
                parameters: parameters.clone().into_iter().collect(),
            };
            let mut client = pod.client.clone();
            match client.inject(request).await {
                Ok(_) => {
                    let at = self.now();
                    let slot = &mut self.lock().slots[index];
                    if slot.generation == generation {
                        slot.held.push(Held::of(at, kind, parameters));
                    }
                }
                Err(status) if self.following && unanswered(&status) => {
                    tracing::warn!(backend = index, kind, %status, "drive: a pod missed a fault");
                    let at = self.now();
                    self.lock().followed.missed.push(Missed {
                        backend: index,
                        at,
                        kind: kind.into(),
                        injected_at: None,
                    });
                }
                Err(status) => return Err(pod.refused(&status)),
            }
        }
        Ok(())
    }

    async fn announce(&self, index: usize, _announced: bool) -> Result<(), PlayError> {
        let name = self.lock().slots.get(index).map(|slot| slot.pod.backend.name.clone());
        Err(PlayError::Timeline(format!(
            "discovery cannot announce or withdraw {} through a control API: the pods' own \
             discovery (a Service's DNS) announces them; expected a scenario without a \
             [discovery] timeline",
            name.as_deref().unwrap_or("a backend")
        )))
    }

    async fn heal_all(&self) -> Result<(), PlayError> {
        let mut first = None;
        for index in 0..self.len() {
            let (pod, _) = self.pod(index);
            let mut client = pod.client.clone();
            match client.heal(HealRequest { id: 0, all: true }).await {
                Ok(_) => {}
                // A pod gone takes its faults with it.
                Err(status) if self.following && unanswered(&status) => {}
                Err(status) => {
                    first.get_or_insert(pod.refused(&status));
                }
            }
        }
        first.map_or(Ok(()), Err)
    }

    async fn counters(&self) -> Result<Vec<Counters>, PlayError> {
        let at = self.now();
        let mut all = Vec::with_capacity(self.len());
        for index in 0..self.len() {
            let (pod, generation) = self.pod(index);
            let read = pod.counters().await;
            let restarted = {
                let mut state = self.lock();
                let slot = &mut state.slots[index];
                match read {
                    Ok(Reading::Own(counters)) if slot.generation == generation => {
                        slot.last = plus(&slot.carried, &counters);
                        slot.last_read = at;
                        slot.silent = false;
                        false
                    }
                    Ok(Reading::Restarted) => true,
                    // Moved meanwhile: the new pod's reading comes next time.
                    Ok(Reading::Own(_)) => false,
                    Err(status) if self.following && unanswered(&status) => {
                        slot.silent = true;
                        false
                    }
                    Err(status) => return Err(pod.refused(&status)),
                }
            };
            if restarted {
                // Its counts stay at the old process's last reading; the new one's count
                // from its first reading, next time.
                let _ = self.restarted(index, generation).await;
            }
            all.push(self.lock().slots[index].last.clone());
        }
        Ok(all)
    }

    async fn fault_log(&self) -> Result<Vec<FaultWindow>, PlayError> {
        let mut all = self.lock().retired.clone();
        for index in 0..self.len() {
            let (pod, generation) = self.pod(index);
            match pod.windows(self.origin).await {
                Ok(Reading::Own(windows)) => all.extend(windows),
                Ok(Reading::Restarted) => {
                    // The old process's windows are lost with it; the new one's count, as read
                    // when it took over (else read now).
                    if let Some(windows) = self.restarted(index, generation).await {
                        all.extend(windows);
                    } else if let Ok(Reading::Own(windows)) =
                        self.pod(index).0.windows(self.origin).await
                    {
                        all.extend(windows);
                    }
                }
                Err(status) if self.following && unanswered(&status) => {}
                Err(status) => return Err(pod.refused(&status)),
            }
        }
        all.sort_by_key(|window| (window.start_ms, window.backend.clone()));
        for (number, window) in all.iter_mut().enumerate() {
            window.id = u64::try_from(number + 1).unwrap_or(u64::MAX);
        }
        Ok(all)
    }

    fn followed(&self) -> Followed {
        let state = self.lock();
        let mut followed = state.followed.clone();
        followed.unanswered = state
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.silent)
            .map(|(backend, slot)| Unanswered { backend, last_read: slot.last_read })
            .collect();
        followed
    }
}
