//! One rule on both sides: the checks the backends' counters can judge give the verdict the
//! client-side checks give over the client's calls, when the counters are read from the same
//! calls (passing and failing cases, the chance rule and the zero-call rule of `settled`
//! included).

use super::super::play::{Ended, Played};
use super::super::samples::{Count, Samples};
use super::judge;
use super::tests::{status_window, story};
use crate::check::Context;
use crate::control::proto::Counters;
use crate::expect::{Calls, Judged, Origin};
use crate::load::{CallLog, CallOutcome, CallRecord, Method};
use crate::record::StatsSnapshot;
use std::time::Duration;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// judge/tests.rs's story (three backends, backend-2 withdrawn at 1 s, a fault on backend-1
/// from 200 to 500 ms: quiet from 1 s on), asking for settled from 1.2 s, convergence from
/// 1.3 s, only-announced from 1.2 s (its grace), max-share of backend-0 from 1.5 s.
const EXPECT: &str = r#"settled = { after = "200ms", at_least = 0.5, at_most = 1.5 }
convergence = { settle = "300ms" }
only_announced = { grace = "200ms" }
max_shares = [{ backend = 0, at_most = 0.45, after = "1500ms" }]"#;

/// OK calls, one every 2 ms until `until_ms` and each 1 ms long, to the backend `pick` names
/// for its start (in ms), and `extra` calls (start in ms, backend) after them.
fn calls(until_ms: u64, pick: impl Fn(u64) -> u64, extra: &[(u64, u64)]) -> CallLog {
    let starts = (0..until_ms).step_by(2).map(|ms| (ms, pick(ms)));
    let calls = starts
        .chain(extra.iter().copied())
        .enumerate()
        .map(|(index, (ms, backend))| CallRecord {
            index: index as u64,
            method: Method::CreateOrder,
            start: MS(ms),
            end: MS(ms + 1),
            outcome: CallOutcome::Ok,
            backend: Some(format!("backend-{backend}")),
            client: 0,
        })
        .collect();
    CallLog { calls, seed: 1 }
}

/// The backends' counters over the same calls, read every 100 ms to 3 s: a call counts once
/// the reading is past its start.
fn counted(log: &CallLog) -> Played {
    let mut samples = Samples::default();
    for at in (0..=3000).step_by(100).map(MS) {
        let counts = (0..3)
            .map(|index| {
                let name = format!("backend-{index}");
                let served = log
                    .calls
                    .iter()
                    .filter(|c| c.start < at && c.backend.as_deref() == Some(name.as_str()))
                    .count() as u64;
                Count { served, failed: 0, connections: 1 }
            })
            .collect();
        samples.push(at, counts);
    }
    let window = status_window();
    Played {
        samples,
        counters: vec![Counters::default(); 3],
        open_at_end: vec![window.clone()],
        windows: vec![window],
        elapsed: MS(3000),
        ended: Ended::AtItsEnd,
        followed: Default::default(),
    }
}

/// The client side's verdicts over `log`: the story's own rules over the calls, as a run
/// judges them (the fault window ended at 500 ms, before the change at 1 s).
fn client_side(log: &CallLog) -> Vec<(&'static str, bool)> {
    let (scenario, _) = story(EXPECT);
    let names: Vec<String> = (0..3).map(|index| format!("backend-{index}")).collect();
    let counted = vec![StatsSnapshot::default(); 3];
    let context = Context::default();
    let calls = Calls {
        scenario: &scenario,
        windows: &[],
        log,
        names: &names,
        before: &counted,
        after: &counted,
        context: &context,
        origin: Origin::Records { counters: false },
    };
    scenario
        .expect()
        .judge(&calls)
        .into_iter()
        .filter_map(|(_, judged)| match judged {
            Judged::Check(result) if result.name != "accounting" => {
                Some((result.name, result.passed))
            }
            _ => None,
        })
        .collect()
}

/// The counter side's verdicts over the same calls, counted.
fn counter_side(log: &CallLog) -> Vec<(&'static str, bool)> {
    let (scenario, timeline) = story(EXPECT);
    let names: Vec<String> = (0..3).map(|index| format!("backend-{index}")).collect();
    let (checks, not_judged) =
        judge(scenario.expect(), &timeline, &counted(log), &names, &Context::default());
    assert!(not_judged.is_empty(), "every check here is the counters' to judge: {not_judged:?}");
    checks.into_iter().map(|result| (result.name, result.passed)).collect()
}

#[test]
fn client_and_counter_sides_give_the_same_verdicts_on_the_same_calls() {
    let announced_then = |ms: u64| if ms < 1000 { 3 } else { 2 };
    let cases: [(&str, CallLog); 4] = [
        // Round robin over the announced backends: every check holds but max-share (a half).
        ("round robin", calls(3000, |ms| (ms / 2) % announced_then(ms), &[])),
        // backend-2 serves on after its withdrawal: convergence, only-announced and settled
        // fail; backend-0 falls to a third.
        ("withdrawn serves", calls(3000, |ms| (ms / 2) % 3, &[])),
        // The calls stop at 1.1 s, then three, all to backend-0, from 1.5 s: too few for the
        // chance rule to blame the skew, and backend-1 never reached after the change.
        ("sparse", calls(1100, |ms| (ms / 2) % 3, &[(1500, 0), (1600, 0), (1700, 0)])),
        // No call after 1.1 s: the checks over later calls measured nothing and fail.
        ("none late", calls(1100, |ms| (ms / 2) % 3, &[])),
    ];
    let mut seen = Vec::new();
    for (case, log) in &cases {
        let (client, counters) = (client_side(log), counter_side(log));
        let mut sorted_counters = counters.clone();
        sorted_counters.sort_unstable();
        let mut sorted_client = client.clone();
        sorted_client.sort_unstable();
        assert_eq!(
            sorted_client, sorted_counters,
            "{case}: a check must give the same verdict over the client's calls and over the \
             backends' counters of the same calls (one rule, one code)"
        );
        seen.extend(client);
    }
    for name in ["settled", "convergence", "only-announced", "max-share"] {
        for verdict in [true, false] {
            assert!(
                seen.contains(&(name, verdict)),
                "the cases must show {name} {} on both sides",
                if verdict { "passing" } else { "failing" }
            );
        }
    }
}
