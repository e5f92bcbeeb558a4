//! [`play`]: a [`Timeline`] on the wall clock, on a [`Plane`], with every backend's counters
//! read as it goes; what the judge and the report are made from.

use super::PlayError;
use super::follow::Followed;
use super::plane::{Plane, count};
use super::samples::Samples;
use super::timeline::{Action, Timeline};
use crate::control::proto::{Counters, FaultWindow};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How a played timeline ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// At its end: the scenario's warm-up and duration, or the duration given instead.
    AtItsEnd,
    /// Stopped from outside first (Ctrl-C, SIGTERM, a caller's future).
    Stopped,
}

/// What playing a timeline gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Played {
    /// Every backend's counters, read as it played.
    pub samples: Samples,
    /// Every backend's counters at the end, by index.
    pub counters: Vec<Counters>,
    /// Every fault window as it stood at the end, before healing: an open window held until
    /// the end.
    pub open_at_end: Vec<FaultWindow>,
    /// Every fault window once the faults still holding were healed.
    pub windows: Vec<FaultWindow>,
    /// How long it played, since serving started.
    pub elapsed: Duration,
    /// How it ended.
    pub ended: Ended,
    /// What following the pods saw (empty for backends that stayed the same).
    pub followed: Followed,
}

/// Plays `timeline` on `plane`: each step at its time since the plane's origin, every
/// backend's counters read every [`Samples::every`], until `until` (since the origin) or
/// `stop` completes, whichever is first; then heals every fault and reads the fault log.
/// The backends discovery leaves out at the start are withdrawn before anything else.
///
/// # Errors
///
/// [`PlayError`]: the plane refused a step or could not be reached. Faults injected until
/// then are healed first, as far as the plane can be reached.
pub async fn play<P: Plane>(
    plane: &P,
    timeline: &Timeline,
    until: Option<Duration>,
    stop: impl Future<Output = ()>,
) -> Result<Played, PlayError> {
    let played = playing(plane, timeline, until, stop).await;
    if played.is_err() {
        // Leave no fault behind; the first error is the one to report.
        let _ = plane.heal_all().await;
    }
    played
}

async fn playing<P: Plane>(
    plane: &P,
    timeline: &Timeline,
    until: Option<Duration>,
    stop: impl Future<Output = ()>,
) -> Result<Played, PlayError> {
    let origin = plane.origin();
    let announced = timeline.announced_at(Duration::ZERO);
    for (index, _) in announced.iter().enumerate().filter(|(_, announced)| !**announced) {
        plane.announce(index, false).await?;
    }
    let mut samples = Samples::default();
    read(plane, origin, &mut samples).await?;
    let end = until.map(|until| origin + until);
    let mut next_sample = Instant::now() + samples.every();
    let mut next_step = 0;
    let mut ended = Ended::AtItsEnd;
    tokio::pin!(stop);
    loop {
        let step = timeline.steps.get(next_step).map(|step| origin + step.at);
        let wake =
            [step, Some(next_sample), end].into_iter().flatten().min().unwrap_or(next_sample);
        tokio::select! {
            biased;
            () = &mut stop => {
                ended = Ended::Stopped;
                break;
            }
            () = tokio::time::sleep_until(wake) => {}
        }
        let now = Instant::now();
        while let Some(step) = timeline.steps.get(next_step).filter(|step| origin + step.at <= now)
        {
            if end.is_some_and(|end| origin + step.at >= end) {
                break;
            }
            match &step.action {
                Action::Inject { targets, kind, parameters } => {
                    tracing::info!(at = ?step.at, kind, ?targets, "serve: inject");
                    plane.inject(targets, kind, parameters).await?;
                }
                Action::Announce { add, remove } => {
                    tracing::info!(at = ?step.at, ?add, ?remove, "serve: discovery change");
                    for &index in add {
                        plane.announce(index, true).await?;
                    }
                    for &index in remove {
                        plane.announce(index, false).await?;
                    }
                }
            }
            next_step += 1;
        }
        if end.is_some_and(|end| now >= end) {
            break;
        }
        if now >= next_sample {
            read(plane, origin, &mut samples).await?;
            next_sample = now + samples.every();
        }
    }
    let counters = read(plane, origin, &mut samples).await?;
    let elapsed = Instant::now().duration_since(origin);
    let open_at_end = plane.fault_log().await?;
    plane.heal_all().await?;
    let windows = plane.fault_log().await?;
    let followed = plane.followed();
    Ok(Played { samples, counters, open_at_end, windows, elapsed, ended, followed })
}

/// Reads every backend's counters into `samples`, at the moment the read began.
async fn read<P: Plane>(
    plane: &P,
    origin: Instant,
    samples: &mut Samples,
) -> Result<Vec<Counters>, PlayError> {
    let at = Instant::now().duration_since(origin);
    let counters = plane.counters().await?;
    samples.push(at, counters.iter().map(count).collect());
    Ok(counters)
}
