//! [`Explorer`]: draws schedules from a seed range, plays each through the one runner, judges
//! it by the invariants, shrinks the first schedule that breaks each invariant into a scenario
//! file that replays it, and keeps the seeds of the others.

use super::finding::Finding;
use super::generate;
use super::invariants::{self, BACKOFF, INVARIANTS, Recovery};
use super::schedule::Schedule;
use super::space::Space;
use crate::channel::{BoxChannel, Factory, Target};
use crate::check::NO_CALLS;
use crate::error::{Error, Result};
use crate::load::Progress;
use crate::report::{ExpectationReport, RunReport};
use crate::runner;
use crate::scenario::{BALANCERS, Custom, Scenario};
use jostle::balance::{Backoff, BalanceConfig, Profile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::{Duration, Instant};

/// How many wall-clock (TCP) schedules play side by side: each mostly waits on the clock.
const WALL_CLOCK_BATCH: usize = 4;

/// The most runs one shrink takes by default.
pub const SHRINK_RUNS: usize = 200;

/// How many seeds that broke an invariant an exploration keeps, per invariant: the first in
/// seed order (the count of all of them is kept apart).
pub const SEEDS_KEPT: usize = 1000;

/// The balancer under test.
#[derive(Debug, Clone)]
enum UnderTest {
    /// A built-in balancer, by name.
    BuiltIn(&'static str),
    /// The user's own.
    Custom(Custom),
}

/// Searches a [`Space`] of schedules for ones that break an invariant, against one balancer.
#[derive(Debug, Clone)]
#[must_use]
pub struct Explorer {
    space: Space,
    under_test: UnderTest,
    spreads: bool,
    seeds: Range<u64>,
    time: Option<Duration>,
    pub(super) shrink_runs: usize,
    origin: Option<String>,
    profile: Profile,
    /// The balancer's reconnect backoff, which the tolerances follow: [`BACKOFF`] for the
    /// built-ins, declared for your own.
    backoff: Option<Backoff>,
    /// Whether it ejects a backend on timeouts: assumed for the built-ins (the tolerances are
    /// then the widest), declared for your own.
    ejects_on_timeouts: Option<bool>,
}

/// What an exploration found.
#[derive(Debug, Clone, Serialize)]
pub struct Exploration {
    /// The balancer under test.
    pub balancer: String,
    /// The first seed run.
    pub first_seed: u64,
    /// How many schedules ran (seeds `first_seed..first_seed + schedules`).
    pub schedules: u64,
    /// For each invariant broken, how many schedules broke it.
    pub violated: BTreeMap<String, u64>,
    /// For each invariant broken, the seeds of the schedules that broke it, in seed order:
    /// the first [`SEEDS_KEPT`] of them, the first one shrunk in `findings`, each a seed to
    /// replay.
    pub seeds: BTreeMap<String, Vec<u64>>,
    /// The first schedule to break each invariant, shrunk; in the order found.
    pub findings: Vec<Finding>,
}

impl Explorer {
    /// An explorer of `space` against jostle's round robin, seeds `0..100`.
    pub fn new(space: Space) -> Self {
        Self {
            space,
            under_test: UnderTest::BuiltIn("round_robin"),
            spreads: true,
            seeds: 0..100,
            time: None,
            shrink_runs: SHRINK_RUNS,
            origin: None,
            profile: Profile::Jostle,
            backoff: Some(BACKOFF),
            ejects_on_timeouts: Some(true),
        }
    }

    /// The client defaults a jostle policy follows (default [`Profile::Jostle`]); every
    /// written file says `profile` in its `[balancer]`. [`Explorer::run`] refuses a profile
    /// other than jostle's for a balancer that is not a jostle policy.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Against the built-in balancer `name` (`jostle list`); `pick_first` and the fallback
    /// dialer keep to one backend by design, so their calls are not held to a fair share.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a name that is not a built-in balancer.
    pub fn balancer(mut self, name: &str) -> Result<Self> {
        let Some(&(known, _)) = BALANCERS.iter().find(|(known, _)| *known == name) else {
            return Err(Error::InvalidParameter {
                parameter: "balancer",
                expected: format!(
                    "one of {}",
                    BALANCERS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
                got: name.into(),
            });
        };
        self.under_test = UnderTest::BuiltIn(known);
        self.backoff = Some(BACKOFF);
        self.ejects_on_timeouts = Some(true);
        self.spreads = !matches!(known, "pick_first" | "fallback_dialer");
        Ok(self)
    }

    /// Against your own balancer: `factory` builds its channel from each schedule's
    /// [`Target`], as [`Scenario::against`] does. Declare how it recovers with
    /// [`Explorer::config`], or [`Explorer::backoff`] and [`Explorer::ejection`]: the
    /// tolerances follow it, and [`Explorer::run`] refuses to judge a balancer whose backoff
    /// or ejection it does not know.
    pub fn against(
        mut self,
        name: impl Into<String>,
        factory: impl Fn(&Target) -> BoxChannel + Send + Sync + 'static,
    ) -> Self {
        self.under_test = UnderTest::Custom(Custom::new(name, factory));
        self.spreads = true;
        self.backoff = None;
        self.ejects_on_timeouts = None;
        self
    }

    /// [`Explorer::against`] with a [`Factory`], which may build the channel with a future
    /// ([`Factory::future`]); declare how it recovers as for `against`.
    pub fn against_factory(mut self, name: impl Into<String>, factory: impl Into<Factory>) -> Self {
        self.under_test = UnderTest::Custom(Custom::from_factory(name, factory.into()));
        self.spreads = true;
        self.backoff = None;
        self.ejects_on_timeouts = None;
        self
    }

    /// How your balancer recovers, read from the `BalanceConfig` its factory builds with: its
    /// reconnect backoff (how long it may take to try a backend again, which the invariants
    /// allow it) and its `timeouts_to_eject` (whether a backend whose calls time out is taken
    /// out, and so comes back only after a backoff wait).
    pub fn config(self, config: &BalanceConfig) -> Self {
        self.backoff(config.backoff).ejection(config.timeouts_to_eject)
    }

    /// Your balancer's ejection on timeouts, declared (for a balancer not built on jostle's
    /// `BalanceConfig`): how many calls in a row that end at their deadline take a backend
    /// out until it reconnects after a backoff wait; 0 for never (gRPC's round robin).
    pub fn ejection(mut self, timeouts_to_eject: u32) -> Self {
        self.ejects_on_timeouts = Some(timeouts_to_eject > 0);
        self
    }

    /// Your balancer's reconnect backoff, declared (for a balancer not built on jostle's
    /// `BalanceConfig`).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Whether the balancer claims to spread its calls over every backend (the default for
    /// all but `pick_first` and the fallback dialer): if not, `settled` only checks that no
    /// call goes to a withdrawn backend.
    pub fn spreads(mut self, spreads: bool) -> Self {
        self.spreads = spreads;
        self
    }

    /// The seeds to run, one schedule each (default `0..100`).
    pub fn seeds(mut self, seeds: Range<u64>) -> Self {
        self.seeds = seeds;
        self
    }

    /// Start no schedule after this much wall time (default: none); the first seed's schedule
    /// always runs. Unlike a seed range, the schedules it covers depend on the machine.
    pub fn time(mut self, time: Duration) -> Self {
        self.time = Some(time);
        self
    }

    /// The most runs shrinking one finding may take (default [`SHRINK_RUNS`]).
    pub fn shrink_runs(mut self, runs: usize) -> Self {
        self.shrink_runs = runs;
        self
    }

    /// The command of this exploration without its seeds (`jostle explore --balancer NAME
    /// ...`): each written file's origin comment names it with `--seeds S..S+1`, the search
    /// of that file's own seed alone, which writes the same file (default: the explorer in
    /// Rust, and the seed).
    pub fn origin(mut self, command: impl Into<String>) -> Self {
        self.origin = Some(command.into());
        self
    }

    /// How a written file's origin names the search of `seed` alone.
    pub fn origin_of(&self, seed: u64) -> String {
        let end = seed.saturating_add(1);
        match &self.origin {
            Some(command) => format!("{command} --seeds {seed}..{end}"),
            None => format!(
                "jostle_harness::explore::Explorer against {}, seeds {seed}..{end}",
                self.name()
            ),
        }
    }

    /// The balancer's name.
    pub fn name(&self) -> &str {
        match &self.under_test {
            UnderTest::BuiltIn(name) => name,
            UnderTest::Custom(custom) => custom.name(),
        }
    }

    /// Whether its schedules run over TCP on the wall clock (tonic's balancer, which takes
    /// endpoints, not connectors) rather than in memory under the paused clock.
    pub fn wall_clock(&self) -> bool {
        matches!(self.under_test, UnderTest::BuiltIn("tonic_balance_list"))
    }

    /// The schedule of `seed` in this explorer's space.
    pub fn schedule(&self, seed: u64) -> Schedule {
        let schedule = generate::schedule(&self.space, seed);
        // gRPC's profile ignores TTLs: a DNS change is seen only after a failed connection,
        // perhaps never in a run, which no grace can bound (docs/EXPLORE.md).
        if self.profile == Profile::Grpc { schedule.through_stream() } else { schedule }
    }

    /// The scenario file of `schedule` judging `checks`; with `fails`, a story of that flaw.
    /// A custom balancer's file names it (`policy = "custom:NAME"`): `jostle run` refuses it,
    /// `Scenario::against` plays it with its factory.
    pub fn file(&self, schedule: &Schedule, checks: &[&str], fails: &[&str]) -> String {
        let (balancer, tcp) = match &self.under_test {
            UnderTest::BuiltIn(name) => {
                let jostle = jostle::balance::policy::NAMES.contains(name);
                let mut balancer = invariants::balancer(name, jostle);
                if jostle && self.profile != Profile::Jostle {
                    balancer.push_str(&format!("profile = \"{}\"\n", self.profile));
                }
                (balancer, self.wall_clock())
            }
            UnderTest::Custom(custom) => (invariants::own_balancer(custom.name()), false),
        };
        let name = format!("explore: seed {} against {}", schedule.seed, self.name());
        let mut text = schedule.toml(&name, if tcp { "tcp" } else { "in-memory" });
        text.push_str(&balancer);
        text.push_str(&invariants::expect(
            schedule,
            checks,
            (self.spreads, &self.recovery()),
            fails,
        ));
        text
    }

    /// How the balancer recovers, as declared; what is not declared (only before
    /// [`Explorer::run`] refuses it) taken at its widest: explore's [`BACKOFF`], ejecting.
    pub fn recovery(&self) -> Recovery {
        Recovery {
            backoff: self.backoff.unwrap_or(BACKOFF),
            ejects_on_timeouts: self.ejects_on_timeouts.unwrap_or(true),
        }
    }

    /// Plays `text` as `jostle run` would, the report naming `replay`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the text is not a valid scenario; as
    /// [`runner::run_with`] otherwise.
    pub fn play(&self, text: &str, replay: &str) -> Result<RunReport> {
        let scenario = self.scenario(text)?;
        runner::runtime(&scenario)?.block_on(runner::run_with(&scenario, replay, &Progress::new()))
    }

    /// [`Explorer::play`]'s verdicts alone: the same run and checks, without the rest of the
    /// report, which explore does not read.
    pub(super) fn verdicts(&self, text: &str, replay: &str) -> Result<Vec<ExpectationReport>> {
        let scenario = self.scenario(text)?;
        runner::runtime(&scenario)?.block_on(runner::verdicts(&scenario, replay, &Progress::new()))
    }

    /// `text` as a scenario against the balancer under test.
    fn scenario(&self, text: &str) -> Result<Scenario> {
        let scenario =
            Scenario::parse(text, "explore.toml").map_err(|error| Error::InvalidParameter {
                parameter: "schedule",
                expected: "a valid scenario".into(),
                got: error.to_string(),
            })?;
        Ok(match &self.under_test {
            UnderTest::BuiltIn(_) => scenario,
            UnderTest::Custom(custom) => scenario.against_custom(custom.clone()),
        })
    }

    /// The invariants `schedule` breaks, in report order; a panic in the run breaks `no-panic`.
    /// `settled` with no OK call in its window is not counted: the calls of that window failed,
    /// and `avoidable-failures` judges them (a shrinker chasing it would trade the flaw found
    /// for a window emptied of calls).
    fn broken(&self, schedule: &Schedule) -> Result<Vec<String>> {
        let text = self.file(schedule, &INVARIANTS, &[]);
        match self.verdicts(&text, &self.replay(schedule.seed)) {
            Ok(verdicts) => Ok(verdicts
                .iter()
                .filter(|e| !e.passed)
                .filter(|e| !(e.check == "settled" && e.explanation.starts_with(NO_CALLS)))
                .map(|e| e.check.clone())
                .collect()),
            Err(Error::Panicked { .. }) => Ok(vec!["no-panic".to_owned()]),
            Err(error) => Err(error),
        }
    }

    /// What a report of a schedule's run names as the way to replay it: the origin's command
    /// when given ([`Explorer::origin`]), else the built-in balancer's with the space's flags
    /// ([`Space::flags`]), so that it draws the same schedule.
    pub(super) fn replay(&self, seed: u64) -> String {
        match &self.under_test {
            UnderTest::BuiltIn(_) if self.origin.is_some() => self.origin_of(seed),
            UnderTest::BuiltIn(name) => {
                let profile = match self.profile {
                    Profile::Jostle => String::new(),
                    other => format!(" --profile {other}"),
                };
                format!(
                    "jostle explore --balancer {name}{profile}{} --seeds {seed}..{}",
                    self.space.flags(),
                    seed.saturating_add(1)
                )
            }
            UnderTest::Custom(custom) => {
                format!(
                    "Explorer::new(space).against(\"{}\", ..).seeds({seed}..{})",
                    custom.name(),
                    seed + 1
                )
            }
        }
    }

    /// Runs every seed (until the time is up), shrinks the first schedule to break each
    /// invariant (a shrink under way when the time is up stops there, cut short), keeps the
    /// seeds of the others, and calls `progress` with the schedules done after each.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a space out of range or an empty seed range; an error of
    /// the runner that is not the balancer's (a cluster that cannot start).
    pub fn run(&self, mut progress: impl FnMut(u64)) -> Result<Exploration> {
        self.space.validate()?;
        if self.backoff.is_none() {
            return Err(Error::InvalidParameter {
                parameter: "backoff",
                expected: format!(
                    "the reconnect backoff of `{}`, declared with Explorer::config(&BalanceConfig) \
                     or Explorer::backoff: explore's tolerances follow it",
                    self.name()
                ),
                got: "none".into(),
            });
        }
        if self.ejects_on_timeouts.is_none() {
            return Err(Error::InvalidParameter {
                parameter: "ejection",
                expected: format!(
                    "whether `{}` ejects a backend on timeouts, declared with \
                     Explorer::config(&BalanceConfig) or Explorer::ejection(timeouts_to_eject): \
                     explore's tolerances follow it",
                    self.name()
                ),
                got: "none".into(),
            });
        }
        if self.seeds.is_empty() {
            return Err(Error::InvalidParameter {
                parameter: "seeds",
                expected: "a range of at least one seed, A..B with B above A".into(),
                got: format!("{}..{}", self.seeds.start, self.seeds.end),
            });
        }
        let jostle = matches!(self.under_test,
            UnderTest::BuiltIn(name) if jostle::balance::policy::NAMES.contains(&name));
        if self.profile != Profile::Jostle && !jostle {
            return Err(Error::InvalidParameter {
                parameter: "profile",
                expected: format!("a jostle policy as the balancer, not `{}`", self.name()),
                got: self.profile.to_string(),
            });
        }
        let started = Instant::now();
        let deadline = self.time.and_then(|time| started.checked_add(time));
        let mut exploration = Exploration {
            balancer: self.name().to_owned(),
            first_seed: self.seeds.start,
            schedules: 0,
            violated: BTreeMap::new(),
            seeds: BTreeMap::new(),
            findings: Vec::new(),
        };
        // On the wall clock a schedule mostly waits: WALL_CLOCK_BATCH of them play side by side.
        // Their verdicts are taken in seed order, so the findings are those of one at a time.
        let batch = if self.wall_clock() { WALL_CLOCK_BATCH } else { 1 };
        let seeds: Vec<u64> = self.seeds.clone().collect();
        for chunk in seeds.chunks(batch) {
            // The first schedule always runs: a search of zero schedules proves nothing.
            if exploration.schedules > 0
                && deadline.is_some_and(|deadline| Instant::now() >= deadline)
            {
                break;
            }
            let schedules: Vec<Schedule> = chunk.iter().map(|&seed| self.schedule(seed)).collect();
            for (schedule, broken) in schedules.iter().zip(self.broken_each(&schedules)) {
                for invariant in broken? {
                    *exploration.violated.entry(invariant.clone()).or_default() += 1;
                    let seeds = exploration.seeds.entry(invariant.clone()).or_default();
                    if seeds.len() < SEEDS_KEPT {
                        seeds.push(schedule.seed);
                    }
                    if !exploration.findings.iter().any(|f| f.invariant == invariant) {
                        exploration.findings.push(self.shrunk(schedule, &invariant, deadline)?);
                    }
                }
                exploration.schedules += 1;
                progress(exploration.schedules);
            }
        }
        Ok(exploration)
    }

    /// [`Explorer::broken`] of each schedule: one after another, or side by side (a thread
    /// each) for more than one.
    pub(super) fn broken_each(&self, schedules: &[Schedule]) -> Vec<Result<Vec<String>>> {
        if let [schedule] = schedules {
            return vec![self.broken(schedule)];
        }
        std::thread::scope(|scope| {
            let running: Vec<_> = schedules
                .iter()
                .map(|schedule| scope.spawn(move || self.broken(schedule)))
                .collect();
            running
                .into_iter()
                .map(|run| run.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    }

    /// [`Explorer::run`] with no progress report.
    ///
    /// # Errors
    ///
    /// As [`Explorer::run`].
    pub fn run_blocking(&self) -> Result<Exploration> {
        self.run(|_| {})
    }
}
