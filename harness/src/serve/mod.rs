//! Serve: a scenario's fault and discovery timelines played on the wall clock against
//! backends that clients elsewhere call, and judged from the backends' own records. One player
//! ([`play`]) over one interface ([`Plane`]): a cluster in this process ([`Local`], `jostle
//! serve --scenario`) or `jostle serve` pods reached through their control APIs ([`Fleet`],
//! `jostle drive`). docs/SERVE.md is the guide.
//!
//! ```
//! use jostle_harness::cluster::Cluster;
//! use jostle_harness::control::Controller;
//! use jostle_harness::net::Transport;
//! use jostle_harness::proto::order_service_client::OrderServiceClient;
//! use jostle_harness::sample::create_order_request;
//! use jostle_harness::scenario::Scenario;
//! use jostle_harness::serve::{self, Local, Plane, Timeline, Verdict};
//! use std::sync::Arc;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let text = r#"
//! name = "backend-1 answers Unavailable for a while"
//! [balancer]
//! policy = "round_robin" # the client under test is elsewhere: serve plays no balancer
//! [cluster]
//! backends = 2
//! [load]
//! rate = 100
//! duration = "600ms"
//! [[fault]]
//! kind = "status"
//! target = [1]
//! at = "100ms"
//! for = "200ms"
//! code = "Unavailable"
//! probability = 1
//! [expect]
//! max_shares = [{ backend = 0, at_most = 1.0 }]
//! "#;
//! let scenario = Scenario::parse(text, "story.toml")?;
//! let timeline = Timeline::of(&scenario, text)?;
//! let cluster = Cluster::builder().backends(2).transport(Transport::Tcp).start().await?;
//! let plane = Local::new(Arc::new(Controller::new(Arc::new(cluster))));
//!
//! // The client under test is anyone's: here, calls to backend-0 while the timeline plays.
//! let address = plane.describe()[0].address.clone();
//! let client = async {
//!     let mut client = OrderServiceClient::connect(format!("http://{address}")).await.unwrap();
//!     for id in 0..20 {
//!         client.create_order(create_order_request(id)).await.unwrap();
//!     }
//! };
//! let (played, ()) = tokio::join!(serve::play(&plane, &timeline, timeline.end, std::future::pending()), client);
//! let report = serve::judged(&scenario, &timeline, &plane, played?, "this example");
//! assert_eq!(report.played.counters[0].served, 20, "backend-0 counts every call it served");
//! assert_eq!(report.played.windows.len(), 1, "one fault window, on backend-1");
//! assert_eq!(report.verdict, Verdict::AsExpected, "{report}");
//! # Ok(())
//! # }
//! ```

mod fleet;
mod follow;
mod follow_pods;
mod held;
mod judge;
mod plane;
mod play;
mod pod;
mod records;
mod report;
mod restart;
mod samples;
mod timeline;

pub use fleet::Fleet;
pub use follow::{Followed, Missed, Moved, PodChange, Unanswered};
pub use judge::{NotJudged, judge};
pub use plane::{Described, Local, Plane};
pub use play::{Ended, Played, play};
pub use records::{server_side, with_records};
pub use report::{ServedReport, Verdict, window_json};
pub use samples::{Between, Count, EVERY as SAMPLE_EVERY, MAX_COUNTS, Samples};
pub use timeline::{Action, Step, Timeline};

use crate::check::Context;
use crate::scenario::{Scenario, ScenarioError};
use std::path::Path;

/// What can go wrong while playing a timeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlayError {
    /// The scenario's timeline cannot be played here.
    #[error("{0}")]
    Timeline(String),
    /// A control API refused a step, or failed.
    #[error("the control API of {at} answered {code:?}: {message}")]
    Control {
        /// Whose control API.
        at: String,
        /// The status code.
        code: tonic::Code,
        /// Its message.
        message: String,
    },
    /// A control API could not be reached.
    #[error("cannot reach the control API at {address}: {message}")]
    Unreachable {
        /// Where.
        address: String,
        /// Why.
        message: String,
    },
}

/// Why a scenario file cannot be served: its own error (located), or its timeline's.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read, or something in it is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Its timeline cannot be played on served backends.
    #[error(transparent)]
    Timeline(#[from] PlayError),
}

/// The scenario at `path` and its timelines, the file read once (as
/// [`scenario::load`](crate::scenario::load) reads it).
///
/// # Errors
///
/// [`LoadError`]: the scenario's error, or the timeline's.
pub fn load(path: &Path) -> Result<(Scenario, Timeline), LoadError> {
    let (scenario, text) = crate::scenario::load_with_text(path)?;
    let timeline = Timeline::of(&scenario, &text)?;
    Ok((scenario, timeline))
}

impl PlayError {
    pub(crate) fn control(at: &str, status: &tonic::Status) -> Self {
        PlayError::Control {
            at: at.to_owned(),
            code: status.code(),
            message: status.message().to_owned(),
        }
    }
}

/// The report of `played` (a play of `timeline`, the timelines of `scenario`, on `plane`):
/// every backend's records, and the expectations judged from them. `replay` is the command a
/// check's message gives to play it again.
pub fn judged<P: Plane>(
    scenario: &Scenario,
    timeline: &Timeline,
    plane: &P,
    played: Played,
    replay: &str,
) -> ServedReport {
    let backends = plane.describe();
    let names: Vec<String> = backends.iter().map(|backend| backend.name.clone()).collect();
    let histogram =
        names.iter().cloned().zip(played.counters.iter().map(|counters| counters.served)).collect();
    let context = Context { histogram, seed: scenario.seed(), replay: replay.to_owned() };
    let verdicts = judge(scenario.expect(), timeline, &played, &names, &context);
    ServedReport::new(
        scenario.name(),
        scenario.seed(),
        backends,
        timeline,
        played,
        scenario.expect(),
        verdicts,
    )
}
