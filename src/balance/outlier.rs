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
mod tests;
