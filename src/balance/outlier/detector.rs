//! [`OutlierDetector`]: A50's counting, ejection and un-ejection over one interval at a time.

use super::{FailurePercentageEjection, OutlierConfig, SuccessRateEjection};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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
pub(super) struct Bucket {
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
pub(super) struct Entry {
    /// Calls finishing now (A50's active bucket).
    pub(super) current: Bucket,
    /// Calls of the last whole interval (A50's inactive bucket), judged by the algorithms.
    last: Bucket,
    /// When it was ejected, or `None` while in service.
    pub(super) ejected_at: Option<Instant>,
    /// Grows by one per ejection, shrinks by one per tick spent in service.
    pub(super) multiplier: u32,
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
    pub(super) config: OutlierConfig,
    pub(super) entries: BTreeMap<K, Entry>,
    /// How many entries have `ejected_at` set.
    pub(super) ejected: usize,
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

    /// Runs one interval's sweep at `now` (see the [module docs](super) for the order of its
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
