//! Shrinking: cut a failing [`Schedule`] down while the same invariant still fails, one
//! smaller candidate at a time (greedy delta debugging). The candidates, tried in this order
//! each round, the first that still fails kept:
//!
//! 1. drop one event, the last first (proptest's order: later steps matter less often);
//! 2. merge two faults of the same kind on the same backends into one covering both windows;
//! 3. drop one target of a fault on several backends;
//! 4. halve a fault's length (to no less than 50 ms);
//! 5. drop a backend (the highest first), renumbering the others;
//! 6. simplify one dimension beside the faults (`Schedule::simpler`): one client fewer, the
//!    discovery stream instead of DNS, an open loop instead of a closed one, no latency, or
//!    `CreateOrder` only;
//! 7. halve the rate (an open loop);
//! 8. shorten the run: half as long, or 500 ms shorter, keeping every event inside it.
//!
//! A candidate the scenario parser refuses (a discovery change that no longer makes sense
//! once another is gone) is skipped without a run. Shrinking stops when no candidate still
//! fails, after a bound on runs, or when told to stop (the time is up): it then gives the
//! smallest schedule found so far and says it was cut short.

use super::schedule::{Event, FaultSpec, Schedule, WARM_UP};
use std::time::Duration;

/// The shortest a fault is cut to.
const SHORTEST: Duration = Duration::from_millis(50);

/// What one candidate gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The invariant still fails: keep it.
    Fails,
    /// It holds (or another one fails instead): drop it.
    Holds,
    /// Not a valid scenario: skipped, no run counted.
    Invalid,
}

/// What a shrink gave.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shrunk {
    /// The smallest schedule found that still fails.
    pub(crate) schedule: Schedule,
    /// How many runs it took (at most the bound).
    pub(crate) runs: usize,
    /// Whether `stop` ended it before it was done: `schedule` is the smallest found so far.
    pub(crate) cut_short: bool,
}

/// The smallest schedule found from `schedule` that still fails, in at most `max_runs` runs;
/// `stop` is asked before each run, and once it says so the shrink ends there, cut short.
pub(crate) fn shrink<E>(
    schedule: &Schedule,
    max_runs: usize,
    mut stop: impl FnMut() -> bool,
    mut verdict: impl FnMut(&Schedule) -> Result<Verdict, E>,
) -> Result<Shrunk, E> {
    let mut best = schedule.clone();
    let mut runs = 0;
    let mut cut_short = false;
    'round: while runs < max_runs {
        for candidate in candidates(&best) {
            if runs >= max_runs {
                break 'round;
            }
            if stop() {
                cut_short = true;
                break 'round;
            }
            match verdict(&candidate)? {
                Verdict::Fails => {
                    runs += 1;
                    best = candidate;
                    continue 'round;
                }
                Verdict::Holds => runs += 1,
                Verdict::Invalid => {}
            }
        }
        break;
    }
    Ok(Shrunk { schedule: best, runs, cut_short })
}

/// Every one-step smaller schedule, in the order of the module docs.
pub(crate) fn candidates(s: &Schedule) -> Vec<Schedule> {
    let mut out = Vec::new();
    let with_events = |events: Vec<Event>| Schedule { events, ..s.clone() };
    for i in (0..s.events.len()).rev() {
        let mut events = s.events.clone();
        events.remove(i);
        out.push(with_events(events));
    }
    for i in 0..s.events.len() {
        for j in i + 1..s.events.len() {
            if let Some(merged) = merge(&s.events[i], &s.events[j]) {
                let mut events = s.events.clone();
                events[i] = merged;
                events.remove(j);
                out.push(with_events(events));
            }
        }
    }
    for (i, event) in s.events.iter().enumerate() {
        if let Event::Fault { at, target, fault } = event
            && target.len() > 1
        {
            for drop in (0..target.len()).rev() {
                let mut fewer = target.clone();
                fewer.remove(drop);
                let mut events = s.events.clone();
                events[i] = Event::Fault { at: *at, target: fewer, fault: fault.clone() };
                out.push(with_events(events));
            }
        }
    }
    for (i, event) in s.events.iter().enumerate() {
        if let Event::Fault { at, target, fault } = event {
            let length = fault.length();
            if length > SHORTEST {
                let half =
                    Duration::from_millis(u64::try_from(length.as_millis() / 2).unwrap_or(0))
                        .max(SHORTEST);
                let shorter = fault.with_length(half);
                if shorter != *fault {
                    let mut events = s.events.clone();
                    events[i] = Event::Fault { at: *at, target: target.clone(), fault: shorter };
                    out.push(with_events(events));
                }
            }
        }
    }
    if s.backends > 1 {
        for backend in (0..s.backends).rev() {
            if let Some(fewer) = without_backend(s, backend) {
                out.push(fewer);
            }
        }
    }
    out.extend(s.simpler());
    if s.rate > 1 && s.concurrency.is_none() {
        out.push(Schedule { rate: s.rate / 2, ..s.clone() });
    }
    let last = s.events.iter().map(Event::at).max().unwrap_or_default();
    let floor =
        (last.saturating_sub(WARM_UP) + Duration::from_millis(1)).max(Duration::from_secs(1));
    let half = Duration::from_millis(u64::try_from(s.duration.as_millis() / 2).unwrap_or(0));
    for shorter in [half, s.duration.saturating_sub(Duration::from_millis(500))] {
        if shorter >= floor && shorter < s.duration {
            out.push(Schedule { duration: shorter, ..s.clone() });
        }
    }
    out
}

/// Two faults of the same kind on the same backends as one covering both windows.
fn merge(a: &Event, b: &Event) -> Option<Event> {
    let (
        Event::Fault { at: a_at, target: a_target, fault: a_fault },
        Event::Fault { at: b_at, target: b_target, fault: b_fault },
    ) = (a, b)
    else {
        return None;
    };
    if a_fault.kind() != b_fault.kind() || a_target != b_target || *a_fault == FaultSpec::Drain {
        return None;
    }
    let start = (*a_at).min(*b_at);
    let end = a.end().max(b.end());
    Some(Event::Fault {
        at: start,
        target: a_target.clone(),
        fault: a_fault.with_length(end - start),
    })
}

/// `s` without backend `gone`, the backends above it renumbered one down; events left with no
/// backend dropped. `None` when no backend would be announced at the start.
fn without_backend(s: &Schedule, gone: usize) -> Option<Schedule> {
    let renumber = |list: &[usize]| -> Vec<usize> {
        list.iter().filter(|&&b| b != gone).map(|&b| if b > gone { b - 1 } else { b }).collect()
    };
    let initial = renumber(&s.initial);
    if initial.is_empty() {
        return None;
    }
    let events = s
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Fault { at, target, fault } => {
                let target = renumber(target);
                (!target.is_empty()).then(|| Event::Fault { at: *at, target, fault: fault.clone() })
            }
            Event::Discovery { at, add, remove } => {
                let (add, remove) = (renumber(add), renumber(remove));
                (!add.is_empty() || !remove.is_empty()).then_some(Event::Discovery {
                    at: *at,
                    add,
                    remove,
                })
            }
        })
        .collect();
    Some(Schedule { backends: s.backends - 1, initial, events, ..s.clone() })
}

#[cfg(test)]
mod tests {
    use super::{Shrunk, Verdict, shrink};
    use crate::explore::{Space, generate};

    /// A schedule with something to cut: several events and backends.
    fn drawn() -> crate::explore::Schedule {
        (0..100)
            .map(|seed| generate::schedule(&Space::default(), seed))
            .find(|s| s.events.len() >= 3 && s.backends >= 3)
            .expect("a schedule with three events and three backends among 100 seeds")
    }

    #[test]
    fn a_shrink_told_to_stop_gives_the_smallest_schedule_so_far_and_says_it_was_cut_short() {
        let schedule = drawn();
        // Every candidate still fails: each run makes the schedule smaller.
        let whole = shrink(&schedule, 1000, || false, |_| Ok::<_, ()>(Verdict::Fails)).unwrap();
        assert!(!whole.cut_short, "a shrink never told to stop is not cut short");
        let mut asked = 0;
        let cut = shrink(
            &schedule,
            1000,
            || {
                asked += 1;
                asked > 2
            },
            |_| Ok::<_, ()>(Verdict::Fails),
        )
        .unwrap();
        assert!(cut.cut_short, "a shrink stopped by its budget must say it was cut short");
        assert_eq!(cut.runs, 2, "the shrink stops at the first question after the budget");
        assert_ne!(cut.schedule, schedule, "the runs done before the stop are kept");
        let two = shrink(&schedule, 2, || false, |_| Ok::<_, ()>(Verdict::Fails)).unwrap();
        assert_eq!(
            cut,
            Shrunk { cut_short: true, ..two },
            "cut short after two runs gives what two runs give: the smallest found so far"
        );
        assert!(whole.runs > 2, "the whole shrink goes further: {}", whole.runs);
    }

    #[test]
    fn a_shrink_stopped_before_its_first_run_keeps_the_schedule_as_drawn() {
        let schedule = drawn();
        let cut = shrink(&schedule, 1000, || true, |_| Ok::<_, ()>(Verdict::Fails)).unwrap();
        assert_eq!(cut, Shrunk { schedule, runs: 0, cut_short: true });
    }
}
