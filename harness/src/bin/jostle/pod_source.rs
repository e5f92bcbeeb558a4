//! Where `jostle drive` finds the pods, again and again while it plays: a name whose DNS answer
//! lists every pod (`--pods NAME:PORT`, a headless Service), or a file of `ADDR:PORT` lines
//! (`--pods-file FILE`, written by a sidecar or a test). Both give the same thing, the pods'
//! control addresses sorted, and [`follow`] re-reads either the same way.

use crate::say;
use jostle_harness::serve::{Fleet, Plane};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The most bytes a `--pods-file` may hold.
const MAX_FILE: u64 = 64 * 1024;

/// The range of `--resolve-every`.
pub(crate) const EVERY: std::ops::RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(600);

/// Where the pods are found.
#[derive(Debug, Clone)]
pub(crate) enum PodSource {
    /// `--pods NAME:PORT`: every address the name resolves to.
    Dns(String),
    /// `--pods-file FILE`: every `ADDR:PORT` line.
    File(PathBuf),
}

impl PodSource {
    /// The pods' control addresses now, sorted and without repeats; or the error line to print.
    pub(crate) async fn resolve(&self) -> Result<Vec<SocketAddr>, String> {
        let mut addresses = match self {
            PodSource::Dns(name) => tokio::net::lookup_host(name)
                .await
                .map_err(|error| format!("error: --pods {name}: cannot resolve it: {error}"))?
                .collect(),
            PodSource::File(path) => read(path)?,
        };
        addresses.sort_unstable();
        addresses.dedup();
        if addresses.is_empty() {
            return Err(format!("error: {}: no address; expected one per pod", self.flag()));
        }
        Ok(addresses)
    }

    /// The flag and its value, as an error names them.
    fn flag(&self) -> String {
        match self {
            PodSource::Dns(name) => format!("--pods {name}"),
            PodSource::File(path) => format!("--pods-file {}", path.display()),
        }
    }
}

/// The addresses of the file at `path`: one `ADDR:PORT` a line (`10.0.0.7:7000`,
/// `[fd00::7]:7000`), blank lines and `#` comments skipped; an error names FILE:LINE:COLUMN.
fn read(path: &std::path::Path) -> Result<Vec<SocketAddr>, String> {
    use std::io::Read;
    let name = path.display();
    let file = std::fs::File::open(path)
        .map_err(|error| format!("error: --pods-file {name}: cannot read it: {error}"))?;
    let mut text = String::new();
    file.take(MAX_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|error| format!("error: --pods-file {name}: cannot read it: {error}"))?;
    if text.len() as u64 > MAX_FILE {
        return Err(format!(
            "error: --pods-file {name}: over {MAX_FILE} bytes; expected one ADDR:PORT a line"
        ));
    }
    let mut addresses = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default();
        let given = content.trim();
        if given.is_empty() {
            continue;
        }
        let column = content.len() - content.trim_start().len() + 1;
        let address: SocketAddr = given.parse().map_err(|_| {
            format!(
                "error: {name}:{}:{column}: `{given}` is not ADDR:PORT; expected an IP address \
                 and a port, one a line (10.0.0.7:7000, [fd00::7]:7000)",
                number + 1
            )
        })?;
        if address.port() == 0 {
            return Err(format!(
                "error: {name}:{}:{column}: port 0; expected a port from 1 to 65535",
                number + 1
            ));
        }
        addresses.push(address);
    }
    Ok(addresses)
}

/// Resolves `source` every `every` and has `fleet` follow what it gives, for as long as it is
/// polled; an answer that fails (a name that does not resolve for a while, a file being
/// rewritten) is skipped, the pods kept.
pub(crate) async fn follow(fleet: &Fleet, source: &PodSource, every: Duration) -> Infallible {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is at once: the pods were just resolved
    let (mut changes, mut moved) = (0, 0);
    loop {
        tick.tick().await;
        match source.resolve().await {
            Ok(addresses) => fleet.follow(&addresses).await,
            Err(message) => tracing::warn!(%message, "drive: the pods' source gave no answer"),
        }
        // Said as it happens, and again in the report.
        let followed = fleet.followed();
        followed.changes.iter().skip(changes).for_each(|change| say::error(&change.to_string()));
        followed.moved.iter().skip(moved).for_each(|one| say::error(&one.to_string()));
        (changes, moved) = (followed.changes.len(), followed.moved.len());
    }
}
