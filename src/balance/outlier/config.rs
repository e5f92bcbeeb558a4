//! [`OutlierConfig`]: A50's parameters, their defaults and their rules.

use std::time::Duration;

/// The longest `google.protobuf.Duration`, about 10,000 years; A50 bounds every duration by it.
pub(super) const MAX_DURATION: Duration = Duration::new(315_576_000_000, 999_999_999);

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

/// The parameters of an [`OutlierDetector`](super::OutlierDetector), as A50's `OutlierDetectionLoadBalancingConfig`.
///
/// Check a config with [`validate`](Self::validate) before use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlierConfig {
    /// The time between two [`tick`](super::OutlierDetector::tick)s, which the caller schedules; must
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
    pub(super) fn ejection_time(&self, multiplier: u32) -> Duration {
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
