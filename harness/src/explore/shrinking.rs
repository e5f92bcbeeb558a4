//! How a finding is made: the schedule that broke an invariant shrunk while it still breaks
//! it (until the runs or the time allowed run out), and written with its origin.

use super::explorer::Explorer;
use super::finding::{Broken, Finding, Size};
use super::invariants::INVARIANTS;
use super::schedule::Schedule;
use super::shrink::{self, Verdict};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use std::time::Instant;

impl Explorer {
    /// `schedule`, which breaks `invariant`, shrunk and written as a story of that flaw.
    /// Once `deadline` has passed, no further candidate is run: the finding is the smallest
    /// schedule found until then, and says it was cut short.
    pub(super) fn shrunk(
        &self,
        schedule: &Schedule,
        invariant: &str,
        deadline: Option<Instant>,
    ) -> Result<Finding> {
        let stop = || deadline.is_some_and(|deadline| Instant::now() >= deadline);
        let shrunk = shrink::shrink(schedule, self.shrink_runs, stop, |candidate| {
            let text = self.file(candidate, &INVARIANTS, &[]);
            if Scenario::parse(&text, "explore.toml").is_err() {
                return Ok(Verdict::Invalid);
            }
            // On the wall clock (TCP) a run is not a replay: a candidate is kept only if it
            // breaks the invariant twice running.
            let tries = if self.wall_clock() { 2 } else { 1 };
            for broken in self.broken_each(&vec![candidate.clone(); tries]) {
                if !broken?.iter().any(|b| b == invariant) {
                    return Ok(Verdict::Holds);
                }
            }
            Ok::<_, Error>(Verdict::Fails)
        })?;
        let (small, runs) = (shrunk.schedule, shrunk.runs);
        // A panic is no check of the report: its file asks for every invariant and expects a
        // pass, so that `jostle run` on it panics (exit 1) while the flaw is there.
        let (checks, fails): (Vec<&str>, Vec<&str>) = if invariant == "no-panic" {
            (INVARIANTS.to_vec(), Vec::new())
        } else {
            (vec![invariant], vec![invariant])
        };
        let body = self.file(&small, &checks, &fails);
        let explanation = match self.verdicts(&body, &self.replay(small.seed)) {
            Ok(verdicts) => verdicts
                .iter()
                .find(|e| e.check == invariant)
                .map_or_else(String::new, |e| e.explanation.clone()),
            Err(error @ Error::Panicked { .. }) => error.to_string(),
            Err(error) => return Err(error),
        };
        let size = |s: &Schedule| Size {
            backends: s.backends,
            faults: s.faults(),
            changes: s.changes(),
            rate: s.rate,
            duration_ms: u64::try_from(s.duration.as_millis()).unwrap_or(u64::MAX),
            bytes: self.file(s, &checks, &fails).len(),
        };
        let origin = self.origin_of(schedule.seed);
        let cut = if shrunk.cut_short { " (cut short by the time allowed)" } else { "" };
        let header = format!(
            "# origin: {origin}; seed {seed}, invariant `{invariant}` (docs/EXPLORE.md).\n\
             # Drawn with {} backends, {} faults and {} discovery changes; shrunk in {runs} runs{cut} to\n\
             # {} backends, {} faults and {} discovery changes. On this file the check says:\n\
             # {}\n\
             # {}\n",
            schedule.backends,
            schedule.faults(),
            schedule.changes(),
            small.backends,
            small.faults(),
            small.changes(),
            explanation.replace('\n', " "),
            if fails.is_empty() {
                "`jostle run` on it fails (exit 1) while the flaw is there: a regression test as it is."
            } else {
                "A story of the flaw: `jostle run` on it exits 0 while the flaw is there. Once it is\n\
                 # fixed, delete the `outcome` and `fails` lines: the file is then a regression test."
            },
            seed = schedule.seed,
        );
        Ok(Finding {
            broken: Broken {
                invariant: invariant.to_owned(),
                seed: schedule.seed,
                explanation,
                found: size(schedule),
                shrunk: size(&small),
                shrink_runs: runs,
                cut_short: shrunk.cut_short,
            },
            original: schedule.clone(),
            file: header + &body,
            schedule: small,
        })
    }
}
