//! [`Suite`]: the standard battery against any balancer, given as a factory.

use super::{Scenario, ScenarioReport, SuiteReport, Target};
use crate::channel::{BoxChannel, boxed};
use crate::check::{self, Baseline, CheckResult, Context, distribution, stats::DistributionSpec};
use crate::cluster::Cluster;
use crate::fault::{Fault, Target as On};
use crate::load::{CallLog, LoadSpec, drive};
use crate::net::Transport;
use crate::record::StatsSnapshot;
use jostle::balance::{Backoff, BalanceConfig, BalancedChannel, Balancer};
use jostle::discover;
use std::sync::Arc;
use std::time::Duration;

/// Makes the channel under test for a scenario's cluster.
pub type Factory = Arc<dyn Fn(&Target) -> BoxChannel + Send + Sync>;

/// What the healthy scenario expects of the distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// One call at a time rotates through the backends in order (round robin).
    ExactCycle,
    /// Calls split in these shares (chi-square at the sample size the spec derives).
    Shares(Vec<f64>),
    /// No distribution claim (pick first, for one).
    Any,
}

/// The backoff jostle's own balancers get in the battery: 100 ms, growing 1.6x, capped at 1 s.
pub const SUITE_BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(100),
    multiplier: 1.6,
    jitter: 0.2,
    max: Duration::from_secs(1),
};

const BACKENDS: usize = 3;
const DEADLINE: Duration = Duration::from_millis(500);
/// How late a call may end past its deadline: exact under the paused clock; on real TCP the
/// scheduler's jitter on a loaded machine must fit in it, so it only catches gross overruns.
const EPSILON: Duration = Duration::from_millis(5);
const EPSILON_TCP: Duration = Duration::from_millis(250);
/// Time a balancer gets to connect before the load starts.
const WARM_UP: Duration = Duration::from_millis(100);

/// The conformance battery for one balancer.
///
/// ```
/// use jostle::balance::policy::RoundRobin;
/// use jostle_harness::conformance::{Scenario, Suite};
///
/// let report = Suite::for_balancer("round_robin", RoundRobin::new)
///     .exact_cycle()
///     .scenarios([Scenario::Healthy, Scenario::OneDown])
///     .run_blocking();
/// report.assert_passes();
/// ```
#[must_use]
pub struct Suite {
    name: String,
    factory: Factory,
    transport: Transport,
    seed: u64,
    distribution: Distribution,
    spec: DistributionSpec,
    scenarios: Vec<Scenario>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("name", &self.name)
            .field("transport", &self.transport)
            .field("seed", &self.seed)
            .field("distribution", &self.distribution)
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
        Self {
            name: name.into(),
            factory: Arc::new(factory),
            transport: Transport::InMemory,
            seed: 0,
            distribution: Distribution::Shares(vec![1.0 / BACKENDS as f64; BACKENDS]),
            spec: DistributionSpec::default(),
            scenarios: Scenario::ALL.to_vec(),
        }
    }

    /// The battery for a [`Balancer`] behind jostle's `BalancedChannel` (with
    /// [`SUITE_BACKOFF`]); `make` is called once per scenario.
    pub fn for_balancer<B: Balancer>(
        name: impl Into<String>,
        make: impl Fn() -> B + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, move |target: &Target| {
            let config = BalanceConfig { backoff: SUITE_BACKOFF, ..BalanceConfig::default() };
            boxed(
                BalancedChannel::builder()
                    .balancer(make())
                    .config(config)
                    .build(target.changes(), target.connector.clone()),
            )
        })
    }

    /// Runs on `transport`; in memory (under the paused clock) by default.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The seed of every cluster and load; 0 by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Expects an exact cycle in the healthy scenario (round robin).
    pub fn exact_cycle(mut self) -> Self {
        self.distribution = Distribution::ExactCycle;
        self
    }

    /// Expects calls split in `shares` (one per backend, summing to 1).
    pub fn shares(mut self, shares: Vec<f64>) -> Self {
        self.distribution = Distribution::Shares(shares);
        self
    }

    /// Makes no distribution claim.
    pub fn any_distribution(mut self) -> Self {
        self.distribution = Distribution::Any;
        self
    }

    /// The false-failure rate, smallest skew and power of the distribution check.
    pub fn distribution_spec(mut self, spec: DistributionSpec) -> Self {
        self.spec = spec;
        self
    }

    /// Runs only `scenarios`.
    pub fn scenarios(mut self, scenarios: impl IntoIterator<Item = Scenario>) -> Self {
        self.scenarios = scenarios.into_iter().collect();
        self
    }

    /// Runs the battery on a runtime of its own: current-thread, under the paused clock in
    /// memory. For plain `#[test]` functions (rstest cases included).
    pub fn run_blocking(&self) -> SuiteReport {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        builder.enable_all().start_paused(self.transport == Transport::InMemory);
        match builder.build() {
            Ok(runtime) => runtime.block_on(self.run()),
            Err(error) => SuiteReport {
                balancer: format!("{} (no runtime: {error})", self.name),
                seed: self.seed,
                scenarios: Vec::new(),
            },
        }
    }

    /// Runs the battery on the current runtime (pause its clock yourself for in-memory runs).
    pub async fn run(&self) -> SuiteReport {
        let mut scenarios = Vec::new();
        for scenario in &self.scenarios {
            let checks = self.run_one(*scenario).await;
            scenarios.push(ScenarioReport { scenario: *scenario, checks });
        }
        SuiteReport { balancer: self.name.clone(), seed: self.seed, scenarios }
    }

    fn replay(&self, scenario: Scenario) -> String {
        format!(
            "the `{}` suite, scenario {scenario}, seed {}, transport {}",
            self.name, self.seed, self.transport
        )
    }

    async fn run_one(&self, scenario: Scenario) -> Vec<CheckResult> {
        let cluster = match Cluster::builder()
            .backends(BACKENDS)
            .transport(self.transport)
            .seed(self.seed)
            .start()
            .await
        {
            Ok(cluster) => cluster,
            Err(error) => return vec![self.broken(scenario, &format!("no cluster: {error}"))],
        };
        let names: Vec<String> = cluster.backends().iter().map(|b| b.name().to_owned()).collect();
        let (sender, changes) = discover::channel();
        let addresses = cluster.addresses();
        if scenario == Scenario::AddRemove {
            sender.insert(addresses[0].clone());
            sender.insert(addresses[1].clone());
        } else {
            addresses.iter().for_each(|address| {
                sender.insert(address.clone());
            });
        }
        let baseline = Baseline::now(self.transport == Transport::Tcp);
        let before = cluster.stats();
        let channel = (self.factory)(&Target::new(addresses.clone(), cluster.connector(), changes));
        tokio::time::sleep(WARM_UP).await;
        let load = self.load(scenario);
        if let Err(error) = self.faults(scenario, &cluster, &sender) {
            return vec![self.broken(scenario, &format!("no faults: {error}"))];
        }
        let log = match drive(channel.clone(), &load).await {
            Ok(log) => log,
            Err(error) => return vec![self.broken(scenario, &format!("no load: {error}"))],
        };
        drop(sender);
        let after = cluster.stats();
        let context =
            Context { histogram: log.served(), seed: self.seed, replay: self.replay(scenario) };
        let mut checks = vec![check::accounting(&log, &before, &after, &context)];
        checks.extend(self.scenario_checks(scenario, &log, &names, &before, &after, &context));
        drop(channel);
        // The cluster's own fault tasks are not the client's: end them first.
        cluster.restore().await;
        checks.push(check::leak_free(&cluster, baseline, Duration::from_secs(5), &context).await);
        cluster.shutdown().await;
        checks
    }

    fn broken(&self, scenario: Scenario, why: &str) -> CheckResult {
        let context = Context {
            histogram: Default::default(),
            seed: self.seed,
            replay: self.replay(scenario),
        };
        CheckResult::failed(
            "setup",
            "the scenario's cluster, faults and load can be set up",
            &context,
            why,
        )
    }

    fn load(&self, scenario: Scenario) -> LoadSpec {
        let open = |per_second: f64, seconds: u64| {
            LoadSpec::open(per_second, Duration::from_secs(seconds))
                .deadline(DEADLINE)
                .seed(self.seed)
        };
        match scenario {
            Scenario::Healthy => match &self.distribution {
                Distribution::ExactCycle | Distribution::Any => LoadSpec::closed(1, 300),
                Distribution::Shares(shares) => {
                    let needed = self.spec.sample_size(shares).map_or(1_000, |size| size.calls);
                    LoadSpec::closed(8, needed + needed / 20)
                }
            }
            .deadline(DEADLINE)
            .seed(self.seed),
            Scenario::OneDown | Scenario::AllDown => open(200.0, 3),
            Scenario::Restart | Scenario::Flapping => open(200.0, 5),
            Scenario::SlowBackend | Scenario::HungBackend | Scenario::AddRemove => open(100.0, 4),
            Scenario::ConnectionStorm => {
                LoadSpec::closed(1, 1_000).deadline(DEADLINE).seed(self.seed)
            }
        }
    }

    fn faults(
        &self,
        scenario: Scenario,
        cluster: &Cluster,
        sender: &discover::ChangeSender,
    ) -> crate::Result<()> {
        // Times on the faults' timeline count from the cluster's start; the load starts after
        // the warm-up, so scenario times are shifted by it.
        let at = |seconds: f64| WARM_UP + Duration::from_secs_f64(seconds);
        match scenario {
            Scenario::OneDown => {
                cluster.inject(
                    Fault::Restart { down_for: Duration::from_secs(600) }.on(1).at(at(1.0)),
                )?;
            }
            Scenario::AllDown => {
                cluster.inject(
                    Fault::Restart { down_for: Duration::from_secs(600) }.on(On::All).at(at(1.0)),
                )?;
            }
            Scenario::Restart => {
                cluster.inject(
                    Fault::Restart { down_for: Duration::from_secs(1) }.on(1).at(at(1.0)),
                )?;
            }
            Scenario::Flapping => {
                let flap = Fault::Flap {
                    period: Duration::from_secs(1),
                    down_for: Duration::from_millis(300),
                };
                cluster.inject(flap.on(1).at(at(0.5)).lasting(Duration::from_secs(4)))?;
            }
            Scenario::SlowBackend => {
                cluster.inject(Fault::delay(Duration::from_millis(200)).on(2))?;
            }
            Scenario::HungBackend => {
                cluster.inject(Fault::Hang.on(2))?;
            }
            Scenario::AddRemove => {
                let (sender, addresses) = (sender.clone(), cluster.addresses());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    sender.insert(addresses[2].clone());
                    tokio::time::sleep(Duration::from_millis(1_500)).await;
                    sender.remove(addresses[0].clone());
                });
            }
            Scenario::Healthy | Scenario::ConnectionStorm => {}
        }
        Ok(())
    }

    fn scenario_checks(
        &self,
        scenario: Scenario,
        log: &CallLog,
        names: &[String],
        before: &[StatsSnapshot],
        after: &[StatsSnapshot],
        context: &Context,
    ) -> Vec<CheckResult> {
        let seconds = Duration::from_secs_f64;
        let epsilon = if self.transport == Transport::Tcp { EPSILON_TCP } else { EPSILON };
        let timeout = check::timeout(log, DEADLINE, epsilon, context);
        let opened = crate::record::connections_opened(before, after);
        match scenario {
            Scenario::Healthy => {
                let distribution = match &self.distribution {
                    Distribution::ExactCycle => {
                        Some(distribution::exact_cycle(log, names, context))
                    }
                    Distribution::Shares(shares) => {
                        Some(distribution::shares(log, names, shares, &self.spec, context))
                    }
                    Distribution::Any => None,
                };
                let mut checks: Vec<CheckResult> = distribution.into_iter().collect();
                checks.push(check::failure_rate(log, Duration::ZERO, 0.0, context));
                checks.push(timeout);
                checks
            }
            Scenario::OneDown => {
                vec![check::fallback(log, seconds(1.0), seconds(0.5), 10, context), timeout]
            }
            Scenario::AllDown => vec![timeout],
            Scenario::Restart => vec![
                check::fallback(log, seconds(1.0), seconds(0.5), 10, context),
                check::recovery(log, &names[1], seconds(2.0), seconds(2.5), BACKENDS, 0.5, context),
                timeout,
            ],
            Scenario::Flapping => {
                vec![check::failure_rate(log, Duration::ZERO, 0.02, context), timeout]
            }
            Scenario::SlowBackend => {
                vec![check::failure_rate(log, Duration::ZERO, 0.0, context), timeout]
            }
            // A balancer that never routes around the hung backend loses a third of the calls;
            // detecting it by timeouts costs the calls sent to it within one deadline, again at
            // each re-admission after backoff.
            Scenario::HungBackend => {
                vec![check::failure_rate(log, seconds(1.0), 0.2, context), timeout]
            }
            Scenario::AddRemove => {
                vec![check::convergence(
                    log,
                    seconds(2.5),
                    seconds(0.5),
                    &[&names[1], &names[2]],
                    context,
                )]
            }
            Scenario::ConnectionStorm => {
                vec![check::connections(opened, log.calls.len() as u64, 10.0, context)]
            }
        }
    }
}
