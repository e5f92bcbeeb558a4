//! [`Scenario`]: a scenario file, checked, in the harness's own types.

use super::balancer::{self, BalancerChoice};
use super::error::{ScenarioError, Source};
use super::expect::{self, Expectations};
use super::fault::{self, quoted};
use super::load;
use super::raw::RawScenario;
use super::suggest::did_you_mean;
use crate::fault::Injection;
use crate::load::LoadSpec;
use crate::net::Transport;

/// The most backends a scenario may ask for.
pub const MAX_BACKENDS: usize = 10_000;

/// A checked scenario: everything in it is in range, and it converts to what the harness
/// runs, [`LoadSpec`], [`Injection`]s, a [`BalancerChoice`], without further errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    name: String,
    pub(super) seed: u64,
    backends: usize,
    pub(super) transport: Transport,
    pub(super) balancer: BalancerChoice,
    pub(super) load: LoadSpec,
    pub(super) injections: Vec<Injection>,
    pub(super) expect: Expectations,
}

impl Scenario {
    /// The story's name.
    pub fn name(&self) -> &str {
        &self.name
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

    /// The balancer under test.
    pub fn balancer(&self) -> &BalancerChoice {
        &self.balancer
    }

    /// The load, with the scenario's seed.
    pub fn load_spec(&self) -> LoadSpec {
        self.load.clone()
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
        if raw.name.get_ref().trim().is_empty() {
            return Err(source.error(
                raw.name.span(),
                "the name is empty",
                "a one-line story name",
            ));
        }
        let cluster = raw.cluster.get_ref();
        let backends = usize::try_from(*cluster.backends.get_ref())
            .ok()
            .filter(|n| (1..=MAX_BACKENDS).contains(n))
            .ok_or_else(|| {
                source.error(
                    cluster.backends.span(),
                    format!("`backends` is {}", cluster.backends.get_ref()),
                    format!("a number of backends in 1..={MAX_BACKENDS}"),
                )
            })?;
        let transport = match &cluster.transport {
            None => Transport::default(),
            Some(written) => Transport::ALL
                .into_iter()
                .find(|t| t.name() == written.get_ref())
                .ok_or_else(|| {
                    let names = Transport::ALL.map(Transport::name);
                    source
                        .error(
                            written.span(),
                            format!("unknown transport `{}`", written.get_ref()),
                            quoted(&names),
                        )
                        .suggesting(did_you_mean(written.get_ref(), names))
                })?,
        };
        let balancer = balancer::choice(raw.balancer.get_ref(), raw.seed, source)?;
        let load = load::spec(raw.load.get_ref(), raw.load.span(), raw.seed, source)?;
        let injections = raw
            .fault
            .iter()
            .map(|entry| fault::injection(entry, backends, transport, source))
            .collect::<Result<_, _>>()?;
        let expect = match &raw.expect {
            Some(expect) => expect::expectations(expect.get_ref(), backends, source)?,
            None => Expectations::default(),
        };
        Ok(Self {
            name: raw.name.into_inner(),
            seed: raw.seed,
            backends,
            transport,
            balancer,
            load,
            injections,
            expect,
        })
    }
}
