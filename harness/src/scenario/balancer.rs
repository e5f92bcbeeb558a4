//! `[balancer]`: which balancer is under test, the [`BalancerChoice`].

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use super::raw::{RawBackoff, RawBalancer};
use super::suggest::{did_you_mean, quoted};
use super::values::positive;
use crate::channel::{Factory, Target};
use crate::net::Transport;
use jostle::balance::policy::{self, NAMES};
use jostle::balance::{Backoff, BalanceConfig, Balancer, Profile};
use jostle::discover::dns::ReResolution;
use std::fmt;
use toml::Spanned;

/// Every balancer a scenario can name, with one line about it.
pub const BALANCERS: &[(&str, &str)] = &[
    ("round_robin", "jostle policy: each ready backend in turn"),
    ("random", "jostle policy: a seeded uniform draw"),
    ("least_outstanding", "jostle policy: the fewest calls in flight"),
    ("p2c", "jostle policy: the less loaded of two seeded draws"),
    ("pick_first", "jostle policy: the first ready backend, the rest standbys"),
    ("weighted_round_robin", "jostle policy: in turn, by weight"),
    ("tonic_balance_list", "tonic's built-in Channel::balance_list"),
    ("round_robin_dialer", "the article's round-robin dialer: balances connections, not calls"),
    ("fallback_dialer", "the article's fallback dialer: the first backend that connects"),
];

/// The most `timeouts_to_eject` a file may give (0 never ejects on timeouts).
pub const MAX_TIMEOUTS_TO_EJECT: u32 = 1_000_000;

/// The balancer a scenario runs against: a built-in one by name, or the user's own.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BalancerChoice {
    /// jostle's `BalancedChannel` with one of its policies (a name in
    /// [`policy::NAMES`]), built by [`BalancerChoice::policy`].
    Jostle {
        /// The policy's name.
        policy: &'static str,
        /// Whose client defaults it follows (`profile`, jostle's by default).
        profile: Profile,
        /// The channel's configuration: the profile's ([`Profile::config`]) with
        /// `wait_for_ready`, `backoff` and `timeouts_to_eject` from the file; its seed is the
        /// scenario's, set when the run builds the channel. Boxed: the other variants carry
        /// little.
        config: Box<BalanceConfig>,
    },
    /// tonic's `Channel::balance_list`.
    TonicBalanceList,
    /// The article's round-robin dialer.
    RoundRobinDialer,
    /// The article's fallback dialer.
    FallbackDialer,
    /// The user's own balancer, made by a [`Factory`] for each run.
    Custom(Custom),
    /// The user's own balancer as a file names it (`policy = "custom:NAME"`, as `explore`
    /// writes a finding of your balancer): no file can hold the factory, so only
    /// [`Scenario::against`](super::Scenario::against) plays it; a run without it is refused.
    Own(String),
}

/// What a file writes before a user's own balancer's name: `policy = "custom:mine"`.
pub const CUSTOM_PREFIX: &str = "custom:";

/// A user's balancer: a name for reports and the factory that makes its channel.
#[derive(Clone)]
pub struct Custom {
    name: String,
    factory: Factory,
}

impl Custom {
    /// `factory` under `name`.
    pub fn new(
        name: impl Into<String>,
        factory: impl Fn(&Target) -> crate::channel::BoxChannel + Send + Sync + 'static,
    ) -> Self {
        Self { name: name.into(), factory: Factory::sync(factory) }
    }

    /// An already shared factory under `name`.
    pub fn from_factory(name: impl Into<String>, factory: Factory) -> Self {
        Self { name: name.into(), factory }
    }

    /// The name reports give it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The factory.
    pub fn factory(&self) -> &Factory {
        &self.factory
    }
}

impl PartialEq for Custom {
    /// The same name and the same factory (not merely an equal one).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.factory.same(&other.factory)
    }
}

impl fmt::Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Custom").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Why tonic's balancer needs TCP: it takes endpoints, not connectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsTcp;

impl fmt::Display for NeedsTcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "`tonic_balance_list` runs on tcp only (tonic's balancer takes endpoints, not connectors)",
        )
    }
}

/// Why a story of the user's own balancer cannot play from its file alone, and how to play it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsFactory(pub String);

impl fmt::Display for NeedsFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.0;
        write!(
            f,
            "`{CUSTOM_PREFIX}{name}` is your own balancer, which no file can build: replay it from \
             Rust with `Scenario::load(FILE)?.against(\"{name}\", your_factory)`, or play the \
             story against a built-in with `--balancer NAME`"
        )
    }
}

impl BalancerChoice {
    /// For a story of the user's own balancer read from a file ([`BalancerChoice::Own`]): why
    /// it cannot play without [`Scenario::against`](super::Scenario::against).
    pub fn needs_factory(&self) -> Option<NeedsFactory> {
        match self {
            BalancerChoice::Own(name) => Some(NeedsFactory(name.clone())),
            _ => None,
        }
    }

    /// The name as the scenario file writes it (a custom balancer's own name).
    pub fn name(&self) -> &str {
        match self {
            BalancerChoice::Jostle { policy, .. } => policy,
            BalancerChoice::TonicBalanceList => "tonic_balance_list",
            BalancerChoice::RoundRobinDialer => "round_robin_dialer",
            BalancerChoice::FallbackDialer => "fallback_dialer",
            BalancerChoice::Custom(custom) => custom.name(),
            BalancerChoice::Own(name) => name,
        }
    }

    /// Whether it can run against backends on `transport`.
    pub fn runs_on(&self, transport: Transport) -> Result<(), NeedsTcp> {
        match (self, transport) {
            (BalancerChoice::TonicBalanceList, Transport::InMemory) => Err(NeedsTcp),
            _ => Ok(()),
        }
    }

    /// Its profile: a jostle policy's, else [`Profile::Jostle`] (the others have none).
    pub fn profile(&self) -> Profile {
        match self {
            BalancerChoice::Jostle { profile, .. } => *profile,
            _ => Profile::Jostle,
        }
    }

    /// When DNS discovery re-resolves for it: a jostle policy's configuration says, any other
    /// balancer gets jostle's default.
    pub fn re_resolution(&self) -> ReResolution {
        match self {
            BalancerChoice::Jostle { config, .. } => config.re_resolution,
            _ => ReResolution::jostle(),
        }
    }

    /// A fresh jostle policy, its random draws from `seed`; `None` for the other balancers.
    pub fn policy(&self, seed: u64) -> Option<Box<dyn Balancer>> {
        match self {
            BalancerChoice::Jostle { policy, .. } => policy::by_name(policy, seed),
            _ => None,
        }
    }
}

/// The built-in balancer called `name` (a name of [`BALANCERS`]), a jostle policy with
/// [`BalanceConfig::default`]; `None` for an unknown name.
pub(super) fn by_name(name: &str) -> Option<BalancerChoice> {
    Some(match name {
        "tonic_balance_list" => BalancerChoice::TonicBalanceList,
        "round_robin_dialer" => BalancerChoice::RoundRobinDialer,
        "fallback_dialer" => BalancerChoice::FallbackDialer,
        _ => {
            let policy = NAMES.iter().copied().find(|known| *known == name)?;
            BalancerChoice::Jostle { policy, profile: Profile::Jostle, config: Box::default() }
        }
    })
}

/// Every name of [`BALANCERS`], in order.
pub(super) fn names() -> Vec<&'static str> {
    BALANCERS.iter().map(|(name, _)| *name).collect()
}

/// Checks `[balancer]` and picks the balancer.
pub(super) fn choice(
    raw: &RawBalancer,
    source: &Source<'_>,
) -> Result<BalancerChoice, ScenarioError> {
    let name = raw.policy.get_ref().as_str();
    let own = name.strip_prefix(CUSTOM_PREFIX).map(|own| BalancerChoice::Own(own.to_owned()));
    if own.as_ref().is_some_and(|own| own.name().trim().is_empty()) {
        return Err(source.error(
            raw.policy.span(),
            format!("`{name}` names no balancer"),
            "`custom:` followed by your balancer's name, as `Scenario::against` gives it",
        ));
    }
    let Some(mut choice) = own.or_else(|| by_name(name)) else {
        return Err(source
            .error(
                raw.policy.span(),
                format!("unknown balancer `{name}`"),
                format!("one of {}", quoted(&names())),
            )
            .suggesting(did_you_mean(name, names())));
    };
    let BalancerChoice::Jostle { config, profile, .. } = &mut choice else {
        let jostle_only = [
            ("profile", raw.profile.as_ref().map(Spanned::span)),
            ("wait_for_ready", raw.wait_for_ready.as_ref().map(Spanned::span)),
            ("backoff", raw.backoff.as_ref().map(Spanned::span)),
            ("timeouts_to_eject", raw.timeouts_to_eject.as_ref().map(Spanned::span)),
        ];
        if let Some((field, Some(span))) = jostle_only.into_iter().find(|(_, span)| span.is_some())
        {
            return Err(source.error(
                span,
                format!("`{field}` applies to jostle policies only, not to `{name}`"),
                format!("no `{field}`, or a jostle policy: {}", quoted(NAMES)),
            ));
        }
        return Ok(choice);
    };
    if let Some(written) = &raw.profile {
        let name = written.get_ref().as_str();
        let Some(named) = Profile::by_name(name) else {
            return Err(source
                .error(
                    written.span(),
                    format!("unknown profile `{name}`"),
                    format!("one of {}", quoted(Profile::NAMES)),
                )
                .suggesting(did_you_mean(name, Profile::NAMES.iter().copied())));
        };
        *profile = named;
        **config = named.config();
    }
    if let Some(wait) = &raw.wait_for_ready {
        config.wait_for_ready = *wait.get_ref();
    }
    if let Some(timeouts) = &raw.timeouts_to_eject {
        let value = *timeouts.get_ref();
        config.timeouts_to_eject = u32::try_from(value)
            .ok()
            .filter(|value| *value <= MAX_TIMEOUTS_TO_EJECT)
            .ok_or_else(|| {
                source.error(
                    timeouts.span(),
                    format!("`timeouts_to_eject` is {value}"),
                    format!("a whole number from 0 (never eject) to {MAX_TIMEOUTS_TO_EJECT}"),
                )
            })?;
    }
    if let Some(backoff) = &raw.backoff {
        config.backoff = self::backoff(backoff.get_ref(), source)?;
    }
    Ok(choice)
}

fn backoff(raw: &RawBackoff, source: &Source<'_>) -> Result<Backoff, ScenarioError> {
    let mut backoff = Backoff::default();
    if let Some(initial) = &raw.initial {
        backoff.initial = positive(initial, "initial", source)?;
    }
    if let Some(max) = &raw.max {
        backoff.max = positive(max, "max", source)?;
    }
    if backoff.max < backoff.initial {
        let span = raw.max.as_ref().or(raw.initial.as_ref()).map_or(0..0, Spanned::<Dur>::span);
        return Err(source.error(
            span,
            format!("backoff `max` ({:?}) is below `initial` ({:?})", backoff.max, backoff.initial),
            "max at least initial",
        ));
    }
    if let Some(multiplier) = &raw.multiplier {
        let value = *multiplier.get_ref();
        if !(value.is_finite() && value >= 1.0) {
            return Err(source.error(
                multiplier.span(),
                format!("backoff `multiplier` is {value}"),
                "a number of at least 1",
            ));
        }
        backoff.multiplier = value;
    }
    if let Some(jitter) = &raw.jitter {
        let value = *jitter.get_ref();
        if !(0.0..=1.0).contains(&value) {
            return Err(source.error(
                jitter.span(),
                format!("backoff `jitter` is {value}"),
                "a fraction in 0..=1",
            ));
        }
        backoff.jitter = value;
    }
    Ok(backoff)
}

#[cfg(test)]
mod tests {
    use super::BALANCERS;
    use jostle::balance::policy::NAMES;

    #[test]
    fn every_jostle_policy_is_a_listed_balancer() {
        for name in NAMES {
            assert!(
                BALANCERS.iter().any(|(listed, _)| listed == name),
                "BALANCERS must list jostle policy {name}"
            );
        }
    }
}
