//! The findings folder of `jostle explore` and `jostle explore merge`: each finding's file,
//! each broken invariant's seeds, a shard's `shard.json`; and the summary a person reads. One
//! home, so that a merge writes the same bytes as one process.

use crate::output::Output;
use crate::say;
use jostle_harness::explore::{SHARD_SUMMARY, Summary};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Writes the folder `out`: `findings` (each finding's file text, in the summary's order),
/// the seeds of each broken invariant and, for a shard, its summary. The paths of the
/// findings' files, in order; or the error line to print.
pub(crate) fn write(
    out: &Path,
    summary: &Summary,
    findings: &[String],
) -> Result<Vec<PathBuf>, (String, u8)> {
    let mut files: Vec<(String, &str)> = Vec::new();
    for (finding, text) in summary.findings.iter().zip(findings) {
        files.push((summary.finding_name(finding), text));
    }
    let seeds = summary.seeds_files();
    files.extend(seeds.iter().map(|(name, text)| (name.clone(), text.as_str())));
    let shard = summary.shard.map(|_| {
        let mut text = serde_json::to_string_pretty(summary).unwrap_or_default();
        text.push('\n');
        text
    });
    if let Some(text) = &shard {
        files.push((SHARD_SUMMARY.into(), text));
    }
    for (name, text) in files {
        let path = out.join(name);
        let output =
            Output::check("--out", &path, &[]).map_err(|why| (format!("error: {why}"), 1))?;
        output
            .write(text)
            .map_err(|error| (format!("error: cannot write {}: {error}", path.display()), 1))?;
    }
    Ok(summary.findings.iter().map(|f| out.join(summary.finding_name(f))).collect())
}

/// `summary` as `--json` writes it: each finding's `file` the path written.
pub(crate) fn json(summary: &Summary, files: &[PathBuf]) -> String {
    let mut summary = summary.clone();
    for (finding, file) in summary.findings.iter_mut().zip(files) {
        finding.file = file.display().to_string();
    }
    let mut text = serde_json::to_string_pretty(&summary).unwrap_or_default();
    text.push('\n');
    text
}

/// The summary a person reads; `elapsed`, the time the schedules took, when one process ran
/// them.
pub(crate) fn print(
    summary: &Summary,
    files: &[PathBuf],
    out: &Path,
    elapsed: Option<Duration>,
) -> std::io::Result<()> {
    let range = format!("seeds {}..{}", summary.first_seed, summary.first_seed + summary.schedules);
    let shard = summary.shard.map(|shard| format!(", shard {shard}")).unwrap_or_default();
    match elapsed {
        Some(elapsed) => {
            let seconds = elapsed.as_secs_f64();
            say::line(format_args!(
                "explored {} schedules against {} ({range}{shard}) in {seconds:.1} s, {:.1} per second",
                summary.schedules,
                summary.balancer,
                summary.schedules as f64 / seconds.max(1e-9)
            ))?;
        }
        None => say::line(format_args!(
            "explored {} schedules against {} ({range}), merged",
            summary.schedules, summary.balancer
        ))?,
    }
    if summary.violated.is_empty() {
        return say::line("no invariant broken");
    }
    for (invariant, count) in &summary.violated {
        say::line(format_args!(
            "  {invariant}: broken by {count} of {} schedules; seeds: {}",
            summary.schedules,
            out.join(summary.seeds_name(invariant)).display()
        ))?;
    }
    for (finding, file) in summary.findings.iter().zip(files) {
        let (a, b) = (finding.found, finding.shrunk);
        let cut = if finding.cut_short { ", cut short by --time" } else { "" };
        say::line("")?;
        say::line(format_args!("finding: `{}` at seed {}", finding.invariant, finding.seed))?;
        say::line(format_args!(
            "  drawn:  {} backends, {} faults, {} discovery changes, {} calls/s for {} ms ({} bytes)",
            a.backends, a.faults, a.changes, a.rate, a.duration_ms, a.bytes
        ))?;
        say::line(format_args!(
            "  shrunk: {} backends, {} faults, {} discovery changes, {} calls/s for {} ms ({} bytes), in {} runs{cut}",
            b.backends, b.faults, b.changes, b.rate, b.duration_ms, b.bytes, finding.shrink_runs
        ))?;
        say::line(format_args!("  {}", finding.explanation))?;
        say::line(format_args!("  file:   {}", file.display()))?;
        say::line(format_args!("  replay: jostle run {}", file.display()))?;
    }
    Ok(())
}
