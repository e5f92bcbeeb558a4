//! Outlier detection as in gRPC proposal A50 ("gRPC xDS Outlier Detection Support"): a pure,
//! clock-injected state machine that ejects endpoints whose recent calls fail unlike the
//! others, and returns them after an ejection time that grows each time they are ejected again.
//!
//! Callers [`record`](OutlierDetector::record) each call's result against its endpoint, and
//! call [`tick`](OutlierDetector::tick) once per [`interval`](OutlierConfig::interval) with the
//! current time and a random source. Each tick looks only at the calls of the interval that
//! just ended, runs up to two ejection algorithms, and returns endpoints whose ejection time is
//! up. Nothing here reads a clock, spawns or sleeps, so under tokio's paused clock a caller
//! passes `tokio::time::Instant::now().into_std()` and every outcome is exact.
//!
//! # Parameters and their defaults
//!
//! | field | default | meaning |
//! |---|---|---|
//! | [`interval`](OutlierConfig::interval) | 10 s | time between ticks (the caller's timer) |
//! | [`base_ejection_time`](OutlierConfig::base_ejection_time) | 30 s | ejection time per ejection multiplier |
//! | [`max_ejection_time`](OutlierConfig::max_ejection_time) | 300 s | cap, or `base_ejection_time` if larger |
//! | [`max_ejection_percent`](OutlierConfig::max_ejection_percent) | 10 | % of endpoints ejected at once, at least one |
//! | [`success_rate`](OutlierConfig::success_rate) | on | [`SuccessRateEjection`], `None` turns it off |
//! | ↳ [`stdev_factor`](SuccessRateEjection::stdev_factor) | 1900 | thousandths: 1900 is 1.9 standard deviations |
//! | ↳ [`enforcement_percentage`](SuccessRateEjection::enforcement_percentage) | 100 | % chance an outlier is ejected |
//! | ↳ [`minimum_hosts`](SuccessRateEjection::minimum_hosts) | 5 | endpoints with enough volume to judge any |
//! | ↳ [`request_volume`](SuccessRateEjection::request_volume) | 100 | calls in the interval to be judged |
//! | [`failure_percentage`](OutlierConfig::failure_percentage) | off | [`FailurePercentageEjection`], `None` is off |
//! | ↳ [`threshold`](FailurePercentageEjection::threshold) | 85 | failure % an endpoint must exceed |
//! | ↳ [`enforcement_percentage`](FailurePercentageEjection::enforcement_percentage) | 0 | % chance an outlier is ejected |
//! | ↳ [`minimum_hosts`](FailurePercentageEjection::minimum_hosts) | 5 | endpoints with enough volume to judge any |
//! | ↳ [`request_volume`](FailurePercentageEjection::request_volume) | 50 | calls in the interval to be judged |
//!
//! [`OutlierConfig::default`] is what xDS makes of an empty Envoy `OutlierDetection` message:
//! success rate on (Envoy's `enforcing_success_rate` defaults to 100), failure percentage off
//! (`enforcing_failure_percentage` defaults to 0). The failure-percentage enforcement default
//! of 0 is grpc-go's and Envoy's; A50's proto comment says 100, so set it explicitly.
//!
//! # One tick, in grpc-go's order
//!
//! 1. Every endpoint's call counter swaps buckets: the calls since the last tick become the
//!    interval under judgement, and counting starts again from zero.
//! 2. Success rate, if configured: among endpoints with at least `request_volume` calls, if
//!    there are at least `minimum_hosts`, take the mean and the population standard deviation
//!    of their success rates; each one below `mean - stdev * stdev_factor / 1000` is an outlier.
//! 3. Failure percentage, if configured: among endpoints with at least `request_volume` calls,
//!    if there are at least `minimum_hosts`, each one whose failure percentage is strictly
//!    above `threshold` is an outlier.
//! 4. Every endpoint not ejected has its ejection multiplier decreased by one (down to 0);
//!    every ejected one whose `ejection time` has strictly passed since it was ejected returns.
//!
//! In steps 2 and 3, endpoints are visited in key order. Before each, if the ejected endpoints
//! are already at least `max_ejection_percent` of all endpoints, the step stops. For each
//! outlier, `random(100)` is drawn once; the outlier is ejected if the draw is below
//! `enforcement_percentage`. Ejecting stamps the tick's time and adds one to the multiplier, and
//! `ejection time = min(base_ejection_time * multiplier, max(base_ejection_time,
//! max_ejection_time))`.
//!
//! Where this differs from grpc-go: endpoints are visited in key order (grpc-go: Go's random
//! map order), and an endpoint that is already ejected is not ejected again and draws no coin
//! (grpc-go would re-stamp it and count it twice toward `max_ejection_percent`; Envoy skips it).
//! Like grpc-go, and unlike A50's text, failure percentage's `minimum_hosts` counts only
//! endpoints with enough volume, and the `max_ejection_percent` check stops at equality.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The longest `google.protobuf.Duration`, about 10,000 years; A50 bounds every duration by it.
const MAX_DURATION: Duration = Duration::new(315_576_000_000, 999_999_999);

/// Parameters of the success-rate algorithm: eject endpoints whose success rate is a
/// statistical outlier below the others'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuccessRateEjection {
    /// How many standard deviations below the mean success rate an endpoint must fall to be an
    /// outlier, in thousandths: an outlier has a rate below `mean - stdev * stdev_factor /
    /// 1000`. Default 1900 (1.9 standard deviations).
    pub stdev_factor: u32,
    /// The % chance that an outlier is actually ejected, 0 to 100; 0 detects but never ejects.
    /// Default 100.
    pub enforcement_percentage: u32,
    /// How many endpoints must have at least `request_volume` calls in the interval for the
    /// algorithm to judge any. Default 5.
    pub minimum_hosts: u32,
    /// The calls an endpoint needs in the interval to be counted and judged. Default 100.
    pub request_volume: u32,
}

impl Default for SuccessRateEjection {
    fn default() -> Self {
        Self {
            stdev_factor: 1900,
            enforcement_percentage: 100,
            minimum_hosts: 5,
            request_volume: 100,
        }
    }
}

/// Parameters of the failure-percentage algorithm: eject each endpoint whose failure
/// percentage is above a fixed threshold, independently of the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailurePercentageEjection {
    /// The failure percentage, 0 to 100, that an endpoint must strictly exceed to be an outlier.
    /// Default 85.
    pub threshold: u32,
    /// The % chance that an outlier is actually ejected, 0 to 100. Default 0, as in grpc-go and
    /// Envoy (A50's proto comment says 100): set it to turn the algorithm into ejections.
    pub enforcement_percentage: u32,
    /// How many endpoints must have at least `request_volume` calls in the interval for the
    /// algorithm to judge any. Default 5.
    pub minimum_hosts: u32,
    /// The calls an endpoint needs in the interval to be judged. Default 50.
    pub request_volume: u32,
}

impl Default for FailurePercentageEjection {
    fn default() -> Self {
        Self { threshold: 85, enforcement_percentage: 0, minimum_hosts: 5, request_volume: 50 }
    }
}

/// The parameters of an [`OutlierDetector`], as A50's `OutlierDetectionLoadBalancingConfig`.
///
/// Check a config with [`validate`](Self::validate) before use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlierConfig {
    /// The time between two [`tick`](OutlierDetector::tick)s, which the caller schedules; must
    /// be above zero. Default 10 s.
    pub interval: Duration,
    /// The ejection time per unit of an endpoint's ejection multiplier. Default 30 s.
    pub base_ejection_time: Duration,
    /// The cap on an ejection time; when below `base_ejection_time`, that is the cap instead.
    /// Default 300 s.
    pub max_ejection_time: Duration,
    /// The % of endpoints, 0 to 100, that may be ejected at once; while fewer than this are
    /// ejected another may be, so any value above 0 lets at least one go. Default 10.
    pub max_ejection_percent: u32,
    /// The success-rate algorithm, or `None` for off. Default on, with
    /// [`SuccessRateEjection::default`].
    pub success_rate: Option<SuccessRateEjection>,
    /// The failure-percentage algorithm, or `None` for off. Default `None`.
    pub failure_percentage: Option<FailurePercentageEjection>,
}

impl Default for OutlierConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            base_ejection_time: Duration::from_secs(30),
            max_ejection_time: Duration::from_secs(300),
            max_ejection_percent: 10,
            success_rate: Some(SuccessRateEjection::default()),
            failure_percentage: None,
        }
    }
}

impl OutlierConfig {
    /// Checks A50's rules: `interval` above zero, every duration within
    /// `google.protobuf.Duration`'s 10,000 years, and every percentage at most 100.
    pub fn validate(&self) -> Result<(), OutlierError> {
        if self.interval.is_zero() {
            return Err(OutlierError::ZeroInterval);
        }
        for (field, value) in [
            ("interval", self.interval),
            ("base_ejection_time", self.base_ejection_time),
            ("max_ejection_time", self.max_ejection_time),
        ] {
            if value > MAX_DURATION {
                return Err(OutlierError::DurationTooLong { field, value });
            }
        }
        let mut percentages = vec![("max_ejection_percent", self.max_ejection_percent)];
        if let Some(success_rate) = &self.success_rate {
            percentages
                .push(("success_rate.enforcement_percentage", success_rate.enforcement_percentage));
        }
        if let Some(failure_percentage) = &self.failure_percentage {
            percentages.push(("failure_percentage.threshold", failure_percentage.threshold));
            percentages.push((
                "failure_percentage.enforcement_percentage",
                failure_percentage.enforcement_percentage,
            ));
        }
        match percentages.into_iter().find(|&(_, value)| value > 100) {
            Some((field, value)) => Err(OutlierError::NotAPercentage { field, value }),
            None => Ok(()),
        }
    }

    /// Whether either algorithm is configured. With neither, A50 neither counts calls nor runs
    /// the timer; a caller may skip ticking.
    pub fn is_enabled(&self) -> bool {
        self.success_rate.is_some() || self.failure_percentage.is_some()
    }

    /// The ejection time at an ejection multiplier:
    /// `min(base * multiplier, max(base, max_ejection_time))`, within 10,000 years.
    fn ejection_time(&self, multiplier: u32) -> Duration {
        let cap = self.base_ejection_time.max(self.max_ejection_time);
        self.base_ejection_time.saturating_mul(multiplier).min(cap).min(MAX_DURATION)
    }
}

/// Why an [`OutlierConfig`] is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutlierError {
    /// `interval` is zero.
    #[error("interval must be greater than zero")]
    ZeroInterval,
    /// A duration is longer than a `google.protobuf.Duration` can be.
    #[error(
        "{field} must be at most 315576000000s (the google.protobuf.Duration limit), got {value:?}"
    )]
    DurationTooLong {
        /// The field, e.g. `base_ejection_time`.
        field: &'static str,
        /// Its value.
        value: Duration,
    },
    /// A percentage is above 100.
    #[error("{field} must be a percentage from 0 to 100, got {value}")]
    NotAPercentage {
        /// The field, e.g. `success_rate.enforcement_percentage`.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

/// Why an endpoint was ejected, with the figures of the interval that judged it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EjectionReason {
    /// Its success rate fell below `required`, `mean - stdev * stdev_factor / 1000`.
    SuccessRate {
        /// Its successes over its calls in the interval, 0 to 1.
        success_rate: f64,
        /// The mean success rate of the endpoints with enough volume.
        mean: f64,
        /// Their population standard deviation.
        stdev: f64,
        /// The rate it had to reach to stay.
        required: f64,
    },
    /// Its failure percentage was above `threshold`.
    FailurePercentage {
        /// Its failed calls in the interval.
        failures: u64,
        /// All its calls in the interval.
        requests: u64,
        /// The configured threshold, a percentage.
        threshold: u32,
    },
}

/// What a [`tick`](OutlierDetector::tick) changed, for callers to act on and log.
#[derive(Debug, Clone, PartialEq)]
pub enum OutlierEvent<K> {
    /// `key` was ejected: stop sending it calls.
    Ejected {
        /// The endpoint.
        key: K,
        /// The end of its ejection time (saturating); it returns at the first tick strictly
        /// after this instant.
        until: Instant,
        /// Its ejection time, `until` minus the tick's time.
        duration: Duration,
        /// Which algorithm ejected it, and the figures.
        reason: EjectionReason,
    },
    /// `key` served its ejection time and is back in service.
    Unejected {
        /// The endpoint.
        key: K,
    },
}

/// Successes and failures counted over one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Bucket {
    successes: u64,
    failures: u64,
}

impl Bucket {
    fn requests(self) -> u64 {
        self.successes.saturating_add(self.failures)
    }
}

/// One endpoint's state: A50's call counter, ejection timestamp and multiplier.
#[derive(Debug, Clone, Default)]
struct Entry {
    /// Calls finishing now (A50's active bucket).
    current: Bucket,
    /// Calls of the last whole interval (A50's inactive bucket), judged by the algorithms.
    last: Bucket,
    /// When it was ejected, or `None` while in service.
    ejected_at: Option<Instant>,
    /// Grows by one per ejection, shrinks by one per tick spent in service.
    multiplier: u32,
}

/// A50 outlier detection over endpoints named by `K`: count call results, [`tick`](Self::tick)
/// every interval, and stop routing to whatever [`is_ejected`](Self::is_ejected).
///
/// State lives in a `BTreeMap`, so ticks visit endpoints in key order and, with the same
/// calls, times and draws, always decide the same.
///
/// ```
/// use jostle::balance::outlier::{FailurePercentageEjection, OutlierConfig, OutlierDetector, OutlierEvent};
/// use std::time::{Duration, Instant};
///
/// let config = OutlierConfig {
///     failure_percentage: Some(FailurePercentageEjection {
///         enforcement_percentage: 100,
///         ..FailurePercentageEjection::default()
///     }),
///     ..OutlierConfig::default()
/// };
/// config.validate().expect("a valid config");
/// let mut detector = OutlierDetector::new(config);
/// for id in 1..=5_u64 {
///     detector.add(id);
/// }
/// // Endpoint 3 fails 45 of its 50 calls (90% > 85%); the other four succeed.
/// for id in 1..=5_u64 {
///     for call in 0..50 {
///         detector.record(&id, id != 3 || call >= 45);
///     }
/// }
///
/// let start = Instant::now();
/// // A real caller draws uniformly from 0..n, e.g. `|n| rng.random_range(0..n)`.
/// let events = detector.tick(start, &mut |_| 0);
/// assert!(matches!(events[..], [OutlierEvent::Ejected { key: 3, .. }]));
/// assert_eq!(detector.ejected(), vec![3]);
///
/// // First ejection: base_ejection_time, 30 s. It returns at the first tick after that.
/// let events = detector.tick(start + Duration::from_secs(31), &mut |_| 0);
/// assert_eq!(events, vec![OutlierEvent::Unejected { key: 3 }]);
/// assert!(!detector.is_ejected(&3));
/// ```
#[derive(Debug, Clone)]
pub struct OutlierDetector<K: Ord + Clone> {
    config: OutlierConfig,
    entries: BTreeMap<K, Entry>,
    /// How many entries have `ejected_at` set.
    ejected: usize,
}

impl<K: Ord + Clone> OutlierDetector<K> {
    /// A detector with no endpoints. `config` is used as given: check it first with
    /// [`OutlierConfig::validate`].
    pub fn new(config: OutlierConfig) -> Self {
        Self { config, entries: BTreeMap::new(), ejected: 0 }
    }

    /// The parameters it runs with; `interval` is how often to [`tick`](Self::tick).
    pub fn config(&self) -> &OutlierConfig {
        &self.config
    }

    /// Starts tracking `key`, in service, with no calls and multiplier 0. Returns `false`, and
    /// changes nothing, if it is tracked already.
    pub fn add(&mut self, key: K) -> bool {
        if self.entries.contains_key(&key) {
            return false;
        }
        self.entries.insert(key, Entry::default());
        true
    }

    /// Forgets `key`: its calls, its ejection and its multiplier; if it comes back it starts
    /// afresh. Returns whether it was tracked.
    pub fn remove(&mut self, key: &K) -> bool {
        match self.entries.remove(key) {
            Some(entry) => {
                if entry.ejected_at.is_some() {
                    self.ejected -= 1;
                }
                true
            }
            None => false,
        }
    }

    /// Counts one finished call of `key` into the current interval. A key not
    /// [`add`](Self::add)ed is ignored, as A50 ignores addresses outside its map.
    pub fn record(&mut self, key: &K, success: bool) {
        if let Some(entry) = self.entries.get_mut(key) {
            let count =
                if success { &mut entry.current.successes } else { &mut entry.current.failures };
            *count = count.saturating_add(1);
        }
    }

    /// Runs one interval's sweep at `now` (see the [module docs](self) for the order of its
    /// steps) and returns what changed, ejections first.
    ///
    /// `random(100)` must return a uniform draw from `0..100`; it is called once per detected
    /// outlier that is not already ejected, and the outlier is ejected if the draw is below
    /// the algorithm's `enforcement_percentage`.
    pub fn tick(
        &mut self,
        now: Instant,
        random: &mut impl FnMut(u32) -> u32,
    ) -> Vec<OutlierEvent<K>> {
        let mut events = Vec::new();
        for entry in self.entries.values_mut() {
            entry.last = std::mem::take(&mut entry.current);
        }
        if let Some(success_rate) = self.config.success_rate {
            self.success_rate(success_rate, now, random, &mut events);
        }
        if let Some(failure_percentage) = self.config.failure_percentage {
            self.failure_percentage(failure_percentage, now, random, &mut events);
        }
        for (key, entry) in &mut self.entries {
            let Some(at) = entry.ejected_at else {
                entry.multiplier = entry.multiplier.saturating_sub(1);
                continue;
            };
            let ejection_time = self.config.ejection_time(entry.multiplier);
            if now.checked_duration_since(at).is_some_and(|elapsed| elapsed > ejection_time) {
                entry.ejected_at = None;
                self.ejected -= 1;
                events.push(OutlierEvent::Unejected { key: key.clone() });
            }
        }
        events
    }

    /// Whether `key` is ejected now; `false` for a key not tracked.
    pub fn is_ejected(&self, key: &K) -> bool {
        self.entries.get(key).is_some_and(|entry| entry.ejected_at.is_some())
    }

    /// The ejected keys, in key order.
    pub fn ejected(&self) -> Vec<K> {
        self.entries
            .iter()
            .filter(|(_, entry)| entry.ejected_at.is_some())
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Keys with at least `volume` calls in the interval under judgement, with those calls.
    fn with_volume(&self, volume: u32) -> Vec<(K, Bucket)> {
        self.entries
            .iter()
            .filter(|(_, entry)| entry.last.requests() >= u64::from(volume))
            .map(|(key, entry)| (key.clone(), entry.last))
            .collect()
    }

    /// Whether ejected endpoints are at least `max_ejection_percent` of all: no more may go.
    fn at_ejection_cap(&self) -> bool {
        let ejected = u128::try_from(self.ejected).unwrap_or(u128::MAX);
        let all = u128::try_from(self.entries.len()).unwrap_or(u128::MAX);
        ejected * 100 >= u128::from(self.config.max_ejection_percent) * all
    }

    /// Too few endpoints with enough volume for an algorithm to judge any.
    fn too_few(judged: usize, minimum_hosts: u32) -> bool {
        judged == 0 || u64::try_from(judged).unwrap_or(u64::MAX) < u64::from(minimum_hosts)
    }

    fn success_rate(
        &mut self,
        config: SuccessRateEjection,
        now: Instant,
        random: &mut impl FnMut(u32) -> u32,
        events: &mut Vec<OutlierEvent<K>>,
    ) {
        let judged = self.with_volume(config.request_volume);
        if Self::too_few(judged.len(), config.minimum_hosts) {
            return;
        }
        let rate = |bucket: &Bucket| bucket.successes as f64 / bucket.requests() as f64;
        let n = judged.len() as f64;
        let mean = judged.iter().map(|(_, bucket)| rate(bucket)).sum::<f64>() / n;
        let variance =
            judged.iter().map(|(_, bucket)| (rate(bucket) - mean).powi(2)).sum::<f64>() / n;
        let stdev = variance.sqrt();
        let required = mean - stdev * (f64::from(config.stdev_factor) / 1000.0);
        for (key, bucket) in judged {
            if self.at_ejection_cap() {
                return;
            }
            let success_rate = rate(&bucket);
            if success_rate < required {
                let reason = EjectionReason::SuccessRate { success_rate, mean, stdev, required };
                self.maybe_eject(key, config.enforcement_percentage, reason, now, random, events);
            }
        }
    }

    fn failure_percentage(
        &mut self,
        config: FailurePercentageEjection,
        now: Instant,
        random: &mut impl FnMut(u32) -> u32,
        events: &mut Vec<OutlierEvent<K>>,
    ) {
        let judged = self.with_volume(config.request_volume);
        if Self::too_few(judged.len(), config.minimum_hosts) {
            return;
        }
        for (key, bucket) in judged {
            if self.at_ejection_cap() {
                return;
            }
            // failures / requests * 100 > threshold, in exact integers.
            let requests = bucket.requests();
            if u128::from(bucket.failures) * 100
                > u128::from(config.threshold) * u128::from(requests)
            {
                let reason = EjectionReason::FailurePercentage {
                    failures: bucket.failures,
                    requests,
                    threshold: config.threshold,
                };
                self.maybe_eject(key, config.enforcement_percentage, reason, now, random, events);
            }
        }
    }

    /// Draws the enforcement coin for an outlier that is in service, and ejects it on success.
    fn maybe_eject(
        &mut self,
        key: K,
        enforcement_percentage: u32,
        reason: EjectionReason,
        now: Instant,
        random: &mut impl FnMut(u32) -> u32,
        events: &mut Vec<OutlierEvent<K>>,
    ) {
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        if entry.ejected_at.is_some() || random(100) >= enforcement_percentage {
            return;
        }
        entry.ejected_at = Some(now);
        entry.multiplier = entry.multiplier.saturating_add(1);
        self.ejected += 1;
        let duration = self.config.ejection_time(entry.multiplier);
        events.push(OutlierEvent::Ejected {
            key,
            until: saturating_add(now, duration),
            duration,
            reason,
        });
    }
}

/// `at + duration`, or the latest instant within a factor of two of it that the platform can
/// represent (only reachable with durations of thousands of years).
fn saturating_add(at: Instant, mut duration: Duration) -> Instant {
    loop {
        if let Some(instant) = at.checked_add(duration) {
            return instant;
        }
        duration /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// Success rate only, at A50's defaults (stdev 1.9, enforcement 100, 5 hosts, 100 calls),
    /// with no cap on ejections.
    fn success_rate_only() -> OutlierConfig {
        OutlierConfig {
            max_ejection_percent: 100,
            success_rate: Some(SuccessRateEjection::default()),
            failure_percentage: None,
            ..OutlierConfig::default()
        }
    }

    /// Failure percentage only: threshold 85, enforcement 100, 5 hosts, 50 calls; no cap.
    fn failure_percentage_only() -> OutlierConfig {
        OutlierConfig {
            max_ejection_percent: 100,
            success_rate: None,
            failure_percentage: Some(FailurePercentageEjection {
                enforcement_percentage: 100,
                ..FailurePercentageEjection::default()
            }),
            ..OutlierConfig::default()
        }
    }

    /// Failure percentage judging a single endpoint on a single call: for ejection-time tests.
    fn eager(base: u64, max: u64) -> OutlierConfig {
        OutlierConfig {
            base_ejection_time: Duration::from_secs(base),
            max_ejection_time: Duration::from_secs(max),
            max_ejection_percent: 100,
            success_rate: None,
            failure_percentage: Some(FailurePercentageEjection {
                threshold: 50,
                enforcement_percentage: 100,
                minimum_hosts: 1,
                request_volume: 1,
            }),
            ..OutlierConfig::default()
        }
    }

    fn detector(
        config: OutlierConfig,
        keys: impl IntoIterator<Item = u64>,
    ) -> OutlierDetector<u64> {
        let mut detector = OutlierDetector::new(config);
        for key in keys {
            assert!(detector.add(key));
        }
        detector
    }

    fn calls(detector: &mut OutlierDetector<u64>, key: u64, successes: u64, failures: u64) {
        for _ in 0..successes {
            detector.record(&key, true);
        }
        for _ in 0..failures {
            detector.record(&key, false);
        }
    }

    /// The draw most in favour of ejecting.
    fn zero(_: u32) -> u32 {
        0
    }

    fn ejected_keys(events: &[OutlierEvent<u64>]) -> Vec<u64> {
        events
            .iter()
            .filter_map(|event| match event {
                OutlierEvent::Ejected { key, .. } => Some(*key),
                OutlierEvent::Unejected { .. } => None,
            })
            .collect()
    }

    fn ejection_duration(events: &[OutlierEvent<u64>], wanted: u64) -> Option<Duration> {
        events.iter().find_map(|event| match event {
            OutlierEvent::Ejected { key, duration, .. } if *key == wanted => Some(*duration),
            _ => None,
        })
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn success_rate_ejects_an_endpoint_below_mean_minus_stdev_factor_stdevs() {
        // Rates 1.0, 1.0, 1.0, 1.0, 0.5: mean 4.5 / 5 = 0.9; deviations 0.1 (x4) and -0.4,
        // squares 0.04 + 0.16 = 0.20, variance 0.04, stdev 0.2; required 0.9 - 1.9 * 0.2 = 0.52.
        let mut detector = detector(success_rate_only(), 1..=5);
        for key in 1..=4 {
            calls(&mut detector, key, 100, 0);
        }
        calls(&mut detector, 5, 50, 50);
        let now = Instant::now();

        let events = detector.tick(now, &mut zero);

        assert_eq!(
            detector.ejected(),
            vec![5],
            "a success rate of 0.5 is below mean - 1.9 stdev = 0.52"
        );
        let [
            OutlierEvent::Ejected {
                key: 5,
                until,
                duration,
                reason: EjectionReason::SuccessRate { success_rate, mean, stdev, required },
            },
        ] = events[..]
        else {
            panic!("one success-rate ejection of endpoint 5, got {events:?}");
        };
        assert!(close(success_rate, 0.5) && close(mean, 0.9), "rate 0.5, mean 0.9");
        assert!(close(stdev, 0.2) && close(required, 0.52), "stdev 0.2, required 0.52");
        assert_eq!(duration, 30 * SECOND, "a first ejection lasts base_ejection_time");
        assert_eq!(until, now + 30 * SECOND, "until is the tick's time plus the duration");
    }

    #[test]
    fn success_rate_spares_endpoints_within_stdev_factor_stdevs() {
        // Rates 1.0, 1.0, 1.0, 0.9, 0.8: mean 4.7 / 5 = 0.94; deviations 0.06 (x3), -0.04,
        // -0.14, squares 0.0108 + 0.0016 + 0.0196 = 0.032, variance 0.0064, stdev 0.08;
        // required 0.94 - 1.9 * 0.08 = 0.788, and the lowest rate, 0.8, is above it.
        let mut detector = detector(success_rate_only(), 1..=5);
        for key in 1..=3 {
            calls(&mut detector, key, 100, 0);
        }
        calls(&mut detector, 4, 90, 10);
        calls(&mut detector, 5, 80, 20);
        let mut draws = 0;

        let events = detector.tick(Instant::now(), &mut |_| {
            draws += 1;
            0
        });

        assert!(events.is_empty(), "0.8 is above mean - 1.9 stdev = 0.788: {events:?}");
        assert_eq!(draws, 0, "no outlier, so no enforcement coin is drawn");
    }

    #[test]
    fn failure_percentage_ejects_above_threshold_with_enough_volume() {
        // 1: 90 of 100 failed (90% > 85%) is ejected. 2: 85 of 100 (85%, not above 85%) stays.
        // 3: 49 of 49 failed, under the request volume of 50, is not judged. 4, 5, 6: healthy.
        // Five endpoints (all but 3) have 50 calls or more: minimum_hosts 5 is met.
        let mut detector = detector(failure_percentage_only(), 1..=6);
        calls(&mut detector, 1, 10, 90);
        calls(&mut detector, 2, 15, 85);
        calls(&mut detector, 3, 0, 49);
        for key in 4..=6 {
            calls(&mut detector, key, 100, 0);
        }

        let events = detector.tick(Instant::now(), &mut zero);

        assert_eq!(
            detector.ejected(),
            vec![1],
            "only a failure percentage strictly above the threshold, with 50 calls, is ejected"
        );
        assert!(
            matches!(
                events[..],
                [OutlierEvent::Ejected {
                    key: 1,
                    reason: EjectionReason::FailurePercentage {
                        failures: 90,
                        requests: 100,
                        threshold: 85
                    },
                    ..
                }]
            ),
            "the event carries the figures that ejected endpoint 1: {events:?}"
        );
    }

    #[test]
    fn too_few_requests_eject_nobody() {
        // Every endpoint has 49 calls: under success rate's 100 and failure percentage's 50,
        // so neither algorithm judges anyone, not even endpoint 5 with 49 failures of 49.
        let config = OutlierConfig {
            failure_percentage: failure_percentage_only().failure_percentage,
            ..success_rate_only()
        };
        let mut detector = detector(config, 1..=5);
        for key in 1..=4 {
            calls(&mut detector, key, 49, 0);
        }
        calls(&mut detector, 5, 0, 49);

        let events = detector.tick(Instant::now(), &mut zero);

        assert!(events.is_empty(), "endpoints under request_volume are not judged: {events:?}");
    }

    #[test]
    fn too_few_hosts_eject_nobody() {
        // Four endpoints with 100 calls, endpoint 4 all failures, and a fifth with none: only
        // four have enough volume, under minimum_hosts 5 for both algorithms.
        let config = OutlierConfig {
            failure_percentage: failure_percentage_only().failure_percentage,
            ..success_rate_only()
        };
        let mut detector = detector(config, 1..=5);
        for key in 1..=3 {
            calls(&mut detector, key, 100, 0);
        }
        calls(&mut detector, 4, 0, 100);

        let events = detector.tick(Instant::now(), &mut zero);

        assert!(
            events.is_empty(),
            "fewer than minimum_hosts endpoints with request_volume: nobody is judged: {events:?}"
        );
    }

    #[test]
    fn max_ejection_percent_caps_ejections() {
        // Ten endpoints, 1 to 4 failing every call. A cap of 20% of 10 is 2: 1 and 2 go (key
        // order), then 2 * 100 >= 20 * 10 stops the sweep before 3 and 4.
        let mut detector = detector(
            OutlierConfig { max_ejection_percent: 20, ..failure_percentage_only() },
            1..=10,
        );
        let sweep = |detector: &mut OutlierDetector<u64>| {
            for key in 1..=4 {
                calls(detector, key, 0, 100);
            }
            for key in 5..=10 {
                calls(detector, key, 100, 0);
            }
        };
        sweep(&mut detector);
        let now = Instant::now();

        let events = detector.tick(now, &mut zero);
        assert_eq!(ejected_keys(&events), vec![1, 2], "20% of 10 endpoints is 2 ejections");
        assert_eq!(detector.ejected(), vec![1, 2]);

        sweep(&mut detector);
        let events = detector.tick(now + 10 * SECOND, &mut zero);
        assert!(events.is_empty(), "at the cap, 3 and 4 stay in service: {events:?}");

        assert!(detector.remove(&1));
        sweep(&mut detector);
        detector.tick(now + 20 * SECOND, &mut zero);
        assert_eq!(
            detector.ejected(),
            vec![2, 3],
            "a removed endpoint frees its slot: 1 of 9 is under 20%, so 3 goes, then 2 of 9 is not"
        );
    }

    #[test]
    fn max_ejection_percent_lets_at_least_one_go_unless_zero() {
        // 5% of 10 endpoints is half of one: with none ejected, 0 < 5 * 10, so one goes.
        for (percent, expected) in [(5, vec![1]), (0, vec![])] {
            let mut detector = detector(
                OutlierConfig { max_ejection_percent: percent, ..failure_percentage_only() },
                1..=10,
            );
            for key in 1..=10 {
                calls(&mut detector, key, 0, 100);
            }
            detector.tick(Instant::now(), &mut zero);
            assert_eq!(
                detector.ejected(),
                expected,
                "max_ejection_percent {percent}: at least one ejection unless it is 0"
            );
        }
    }

    #[test]
    fn ejection_time_grows_with_repeated_ejections_and_is_capped() {
        // base 10 s, cap max(10 s, 25 s) = 25 s: ejection times 10 s, 20 s, then min(30, 25).
        let mut detector = detector(eager(10, 25), [1]);
        let start = Instant::now();
        let at = |seconds: u64| start + Duration::from_secs(seconds);
        let mut timeline = Vec::new();
        for tick in 1..=11_u64 {
            if !detector.is_ejected(&1) {
                calls(&mut detector, 1, 0, 1);
            }
            let events = detector.tick(at(tick * 10), &mut zero);
            timeline.extend(events.into_iter().map(|event| match event {
                OutlierEvent::Ejected { duration, .. } => (tick * 10, Some(duration)),
                OutlierEvent::Unejected { .. } => (tick * 10, None),
            }));
        }

        assert_eq!(
            timeline,
            vec![
                (10, Some(10 * SECOND)),
                // 20 s after 10 s is not strictly after; 30 s is.
                (30, None),
                (40, Some(20 * SECOND)),
                (70, None),
                (80, Some(25 * SECOND)),
                (110, None),
            ],
            "multiplier 1, 2, 3 eject for 10 s, 20 s, then 30 s capped at max_ejection_time 25 s"
        );
    }

    #[test]
    fn max_ejection_time_below_base_caps_at_base() {
        // base 30 s, max 10 s: the cap is max(30 s, 10 s) = 30 s, so the second ejection, at
        // multiplier 2 (60 s), lasts 30 s.
        let mut detector = detector(eager(30, 10), [1]);
        let start = Instant::now();
        calls(&mut detector, 1, 0, 1);
        let first = detector.tick(start, &mut zero);
        detector.tick(start + 31 * SECOND, &mut zero);
        calls(&mut detector, 1, 0, 1);
        let second = detector.tick(start + 41 * SECOND, &mut zero);

        assert_eq!(ejection_duration(&first, 1), Some(30 * SECOND), "first: base");
        assert_eq!(
            ejection_duration(&second, 1),
            Some(30 * SECOND),
            "a max_ejection_time under base_ejection_time caps at base_ejection_time"
        );
    }

    #[test]
    fn multiplier_decays_while_healthy() {
        // base 10 s. Ejected at 0 s (multiplier 1), back at 11 s (multiplier stays 1 on the
        // tick that returns it), ejected at 12 s (multiplier 2, 20 s), back at 33 s.
        let mut detector = detector(eager(10, 300), [1]);
        let start = Instant::now();
        let at = |seconds: u64| start + Duration::from_secs(seconds);
        calls(&mut detector, 1, 0, 1);
        detector.tick(at(0), &mut zero);
        detector.tick(at(11), &mut zero);
        calls(&mut detector, 1, 0, 1);
        let second = detector.tick(at(12), &mut zero);
        assert_eq!(ejection_duration(&second, 1), Some(20 * SECOND), "multiplier 2");
        let back = detector.tick(at(33), &mut zero);
        assert_eq!(back, vec![OutlierEvent::Unejected { key: 1 }], "20 s have passed");
        assert_eq!(detector.entries[&1].multiplier, 2, "not decayed on the returning tick");

        // One healthy tick: 2 -> 1; ejected again, multiplier 2, 20 s.
        let mut once = detector.clone();
        once.tick(at(40), &mut zero);
        calls(&mut once, 1, 0, 1);
        let after_one = once.tick(at(50), &mut zero);
        // Two healthy ticks: 2 -> 1 -> 0; ejected again, multiplier 1, 10 s.
        detector.tick(at(40), &mut zero);
        detector.tick(at(50), &mut zero);
        calls(&mut detector, 1, 0, 1);
        let after_two = detector.tick(at(60), &mut zero);

        assert_eq!(
            ejection_duration(&after_one, 1),
            Some(20 * SECOND),
            "each tick in service takes one off the multiplier: 2 - 1 + 1 = 2"
        );
        assert_eq!(
            ejection_duration(&after_two, 1),
            Some(10 * SECOND),
            "and never below 0: 2 - 2 + 1 = 1"
        );
    }

    #[test]
    fn ejected_endpoint_returns_after_its_ejection_time() {
        // Default base_ejection_time 30 s: ejected at t, still out at t + 30 s, back just after.
        let mut detector = detector(failure_percentage_only(), 1..=5);
        calls(&mut detector, 1, 0, 100);
        for key in 2..=5 {
            calls(&mut detector, key, 100, 0);
        }
        let ejected_at = Instant::now();
        detector.tick(ejected_at, &mut zero);
        assert!(detector.is_ejected(&1), "90%+ failures eject endpoint 1");

        for seconds in [10, 20, 30] {
            let events = detector.tick(ejected_at + seconds * SECOND, &mut zero);
            assert!(events.is_empty(), "{seconds} s is not after 30 s: {events:?}");
            assert!(detector.is_ejected(&1), "still ejected at {seconds} s");
        }
        let events = detector.tick(ejected_at + 30 * SECOND + Duration::from_nanos(1), &mut zero);

        assert_eq!(
            events,
            vec![OutlierEvent::Unejected { key: 1 }],
            "an endpoint returns at the first tick strictly after its ejection time"
        );
        assert!(!detector.is_ejected(&1) && detector.ejected().is_empty());
    }

    #[test]
    fn enforcement_percentage_zero_never_ejects() {
        // Both algorithms detect endpoint 5 (rate 0.0 vs required 0.8 - 1.9 * 0.4 = 0.04;
        // 100% failures), and the most favourable draw, 0, is not below 0.
        let config = OutlierConfig {
            max_ejection_percent: 100,
            success_rate: Some(SuccessRateEjection {
                enforcement_percentage: 0,
                ..SuccessRateEjection::default()
            }),
            failure_percentage: Some(FailurePercentageEjection::default()),
            ..OutlierConfig::default()
        };
        assert_eq!(config.failure_percentage.map(|f| f.enforcement_percentage), Some(0));
        let mut detector = detector(config, 1..=5);
        for key in 1..=4 {
            calls(&mut detector, key, 100, 0);
        }
        calls(&mut detector, 5, 0, 100);
        let mut draws = Vec::new();

        let events = detector.tick(Instant::now(), &mut |n| {
            draws.push(n);
            0
        });

        assert!(events.is_empty(), "enforcement 0 detects but never ejects: {events:?}");
        assert_eq!(draws, vec![100, 100], "one draw from 0..100 per algorithm that detects it");
    }

    #[test]
    fn enforcement_percentage_ejects_when_the_draw_is_below_it() {
        // Enforcement 50: a draw of 49 ejects, a draw of 50 does not.
        for (draw, ejected) in [(49, true), (50, false)] {
            let mut detector = detector(
                OutlierConfig {
                    success_rate: None,
                    failure_percentage: Some(FailurePercentageEjection {
                        enforcement_percentage: 50,
                        ..FailurePercentageEjection::default()
                    }),
                    max_ejection_percent: 100,
                    ..OutlierConfig::default()
                },
                1..=5,
            );
            calls(&mut detector, 1, 0, 50);
            for key in 2..=5 {
                calls(&mut detector, key, 50, 0);
            }
            detector.tick(Instant::now(), &mut |_| draw);
            assert_eq!(
                detector.is_ejected(&1),
                ejected,
                "draw {draw} against enforcement 50: ejected only when below"
            );
        }
    }

    #[test]
    fn ticks_judge_only_the_last_interval() {
        // Failures recorded before the previous tick are not judged again.
        let mut detector = detector(failure_percentage_only(), 1..=5);
        for key in 1..=5 {
            calls(&mut detector, key, 100, 0);
        }
        calls(&mut detector, 1, 0, 1000);
        let now = Instant::now();

        // 1000 failures of 1100 (90.9%) is detected; a draw of 100 is never below an
        // enforcement percentage, so it is not ejected.
        let mut first_draws = 0;
        detector.tick(now, &mut |_| {
            first_draws += 1;
            100
        });
        assert_eq!(first_draws, 1, "endpoint 1 is detected in the first interval");
        let mut second_draws = 0;
        let events = detector.tick(now + 10 * SECOND, &mut |_| {
            second_draws += 1;
            0
        });

        assert!(detector.entries.values().all(|entry| entry.current == Bucket::default()));
        assert_eq!(second_draws, 0, "the second interval had no calls, so no outlier");
        assert!(
            events.is_empty(),
            "the buckets swapped: last interval's failures are gone: {events:?}"
        );
    }

    #[test]
    fn ejected_endpoint_is_not_ejected_again() {
        // Endpoint 1 is ejected at 0 s; failures it reports while ejected draw no coin and do
        // not restart or lengthen its ejection.
        let mut detector = detector(failure_percentage_only(), 1..=5);
        let fill = |detector: &mut OutlierDetector<u64>| {
            calls(detector, 1, 0, 100);
            for key in 2..=5 {
                calls(detector, key, 100, 0);
            }
        };
        fill(&mut detector);
        let start = Instant::now();
        detector.tick(start, &mut zero);
        fill(&mut detector);
        let mut draws = 0;

        let events = detector.tick(start + 10 * SECOND, &mut |_| {
            draws += 1;
            0
        });

        assert!(events.is_empty(), "already ejected: no new ejection: {events:?}");
        assert_eq!(draws, 0, "no coin for an endpoint that is already ejected");
        assert_eq!(detector.entries[&1].multiplier, 1);
        assert_eq!(detector.entries[&1].ejected_at, Some(start));
    }

    #[test]
    fn removed_endpoint_is_forgotten() {
        let mut detector = detector(failure_percentage_only(), 1..=5);
        calls(&mut detector, 1, 0, 100);
        for key in 2..=5 {
            calls(&mut detector, key, 100, 0);
        }
        detector.tick(Instant::now(), &mut zero);
        assert!(detector.is_ejected(&1));

        assert!(detector.remove(&1), "1 was tracked");
        assert!(!detector.remove(&1), "and is no longer");
        detector.record(&1, false);

        assert!(!detector.is_ejected(&1), "a removed endpoint is not ejected");
        assert!(detector.ejected().is_empty());
        assert_eq!(detector.ejected, 0, "nor counted toward max_ejection_percent");
        assert!(!detector.entries.contains_key(&1), "record ignores an unknown key");
        assert!(detector.add(1), "re-added");
        assert!(!detector.add(1), "add is idempotent");
        let entry = &detector.entries[&1];
        assert!(
            entry.ejected_at.is_none()
                && entry.multiplier == 0
                && entry.current == Bucket::default(),
            "a re-added endpoint starts afresh: {entry:?}"
        );
    }

    #[test]
    fn noop_config_ejects_nobody_but_still_returns_the_ejected() {
        let mut detector = detector(eager(10, 300), [1]);
        calls(&mut detector, 1, 0, 1);
        let start = Instant::now();
        detector.tick(start, &mut zero);
        detector.config =
            OutlierConfig { success_rate: None, failure_percentage: None, ..eager(10, 300) };
        assert!(!detector.config().is_enabled());

        calls(&mut detector, 1, 0, 1);
        let events = detector.tick(start + 11 * SECOND, &mut zero);

        assert_eq!(events, vec![OutlierEvent::Unejected { key: 1 }], "un-ejection still runs");
        calls(&mut detector, 1, 0, 1);
        assert!(detector.tick(start + 21 * SECOND, &mut zero).is_empty(), "no algorithm");
    }

    #[test]
    fn default_config_is_a50s_and_valid() {
        let config = OutlierConfig::default();
        assert_eq!(config.interval, 10 * SECOND);
        assert_eq!(config.base_ejection_time, 30 * SECOND);
        assert_eq!(config.max_ejection_time, 300 * SECOND);
        assert_eq!(config.max_ejection_percent, 10);
        assert_eq!(
            config.success_rate,
            Some(SuccessRateEjection {
                stdev_factor: 1900,
                enforcement_percentage: 100,
                minimum_hosts: 5,
                request_volume: 100
            })
        );
        assert_eq!(config.failure_percentage, None);
        assert_eq!(
            FailurePercentageEjection::default(),
            FailurePercentageEjection {
                threshold: 85,
                enforcement_percentage: 0,
                minimum_hosts: 5,
                request_volume: 50
            }
        );
        assert!(config.is_enabled());
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn config_validation_rejects_a_zero_interval() {
        let config = OutlierConfig { interval: Duration::ZERO, ..OutlierConfig::default() };
        let error = config.validate().unwrap_err();
        assert_eq!(error, OutlierError::ZeroInterval);
        assert_eq!(error.to_string(), "interval must be greater than zero");
    }

    #[test]
    fn config_validation_rejects_durations_past_the_protobuf_limit() {
        let config = OutlierConfig {
            max_ejection_time: Duration::from_secs(315_576_000_001),
            ..OutlierConfig::default()
        };
        let error = config.validate().unwrap_err();
        assert_eq!(
            error,
            OutlierError::DurationTooLong {
                field: "max_ejection_time",
                value: Duration::from_secs(315_576_000_001)
            }
        );
        assert!(error.to_string().starts_with("max_ejection_time must be at most"), "{error}");
        let at_limit =
            OutlierConfig { base_ejection_time: MAX_DURATION, ..OutlierConfig::default() };
        assert_eq!(at_limit.validate(), Ok(()), "the limit itself is valid");
    }

    #[test]
    fn config_validation_rejects_percentages_over_100() {
        let over = |field: &'static str| -> OutlierConfig {
            let mut config = OutlierConfig {
                failure_percentage: Some(FailurePercentageEjection::default()),
                ..OutlierConfig::default()
            };
            let success_rate = config.success_rate.as_mut().unwrap();
            let failure_percentage = config.failure_percentage.as_mut().unwrap();
            match field {
                "max_ejection_percent" => config.max_ejection_percent = 101,
                "success_rate.enforcement_percentage" => success_rate.enforcement_percentage = 101,
                "failure_percentage.threshold" => failure_percentage.threshold = 101,
                _ => failure_percentage.enforcement_percentage = 101,
            }
            config
        };
        for field in [
            "max_ejection_percent",
            "success_rate.enforcement_percentage",
            "failure_percentage.threshold",
            "failure_percentage.enforcement_percentage",
        ] {
            let error = over(field).validate().unwrap_err();
            assert_eq!(error, OutlierError::NotAPercentage { field, value: 101 });
            assert_eq!(
                error.to_string(),
                format!("{field} must be a percentage from 0 to 100, got 101")
            );
        }
        let hundred = OutlierConfig {
            max_ejection_percent: 100,
            failure_percentage: Some(FailurePercentageEjection {
                threshold: 100,
                enforcement_percentage: 100,
                ..FailurePercentageEjection::default()
            }),
            ..OutlierConfig::default()
        };
        assert_eq!(hundred.validate(), Ok(()), "100 is a valid percentage");
    }

    #[test]
    fn config_validation_ignores_the_fields_of_an_algorithm_that_is_off() {
        let config = OutlierConfig {
            success_rate: None,
            failure_percentage: None,
            ..OutlierConfig::default()
        };
        assert_eq!(config.validate(), Ok(()));
        assert!(!config.is_enabled());
    }
}
