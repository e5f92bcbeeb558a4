//! The report's data, as JSON shows it. Every map is ordered and every time is virtual under the
//! paused clock, so the same run gives the same bytes.

use super::Timeline;
use serde::Serialize;
use std::collections::BTreeMap;

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// The scenario's name.
    pub scenario: String,
    /// The seed of every random choice.
    pub seed: u64,
    /// `in-memory` or `tcp`.
    pub transport: String,
    /// The balancer's name, as the scenario file writes it.
    pub balancer: String,
    /// Calls by outcome, at the client.
    pub calls: CallTotals,
    /// One entry per backend, by id.
    pub backends: Vec<BackendReport>,
    /// With `[load] clients` above 1: each client's own view, in client order (absent with one
    /// client).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<super::ClientReport>,
    /// Calls that failed or timed out without reaching any backend, by the code the client
    /// saw (a timeout is `DeadlineExceeded`); left out of the JSON when there are none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unattributed_failures: BTreeMap<String, u64>,
    /// Calls that reached a backend past the [`MAX_CALLS_SEEN`](crate::record::MAX_CALLS_SEEN)
    /// names it keeps, over every backend: a failed one among them that no backend answered is
    /// counted in `unattributed_failures` (and the timeline's `unattributed`) though it reached
    /// one. No check reads which backend a call reached, so no verdict depends on it. Left out
    /// of the JSON when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub arrivals_not_kept: u64,
    /// Every fault window, in the order they opened.
    pub faults: Vec<FaultWindowReport>,
    /// Every change of the announced set after the start, in time order (left out of the JSON
    /// without changes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discovery: Vec<super::DiscoveryChangeReport>,
    /// With `[discovery] via = "dns"`: every query the client under test made, in order, with
    /// the scripted resolver's answer, until the load ended; left out of the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_queries: Option<Vec<super::DnsQueryReport>>,
    /// Queries past the first [`MAX_DNS_QUERIES`](crate::load::limits::MAX_DNS_QUERIES), made
    /// but not kept in `dns_queries`; left out of the JSON when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub dns_queries_dropped: u64,
    /// Every expectation of the file, with what was measured.
    pub expectations: Vec<ExpectationReport>,
    /// The checks the evidence given could not judge, and why (`jostle judge` over call
    /// records without the backends' counters: `connections`, `leak-free`); left out of the
    /// JSON when empty, as it is for every run in process.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<NotJudgedReport>,
    /// The run in time buckets, for the chart.
    pub timeline: Timeline,
    /// Whether every expectation held.
    pub passed: bool,
    /// The outcome the story expects, `[expect] outcome`: `pass`, or `fail` for a story that
    /// shows a flaw.
    pub expected: String,
    /// With `fail`: the checks the story names as the ones its flaw makes fail (`[expect]
    /// fails`); left out of the JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected_failures: Vec<String>,
    /// Whether the run gave the expected outcome: every expectation held and `pass` was
    /// expected, or `fail` was and exactly the checks in `expected_failures` failed.
    pub as_expected: bool,
}

impl Default for RunReport {
    fn default() -> Self {
        Self {
            scenario: String::new(),
            seed: 0,
            transport: "in-memory".into(),
            balancer: String::new(),
            calls: CallTotals::default(),
            backends: Vec::new(),
            clients: Vec::new(),
            unattributed_failures: BTreeMap::new(),
            arrivals_not_kept: 0,
            faults: Vec::new(),
            discovery: Vec::new(),
            dns_queries: None,
            dns_queries_dropped: 0,
            expectations: Vec::new(),
            not_judged: Vec::new(),
            timeline: Timeline::default(),
            passed: true,
            expected: "pass".into(),
            expected_failures: Vec::new(),
            as_expected: true,
        }
    }
}

impl RunReport {
    /// The report as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        // Serialising plain data into a String cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }
}

/// Calls by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CallTotals {
    /// Started.
    pub sent: u64,
    /// Ended OK.
    pub ok: u64,
    /// Failed before their deadline.
    pub failed: u64,
    /// Ended at their deadline.
    pub timed_out: u64,
    /// Late completions: calls counted in `failed` or `timed_out` that a backend still
    /// completed OK (its answer came after the client gave up, or was lost on the way), by the
    /// backends' own counters.
    pub late: u64,
}

/// One backend, from its own counters and from the calls it answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendReport {
    /// `backend-<id>`.
    pub name: String,
    /// Calls it served OK, as the client saw them.
    pub served: u64,
    /// Its share of all OK calls.
    pub share: f64,
    /// Calls sent to it that failed or timed out, by the code the client saw (a timeout is
    /// `DeadlineExceeded`), from the client's log
    /// ([attribution](crate::report::sent_by_header)).
    pub client_failures: BTreeMap<String, u64>,
    /// Calls it finished with another code, by code name, from its own counters: a call the
    /// client gave up on shows here as `Cancelled`.
    pub failures: BTreeMap<String, u64>,
    /// Latency of the calls it served OK.
    pub latency_ms: Latency,
    /// Connections it accepted during the run.
    pub connections_opened: u64,
}

/// The columns of the per-backend table, as [`BackendReport::cells`] fills them.
pub const BACKEND_COLUMNS: [&str; 10] = [
    "backend",
    "served",
    "share",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "conns",
    "failed, client's code",
    "failed, backend's count",
];

impl BackendReport {
    /// Its failures by its own counters as `Code count` pairs, `Unavailable 3, Cancelled 1`,
    /// or `-` for none.
    pub fn failures_text(&self) -> String {
        codes_text(&self.failures)
    }

    /// The failed calls sent to it, by the client's code, as [`failures_text`] writes them.
    ///
    /// [`failures_text`]: BackendReport::failures_text
    pub fn client_failures_text(&self) -> String {
        codes_text(&self.client_failures)
    }

    /// Its row of the per-backend table, a cell per [`BACKEND_COLUMNS`], formatted.
    pub fn cells(&self) -> [String; 10] {
        let latency = self.latency_ms;
        [
            self.name.clone(),
            self.served.to_string(),
            format!("{:.1}%", self.share * 100.0),
            format!("{:.2}", latency.p50),
            format!("{:.2}", latency.p90),
            format!("{:.2}", latency.p99),
            format!("{:.2}", latency.max),
            self.connections_opened.to_string(),
            self.client_failures_text(),
            self.failures_text(),
        ]
    }
}

/// Counts by code as `Code count` pairs in code-name order, or `-` for none.
pub(crate) fn codes_text(codes: &BTreeMap<String, u64>) -> String {
    let pairs: Vec<String> = codes.iter().map(|(code, n)| format!("{code} {n}")).collect();
    if pairs.is_empty() { "-".into() } else { pairs.join(", ") }
}

/// Latency percentiles from an HDR histogram (microsecond resolution), in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

/// When a fault held on a backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultWindowReport {
    /// The injection's id.
    pub id: u64,
    /// The backend.
    pub backend: String,
    /// The fault's kind.
    pub kind: String,
    /// Since the cluster started, in milliseconds.
    pub start_ms: f64,
    /// Since the cluster started, in milliseconds; `null` if it still held at the end.
    pub end_ms: Option<f64>,
}

impl std::fmt::Display for FaultWindowReport {
    /// `restart on backend-1 from 2000 ms to 3000 ms` (or `to the end`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {} from {:.0} ms to ", self.kind, self.backend, self.start_ms)?;
        match self.end_ms {
            Some(end) => write!(f, "{end:.0} ms"),
            None => write!(f, "the end"),
        }
    }
}

/// One expectation and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectationReport {
    /// The check's name.
    pub check: String,
    /// Whether it held.
    pub passed: bool,
    /// The rule, in words.
    pub rule: String,
    /// What was measured.
    pub measured: BTreeMap<String, f64>,
    /// The name of the measurement the verdict turned on, which a one-line summary shows
    /// ([`CheckResult::headline`](crate::check::CheckResult::headline)); not in the JSON, which
    /// has every measurement.
    #[serde(skip)]
    pub headline: Option<String>,
    /// Why it passed or failed.
    pub explanation: String,
}

/// A check the evidence could not judge, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotJudgedReport {
    /// The check's name.
    pub check: String,
    /// What it needs that the evidence lacks.
    pub why: String,
}

/// For serde: leave a count of 0 out.
#[allow(clippy::trivially_copy_pass_by_ref, reason = "serde passes a reference")]
fn is_zero(count: &u64) -> bool {
    *count == 0
}
