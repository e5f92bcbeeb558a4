//! Overrides of a checked [`Scenario`], as `jostle run --seed`, `--tcp` and `--balancer` make
//! them, and as tests make them (your own balancer, a distribution claim): each gives a
//! scenario as runnable as one read from a file, or says why it cannot.

use super::balancer::{self, BalancerChoice, Custom};
use super::error::ScenarioError;
use super::expected::Expected;
use super::spec::Scenario;
use super::suggest::{did_you_mean, quoted};
use crate::channel::{BoxChannel, Factory, Target};
use crate::expect::Distribution;
use crate::load::LoadSpec;
use crate::net::Transport;

impl Scenario {
    /// The same story with every random choice drawn from `seed`: the cluster's fault draws,
    /// the load's method draws and a jostle policy's draws and backoff jitter.
    ///
    /// ```
    /// # let scenario = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
    /// let reseeded = scenario.with_seed(42);
    /// assert_eq!(reseeded.seed(), 42);
    /// assert_eq!(reseeded.load_spec().seed, 42);
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same story with its backends on `transport` (TCP always runs on the wall clock).
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Override`] when a fault of the story (`blackhole-connect`) or its
    /// balancer (`tonic_balance_list`) cannot run on `transport`.
    pub fn with_transport(mut self, transport: Transport) -> Result<Self, ScenarioError> {
        let flag = match transport {
            Transport::Tcp => "--tcp",
            Transport::InMemory => "--in-memory",
        };
        for (index, injection) in self.injections.iter().enumerate() {
            if let Err(unsupported) = injection.fault.kind().runs_on(transport) {
                let at = self.places.kinds.get(index);
                return Err(ScenarioError::Override {
                    flag,
                    problem: format!(
                        "{unsupported}, and this story has it{}",
                        written(at, "its `kind`")
                    ),
                    expected: format!("a story without `{}`, or no {flag}", unsupported.kind),
                    suggestion: None,
                });
            }
        }
        if let Err(needs) = self.balancer.runs_on(transport) {
            return Err(ScenarioError::Override {
                flag,
                problem: format!(
                    "{needs}{}",
                    written(self.places.policy.as_ref(), "the story's `policy`")
                ),
                expected: "another balancer, or transport tcp".into(),
                suggestion: None,
            });
        }
        self.transport = transport;
        Ok(self)
    }

    /// The same story on the wall clock (`true`) even in memory, as `jostle run --wall-clock`
    /// asks; see [`Scenario::paused`].
    #[must_use]
    pub fn with_wall_clock(mut self, wall_clock: bool) -> Self {
        self.wall_clock = wall_clock;
        self
    }

    /// The same story against the built-in balancer `name` (a name of
    /// [`BALANCERS`](super::BALANCERS)) with its default parameters and the story's seed.
    ///
    /// The expected outcome becomes [`Expected::Pass`]: whatever flaw the story showed of its
    /// own balancer, the question is now whether this one survives the story.
    ///
    /// ```
    /// use jostle_harness::scenario::Expected;
    ///
    /// # let scenario = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
    /// assert_eq!(scenario.expect().outcome, Expected::Fail, "the dialer's flaw");
    /// let fixed = scenario.with_balancer("round_robin")?;
    /// assert_eq!(fixed.balancer().name(), "round_robin");
    /// assert_eq!(fixed.expect().outcome, Expected::Pass);
    ///
    /// let typo = fixed.with_balancer("round_robn").unwrap_err().to_string();
    /// assert!(typo.starts_with("--balancer: unknown balancer `round_robn`; expected one of "));
    /// assert!(typo.ends_with("; did you mean `round_robin`?"));
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Override`] for an unknown name (with the nearest one), or for
    /// `tonic_balance_list` on an in-memory story.
    pub fn with_balancer(mut self, name: &str) -> Result<Self, ScenarioError> {
        let flag = "--balancer";
        let Some(choice) = balancer::by_name(name) else {
            let names = balancer::names();
            return Err(ScenarioError::Override {
                flag,
                problem: format!("unknown balancer `{name}`"),
                expected: format!("one of {}", quoted(&names)),
                suggestion: did_you_mean(name, names),
            });
        };
        if let Err(needs) = choice.runs_on(self.transport) {
            let transport = written(self.places.transport.as_ref(), "its `[cluster]`");
            return Err(ScenarioError::Override {
                flag,
                problem: format!("{needs}, and this story runs in memory{transport}"),
                expected: "another balancer, or --tcp as well".into(),
                suggestion: None,
            });
        }
        self.balancer = choice;
        // The balancer is the flag's now, not the file's `policy`.
        self.places.policy = None;
        self.expect.outcome = Expected::Pass;
        self.expect.fails.clear();
        Ok(self)
    }

    /// The same story with a jostle policy following `profile`'s client defaults (`jostle run
    /// --profile`): the profile's ejection on timeouts and on `UNAVAILABLE` answers, DNS
    /// re-resolution and transparent retry replace the file's; its other keys (`wait_for_ready`, `backoff`) stay. The
    /// expected outcome stays the file's.
    ///
    /// ```
    /// use jostle::balance::Profile;
    ///
    /// # let scenario = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
    /// let grpc = scenario.with_balancer("round_robin")?.with_profile(Profile::Grpc)?;
    /// assert_eq!(grpc.balancer().profile(), Profile::Grpc);
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Override`] when the balancer is not a jostle policy (a profile is
    /// parameters of jostle's channel).
    pub fn with_profile(
        mut self,
        profile: jostle::balance::Profile,
    ) -> Result<Self, ScenarioError> {
        let name = self.balancer.name().to_owned();
        let BalancerChoice::Jostle { profile: current, config, .. } = &mut self.balancer else {
            return Err(ScenarioError::Override {
                flag: "--profile",
                problem: format!(
                    "a profile applies to jostle policies only, not to `{name}`{}",
                    written(self.places.policy.as_ref(), "the story's `policy`")
                ),
                expected: format!(
                    "a jostle policy ({}), e.g. --balancer round_robin as well",
                    quoted(jostle::balance::policy::NAMES)
                ),
                suggestion: None,
            });
        };
        *current = profile;
        **config = config.as_ref().clone().with_profile(profile);
        Ok(self)
    }

    /// The same story against your own balancer: `factory` makes its channel from the
    /// scenario's [`Target`] (addresses, connector, discovery) for each run; `name` names it
    /// in reports. As with [`Scenario::with_balancer`], the story is then expected to pass.
    ///
    /// The load starts after the file's `[load] warm_up` (0 by default): a balancer that
    /// fails calls while it is still connecting needs one ([`Scenario::with_warm_up`]); the
    /// battery gives every balancer 100 ms.
    ///
    /// ```
    /// use jostle::balance::{BalancedChannel, policy::RoundRobin};
    /// use jostle_harness::channel::{Target, boxed};
    /// use jostle_harness::scenario::{self, Expected};
    ///
    /// let incident = scenario::load("../fixtures/article-restart.toml")?
    ///     .against("mine", |target: &Target| {
    ///         boxed(BalancedChannel::builder()
    ///             .balancer(RoundRobin::new())
    ///             .build(target.changes(), target.connector.clone()))
    ///     });
    /// assert_eq!(incident.balancer().name(), "mine");
    /// assert_eq!(incident.expect().outcome, Expected::Pass);
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    #[must_use]
    pub fn against(
        self,
        name: impl Into<String>,
        factory: impl Fn(&Target) -> BoxChannel + Send + Sync + 'static,
    ) -> Self {
        self.against_custom(Custom::new(name, factory))
    }

    /// [`Scenario::against`] with a [`Factory`], which may build the channel with a future
    /// ([`Factory::future`]): an async builder is awaited before the load starts, and its
    /// error fails the run with its message.
    #[must_use]
    pub fn against_factory(self, name: impl Into<String>, factory: impl Into<Factory>) -> Self {
        self.against_custom(Custom::from_factory(name, factory.into()))
    }

    /// [`Scenario::against`] with a [`Custom`] balancer already made.
    #[must_use]
    pub fn against_custom(mut self, custom: Custom) -> Self {
        self.balancer = BalancerChoice::Custom(custom);
        self.expect.outcome = Expected::Pass;
        self.expect.fails.clear();
        self
    }

    /// The same story with the distribution expectation `distribution` (`None`: no claim).
    #[must_use]
    pub fn with_distribution(mut self, distribution: Option<Distribution>) -> Self {
        self.expect.set(distribution);
        self
    }

    /// The same story with `max_shares` as its largest-share expectations (`[expect]
    /// max_shares`); an empty list checks none.
    #[must_use]
    pub fn with_max_shares(mut self, max_shares: Vec<super::MaxShareExpectation>) -> Self {
        self.expect.set((!max_shares.is_empty()).then_some(crate::expect::MaxShares(max_shares)));
        self
    }

    /// The same story with the load starting `warm_up` after the balancer is built (the
    /// file's `[load] warm_up`). A built-in jostle policy is connected to every announced
    /// backend before the load starts; your own balancer (see [`Scenario::against`]) gets
    /// only the warm-up to connect, so give it the time it needs. The fault and discovery
    /// timelines keep their times (they count from the cluster's start).
    #[must_use]
    pub fn with_warm_up(mut self, warm_up: std::time::Duration) -> Self {
        self.warm_up = warm_up;
        self
    }

    /// The same story with another load (its seed is still the scenario's).
    #[must_use]
    pub fn with_load(mut self, load: LoadSpec) -> Self {
        self.load = load;
        self
    }
}

/// ` (WHAT at FILE:LINE:COLUMN)` for a key the file wrote at `place`; nothing for a scenario
/// built in Rust.
fn written(place: Option<&String>, what: &str) -> String {
    place.map(|place| format!(" ({what} at {place})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::{BALANCERS, BalancerChoice, Expected, Scenario, ScenarioError, parse};
    use crate::net::Transport;

    /// A story of a flaw, in memory, with a random policy (so the seed reaches the balancer).
    fn story(balancer: &str, fault: &str) -> Scenario {
        let text = format!(
            "name = \"s\"\nseed = 3\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"{balancer}\"\n\
             [load]\nconcurrency = 1\ncalls = 10\n[[fault]]\ntarget = [0]\nkind = \"{fault}\"\n\
             [expect]\noutcome = \"fail\"\nfails = [\"failure-rate\"]\nmax_failure_rate = 0.0\n"
        );
        parse(&text, "s.toml").expect("a valid story")
    }

    #[test]
    fn with_seed_reseeds_the_cluster_and_the_load() {
        let reseeded = story("p2c", "refuse").with_seed(99);
        assert_eq!(
            reseeded.seed(),
            99,
            "the cluster's and the policy's draws come from the new seed"
        );
        assert_eq!(reseeded.load_spec().seed, 99, "the load's draws come from the new seed");
    }

    #[test]
    fn with_seed_changes_nothing_but_the_seed() {
        let original = story("p2c", "refuse");
        let back = original.clone().with_seed(1).with_seed(3);
        assert_eq!(back, original, "reseeding with the file's seed gives the file's story back");
    }

    #[test]
    fn with_transport_moves_the_backends_to_tcp() {
        let tcp = story("round_robin", "refuse").with_transport(Transport::Tcp).unwrap();
        assert_eq!(tcp.transport(), Transport::Tcp, "--tcp runs the story on 127.0.0.1");
    }

    #[test]
    fn with_transport_rejects_a_fault_that_works_in_memory_only() {
        let error =
            story("round_robin", "blackhole-connect").with_transport(Transport::Tcp).unwrap_err();
        assert!(error.is_invalid(), "an override that does not fit is bad input");
        assert_eq!(
            error.to_string(),
            "--tcp: fault `blackhole-connect` works in memory only, and this story has it (its \
             `kind` at s.toml:12:8); expected a story without `blackhole-connect`, or no --tcp",
            "the error must name the flag, the place of the key it clashes with and what was expected"
        );
    }

    #[test]
    fn an_override_that_clashes_with_a_key_names_the_flag_and_the_keys_place() {
        let error = story("round_robin", "refuse").with_balancer("tonic_balance_list").unwrap_err();
        assert_eq!(
            error.to_string(),
            "--balancer: `tonic_balance_list` runs on tcp only (tonic's balancer takes endpoints, \
             not connectors), and this story runs in memory (its `[cluster]` at s.toml:3:1); \
             expected another balancer, or --tcp as well",
            "--balancer on an in-memory story must point at its [cluster]"
        );
        let text = "name = \"s\"\n[cluster]\nbackends = 2\ntransport = \"tcp\"\n[balancer]\n\
                    policy = \"tonic_balance_list\"\n[load]\nconcurrency = 1\ncalls = 10\n";
        let tonic = parse(text, "t.toml").unwrap();
        let profiled = tonic.clone().with_profile(jostle::balance::Profile::Grpc);
        let error = profiled.unwrap_err().to_string();
        assert!(
            error.starts_with(
                "--profile: a profile applies to jostle policies only, not to \
                 `tonic_balance_list` (the story's `policy` at t.toml:6:10); "
            ),
            "--profile on a balancer that is not a jostle policy must point at `policy`: {error}"
        );
        let flagged = tonic.with_balancer("tonic_balance_list").unwrap();
        let error = flagged.with_profile(jostle::balance::Profile::Grpc).unwrap_err().to_string();
        assert!(
            !error.contains("(the story's `policy`"),
            "a balancer given by --balancer is not the file's `policy`: {error}"
        );
    }

    #[test]
    fn with_balancer_takes_every_built_in_balancer_with_default_parameters() {
        let tcp = story("round_robin", "refuse").with_transport(Transport::Tcp).unwrap();
        for (name, _) in BALANCERS {
            let overridden = tcp.clone().with_balancer(name).unwrap();
            assert_eq!(overridden.balancer().name(), *name, "--balancer {name} picks {name}");
            if let BalancerChoice::Jostle { config, .. } = overridden.balancer() {
                assert!(!config.wait_for_ready, "default parameters: no wait_for_ready");
            }
            assert_eq!(overridden.seed(), 3, "the story keeps its seed");
        }
    }

    #[test]
    fn with_balancer_expects_the_story_to_pass() {
        let fixed = story("round_robin_dialer", "refuse").with_balancer("round_robin").unwrap();
        assert_eq!(
            fixed.expect().outcome,
            Expected::Pass,
            "with another balancer the question is whether it survives the story"
        );
        assert_eq!(
            fixed.expect().get::<crate::expect::FailureRate>().map(|rate| rate.max),
            Some(0.0),
            "the checks stay the file's"
        );
    }

    #[test]
    fn with_balancer_rejects_an_unknown_name_with_the_nearest_one() {
        let error = story("p2c", "refuse").with_balancer("least-outstandin").unwrap_err();
        assert!(matches!(error, ScenarioError::Override { flag: "--balancer", .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with(
                "--balancer: unknown balancer `least-outstandin`; expected one of `round_robin`, "
            ),
            "the error must name the flag and the expected names: {message}"
        );
        assert!(message.ends_with("; did you mean `least_outstanding`?"), "{message}");
    }

    #[test]
    fn with_balancer_rejects_tonic_balance_list_in_memory() {
        let error = story("p2c", "refuse").with_balancer("tonic_balance_list").unwrap_err();
        assert!(
            error.to_string().starts_with("--balancer: `tonic_balance_list` runs on tcp only"),
            "tonic's balancer cannot dial in memory: {error}"
        );
        let tcp = story("p2c", "refuse").with_transport(Transport::Tcp).unwrap();
        assert!(tcp.with_balancer("tonic_balance_list").is_ok(), "on tcp it runs");
    }
}
