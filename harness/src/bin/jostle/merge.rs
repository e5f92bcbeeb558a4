//! `jostle explore merge DIR... --out DIR [--json FILE]`: joins the findings folders of every
//! shard of one exploration into the folder, and the summary, that one process over the whole
//! seed range writes. Everything is read and checked before anything is written: exit 2 on
//! shards that are not one exploration (overlapping, missing, cut short, of other parameters)
//! or an `--out` that is one of them; else exit 1 when something was found, 0 when not.

use crate::findings;
use crate::output::Output;
use crate::say;
use jostle_harness::explore::{SHARD_SUMMARY, Summary, merge as join};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The largest `shard.json` read (a summary keeps at most 1,000 seeds per invariant: far
/// below this).
const MAX_SUMMARY_BYTES: u64 = 16 << 20;

/// The largest finding file read.
const MAX_FINDING_BYTES: u64 = 4 << 20;

#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// The shards' findings folders (each `jostle explore --shard I/N --out DIR`), in any
    /// order.
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the merged findings: a new folder, or one that is none of the shards'.
    #[arg(long, value_name = "DIR", required = true)]
    out: PathBuf,
    /// Also write the merged summary as JSON to this file (outside --out).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub(crate) fn merge(args: &MergeArgs) -> ExitCode {
    match play(args) {
        Ok(code) => code,
        Err((message, code)) => say::fail(&message, code),
    }
}

fn play(args: &MergeArgs) -> Result<ExitCode, (String, u8)> {
    let bad = |message: String| (format!("error: {message}"), 2);
    let out = Output::check_folder("--out", &args.out).map_err(bad)?;
    let out_at = settled(&out);
    let mut parts = Vec::new();
    for dir in &args.dirs {
        let at = std::fs::canonicalize(dir).ok().filter(|at| at.is_dir()).ok_or_else(|| {
            bad(format!("{}: not a folder; expected a shard's --out", dir.display()))
        })?;
        if out_at.starts_with(&at) || at.starts_with(&out_at) {
            return Err(bad(format!(
                "--out {} is (or holds, or lies in) the shard folder {}; expected a folder apart \
                 from every shard",
                args.out.display(),
                dir.display()
            )));
        }
        parts.push(read_summary(dir).map_err(bad)?);
    }
    let json = Output::check_json_beside(args.json.as_deref(), &out, &args.out).map_err(bad)?;
    let (merged, from) = join(&parts).map_err(|error| bad(error.to_string()))?;
    let mut texts = Vec::new();
    for (finding, &at) in merged.findings.iter().zip(&from) {
        let path = args.dirs[at].join(merged.finding_name(finding));
        texts.push(read_bounded(&path, MAX_FINDING_BYTES).map_err(bad)?);
    }
    let files = findings::write(&args.out, &merged, &texts)?;
    findings::print(&merged, &files, &args.out, None)
        .map_err(|why| (format!("error: cannot write to stdout: {why}"), 1))?;
    if let Some(json) = json {
        json.write(&findings::json(&merged, &files))
            .map_err(|error| (format!("error: cannot write {}: {error}", json.name()), 1))?;
    }
    Ok(if merged.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `path` with its symlinks and `..` settled, as far as it exists.
fn settled(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
}

/// The shard summary in `dir`, or the error to print (the place of a JSON error named).
fn read_summary(dir: &Path) -> Result<Summary, String> {
    let path = dir.join(SHARD_SUMMARY);
    let text = read_bounded(&path, MAX_SUMMARY_BYTES)?;
    serde_json::from_str(&text).map_err(|error| {
        format!(
            "{}:{}:{}: {error}; expected the summary `jostle explore --shard` writes \
             (docs/EXPLORE.md)",
            path.display(),
            error.line(),
            error.column()
        )
    })
}

/// The text of `path`, at most `limit` bytes, or the error to print.
fn read_bounded(path: &Path, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|error| {
        format!("{}: cannot read it: {error}; expected a shard's findings folder", path.display())
    })?;
    let mut text = String::new();
    file.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(|error| format!("{}: cannot read it: {error}", path.display()))?;
    if text.len() as u64 > limit {
        return Err(format!(
            "{}: larger than {limit} bytes; expected a shard's file",
            path.display()
        ));
    }
    Ok(text)
}
