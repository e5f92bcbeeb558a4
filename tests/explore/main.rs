//! Explore against jostle's balancers, tonic's and broken ones: every known flaw is found
//! within a stated budget of schedules and shrunk to at most two faults or discovery changes,
//! the written file replays it, and no jostle policy breaks an invariant.
//!
//! Rerun: `cargo test --test balancers explore::`.

mod batch_as_answer;
mod broken;
mod no_false_alarms;
mod readme_mine;
#[path = "../support/sabotage.rs"]
mod sabotage;
mod specimens;

use jostle_harness::explore::{Exploration, Finding};
use jostle_harness::report::RunReport;
use jostle_harness::scenario::{self, Custom};

/// The finding for `invariant`, or a panic naming what was found instead.
pub(crate) fn finding<'a>(found: &'a Exploration, invariant: &str, rerun: &str) -> &'a Finding {
    found.findings.iter().find(|f| f.invariant == invariant).unwrap_or_else(|| {
        panic!(
            "exploring {} over seeds {}..{} must break `{invariant}`; broke {:?} (rerun: {rerun})",
            found.balancer,
            found.first_seed,
            found.first_seed + found.schedules,
            found.violated
        )
    })
}

/// Asserts that `finding` was shrunk to at most two faults or discovery changes, and that its
/// file, played again (against `custom` when given), breaks the same invariant.
pub(crate) fn assert_shrunk_and_replays(finding: &Finding, custom: Option<Custom>, rerun: &str) {
    let events = finding.shrunk.faults + finding.shrunk.changes;
    assert!(
        events <= 2,
        "a finding is shrunk to at most two faults or discovery changes, got {events} \
         (seed {}; rerun: {rerun}):\n{}",
        finding.seed,
        finding.file
    );
    let story = scenario::parse(&finding.file, "finding.toml").expect("a finding's file parses");
    let replayed: RunReport = match custom {
        Some(custom) => story.against_custom(custom).run_blocking(),
        None => story.run_blocking(),
    }
    .expect("a finding's file runs");
    let check = replayed.expectations.iter().find(|e| e.check == finding.invariant);
    assert!(
        check.is_some_and(|c| !c.passed),
        "the file written for a finding breaks `{}` again when played (seed {}; rerun: \
         {rerun}):\n{}\n{replayed}",
        finding.invariant,
        finding.seed,
        finding.file
    );
}
