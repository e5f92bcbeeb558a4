//! [`BalanceConfig`]: health, backoff and deadline parameters of a [`BalancedChannel`](super::BalancedChannel).

use super::outlier::{OutlierConfig, OutlierError};
use crate::discover::dns::ReResolution;
use std::time::Duration;

/// Reconnect backoff after a failure, as gRPC's connection-backoff spec: the n-th retry waits
/// `min(initial * multiplier^(n-1), max)`, spread by `± jitter` of itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait. Default 1 s (gRPC's `INITIAL_BACKOFF`).
    pub initial: Duration,
    /// Growth per failure. Default 1.6 (gRPC's `MULTIPLIER`).
    pub multiplier: f64,
    /// Relative spread of each wait, 0 to 1. Default 0.2 (gRPC's `JITTER`).
    pub jitter: f64,
    /// The cap. Default 120 s (gRPC's `MAX_BACKOFF`).
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            multiplier: 1.6,
            jitter: 0.2,
            max: Duration::from_secs(120),
        }
    }
}

impl Backoff {
    /// The wait before retry `attempt` (from 1), before jitter.
    pub fn base(&self, attempt: u32) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let grown = self.initial.as_secs_f64() * self.multiplier.powi(exponent);
        Duration::from_secs_f64(grown.min(self.max.as_secs_f64()))
    }

    /// The wait before retry `attempt`, spread by `unit` (a draw in `-1.0..=1.0`) times the
    /// jitter, and never above `max`.
    pub fn wait(&self, attempt: u32, unit: f64) -> Duration {
        let base = self.base(attempt).as_secs_f64();
        let spread = base * self.jitter * unit.clamp(-1.0, 1.0);
        Duration::from_secs_f64((base + spread).clamp(0.0, self.max.as_secs_f64()))
    }
}

/// How a [`BalancedChannel`](super::BalancedChannel) treats endpoints and calls.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceConfig {
    /// Reconnect backoff of an endpoint that failed. Default: [`Backoff::default`].
    pub backoff: Backoff,
    /// Bound on one connection attempt. Default 20 s (gRPC's `MIN_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    /// With no ready endpoint: `false` (the default) fails the call `UNAVAILABLE` at once
    /// (gRPC's fail-fast), except while the channel makes its first connections (nothing heard
    /// from discovery yet, or an endpoint's first connection attempt still under way: gRPC's
    /// CONNECTING), when it waits for them, until the call's deadline; `true` always waits for
    /// a ready endpoint, until the call's deadline.
    pub wait_for_ready: bool,
    /// The deadline of a call that sets none (no `grpc-timeout`): no call waits forever, not on
    /// a hung endpoint, not on an empty ready set. Default 30 s.
    pub default_timeout: Duration,
    /// Consecutive calls on one endpoint that end at their deadline before it leaves the ready
    /// set and reconnects with backoff (a hung backend); 0 never ejects on timeouts (gRPC's
    /// round robin and pick first have no such ejection). Default 2.
    pub timeouts_to_eject: u32,
    /// Outlier ejection following gRPC proposal A50; `None` (the default) for none. See
    /// [`OutlierConfig`] for every parameter and its default.
    pub outlier: Option<OutlierConfig>,
    /// The seed of the backoff jitter and the outlier enforcement draws, for runs that must
    /// replay. `None` (the default) draws them from the operating system's randomness, so a
    /// fleet of clients restarted together spreads its reconnections instead of retrying in
    /// lockstep.
    pub seed: Option<u64>,
    /// When DNS discovery paired with this channel re-resolves: give it to
    /// [`DnsDiscovery::re_resolution`](crate::discover::dns::DnsDiscovery::re_resolution).
    /// Default [`ReResolution::jostle`].
    pub re_resolution: ReResolution,
    /// Whether a call that failed before any server saw it (a stream the server refused, the
    /// GOAWAY race, a connection that closed before the call was sent) is sent once more, to
    /// the next pick, as gRPC's transparent retry (gRFC A6). Default `false`.
    pub transparent_retry: bool,
    /// Whether an endpoint that answers a call `UNAVAILABLE` leaves the ready set and
    /// reconnects with backoff. `false`: the answer is an answer like any other and the
    /// connection stays (gRPC: a status from the server leaves the subchannel READY). Default
    /// `true`.
    pub eject_on_unavailable: bool,
}

impl Default for BalanceConfig {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(20),
            wait_for_ready: false,
            default_timeout: Duration::from_secs(30),
            timeouts_to_eject: 2,
            outlier: None,
            seed: None,
            re_resolution: ReResolution::jostle(),
            transparent_retry: false,
            eject_on_unavailable: true,
        }
    }
}

impl BalanceConfig {
    /// The random source of one of the channel's draws (`stream` tells them apart): seeded from
    /// [`BalanceConfig::seed`], or from the operating system without one.
    pub(crate) fn rng(&self, stream: u64) -> rand_chacha::ChaCha8Rng {
        use rand::SeedableRng;
        match self.seed {
            Some(seed) => rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ stream),
            None => rand_chacha::ChaCha8Rng::from_os_rng(),
        }
    }

    /// Checks every parameter: a backoff that starts above zero, grows (multiplier at least 1),
    /// jitters by 0 to 1 and caps at or above its start; connect and default timeouts above
    /// zero; a DNS re-resolution interval above zero; and A50's rules for `outlier`
    /// ([`OutlierConfig::validate`]).
    ///
    /// ```
    /// use jostle::balance::{BalanceConfig, ConfigError};
    /// use std::time::Duration;
    ///
    /// assert_eq!(BalanceConfig::default().validate(), Ok(()));
    /// let mut config = BalanceConfig::default();
    /// config.backoff.jitter = 1.5;
    /// let error = config.validate().unwrap_err();
    /// assert_eq!(error.to_string(), "invalid backoff.jitter: expected a fraction from 0 to 1, got 1.5");
    /// # let _: ConfigError = error;
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid =
            |field, expected, got: String| Err(ConfigError::Invalid { field, expected, got });
        let backoff = &self.backoff;
        if backoff.initial.is_zero() {
            return invalid("backoff.initial", "a duration above zero", "0s".into());
        }
        if !(backoff.multiplier.is_finite() && backoff.multiplier >= 1.0) {
            return invalid(
                "backoff.multiplier",
                "a factor of at least 1",
                backoff.multiplier.to_string(),
            );
        }
        if !(0.0..=1.0).contains(&backoff.jitter) {
            return invalid("backoff.jitter", "a fraction from 0 to 1", backoff.jitter.to_string());
        }
        if backoff.max < backoff.initial {
            return invalid(
                "backoff.max",
                "at least backoff.initial",
                format!("{:?} (initial {:?})", backoff.max, backoff.initial),
            );
        }
        for (field, value) in
            [("connect_timeout", self.connect_timeout), ("default_timeout", self.default_timeout)]
        {
            if value.is_zero() {
                return invalid(field, "a duration above zero", "0s".into());
            }
        }
        if self.re_resolution.min_interval.is_zero() {
            return invalid("re_resolution.min_interval", "a duration above zero", "0s".into());
        }
        match &self.outlier {
            Some(outlier) => outlier.validate().map_err(ConfigError::Outlier),
            None => Ok(()),
        }
    }
}

/// Why a [`BalanceConfig`] is invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A parameter out of its range.
    #[error("invalid {field}: expected {expected}, got {got}")]
    Invalid {
        /// The field, e.g. `backoff.jitter`.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was.
        got: String,
    },
    /// The outlier detection configuration breaks one of A50's rules.
    #[error("invalid outlier detection: {0}")]
    Outlier(#[from] OutlierError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(change: impl FnOnce(&mut BalanceConfig)) -> String {
        let mut config = BalanceConfig::default();
        change(&mut config);
        config.validate().expect_err("the change must be refused").to_string()
    }

    #[test]
    fn the_default_configuration_is_valid() {
        assert_eq!(BalanceConfig::default().validate(), Ok(()));
    }

    #[test]
    fn every_out_of_range_parameter_is_refused_by_name() {
        let zero = Duration::ZERO;
        assert!(broken(|c| c.backoff.initial = zero).starts_with("invalid backoff.initial"));
        assert!(broken(|c| c.backoff.multiplier = 0.5).starts_with("invalid backoff.multiplier"));
        assert!(broken(|c| c.backoff.multiplier = f64::NAN).contains("got NaN"));
        assert!(broken(|c| c.backoff.jitter = -0.1).starts_with("invalid backoff.jitter"));
        assert!(
            broken(|c| c.backoff.max = Duration::from_millis(10))
                .starts_with("invalid backoff.max")
        );
        assert!(broken(|c| c.connect_timeout = zero).starts_with("invalid connect_timeout"));
        assert!(broken(|c| c.default_timeout = zero).starts_with("invalid default_timeout"));
        assert!(
            broken(|c| c.re_resolution.min_interval = zero)
                .starts_with("invalid re_resolution.min_interval")
        );
        let outlier = broken(|c| {
            c.outlier = Some(OutlierConfig { interval: zero, ..OutlierConfig::default() });
        });
        assert_eq!(outlier, "invalid outlier detection: interval must be greater than zero");
    }
}
