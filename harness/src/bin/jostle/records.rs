//! `jostle serve --calls FILE`: the client's call records, read once the client has written
//! them after the scenario's end: the path checked before serving, then awaited (a new file,
//! or the old one replaced or changed), bounded by --calls-wait.

use crate::output::Output;
use jostle_harness::calls::{self, Fit};
use jostle_harness::load::CallLog;
use jostle_harness::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the path is looked at while waiting for the client's records.
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// The longest --calls-wait.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(3600);

/// The records file a client will write, and what was at its path before serving began.
#[derive(Debug)]
pub(crate) struct Awaited {
    path: PathBuf,
    before: Option<Stamp>,
}

/// What tells a file from its next version: its inode, length and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some(Stamp { inode: metadata.ino(), len: metadata.len(), modified: metadata.modified().ok() })
}

impl Awaited {
    /// Checks `path` as the place a client will write to (a regular file or a new path in a
    /// folder, not one of `inputs`, not `json`), and notes what is there now.
    pub(crate) fn check(
        path: &Path,
        inputs: &[&Path],
        json: Option<&Output>,
    ) -> Result<Self, String> {
        let output = Output::check("--calls", path, inputs)?;
        if let Some(json) = json.filter(|json| json.same_as(&output)) {
            return Err(format!(
                "{} and {} are the same file; expected one file each",
                json.name(),
                output.name()
            ));
        }
        Ok(Self { path: path.to_owned(), before: stamp(path) })
    }

    /// Waits at most `wait` for the client to have written its records (a file other than
    /// the one there when serving began, whole: clients write a file beside it and rename it
    /// over), then reads them for `scenario`. The error is the line to print.
    pub(crate) async fn read(
        &self,
        scenario: &Scenario,
        wait: Duration,
    ) -> Result<CallLog, String> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let now = stamp(&self.path);
            if now.is_some() && now != self.before {
                break;
            }
            if tokio::time::Instant::now() >= until {
                return Err(format!(
                    "--calls {}: no records written within {} (--calls-wait); expected the \
                     client to write them there when its load ends",
                    self.path.display(),
                    humantime::format_duration(wait)
                ));
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
        let names: Vec<String> = (0..scenario.backends()).map(|i| format!("backend-{i}")).collect();
        let fit = Fit {
            clients: scenario.clients(),
            backends: &names,
            deadline: scenario.load_spec().deadline,
        };
        calls::read(&self.path, &fit).map_err(|error| error.to_string())
    }
}
