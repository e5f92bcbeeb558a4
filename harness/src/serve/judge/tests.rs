//! The server-side judge over readings made by hand: each check passes and fails where its rule
//! says, and says when it cannot judge.

use super::super::play::{Ended, Played};
use super::super::report::{ServedReport, Verdict};
use super::super::samples::{Count, Samples};
use super::super::timeline::Timeline;
use super::judge;
use crate::check::{CheckResult, Context};
use crate::control::proto::{Counters, FaultWindow};
use crate::scenario::Scenario;
use std::time::Duration;

/// Three backends, backend-2 withdrawn at 1 s, a status fault on backend-1 from 200 ms for
/// 300 ms, and `expect` as the `[expect]` table's lines.
pub(super) fn story(expect: &str) -> (Scenario, Timeline) {
    let text = format!(
        r#"
name = "judge"
[balancer]
policy = "round_robin"
[cluster]
backends = 3
[load]
rate = 100
duration = "3s"
[discovery]
initial = [0, 1, 2]
[[discovery.change]]
at = "1s"
remove = [2]
[[fault]]
kind = "status"
target = [1]
at = "200ms"
for = "300ms"
code = "Unavailable"
probability = 1
[expect]
{expect}
"#
    );
    let scenario = Scenario::parse(&text, "judge.toml").unwrap();
    let timeline = Timeline::of(&scenario, &text).unwrap();
    (scenario, timeline)
}

/// Readings every 100 ms to 3 s: every backend serves `rate` calls per reading, but
/// backend-2 serves `late` per reading from `from_ms` on. One connection per backend.
fn played(rate: [u64; 3], late: u64, from_ms: u64, fault_open: bool) -> Played {
    storm(rate, late, from_ms, fault_open, 0)
}

/// [`played`], with backend-0 opening `reconnects` connections per reading.
fn storm(rate: [u64; 3], late: u64, from_ms: u64, fault_open: bool, reconnects: u64) -> Played {
    let mut samples = Samples::default();
    let mut served = [0_u64; 3];
    for ms in (0..=3000).step_by(100) {
        if ms > 0 {
            for (index, total) in served.iter_mut().enumerate() {
                *total += if index == 2 && ms > from_ms { late } else { rate[index] };
            }
        }
        let mut counts = served.map(|served| Count { served, failed: 0, connections: 1 });
        counts[0].connections += reconnects * ms / 100;
        samples.push(Duration::from_millis(ms), counts.to_vec());
    }
    let window = status_window();
    let open = FaultWindow { end_ms: None, ..window.clone() };
    let counters = served
        .iter()
        .map(|&served| Counters { served, connections_accepted: 1, ..Counters::default() })
        .collect();
    Played {
        samples,
        counters,
        open_at_end: vec![if fault_open { open } else { window.clone() }],
        windows: vec![window],
        elapsed: Duration::from_millis(3000),
        ended: Ended::AtItsEnd,
        followed: Default::default(),
    }
}

/// The story's status fault on backend-1, from 200 to 500 ms, as the fault log gives it.
pub(super) fn status_window() -> FaultWindow {
    FaultWindow {
        id: 1,
        backend: "backend-1".into(),
        kind: "status".into(),
        detail: String::new(),
        start_ms: 200,
        end_ms: Some(500),
    }
}

fn names() -> Vec<String> {
    (0..3).map(|index| format!("backend-{index}")).collect()
}

fn judged(expect: &str, played: &Played) -> (Vec<CheckResult>, Vec<super::NotJudged>) {
    let (scenario, timeline) = story(expect);
    judge(scenario.expect(), &timeline, played, &names(), &Context::default())
}

fn verdict(expect: &str, played: Played) -> Verdict {
    let (scenario, timeline) = story(expect);
    let checks = judge(scenario.expect(), &timeline, &played, &names(), &Context::default());
    let described = names()
        .into_iter()
        .map(|name| super::super::Described { name, address: String::new(), seed: 0 })
        .collect();
    ServedReport::new("judge", 0, described, &timeline, played, scenario.expect(), checks).verdict
}

#[test]
fn only_announced_fails_when_a_withdrawn_backend_serves_past_its_grace_and_passes_when_not() {
    let grace = r#"only_announced = { grace = "200ms" }"#;
    let (checks, _) = judged(grace, &played([10, 10, 10], 0, 1000, false));
    assert!(checks[0].passed, "backend-2 served nothing after 1 s: {:?}", checks[0]);
    let (checks, _) = judged(grace, &played([10, 10, 10], 10, 1000, false));
    assert!(!checks[0].passed, "backend-2 served on after its withdrawal: {:?}", checks[0]);
    assert!(checks[0].explanation.contains("backend-2, withdrawn at 1000 ms, served 180"));
}

#[test]
fn convergence_needs_every_announced_backend_serving_and_no_withdrawn_one() {
    let settle = r#"convergence = { settle = "300ms" }"#;
    let (checks, _) = judged(settle, &played([10, 10, 10], 0, 1000, false));
    assert!(checks[0].passed, "{:?}", checks[0]);
    let (checks, _) = judged(settle, &played([10, 0, 10], 0, 1000, false));
    assert!(!checks[0].passed, "backend-1 announced and idle: {:?}", checks[0]);
    assert!(checks[0].explanation.contains(r#"never reached: ["backend-1"]"#), "{:?}", checks[0]);
}

#[test]
fn settled_judges_fair_shares_after_the_last_fault_and_change_and_fails_while_a_fault_holds() {
    let settled = r#"settled = { after = "200ms", at_least = 0.5, at_most = 1.5 }"#;
    let (checks, _) = judged(settled, &played([10, 10, 10], 0, 1000, false));
    assert!(checks[0].passed, "an even split of the two announced: {:?}", checks[0]);
    assert!(
        checks[0].rule.contains("from 1.2s on"),
        "quiet at 1 s, and 200 ms: {}",
        checks[0].rule
    );
    let (checks, _) = judged(settled, &played([40, 5, 10], 0, 1000, false));
    assert!(!checks[0].passed, "backend-1 at 1/9 of the calls, under half its fair share");
    let (checks, _) = judged(settled, &played([10, 10, 10], 0, 1000, true));
    assert!(
        !checks[0].passed && checks[0].explanation.contains("never settles"),
        "a fault held to the end: the run never settled, as on the client side: {:?}",
        checks[0]
    );
}

#[test]
fn connections_count_per_backend_and_per_thousand_calls_answered() {
    // Backend-0 opens one connection per reading: 30 over the run, for 900 calls answered.
    let reconnecting = storm([10, 10, 10], 10, 3000, false, 1);
    let (checks, _) = judged("max_connections = 3", &reconnecting);
    assert!(!checks[0].passed, "30 connections opened, at most 3 allowed: {:?}", checks[0]);
    assert_eq!(checks[0].value("opened"), Some(30.0), "the client-side rule's measure");
    let (checks, _) = judged("max_connections = 30", &reconnecting);
    assert!(checks[0].passed, "30 connections, at most 30: {:?}", checks[0]);
    let (checks, _) = judged("connections_per_1000_calls = 10.0", &reconnecting);
    assert!(!checks[0].passed, "33.3 per 1,000 calls, at most 10: {:?}", checks[0]);
    let (checks, _) = judged("connections_per_1000_calls = 40.0", &reconnecting);
    assert!(checks[0].passed, "33.3 per 1,000 calls, at most 40: {:?}", checks[0]);
    let (checks, _) = judged("connections_per_1000_calls = 1.0", &played([10; 3], 10, 3000, false));
    assert!(checks[0].passed, "no connection opened during the run: {:?}", checks[0]);
}

#[test]
fn shares_count_from_the_first_reading_at_or_after_and_fail_without_calls() {
    let share = r#"max_shares = [{ backend = 2, at_most = 0.1, after = "1500ms" }]"#;
    let (checks, _) = judged(share, &played([10, 10, 10], 0, 1000, false));
    assert!(checks[0].passed, "{:?}", checks[0]);
    assert!(
        checks[0].explanation.contains("counters read at 1500 and 3000 ms"),
        "counted from the first reading at or after 1500 ms: {:?}",
        checks[0]
    );
    let least = r#"shares = [{ backend = 0, at_least = 0.5 }]"#;
    let (checks, _) = judged(least, &played([0, 10, 0], 0, 3000, false));
    assert!(
        !checks[0].passed && checks[0].explanation.contains("0 of 300 calls"),
        "{:?}",
        checks[0]
    );
    let late = r#"shares = [{ backend = 0, at_least = 0.1, after = "2950ms" }]"#;
    let (checks, skipped) = judged(late, &played([10, 10, 10], 0, 1000, false));
    assert!(checks.is_empty(), "one reading after 2950 ms is not two");
    assert_eq!(skipped[0].check, "share");
}

#[test]
fn a_windowed_share_counts_between_the_readings_inside_its_window() {
    // backend-2 serves nothing from 1 s on.
    let quiet =
        r#"max_shares = [{ backend = 2, at_most = 0.0, from = "1500ms", until = "2500ms" }]"#;
    let (checks, _) = judged(quiet, &played([10, 10, 10], 0, 1000, false));
    assert!(checks[0].passed, "backend-2 serves nothing inside 1.5 s..2.5 s: {:?}", checks[0]);
    assert!(
        checks[0].explanation.contains("counters read at 1500 and 2500 ms")
            && checks[0].rule.contains("started from 1s 500ms until 2s 500ms"),
        "counted between the readings inside the window: {:?}",
        checks[0]
    );
    let busy = r#"max_shares = [{ backend = 2, at_most = 0.0, from = "500ms", until = "1500ms" }]"#;
    let (checks, _) = judged(busy, &played([10, 10, 10], 0, 1000, false));
    assert!(!checks[0].passed, "backend-2 serves until 1 s, inside 0.5 s..1.5 s: {:?}", checks[0]);
    // The load ends at 3 s (a window past it is refused at parse), the last reading is at 3 s.
    let narrow = r#"shares = [{ backend = 0, at_least = 0.1, from = "2950ms", until = "3s" }]"#;
    let (checks, skipped) = judged(narrow, &played([10, 10, 10], 0, 1000, false));
    assert!(checks.is_empty(), "no two readings inside a window: nothing is judged");
    assert!(skipped[0].why.contains("no two readings of the counters between 2950 and 3000 ms"));
}

#[test]
fn client_side_expectations_are_said_not_to_be_judged_and_the_verdict_follows_the_judged() {
    let (_, skipped) =
        judged("max_failure_rate = 0.1\nno_leaks = true", &played([10; 3], 0, 1000, false));
    let names: Vec<&str> = skipped.iter().map(|s| s.check).collect();
    assert_eq!(names, ["failure-rate", "leak-free"]);
    let window = "min_failure_rate = 0.5\n[[expect.served_nothing]]\nbackend = 2\nfrom = \"1s\"";
    let (_, skipped) = judged(window, &played([10; 3], 0, 1000, false));
    let names: Vec<&str> = skipped.iter().map(|s| s.check).collect();
    assert_eq!(names, ["min-failure-rate", "served-nothing"], "both need the client's record");
    assert_eq!(
        verdict("max_failure_rate = 0.1", played([10; 3], 0, 1000, false)),
        Verdict::NotJudged
    );
    let flaw =
        "outcome = \"fail\"\nfails = [\"only-announced\"]\nonly_announced = { grace = \"200ms\" }";
    assert_eq!(verdict(flaw, played([10; 3], 10, 1000, false)), Verdict::AsExpected);
    assert_eq!(verdict(flaw, played([10; 3], 0, 1000, false)), Verdict::NotAsExpected);
    let client_flaw = "outcome = \"fail\"\nfails = [\"failure-rate\"]\nmax_failure_rate = 0.0";
    assert_eq!(verdict(client_flaw, played([10; 3], 0, 1000, false)), Verdict::NotJudged);
}

#[test]
fn with_no_call_at_any_backend_nothing_is_judged_and_the_verdict_never_says_as_expected() {
    let idle = || played([0, 0, 0], 0, 3000, false);
    let every = "only_announced = { grace = \"200ms\" }\nmax_connections = 10\n\
                 convergence = { settle = \"300ms\" }\nshares = [{ backend = 0, at_least = 0.1 }]\n\
                 max_shares = [{ backend = 2, at_most = 0.5 }]\n\
                 settled = { after = \"200ms\" }";
    let (checks, skipped) = judged(every, &idle());
    assert!(checks.is_empty(), "no client called: no check may pass or fail: {checks:?}");
    let names: Vec<&str> = skipped.iter().map(|s| s.check).collect();
    assert_eq!(
        names,
        ["share", "max-share", "convergence", "only-announced", "connections", "settled"],
        "each server-side check is said not to be judged"
    );
    assert!(skipped.iter().all(|s| s.why.contains("no client called")), "{skipped:?}");
    assert_eq!(verdict(every, idle()), Verdict::NotJudged, "a pass story with no client");
    let flaw =
        "outcome = \"fail\"\nfails = [\"only-announced\"]\nonly_announced = { grace = \"200ms\" }";
    assert_eq!(verdict(flaw, idle()), Verdict::NotJudged, "a flaw story with no client");
}

#[test]
fn a_window_past_a_pod_moved_is_not_judged_and_one_before_it_still_is() {
    use super::super::Moved;
    let mut moved = played([10, 10, 10], 10, 3000, false);
    moved.followed.moved.push(Moved {
        backend: 1,
        at: Duration::from_millis(1600),
        from: "127.0.0.1:7001".into(),
        to: "127.0.0.1:7009".into(),
        last_read: Duration::from_millis(1500),
        first_read: Duration::from_millis(1600),
        answered: false,
    });
    // Backend-1 serves a third: a share of at most 10 % fails where it is judged.
    let before =
        r#"max_shares = [{ backend = 1, at_most = 0.1, from = "500ms", until = "1500ms" }]"#;
    let (checks, _) = judged(before, &moved);
    assert!(
        checks.len() == 1 && !checks[0].passed,
        "a window that ends by the old pod's last reading is judged, and fails: {checks:?}"
    );
    let across =
        r#"max_shares = [{ backend = 1, at_most = 0.1, from = "500ms", until = "2500ms" }]"#;
    let (checks, not_judged) = judged(across, &moved);
    assert!(checks.is_empty(), "a window past the move must not be judged: {checks:?}");
    assert!(
        not_judged[0].why.contains("backend-1 moved to a new pod at 1600 ms")
            && not_judged[0].why.contains("whole until 1500 ms"),
        "it says why: {not_judged:?}"
    );
    assert_eq!(verdict(across, moved), Verdict::NotJudged, "no alarm on a replacement");
}
