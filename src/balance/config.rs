//! [`BalanceConfig`]: health, backoff and deadline parameters of a [`BalancedChannel`](super::BalancedChannel).

use super::outlier::OutlierConfig;
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
    /// (gRPC's fail-fast); `true` waits for one, until the call's deadline.
    pub wait_for_ready: bool,
    /// The deadline of a call that sets none (no `grpc-timeout`): no call waits forever, not on
    /// a hung endpoint, not on an empty ready set. Default 30 s.
    pub default_timeout: Duration,
    /// Consecutive calls on one endpoint that end at their deadline before it leaves the ready
    /// set and reconnects with backoff (a hung backend). Default 2.
    pub timeouts_to_eject: u32,
    /// Outlier ejection following gRPC proposal A50; `None` (the default) for none. See
    /// [`OutlierConfig`] for every parameter and its default.
    pub outlier: Option<OutlierConfig>,
    /// The seed of the backoff jitter and the outlier enforcement draws. Default 0.
    pub seed: u64,
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
            seed: 0,
        }
    }
}
