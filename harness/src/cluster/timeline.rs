//! Applying an [`Injection`]: now or at its instant, for its duration or until healed, on each
//! backend it targets.

use super::{Backend, StopMode};
use crate::fault::{Fault, FaultId, FaultLog};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// An injection in progress: its backends and the token that heals it.
#[derive(Debug)]
pub(crate) struct Active {
    pub(crate) backends: Vec<Backend>,
    pub(crate) healed: CancellationToken,
}

/// Puts a standing fault on `backends` now.
pub(crate) fn stand(backends: &[Backend], id: FaultId, fault: &Fault) {
    for backend in backends {
        backend.faults().inject_as(id, fault.clone());
    }
}

/// Heals `id` on `backends`.
pub(crate) fn heal(backends: &[Backend], id: FaultId) {
    for backend in backends {
        backend.faults().heal(id);
    }
}

/// Waits `duration`; false if healed or cut first.
async fn wait(duration: Duration, healed: &CancellationToken) -> bool {
    tokio::select! {
        () = tokio::time::sleep(duration) => true,
        () = healed.cancelled() => false,
    }
}

/// An injection on the timeline, with all it needs to run to its end.
#[derive(Debug)]
pub(crate) struct Scheduled {
    pub(crate) backends: Vec<Backend>,
    pub(crate) id: FaultId,
    pub(crate) fault: Fault,
    /// When it starts; `None` for now.
    pub(crate) start: Option<tokio::time::Instant>,
    pub(crate) lasting: Option<Duration>,
    pub(crate) log: Arc<FaultLog>,
    /// Ends it early: a heal, or the cluster dropped.
    pub(crate) healed: CancellationToken,
    /// A standing fault that `inject` already put in force.
    pub(crate) already_standing: bool,
}

/// Runs an injection to its end: waits for its start, applies it, and heals it after
/// `lasting`.
pub(crate) async fn run(scheduled: Scheduled) {
    let Scheduled { backends, id, fault, start, lasting, log, healed, already_standing } =
        scheduled;
    if let Some(start) = start {
        tokio::select! {
            () = tokio::time::sleep_until(start) => {}
            () = healed.cancelled() => return,
        }
    }
    match &fault {
        Fault::Drain => {
            for backend in &backends {
                log.open(id.get(), backend.name(), fault.kind().name(), format!("{fault:?}"));
                // A stopped backend has nothing to drain.
                let _ = backend.drain();
                log.close(id.get(), backend.name());
            }
        }
        Fault::Restart { down_for } => {
            crash_all(&backends, id, &fault, *down_for, &log, &healed).await
        }
        Fault::Terminate { grace } => {
            let mut terminations = tokio::task::JoinSet::new();
            for backend in &backends {
                let (backend, fault, log, healed) =
                    (backend.clone(), fault.clone(), Arc::clone(&log), healed.clone());
                let grace = *grace;
                terminations.spawn(async move {
                    terminate(&backend, id, &fault, grace, lasting, &log, &healed).await;
                });
            }
            while terminations.join_next().await.is_some() {}
        }
        Fault::Flap { period, down_for } => {
            let until = lasting.map(|lasting| tokio::time::Instant::now() + lasting);
            loop {
                if !wait(*period - *down_for, &healed).await {
                    break;
                }
                if until.is_some_and(|until| tokio::time::Instant::now() >= until) {
                    break;
                }
                crash_all(&backends, id, &fault, *down_for, &log, &healed).await;
                if healed.is_cancelled() {
                    break;
                }
            }
        }
        _ => {
            if !already_standing {
                stand(&backends, id, &fault);
            }
            match lasting {
                Some(lasting) => {
                    wait(lasting, &healed).await;
                }
                None => healed.cancelled().await,
            }
            heal(&backends, id);
        }
    }
}

/// Crashes every backend at once, each for `down_for`, and waits until all are back.
async fn crash_all(
    backends: &[Backend],
    id: FaultId,
    fault: &Fault,
    down_for: Duration,
    log: &Arc<FaultLog>,
    healed: &CancellationToken,
) {
    let mut crashes = tokio::task::JoinSet::new();
    for backend in backends {
        let (backend, fault, log, healed) =
            (backend.clone(), fault.clone(), Arc::clone(log), healed.clone());
        crashes.spawn(async move { crash(&backend, id, &fault, down_for, &log, &healed).await });
    }
    while crashes.join_next().await.is_some() {}
}

/// An abrupt stop, `down_for` down (less if healed), then a restart on the same address.
async fn crash(
    backend: &Backend,
    id: FaultId,
    fault: &Fault,
    down_for: Duration,
    log: &FaultLog,
    healed: &CancellationToken,
) {
    if backend.stop(StopMode::Abrupt).await.is_err() {
        // Already down: somebody else stopped it; leave it as it is.
        return;
    }
    log.open(id.get(), backend.name(), fault.kind().name(), format!("{fault:?}"));
    wait(down_for, healed).await;
    backend.start_again().await;
    log.close(id.get(), backend.name());
}

/// A SIGTERM: the port closed and GOAWAY out at once, in-flight calls reset after `grace`;
/// down until `lasting` has passed since the SIGTERM (for ever without it) or the fault is
/// healed, then started again on the same address.
async fn terminate(
    backend: &Backend,
    id: FaultId,
    fault: &Fault,
    grace: Duration,
    lasting: Option<Duration>,
    log: &FaultLog,
    healed: &CancellationToken,
) {
    let signalled = tokio::time::Instant::now();
    log.open(id.get(), backend.name(), fault.kind().name(), format!("{fault:?}"));
    if backend.stop(StopMode::Terminate { grace }).await.is_err() {
        // Already down: somebody else stopped it; leave it as it is.
        log.close(id.get(), backend.name());
        return;
    }
    match lasting {
        Some(lasting) => {
            tokio::select! {
                () = tokio::time::sleep_until(signalled + lasting) => {}
                () = healed.cancelled() => {}
            }
        }
        None => healed.cancelled().await,
    }
    backend.start_again().await;
    log.close(id.get(), backend.name());
}
