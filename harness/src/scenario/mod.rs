//! Scenario files: a failure story in TOML (cluster, balancer, load, fault timeline,
//! expectations), parsed and checked with every error located as `FILE:LINE:COLUMN`.
//!
//! Every field is documented in docs/SCENARIOS.md; fixtures/ holds real stories. The one
//! runner, [`runner`](crate::runner), plays a checked [`Scenario`] against its balancer, a
//! built-in one or yours ([`Scenario::against`]); `jostle run`'s flags are
//! [`Scenario::with_seed`], [`Scenario::with_transport`] and [`Scenario::with_balancer`].
//!
//! ```
//! use jostle_harness::fault::{Backends, Fault};
//! use jostle_harness::load::Pace;
//! use jostle_harness::scenario::{self, BalancerChoice};
//! use std::time::Duration;
//!
//! let text = r#"
//! name = "one replica restarts"
//! seed = 7
//!
//! [cluster]
//! backends = 3
//!
//! [balancer]
//! policy = "round_robin"
//!
//! [load]
//! rate = 200
//! duration = "5s"
//! deadline = "500ms"
//!
//! [[fault]]
//! at = "1s"
//! target = [1]
//! kind = "restart"
//! down_for = "1s"
//!
//! [expect]
//! max_failure_rate = 0.01
//! shares = [{ backend = 1, at_least = 0.2, after = "3s" }]
//! "#;
//! let scenario = scenario::parse(text, "restart.toml")?;
//! assert_eq!(scenario.backends(), 3);
//! assert!(matches!(scenario.balancer(), BalancerChoice::Jostle { policy: "round_robin", .. }));
//! assert_eq!(scenario.load_spec().pace, Pace::Open { per_second: 200.0 });
//! let restart = &scenario.injections()[0];
//! assert_eq!(restart.fault, Fault::Restart { down_for: Duration::from_secs(1) });
//! assert_eq!(restart.target, Backends::One(1));
//!
//! let typo = scenario::parse(&text.replace("\"restart\"", "\"restrat\""), "restart.toml");
//! let message = typo.unwrap_err().to_string();
//! assert!(message.starts_with("restart.toml:19:8: unknown fault `restrat`; expected one of "));
//! assert!(message.ends_with("; did you mean `restart`?"));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

mod balancer;
mod discovery;
mod duration;
mod error;
mod expect;
mod expect_explore;
mod expect_incident;
mod expect_window;
mod expectations;
mod expected;
mod fault;
mod latency;
mod load;
mod one_fault;
mod overrides;
mod parameters;
mod places;
mod raw;
mod read;
mod spec;
mod suggest;
mod target;
mod values;
mod via;
mod window;

pub use balancer::{
    BALANCERS, BalancerChoice, CUSTOM_PREFIX, Custom, MAX_TIMEOUTS_TO_EJECT, NeedsFactory, NeedsTcp,
};
pub use discovery::{Discovery, DiscoveryChange};
pub use error::ScenarioError;
pub use expectations::{
    CHECKS, ConvergenceExpectation, Distribution, Expectations, FallbackExpectation,
    LatencyExpectation, LatencyOf, MaxShareExpectation, RecoveryExpectation,
    ServedNothingExpectation, SettledExpectation, ShareExpectation,
};
pub use expected::Expected;
pub use latency::Latencies;
pub use one_fault::fault_table;
pub use read::{MAX_FILE_BYTES, kind as file_kind};
pub use spec::{MAX_BACKENDS, Scenario};
pub use via::{DEFAULT_MIN_TTL, DEFAULT_TTL, MAX_MIN_TTL, MAX_TTL, MIN_MIN_TTL, Via};

use error::Source;
use std::path::Path;
pub(crate) use suggest::toml_string;

impl Scenario {
    /// Reads, parses and checks the scenario at `path` ([`load`]).
    ///
    /// # Errors
    ///
    /// [`ScenarioError`]: the file cannot be read, or the first thing wrong in it, located.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        load(path)
    }

    /// Parses and checks `text`; `file` names it in errors ([`parse`]).
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Invalid`]: the first thing wrong in it, located.
    pub fn parse(text: &str, file: &str) -> Result<Self, ScenarioError> {
        parse(text, file)
    }
}

/// Parses and checks a scenario; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let source = Source::new(file, text);
    let raw = toml::from_str(text).map_err(|error| source.toml_error(&error))?;
    Scenario::from_raw(raw, &source)
}

/// Like [`parse`], with every error of the file in file order, not only the first. A file
/// that is not valid TOML, or whose fields have the wrong type or name, gives one error (the
/// TOML reader stops there); past that, each section is checked on its own.
///
/// ```
/// let text = std::fs::read_to_string("../fixtures/article-restart.toml").unwrap();
/// let broken = text.replace("backends = 3", "backends = 0").replace("\"restart\"", "\"restrat\"");
/// let errors = jostle_harness::scenario::parse_all(&broken, "story.toml").unwrap_err();
/// assert_eq!(errors.len(), 2, "the backend count and the fault kind: {errors:?}");
/// assert!(errors[0].to_string().contains("`backends` is 0"));
/// assert!(errors[1].to_string().contains("did you mean `restart`?"));
/// ```
pub fn parse_all(text: &str, file: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let source = Source::new(file, text);
    let raw = toml::from_str(text).map_err(|error| vec![source.toml_error(&error)])?;
    Scenario::from_raw_all(raw, &source)
}

/// Reads, parses and checks the scenario at `path`; errors name the path as given. Only a
/// regular file of at most [`MAX_FILE_BYTES`] of UTF-8 text is read.
pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
    load_all(path).map_err(|mut errors| errors.swap_remove(0))
}

/// [`load`], also handing back the file's text (for a reader of its raw tables, such as
/// `serve::Timeline::of`, feature `serve`): the file is read once.
///
/// # Errors
///
/// As [`load`].
pub fn load_with_text(path: impl AsRef<Path>) -> Result<(Scenario, String), ScenarioError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let text = read::text(path, &file)?;
    let scenario = parse_all(&text, &file).map_err(|mut errors| errors.swap_remove(0))?;
    Ok((scenario, text))
}

/// Like [`load`], with every error of the file ([`parse_all`]).
pub fn load_all(path: impl AsRef<Path>) -> Result<Scenario, Vec<ScenarioError>> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let text = read::text(path, &file).map_err(|error| vec![error])?;
    parse_all(&text, &file)
}
