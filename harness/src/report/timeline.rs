//! [`Timeline`]: the run in time buckets: calls served per backend, failures, timeouts and
//! latency, by when each call started. The chart (`--html`) draws it; JSON carries it.

use super::Latency;
use crate::load::{CallLog, CallOutcome};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The most buckets a timeline has: enough to see a restart, few enough to read.
pub const MAX_BUCKETS: u64 = 120;

/// The run in equal time buckets, from the cluster's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// Each bucket's width, in milliseconds: 1, 2 or 5 times a power of ten.
    pub bucket_ms: u64,
    /// Until when calls ran (the last call's end), since the cluster started, in milliseconds.
    pub end_ms: f64,
    /// The load's per-call deadline, in milliseconds.
    pub deadline_ms: f64,
    /// The buckets, in time order, without gaps.
    pub buckets: Vec<Bucket>,
}

impl Default for Timeline {
    /// No calls: 1 ms buckets, none of them.
    fn default() -> Self {
        Self { bucket_ms: 1, end_ms: 0.0, deadline_ms: 0.0, buckets: Vec::new() }
    }
}

/// The calls that started within one bucket.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Bucket {
    /// Since the cluster started, in milliseconds.
    pub start_ms: u64,
    /// Calls served OK, per backend, in the order of the report's `backends`.
    pub served: Vec<u64>,
    /// Calls that failed before their deadline.
    pub failed: u64,
    /// Calls that ended at their deadline.
    pub timed_out: u64,
    /// Median latency of the OK calls, in milliseconds; `null` without OK calls.
    pub p50_ms: Option<f64>,
    /// 99th-percentile latency of the OK calls, in milliseconds; `null` without OK calls.
    pub p99_ms: Option<f64>,
    /// The slowest call of any outcome (a timeout shows at its deadline), in milliseconds;
    /// `null` without calls.
    pub max_ms: Option<f64>,
    /// Calls that failed or timed out, per backend they were sent to (in the order of the
    /// report's `backends`), by the code the client saw (a timeout is `DeadlineExceeded`).
    pub failures: Vec<BTreeMap<String, u64>>,
    /// Calls that failed or timed out without reaching any backend, by the client's code.
    pub unattributed: BTreeMap<String, u64>,
}

impl Timeline {
    /// Buckets `log` (times since the cluster's start) for backends named `names`, each call
    /// attributed to the backend that answered it ([`sent_by_header`](super::sent_by_header)).
    pub fn from_log(log: &CallLog, names: &[String], deadline: Duration) -> Self {
        Self::from_attributed(log, &super::sent_by_header(log, names), names, deadline)
    }

    /// [`Timeline::from_log`] with each call `i` of `log` attributed to backend `sent_to[i]`
    /// (an index into `names`; `None`: it reached none).
    pub fn from_attributed(
        log: &CallLog,
        sent_to: &[Option<usize>],
        names: &[String],
        deadline: Duration,
    ) -> Self {
        let end = log.calls.iter().map(|call| call.end).max().unwrap_or_default();
        let end_ms = millis(end);
        let bucket_ms = bucket_width(end.as_millis());
        let count = end.as_millis() / u128::from(bucket_ms) + 1;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        let mut buckets: Vec<Bucket> = (0..count)
            .map(|i| Bucket {
                start_ms: i as u64 * bucket_ms,
                served: vec![0; names.len()],
                failures: vec![BTreeMap::new(); names.len()],
                ..Bucket::default()
            })
            .collect();
        let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); count];
        for (i, call) in log.calls.iter().enumerate() {
            let index = usize::try_from(call.start.as_millis() / u128::from(bucket_ms))
                .unwrap_or(usize::MAX)
                .min(count - 1);
            let bucket = &mut buckets[index];
            let took = millis(call.latency());
            bucket.max_ms = Some(bucket.max_ms.map_or(took, |max| max.max(took)));
            let backend = sent_to.get(i).copied().flatten().filter(|&b| b < names.len());
            match call.outcome {
                CallOutcome::Ok => {
                    if let Some(backend) = backend {
                        bucket.served[backend] += 1;
                    }
                    latencies[index].push(call.latency());
                }
                CallOutcome::Failed(_) => bucket.failed += 1,
                CallOutcome::TimedOut => bucket.timed_out += 1,
            }
            if let Some(code) = super::client_code(call.outcome) {
                let tally = match backend {
                    Some(backend) => &mut bucket.failures[backend],
                    None => &mut bucket.unattributed,
                };
                *tally.entry(code).or_default() += 1;
            }
        }
        for (bucket, samples) in buckets.iter_mut().zip(&latencies) {
            if let Some(histogram) = histogram(samples) {
                bucket.p50_ms = Some(histogram.value_at_quantile(0.5) as f64 / 1e3);
                bucket.p99_ms = Some(histogram.value_at_quantile(0.99) as f64 / 1e3);
            }
        }
        Timeline { bucket_ms, end_ms, deadline_ms: millis(deadline), buckets }
    }
}

/// The narrowest of 1, 2, 5, 10, 20, 50, ... ms that covers `span_ms` in at most
/// [`MAX_BUCKETS`] buckets.
fn bucket_width(span_ms: u128) -> u64 {
    let mut scale = 1_u64;
    loop {
        for step in [1, 2, 5] {
            let width = step * scale;
            if span_ms / u128::from(width) < u128::from(MAX_BUCKETS) {
                return width;
            }
        }
        scale = scale.saturating_mul(10);
    }
}

impl Latency {
    /// The percentiles of `samples`; all zero without samples.
    pub fn from_samples(samples: &[Duration]) -> Self {
        let Some(histogram) = histogram(samples) else { return Latency::default() };
        let at = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1e3;
        Latency { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: histogram.max() as f64 / 1e3 }
    }
}

/// The `quantile` (0 to 1) of `samples` in milliseconds, read as [`Latency::from_samples`]
/// reads its percentiles; `None` without samples.
pub(crate) fn quantile_ms(samples: &[Duration], quantile: f64) -> Option<f64> {
    histogram(samples).map(|histogram| histogram.value_at_quantile(quantile) as f64 / 1e3)
}

/// Latencies in microseconds (3 significant digits); `None` when there are none.
fn histogram(samples: &[Duration]) -> Option<Histogram<u64>> {
    let mut histogram = Histogram::<u64>::new(3).ok()?;
    for sample in samples {
        let micros = u64::try_from(sample.as_micros()).unwrap_or(u64::MAX).max(1);
        // Samples over 2^63 microseconds cannot occur in a run.
        let _ = histogram.record(micros);
    }
    (!histogram.is_empty()).then_some(histogram)
}

/// Milliseconds, rounded to the microsecond so that reports carry no float noise.
pub(crate) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{CallRecord, Method};
    use tonic::Code;

    fn call(
        start_ms: u64,
        took_ms: u64,
        outcome: CallOutcome,
        backend: Option<&str>,
    ) -> CallRecord {
        CallRecord {
            index: 0,
            method: Method::CreateOrder,
            start: Duration::from_millis(start_ms),
            end: Duration::from_millis(start_ms + took_ms),
            outcome,
            backend: backend.map(str::to_owned),
            client: 0,
        }
    }

    #[test]
    fn bucket_width_is_the_narrowest_round_width_under_the_bucket_cap() {
        assert_eq!(bucket_width(0), 1);
        assert_eq!(bucket_width(119), 1);
        assert_eq!(bucket_width(120), 2, "120 ms in 1 ms buckets would be 121 buckets");
        assert_eq!(bucket_width(6_000), 100, "6 s: 50 ms gives 121 buckets, 100 ms gives 61");
        assert_eq!(bucket_width(60_000), 1_000);
        assert_eq!(bucket_width(59_999), 500);
    }

    #[test]
    fn calls_land_in_the_bucket_they_started_in_by_outcome_and_backend() {
        let names = vec!["backend-0".to_owned(), "backend-1".to_owned()];
        let log = CallLog {
            calls: vec![
                call(0, 10, CallOutcome::Ok, Some("backend-0")),
                call(5, 30, CallOutcome::Ok, Some("backend-1")),
                call(150, 1, CallOutcome::Failed(Code::Unavailable), Some("backend-1")),
                call(150, 500, CallOutcome::TimedOut, None),
                call(199, 1, CallOutcome::Ok, Some("backend-1")),
            ],
            seed: 0,
        };
        let timeline = Timeline::from_log(&log, &names, Duration::from_millis(500));
        assert_eq!(timeline.bucket_ms, 10, "650 ms spans 65 buckets of 10 ms");
        assert_eq!(timeline.buckets.len(), 66);
        assert_eq!(timeline.end_ms, 650.0);
        assert_eq!(timeline.deadline_ms, 500.0);
        let first = &timeline.buckets[0];
        assert_eq!(first.served, vec![1, 1], "calls started at 0 and 5 ms belong to bucket 0");
        // HDR histograms keep 3 significant digits: a value reads back within 0.1 %.
        let near =
            |got: Option<f64>, want: f64| got.is_some_and(|got| (got - want).abs() <= want / 1e3);
        assert!(near(first.p50_ms, 10.0), "p50 {:?} must be 10 ms", first.p50_ms);
        assert!(near(first.p99_ms, 30.0), "p99 {:?} must be 30 ms", first.p99_ms);
        assert_eq!(first.max_ms, Some(30.0));
        let failing = &timeline.buckets[15];
        assert_eq!((failing.failed, failing.timed_out), (1, 1));
        assert_eq!(failing.served, vec![0, 0], "a failed call is not served");
        let unavailable = BTreeMap::from([("Unavailable".to_owned(), 1)]);
        assert_eq!(
            failing.failures,
            vec![BTreeMap::new(), unavailable],
            "a failed call counts under the backend that answered it, by the client's code"
        );
        assert_eq!(
            failing.unattributed,
            BTreeMap::from([("DeadlineExceeded".to_owned(), 1)]),
            "a timeout with no backend counts as reaching none, not under a guessed backend"
        );
        assert_eq!(failing.p50_ms, None, "no OK call, no latency of OK calls");
        assert_eq!(failing.max_ms, Some(500.0), "the slowest call counts whatever its outcome");
        assert_eq!(timeline.buckets[19].served, vec![0, 1]);
        let total: u64 = timeline.buckets.iter().flat_map(|b| b.served.iter()).sum();
        assert_eq!(total, 3, "every OK call is in exactly one bucket");
    }

    #[test]
    fn an_empty_log_gives_one_empty_bucket() {
        let timeline = Timeline::from_log(&CallLog::default(), &[], Duration::from_secs(1));
        assert_eq!(timeline.buckets.len(), 1);
        assert_eq!(timeline.buckets[0], Bucket::default());
    }
}
