//! The battery's files played at once over TCP, a bounded number across the whole test binary:
//! on the wall clock a TCP run mostly waits (a 5 s story takes 5 s), so one suite after another
//! would add their sum to the test run. A run during which the machine held the runtime still
//! longer than [`STALL`] is played again, at most [`ATTEMPTS`] times in all.

use super::stall::{STALL, Watch};
use jostle_harness::conformance::{Battery, Suite, SuiteReport};
use std::sync::{Condvar, Mutex, PoisonError};

/// TCP runs in flight at once across every test of this module: two batteries' worth, as
/// libtest runs two tests at once on two cores. Each is a thread with a current-thread runtime
/// of its own, mostly asleep on the wall clock (the 36 runs of the four tests take about 5 s of
/// CPU together).
const AT_ONCE: usize = 18;

/// Plays of one file at most; when every one stood still, the one that stood still least is
/// judged, and the test's output says so.
const ATTEMPTS: usize = 3;

/// How many runs hold a place, and the wake-up for the threads waiting for one.
static PLACES: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// A place among the [`AT_ONCE`] runs, given back on drop (a panicking run too).
struct Place;

impl Place {
    fn take() -> Self {
        let (taken, freed) = &PLACES;
        let mut taken = taken.lock().unwrap_or_else(PoisonError::into_inner);
        while *taken >= AT_ONCE {
            taken = freed.wait(taken).unwrap_or_else(PoisonError::into_inner);
        }
        *taken += 1;
        Place
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let (taken, freed) = &PLACES;
        *taken.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        freed.notify_one();
    }
}

/// `file` played by the suite `make` builds around a [`Watch`], again while the runtime stood
/// still longer than [`STALL`]: the first play that did not, or else the one that stood still
/// least of [`ATTEMPTS`].
fn play(make: &(impl Fn(&Watch) -> Suite + Sync), file: Battery) -> SuiteReport {
    let mut least: Option<(std::time::Duration, SuiteReport)> = None;
    for attempt in 1..=ATTEMPTS {
        let watch = Watch::default();
        let report = {
            let _place = Place::take();
            make(&watch).scenarios([file]).run_blocking()
        };
        let still = watch.longest();
        if still <= STALL {
            return report;
        }
        println!(
            "{} {file}, attempt {attempt} of {ATTEMPTS}: the runtime stood still {still:?} \
             (over {STALL:?}), a verdict of the machine rather than the balancer",
            report.balancer
        );
        if least.as_ref().is_none_or(|(least, _)| still < *least) {
            least = Some((still, report));
        }
    }
    let (still, report) = least.expect("at least one attempt");
    println!("{} {file}: judged on the attempt that stood still least, {still:?}", report.balancer);
    report
}

/// Every file of [`Battery::ALL`] played by the suite `make` builds (its factory wrapped in the
/// watch it is given), each file on a thread of its own (at most [`AT_ONCE`] across the binary),
/// laid out as one report in battery order: the report `run_blocking` would give, in about the
/// time of the longest file rather than the sum.
pub(super) fn battery(make: impl Fn(&Watch) -> Suite + Sync) -> SuiteReport {
    let make = &make;
    let reports: Vec<SuiteReport> = std::thread::scope(|scope| {
        let running: Vec<_> =
            Battery::ALL.iter().map(|&file| scope.spawn(move || play(make, file))).collect();
        running
            .into_iter()
            .map(|run| run.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let (balancer, seed) = (reports[0].balancer.clone(), reports[0].seed);
    let runs = reports.into_iter().flat_map(|report| report.runs).collect();
    SuiteReport { balancer, seed, runs }
}
