//! [`Scenario`]: a scenario file, checked, in the harness's own types.

use super::balancer::{self, BalancerChoice};
use super::discovery::{self, Discovery};
use super::error::{ScenarioError, Source};
use super::expect;
use super::expectations::Expectations;
use super::fault;
use super::latency::{self, Latencies};
use super::load;
use super::places::Places;
use super::raw::RawScenario;
use super::suggest::{did_you_mean, quoted};
use crate::fault::Injection;
use crate::load::LoadSpec;
use crate::net::Transport;
use std::time::Duration;

/// The most backends a scenario may ask for.
pub const MAX_BACKENDS: usize = 10_000;

/// A checked scenario: everything in it is in range, and it converts to what the harness
/// runs, [`LoadSpec`], [`Injection`]s, a [`BalancerChoice`], without further errors.
///
/// The seed is held here once: the run hands it to the cluster, the load and the balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    name: String,
    pub(super) seed: u64,
    backends: usize,
    pub(super) transport: Transport,
    latencies: Latencies,
    pub(super) wall_clock: bool,
    pub(super) balancer: BalancerChoice,
    pub(super) load: LoadSpec,
    pub(super) clients: usize,
    pub(super) warm_up: Duration,
    pub(super) discovery: Discovery,
    pub(super) injections: Vec<Injection>,
    pub(super) expect: Expectations,
    /// Where the file wrote the keys an override can clash with.
    pub(super) places: Places,
}

impl Scenario {
    /// The story's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the file wrote `[balancer] policy`, as `FILE:LINE:COLUMN`; `None` for a scenario
    /// built in Rust.
    pub fn policy_place(&self) -> Option<&str> {
        self.places.policy.as_deref()
    }

    /// The seed of every random choice (default 0).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many backends the cluster has.
    pub fn backends(&self) -> usize {
        self.backends
    }

    /// Where they listen (default in memory).
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// How long backends take to answer each call (`[cluster] latency` and `latencies`; none
    /// by default).
    pub fn latencies(&self) -> &Latencies {
        &self.latencies
    }

    /// Whether the run is under tokio's paused clock: in memory, unless
    /// [`Scenario::with_wall_clock`] says otherwise. TCP always runs on the wall clock (a
    /// paused clock advances by itself while waiting on real I/O). The one home of that rule.
    pub fn paused(&self) -> bool {
        self.transport == Transport::InMemory && !self.wall_clock
    }

    /// The balancer under test.
    pub fn balancer(&self) -> &BalancerChoice {
        &self.balancer
    }

    /// The load, with the scenario's seed.
    pub fn load_spec(&self) -> LoadSpec {
        LoadSpec { seed: self.seed, ..self.load.clone() }
    }

    /// How many independent clients run the load at once, each with its own balancer and
    /// connections (`[load] clients`, default 1).
    pub fn clients(&self) -> usize {
        self.clients
    }

    /// How long the load waits after the balancer is built (`[load] warm_up`, default 0).
    pub fn warm_up(&self) -> Duration {
        self.warm_up
    }

    /// Which backends the client is told about, and when.
    pub fn discovery(&self) -> &Discovery {
        &self.discovery
    }

    /// The fault timeline, in file order.
    pub fn injections(&self) -> Vec<Injection> {
        self.injections.clone()
    }

    /// The checks and their thresholds.
    pub fn expect(&self) -> &Expectations {
        &self.expect
    }

    /// Checks every value of `raw` and converts it; the first error wins.
    pub(super) fn from_raw(raw: RawScenario, source: &Source<'_>) -> Result<Self, ScenarioError> {
        Self::from_raw_all(raw, source).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Checks every section, collecting each error: a section that fails does not stop the
    /// others (a fault's target is checked against the most backends allowed when the
    /// backend count itself is wrong). Errors in file order; never empty on `Err`.
    pub(super) fn from_raw_all(
        raw: RawScenario,
        source: &Source<'_>,
    ) -> Result<Self, Vec<ScenarioError>> {
        let mut errors = Errors::default();
        let places = Places::of(&raw, source);
        if raw.name.get_ref().trim().is_empty() {
            errors.keep(Err::<(), _>(source.error(
                raw.name.span(),
                "the name is empty",
                "a one-line story name",
            )));
        } else if raw.name.get_ref().chars().any(char::is_control) {
            errors.keep(Err::<(), _>(source.error(
                raw.name.span(),
                "the name has a control character (a newline, a tab, an escape)",
                "a one-line story name of printable characters",
            )));
        }
        let cluster = raw.cluster.get_ref();
        let backends = errors.keep(
            usize::try_from(*cluster.backends.get_ref())
                .ok()
                .filter(|n| (1..=MAX_BACKENDS).contains(n))
                .ok_or_else(|| {
                    source.error(
                        cluster.backends.span(),
                        format!("`backends` is {}", cluster.backends.get_ref()),
                        format!("a number of backends in 1..={MAX_BACKENDS}"),
                    )
                }),
        );
        let transport = match &cluster.transport {
            None => Some(Transport::default()),
            Some(written) => errors.keep(
                Transport::ALL.into_iter().find(|t| t.name() == written.get_ref()).ok_or_else(
                    || {
                        let names = Transport::ALL.map(Transport::name);
                        source
                            .error(
                                written.span(),
                                format!("unknown transport `{}`", written.get_ref()),
                                quoted(&names),
                            )
                            .suggesting(did_you_mean(written.get_ref(), names))
                    },
                ),
            ),
        };
        let latencies =
            errors.keep(latency::latencies(cluster, backends.unwrap_or(MAX_BACKENDS), source));
        let balancer = errors.keep(balancer::choice(raw.balancer.get_ref(), source));
        if let (Some(balancer), Some(transport)) = (&balancer, transport)
            && let Err(needs) = balancer.runs_on(transport)
        {
            errors.keep(Err::<(), _>(source.error(
                raw.balancer.get_ref().policy.span(),
                format!("{needs}, and this story runs in memory"),
                "`transport = \"tcp\"` in [cluster], or another balancer",
            )));
        }
        let load = errors.keep(load::spec(raw.load.get_ref(), raw.load.span(), source));
        let clients = load.as_ref().and_then(|(load, _)| {
            let span = raw.load.span();
            errors.keep(load::clients(raw.load.get_ref(), load, backends, span, source))
        });
        let (most, medium) =
            (backends.unwrap_or(MAX_BACKENDS), transport.unwrap_or(Transport::default()));
        let discovery = match &raw.discovery {
            Some(written) => errors.keep(discovery::discovery(written.get_ref(), most, source)),
            None => Some(Discovery::all(most)),
        };
        let injections: Vec<_> = raw
            .fault
            .iter()
            .map(|entry| errors.keep(fault::injection(entry, most, medium, source)))
            .collect();
        let load_end = load.as_ref().and_then(|(load, warm_up)| load::end(load, *warm_up));
        let expect = match &raw.expect {
            Some(expect) => errors.keep(expect::expectations(
                expect.span(),
                most,
                discovery.as_ref(),
                load_end,
                balancer.as_ref(),
                source,
            )),
            None => Some(Expectations::default()),
        };
        if let Some((load, warm_up)) = &load {
            for late in fault::after_the_load(&raw.fault, load, *warm_up, source) {
                errors.keep(Err::<(), _>(late));
            }
            for frequent in fault::too_frequent(&raw.fault, load, *warm_up, source) {
                errors.keep(Err::<(), _>(frequent));
            }
            if let Some(written) = &raw.discovery {
                for late in discovery::after_the_load(written.get_ref(), load, *warm_up, source) {
                    errors.keep(Err::<(), _>(late));
                }
            }
        }
        let (
            Some(backends),
            Some(transport),
            Some(latencies),
            Some(balancer),
            Some((load, warm_up)),
            Some(clients),
            Some(discovery),
            Some(injections),
            Some(expect),
        ) = (
            backends,
            transport,
            latencies,
            balancer,
            load,
            clients,
            discovery,
            injections.into_iter().collect::<Option<Vec<_>>>(),
            expect,
        )
        else {
            return Err(errors.sorted());
        };
        if !errors.0.is_empty() {
            // Every section parsed, but a rule between sections broke.
            return Err(errors.sorted());
        }
        Ok(Self {
            name: raw.name.into_inner(),
            seed: raw.seed,
            backends,
            transport,
            latencies,
            wall_clock: false,
            balancer,
            load,
            clients,
            warm_up,
            discovery,
            injections,
            expect,
            places,
        })
    }
}

/// The errors found so far in a file.
#[derive(Debug, Default)]
struct Errors(Vec<ScenarioError>);

impl Errors {
    /// The value, or `None` with its error kept.
    fn keep<T>(&mut self, result: Result<T, ScenarioError>) -> Option<T> {
        result.map_err(|error| self.0.push(error)).ok()
    }

    /// Every error, in file order.
    fn sorted(mut self) -> Vec<ScenarioError> {
        self.0.sort_by_key(ScenarioError::location);
        self.0
    }
}
