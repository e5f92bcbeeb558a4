//! The [`RunReport`] of a run, from the call log, the backends' own counters, the fault log and
//! the checks.

use crate::check::CheckResult;
use crate::fault::FaultWindow;
use crate::load::{CallLog, CallOutcome};
use crate::record::StatsSnapshot;
use crate::report::{
    BackendReport, CallTotals, DiscoveryChangeReport, DnsQueryReport, ExpectationReport,
    FaultWindowReport, Latency, RunReport, Timeline,
};
use crate::scenario::Scenario;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tonic::Code;

/// The run's report: per backend from the backends' own records and the client's log, the
/// fault windows, every check, and the timeline.
pub(super) fn report(
    scenario: &Scenario,
    windows: &[FaultWindow],
    (log, sent_to): (&CallLog, &[Option<usize>]),
    names: &[String],
    (before, after): (&[StatsSnapshot], &[StatsSnapshot]),
    checks: Vec<CheckResult>,
) -> RunReport {
    // Failed calls by the client's code, per backend they were sent to, and those sent to none.
    let mut client_failures: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); names.len()];
    let mut unattributed_failures = BTreeMap::new();
    for (call, backend) in log.calls.iter().zip(sent_to) {
        if let Some(code) = crate::report::client_code(call.outcome) {
            let tally = match backend.and_then(|b| client_failures.get_mut(b)) {
                Some(tally) => tally,
                None => &mut unattributed_failures,
            };
            *tally.entry(code).or_default() += 1;
        }
    }
    let ok = log.ok();
    // The OK calls' latencies by backend, in one pass over the log.
    let index: HashMap<&str, usize> =
        names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    for call in log.calls.iter().filter(|call| call.outcome == CallOutcome::Ok) {
        if let Some(&backend) = call.backend.as_deref().and_then(|name| index.get(name)) {
            latencies[backend].push(call.latency());
        }
    }
    let backends = names
        .iter()
        .zip(before.iter().zip(after))
        .zip(&latencies)
        .zip(client_failures)
        .map(|(((name, (b, a)), served), client_failures)| {
            let mut failures = BTreeMap::new();
            let earlier_failures = b.failures();
            for (code, count) in a.failures() {
                let earlier = earlier_failures.get(&code).copied().unwrap_or(0);
                if count > earlier {
                    failures.insert(format!("{:?}", Code::from_i32(code)), count - earlier);
                }
            }
            BackendReport {
                name: name.clone(),
                served: served.len() as u64,
                share: if ok == 0 { 0.0 } else { served.len() as f64 / ok as f64 },
                client_failures,
                failures,
                latency_ms: Latency::from_samples(served),
                connections_opened: a.connections_accepted - b.connections_accepted,
            }
        })
        .collect();
    let faults = windows
        .iter()
        .map(|w| FaultWindowReport {
            id: w.id,
            backend: w.backend.clone(),
            kind: w.kind.to_owned(),
            start_ms: crate::report::millis(w.start),
            end_ms: w.end.map(crate::report::millis),
        })
        .collect();
    let failed: Vec<&str> =
        checks.iter().filter(|check| !check.passed).map(|check| check.name).collect();
    let as_expected = scenario.expect().is_met_by(&failed);
    let passed = checks.iter().all(|check| check.passed);
    let expectations = checks.into_iter().map(expectation).collect();
    RunReport {
        scenario: scenario.name().to_owned(),
        seed: scenario.seed(),
        transport: scenario.transport().to_string(),
        balancer: scenario.balancer().name().to_owned(),
        calls: CallTotals {
            sent: log.calls.len() as u64,
            ok,
            failed: log.failed(),
            timed_out: log.timed_out(),
            late: crate::check::late_completions(log, before, after),
        },
        backends,
        clients: crate::report::ClientReport::every(log, scenario.clients()),
        unattributed_failures,
        arrivals_not_kept: 0,
        faults,
        expectations,
        not_judged: Vec::new(),
        timeline: Timeline::from_attributed(log, sent_to, names, scenario.load_spec().deadline),
        passed,
        expected: scenario.expect().outcome.name().to_owned(),
        expected_failures: scenario.expect().fails.iter().map(|&name| name.to_owned()).collect(),
        as_expected,
        discovery: discovery_changes(scenario, names),
        dns_queries: None,
        dns_queries_dropped: 0,
    }
}

/// A check's result as the report gives it.
pub(super) fn expectation(check: CheckResult) -> ExpectationReport {
    ExpectationReport {
        check: check.name.to_owned(),
        passed: check.passed,
        headline: check.headline().map(|(name, _)| name.clone()),
        rule: check.rule,
        measured: check.measured.into_iter().collect(),
        explanation: check.explanation,
    }
}

/// The scenario's changes of the announced set, each with the set announced from then on.
fn discovery_changes(scenario: &Scenario, names: &[String]) -> Vec<DiscoveryChangeReport> {
    let discovery = scenario.discovery();
    discovery
        .changes
        .iter()
        .map(|change| DiscoveryChangeReport {
            at_ms: crate::report::millis(change.at),
            announced: discovery
                .at(change.at)
                .into_iter()
                .filter_map(|index| names.get(index).cloned())
                .collect(),
        })
        .collect()
}

/// The scripted resolver's queries, their answers by backend name.
pub(super) fn dns_queries(queries: &[super::dns::Query], names: &[String]) -> Vec<DnsQueryReport> {
    queries
        .iter()
        .map(|query| DnsQueryReport {
            at_ms: crate::report::millis(query.at),
            answer: query.answer.iter().map(|&index| names[index].clone()).collect(),
            ttl_ms: crate::report::millis(query.ttl),
        })
        .collect()
}
