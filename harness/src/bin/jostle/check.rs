//! `jostle check` and `jostle list`: scenario files validated without running them, and the
//! fixtures and built-in balancers listed.

use crate::say::{self, escaped, fail};
use jostle_harness::conformance::Battery;
use jostle_harness::scenario::{self, BALANCERS};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The scenario files (TOML; docs/SCENARIOS.md).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Where the fixtures are. Default: ./fixtures if it holds scenario files, else the
    /// workspace's fixtures/.
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
}

/// Exit 2 when a file is invalid or cannot be read (bad input, whichever), else 1 when stdout
/// could not be written, else 0. Every file is checked whatever stdout does.
pub(crate) fn check(args: &CheckArgs) -> ExitCode {
    let mut bad_input = false;
    let mut lost = None;
    for file in &args.files {
        match scenario::load_all(file) {
            Ok(_) => {
                if lost.is_none() {
                    lost = say::line(format_args!("{}: ok", escaped(&file.display().to_string())))
                        .err();
                }
            }
            Err(errors) => {
                bad_input = true;
                for error in errors {
                    say::error(&format!("error: {error}"));
                }
            }
        }
    }
    match (bad_input, lost) {
        (true, _) => ExitCode::from(2),
        (false, Some(why)) => say::stdout_lost(&why),
        (false, None) => ExitCode::SUCCESS,
    }
}

pub(crate) fn list(args: ListArgs) -> ExitCode {
    let directory = args.fixtures.unwrap_or_else(fixtures_directory);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&directory) {
        Ok(entries) => entries
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
            .collect(),
        Err(error) => {
            return fail(&format!("error: cannot read {}: {error}", directory.display()), 2);
        }
    };
    files.sort();
    let mut lines: Vec<(&str, String, String)> = files
        .iter()
        .map(|file| {
            let about = match scenario::load(file) {
                Ok(story) => story.name().to_owned(),
                Err(error) => format!("(invalid: {error})"),
            };
            ("fixture", file.display().to_string(), about)
        })
        .collect();
    lines.extend(
        Battery::ALL
            .into_iter()
            .map(|battery| ("battery", battery.path(), battery.scenario().name().to_owned())),
    );
    lines.extend(
        BALANCERS.iter().map(|(name, about)| ("balancer", (*name).to_owned(), (*about).to_owned())),
    );
    let width = lines.iter().map(|(_, name, _)| name.chars().count()).max().unwrap_or(0);
    for (what, name, about) in lines {
        if let Err(why) = say::line(format_args!("{what:<9} {name:<width$}  {}", escaped(&about))) {
            return say::stdout_lost(&why);
        }
    }
    ExitCode::SUCCESS
}

/// ./fixtures when run from the workspace root (a folder holding scenario files of its own, not
/// only the harness package's `fixtures/battery/`), else the workspace's own.
fn fixtures_directory() -> PathBuf {
    let here = PathBuf::from("fixtures");
    let holds_stories = std::fs::read_dir(&here).is_ok_and(|entries| {
        entries.flatten().any(|entry| entry.path().extension().is_some_and(|e| e == "toml"))
    });
    if holds_stories {
        return here;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("fixtures")
}
