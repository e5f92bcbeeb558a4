//! [`Profile`]: whose client defaults a [`BalancedChannel`](super::BalancedChannel) follows,
//! jostle's own or gRPC's. A profile is data: the same policies, other parameters.

use super::BalanceConfig;
use crate::discover::dns::ReResolution;

/// A set of client defaults: jostle's own, or gRPC's documented ones.
///
/// | parameter | [`Profile::Jostle`] | [`Profile::Grpc`] |
/// |---|---|---|
/// | [`backoff`](BalanceConfig::backoff) | 1 s, ×1.6, ±0.2, max 120 s | the same (gRPC's connection-backoff.md) |
/// | [`timeouts_to_eject`](BalanceConfig::timeouts_to_eject) | 2 | 0: never |
/// | [`re_resolution`](BalanceConfig::re_resolution) | every TTL, at most once per 1 s | on demand only, at most once per 30 s |
/// | [`transparent_retry`](BalanceConfig::transparent_retry) | off | on (gRFC A6) |
/// | [`eject_on_unavailable`](BalanceConfig::eject_on_unavailable) | on | off: an `UNAVAILABLE` answer leaves the connection READY |
/// | [`wait_for_ready`](BalanceConfig::wait_for_ready) | off | off |
///
/// ```
/// use jostle::balance::{BalanceConfig, Profile};
///
/// let grpc = BalanceConfig::grpc();
/// assert_eq!(grpc.timeouts_to_eject, 0, "gRPC's round robin never ejects on timeouts");
/// assert!(grpc.transparent_retry);
/// assert_eq!(Profile::by_name("grpc"), Some(Profile::Grpc));
/// assert_eq!(BalanceConfig::default(), Profile::Jostle.config());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// jostle's own defaults ([`BalanceConfig::default`]).
    #[default]
    Jostle,
    /// gRPC's documented client defaults ([`BalanceConfig::grpc`]).
    Grpc,
}

impl Profile {
    /// Every profile's name, in order.
    pub const NAMES: &'static [&'static str] = &["jostle", "grpc"];

    /// The profile's name: `jostle` or `grpc`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Jostle => "jostle",
            Profile::Grpc => "grpc",
        }
    }

    /// The profile called `name`, if any.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "jostle" => Some(Profile::Jostle),
            "grpc" => Some(Profile::Grpc),
            _ => None,
        }
    }

    /// Its configuration: [`BalanceConfig::default`] with the profile's parameters.
    pub fn config(self) -> BalanceConfig {
        BalanceConfig::default().with_profile(self)
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl BalanceConfig {
    /// gRPC's documented client defaults, for round robin and pick first: the backoff of
    /// connection-backoff.md (as the default), no ejection on timeouts or on an `UNAVAILABLE`
    /// answer, DNS re-resolution on
    /// demand at most once per 30 s with TTLs ignored (grpc-go), transparent retry of calls no
    /// server saw (gRFC A6), wait-for-ready off.
    pub fn grpc() -> Self {
        Profile::Grpc.config()
    }

    /// This configuration with `profile`'s parameters: ejection on timeouts and on
    /// `UNAVAILABLE` answers, DNS re-resolution and transparent retry; every other field as it
    /// is.
    #[must_use]
    pub fn with_profile(mut self, profile: Profile) -> Self {
        let grpc = profile == Profile::Grpc;
        self.timeouts_to_eject = if grpc { 0 } else { 2 };
        self.re_resolution = if grpc { ReResolution::grpc() } else { ReResolution::jostle() };
        self.transparent_retry = grpc;
        self.eject_on_unavailable = !grpc;
        self
    }
}
