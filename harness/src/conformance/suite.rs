//! [`Suite`]: the standard battery against any balancer, given as a factory.

use super::{Battery, BatteryRun, SuiteReport};
use crate::channel::{BoxChannel, Factory, Target, boxed};
use crate::check::stats::DistributionSpec;
use crate::load::LoadSpec;
use crate::net::Transport;
use crate::report::{ExpectationReport, RunReport};
use crate::scenario::{Custom, Distribution, Scenario};
use jostle::balance::{Backoff, BalanceConfig, BalancedChannel, Balancer, Profile};
use std::sync::Arc;
use std::time::Duration;

/// What the healthy scenario claims of the distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// One call at a time rotates through the backends in order (round robin).
    ExactCycle,
    /// Calls split in these shares (chi-square at the sample size the spec derives).
    Shares(Vec<f64>),
    /// No distribution claim (pick first, for one).
    Any,
}

/// Backends in every battery scenario.
const BACKENDS: usize = 3;

/// The backoff jostle's own balancers get in the battery: 100 ms, growing 1.6x, capped at 1 s
/// (the `[balancer] backoff` of every file in fixtures/battery/).
pub const SUITE_BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(100),
    multiplier: 1.6,
    jitter: 0.2,
    max: Duration::from_secs(1),
};

/// The conformance battery for one balancer.
///
/// Each battery scenario is the file in fixtures/battery/ played by the one runner against the
/// suite's balancer, with the suite's seed and transport.
///
/// ```
/// use jostle::balance::policy::RoundRobin;
/// use jostle_harness::conformance::{Battery, Suite};
///
/// let report = Suite::for_balancer("round_robin", RoundRobin::new)
///     .exact_cycle()
///     .scenarios([Battery::Healthy, Battery::OneDown])
///     .run_blocking();
/// report.assert_passes();
/// ```
#[must_use]
pub struct Suite {
    name: String,
    factory: Factory,
    transport: Transport,
    seed: u64,
    claim: Claim,
    spec: DistributionSpec,
    scenarios: Vec<Battery>,
    load_aware: bool,
    /// The policy of a [`Suite::for_balancer`] suite, made afresh for each scenario.
    policy: Option<MakePolicy>,
    profile: Profile,
}

/// Makes a fresh jostle policy.
type MakePolicy = Arc<dyn Fn() -> Box<dyn Balancer> + Send + Sync>;

/// The factory of jostle's channel with `make`'s policy, `profile`'s client defaults and
/// [`SUITE_BACKOFF`].
fn jostle_factory(make: MakePolicy, profile: Profile) -> Factory {
    Arc::new(move |target: &Target| {
        let config =
            BalanceConfig { backoff: SUITE_BACKOFF, seed: Some(target.seed), ..profile.config() };
        boxed(
            BalancedChannel::builder()
                .boxed_balancer(make())
                .config(config)
                .build(target.changes(), target.connector.clone()),
        )
    })
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("name", &self.name)
            .field("transport", &self.transport)
            .field("seed", &self.seed)
            .field("claim", &self.claim)
            .field("load_aware", &self.load_aware)
            .field("scenarios", &self.scenarios)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// The battery for the channel `factory` makes; an even split expected.
    pub fn new(
        name: impl Into<String>,
        factory: impl Fn(&Target) -> BoxChannel + Send + Sync + 'static,
    ) -> Self {
        Self::from_parts(name.into(), Arc::new(factory), None)
    }

    fn from_parts(name: String, factory: Factory, policy: Option<MakePolicy>) -> Self {
        Self {
            name,
            factory,
            transport: Transport::InMemory,
            seed: 0,
            claim: Claim::Shares(vec![1.0 / BACKENDS as f64; BACKENDS]),
            spec: DistributionSpec::default(),
            scenarios: Battery::ALL.to_vec(),
            load_aware: false,
            policy,
            profile: Profile::Jostle,
        }
    }

    /// The battery for a [`Balancer`] behind jostle's `BalancedChannel` (with
    /// [`SUITE_BACKOFF`], its jitter drawn from the suite's seed: [`Target::seed`]); `make` is
    /// called once per scenario.
    pub fn for_balancer<B: Balancer>(
        name: impl Into<String>,
        make: impl Fn() -> B + Send + Sync + 'static,
    ) -> Self {
        let make: MakePolicy = Arc::new(move || Box::new(make()) as Box<dyn Balancer>);
        let factory = jostle_factory(Arc::clone(&make), Profile::Jostle);
        Self::from_parts(name.into(), factory, Some(make))
    }

    /// The client defaults of a [`Suite::for_balancer`] suite's channel (default
    /// [`Profile::Jostle`]), with [`SUITE_BACKOFF`] either way. A suite of your own factory
    /// ([`Suite::new`]) builds its own channel: every scenario of it then fails its `setup`
    /// check, saying so, rather than pass on parameters it never had.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        if let Some(make) = &self.policy {
            self.factory = jostle_factory(Arc::clone(make), profile);
        }
        self
    }

    /// Runs on `transport`; in memory (under the paused clock) by default.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The seed of every cluster, load and balancer (through [`Target::seed`]); 0 by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Expects an exact cycle in the healthy scenario (round robin).
    pub fn exact_cycle(mut self) -> Self {
        self.claim = Claim::ExactCycle;
        self
    }

    /// Expects calls split in `shares` (one per backend, summing to 1).
    pub fn shares(mut self, shares: Vec<f64>) -> Self {
        self.claim = Claim::Shares(shares);
        self
    }

    /// Makes no distribution claim.
    pub fn any_distribution(mut self) -> Self {
        self.claim = Claim::Any;
        self
    }

    /// Claims the balancer reads the calls in flight ([`Candidate::in_flight`]): the
    /// slow-backend scenario then also checks its `max_shares` (the slow backend serves at most
    /// half its even share). Without the claim that check is left out, as a balancer blind to
    /// load (round robin) is right to give the slow backend its third.
    ///
    /// [`Candidate::in_flight`]: jostle::balance::Candidate::in_flight
    pub fn load_aware(mut self) -> Self {
        self.load_aware = true;
        self
    }

    /// The false-failure rate, smallest skew and power of the distribution check.
    pub fn distribution_spec(mut self, spec: DistributionSpec) -> Self {
        self.spec = spec;
        self
    }

    /// Runs only `scenarios`.
    pub fn scenarios(mut self, scenarios: impl IntoIterator<Item = Battery>) -> Self {
        self.scenarios = scenarios.into_iter().collect();
        self
    }

    /// Runs the battery, each scenario on a fresh runtime of its own: current-thread, under the
    /// paused clock in memory ([`Scenario::paused`]), one scenario after another, in the order
    /// of [`Suite::scenarios`] (the factory is called in that order too). On TCP the scenarios
    /// play on the wall clock, mostly waiting: they run side by side, each on a thread of its
    /// own, so the battery takes about as long as its longest scenario, not the sum (the
    /// factory is then called from those threads, in no set order). A task the balancer leaves
    /// behind in one scenario ends with that scenario's runtime, so each leak check sees only
    /// the leaks of its own scenario. For plain `#[test]` functions (rstest cases included);
    /// from an async test, call it inside `tokio::task::spawn_blocking`.
    ///
    /// # Panics
    ///
    /// When tokio cannot start a runtime or (on TCP) a thread, with the reason: a battery that
    /// did not run proves nothing. A panic of the balancer's own code is raised again here.
    pub fn run_blocking(&self) -> SuiteReport {
        let play = |battery: Battery| BatteryRun { battery, report: self.run_one(battery) };
        let runs = if self.transport == Transport::Tcp {
            std::thread::scope(|scope| {
                let running: Vec<_> = self
                    .scenarios
                    .iter()
                    .map(|&battery| {
                        std::thread::Builder::new()
                            .name(format!("battery {battery}"))
                            .spawn_scoped(scope, move || play(battery))
                            .unwrap_or_else(|error| {
                                panic!("the battery over TCP needs a thread per scenario: {error}")
                            })
                    })
                    .collect();
                running
                    .into_iter()
                    .map(|run| run.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        } else {
            self.scenarios.iter().map(|&battery| play(battery)).collect()
        };
        SuiteReport { balancer: self.name.clone(), seed: self.seed, runs }
    }

    fn replay(&self, battery: Battery) -> String {
        format!(
            "the `{}` suite, scenario {battery}, seed {}, transport {}",
            self.name, self.seed, self.transport
        )
    }

    /// The battery file of `battery` as this suite plays it: its seed, transport, balancer,
    /// (for the healthy scenario) its distribution claim and (for the slow-backend scenario)
    /// the largest share only if the suite is [`Suite::load_aware`].
    pub fn scenario(&self, battery: Battery) -> Result<Scenario, crate::scenario::ScenarioError> {
        if self.policy.is_none() && self.profile != Profile::Jostle {
            return Err(crate::scenario::ScenarioError::Override {
                flag: "Suite::profile",
                problem: format!(
                    "profile `{}` applies to jostle's channel (Suite::for_balancer), and `{}` \
                     is built by its own factory",
                    self.profile, self.name
                ),
                expected: "Suite::for_balancer, or the profile's parameters in your factory".into(),
                suggestion: None,
            });
        }
        let scenario = battery
            .scenario()
            .with_seed(self.seed)
            .with_transport(self.transport)?
            .against_custom(Custom::from_factory(self.name.clone(), Arc::clone(&self.factory)));
        if battery == Battery::SlowBackend && !self.load_aware {
            return Ok(scenario.with_max_shares(Vec::new()));
        }
        if battery != Battery::Healthy {
            return Ok(scenario);
        }
        let file = scenario.load_spec();
        Ok(match &self.claim {
            Claim::ExactCycle | Claim::Any => {
                let one_at_a_time = LoadSpec::closed(1, 300).deadline(file.deadline);
                let claim = (self.claim == Claim::ExactCycle).then_some(Distribution::ExactCycle);
                scenario.with_distribution(claim).with_load(one_at_a_time)
            }
            Claim::Shares(shares) => {
                let needed = self.spec.sample_size(shares).map_or(1_000, |size| size.calls);
                let sized = LoadSpec::closed(8, needed + needed / 20).deadline(file.deadline);
                let claim = Distribution::Shares { shares: shares.clone(), spec: self.spec };
                scenario.with_distribution(Some(claim)).with_load(sized)
            }
        })
    }

    fn run_one(&self, battery: Battery) -> RunReport {
        let replay = self.replay(battery);
        let played = match self.scenario(battery) {
            Ok(scenario) => {
                let runtime = crate::runner::runtime(&scenario).unwrap_or_else(|error| {
                    panic!("the conformance battery needs a tokio runtime: {error}")
                });
                runtime
                    .block_on(crate::runner::run_with(&scenario, &replay, &Default::default()))
                    .map_err(|error| error.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        played.unwrap_or_else(|why| RunReport {
            scenario: battery.name().to_owned(),
            seed: self.seed,
            transport: self.transport.to_string(),
            balancer: self.name.clone(),
            expectations: vec![ExpectationReport {
                check: "setup".into(),
                passed: false,
                rule: "the scenario's cluster, faults and load can be set up".into(),
                measured: Default::default(),
                explanation: why,
            }],
            passed: false,
            as_expected: false,
            ..RunReport::default()
        })
    }
}
