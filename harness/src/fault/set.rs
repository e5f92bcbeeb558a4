//! [`FaultSet`]: the standing faults of one backend, and what they do to a call or a connection.

use super::log::{FaultHit, FaultLog};
use super::{Delay, Fault, Phase, Trigger};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use tonic::Code;

/// Names one injected fault, to heal it later. Unique in a cluster, the same on every backend
/// one injection targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultId(pub(crate) u64);

impl FaultId {
    /// The number the fault log shows.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The standing faults of one backend; shared by its server across restarts.
#[derive(Debug)]
pub struct FaultSet {
    backend: usize,
    name: String,
    seed: u64,
    log: Arc<FaultLog>,
    inner: Mutex<Inner>,
    rpc_faults: AtomicUsize,
    standing: AtomicUsize,
    version: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    standing: Vec<Standing>,
    calls: u64,
}

#[derive(Debug)]
struct Standing {
    id: FaultId,
    fault: Fault,
    rng: ChaCha8Rng,
    /// Calls left for [`Trigger::NextCalls`].
    remaining: u64,
}

/// What the standing faults do to a new connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Admission {
    pub(crate) refuse: bool,
    pub(crate) reset: bool,
    pub(crate) blackhole: Option<FaultId>,
    pub(crate) blackhole_connect: Option<FaultId>,
    pub(crate) connect_delay: Duration,
    pub(crate) max_rpcs: Option<u64>,
    pub(crate) max_age: Option<Duration>,
}

/// What the standing faults do to one call, decided when it arrives.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CallPlan {
    pub(crate) hang: Vec<FaultId>,
    pub(crate) delay_headers: Duration,
    pub(crate) delay_message: Duration,
    pub(crate) status: Option<Code>,
    /// Whether `status` is answered before the delays ([`Fault::Status`]'s `before_delay`).
    pub(crate) status_first: bool,
    pub(crate) break_after: Option<u32>,
}

impl FaultSet {
    /// The fault set of backend `backend` (named `name`), drawing from `seed`, logging to `log`.
    /// A cluster makes one per backend; make your own to put a [`FaultLayer`](super::FaultLayer)
    /// in front of a tonic server of yours.
    pub fn new(backend: usize, name: &str, seed: u64, log: Arc<FaultLog>) -> Self {
        Self {
            backend,
            name: name.to_owned(),
            seed,
            log,
            inner: Mutex::default(),
            rpc_faults: AtomicUsize::new(0),
            standing: AtomicUsize::new(0),
            version: watch::channel(0).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        self.version.send_modify(|version| *version += 1);
    }

    /// Activates a standing `fault` until healed. Validate it first ([`Fault::validate`]); the
    /// cluster's `inject` does both and also runs one-shot faults.
    pub fn inject(&self, fault: Fault) -> FaultId {
        let id = FaultId(self.log.allocate());
        self.inject_as(id, fault);
        id
    }

    pub(crate) fn inject_as(&self, id: FaultId, fault: Fault) {
        let rng = ChaCha8Rng::seed_from_u64(mix(self.seed, self.backend as u64, id.0));
        let remaining = match &fault {
            Fault::Status { trigger: Trigger::NextCalls(n), .. } => *n,
            _ => 0,
        };
        self.log.open(id.0, &self.name, fault.kind().name(), format!("{fault:?}"));
        if fault.is_rpc_level() {
            self.rpc_faults.fetch_add(1, Ordering::SeqCst);
        }
        self.standing.fetch_add(1, Ordering::SeqCst);
        self.lock().standing.push(Standing { id, fault, rng, remaining });
        self.bump();
    }

    /// Deactivates `id`; calls hanging on it go on. Healing twice is harmless.
    pub fn heal(&self, id: FaultId) {
        let removed: Vec<Standing> = {
            let mut inner = self.lock();
            let (gone, kept) =
                std::mem::take(&mut inner.standing).into_iter().partition(|s| s.id == id);
            inner.standing = kept;
            gone
        };
        self.forget(removed);
    }

    /// Deactivates every standing fault.
    pub fn heal_all(&self) {
        let removed = std::mem::take(&mut self.lock().standing);
        self.forget(removed);
    }

    fn forget(&self, removed: Vec<Standing>) {
        for standing in &removed {
            if standing.fault.is_rpc_level() {
                self.rpc_faults.fetch_sub(1, Ordering::SeqCst);
            }
            self.standing.fetch_sub(1, Ordering::SeqCst);
            self.log.close(standing.id.0, &self.name);
        }
        if !removed.is_empty() {
            self.bump();
        }
    }

    /// The standing faults, oldest first.
    pub fn active(&self) -> Vec<(FaultId, Fault)> {
        self.lock().standing.iter().map(|s| (s.id, s.fault.clone())).collect()
    }

    /// Whether `id` still stands.
    pub fn is_active(&self, id: FaultId) -> bool {
        self.lock().standing.iter().any(|s| s.id == id)
    }

    /// Resolves once `id` is healed.
    pub async fn healed(&self, id: FaultId) {
        let mut version = self.version.subscribe();
        while self.is_active(id) {
            // The sender lives in `self`: `changed` cannot fail while we borrow it.
            let _ = version.changed().await;
        }
    }

    /// A receiver told of every injection and heal.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    pub(crate) fn has_any(&self) -> bool {
        self.standing.load(Ordering::SeqCst) > 0
    }

    pub(crate) fn has_rpc_faults(&self) -> bool {
        self.rpc_faults.load(Ordering::SeqCst) > 0
    }

    pub(crate) fn is_refusing(&self) -> bool {
        self.lock().standing.iter().any(|s| s.fault == Fault::Refuse)
    }

    pub(crate) fn admission(&self) -> Admission {
        let mut admission = Admission::default();
        for standing in &self.lock().standing {
            match &standing.fault {
                Fault::Refuse => admission.refuse = true,
                Fault::Reset => admission.reset = true,
                Fault::Blackhole => admission.blackhole = Some(standing.id),
                Fault::BlackholeConnect => admission.blackhole_connect = Some(standing.id),
                Fault::ConnectDelay(delay) => admission.connect_delay += *delay,
                Fault::ConnectionAge { max_rpcs, max_age } => {
                    admission.max_rpcs = min_some(admission.max_rpcs, *max_rpcs);
                    admission.max_age = min_some(admission.max_age, *max_age);
                }
                _ => {}
            }
        }
        admission
    }

    /// Decides what the standing RPC faults do to the call arriving now, drawing from each
    /// fault's seeded generator in arrival order, and logs every fault that acts.
    pub(crate) fn plan(&self) -> CallPlan {
        let mut plan = CallPlan::default();
        let mut hits = Vec::new();
        {
            let mut inner = self.lock();
            inner.calls += 1;
            let call = inner.calls;
            for standing in &mut inner.standing {
                let effect = match &standing.fault {
                    Fault::Delay { delay, phase } => {
                        let drawn = draw(*delay, &mut standing.rng);
                        match phase {
                            Phase::BeforeHeaders => plan.delay_headers += drawn,
                            Phase::BeforeMessage => plan.delay_message += drawn,
                        }
                        format!("delay {drawn:?} {phase:?}")
                    }
                    Fault::Status { code, trigger, before_delay } => {
                        let fires = match trigger {
                            Trigger::Probability(p) => standing.rng.random_bool(*p),
                            Trigger::NextCalls(_) => {
                                let fires = standing.remaining > 0;
                                standing.remaining = standing.remaining.saturating_sub(1);
                                fires
                            }
                        };
                        if !fires || plan.status.is_some() {
                            continue;
                        }
                        plan.status = Some(*code);
                        plan.status_first = *before_delay;
                        format!("status {code:?}")
                    }
                    Fault::Hang => {
                        plan.hang.push(standing.id);
                        "hang".to_owned()
                    }
                    Fault::StreamBreak { after_messages } => {
                        plan.break_after = Some(
                            plan.break_after.map_or(*after_messages, |b| b.min(*after_messages)),
                        );
                        format!("stream break after {after_messages} messages")
                    }
                    _ => continue,
                };
                hits.push(FaultHit { id: standing.id.0, backend: self.name.clone(), call, effect });
            }
        }
        for hit in hits {
            self.log.hit(hit);
        }
        plan
    }
}

fn min_some<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn draw(delay: Delay, rng: &mut ChaCha8Rng) -> Duration {
    match delay {
        Delay::Fixed(d) => d,
        Delay::Uniform { min, max } => {
            Duration::from_nanos(rng.random_range(nanos(min)..=nanos(max)))
        }
        Delay::Jitter { base, jitter } => {
            let low = base.saturating_sub(jitter);
            Duration::from_nanos(rng.random_range(nanos(low)..=nanos(base + jitter)))
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// One seed per (cluster seed, backend, fault): a fault's draws do not depend on other faults.
fn mix(seed: u64, backend: u64, fault: u64) -> u64 {
    seed ^ backend.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ fault.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
}
