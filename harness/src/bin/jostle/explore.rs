//! `jostle explore`: searches fault schedules for failures nobody wrote down, shrinks each and
//! writes it as a scenario file; exit 0 when nothing was found, 1 when something was, 2 on bad
//! input. `--shard I/N` (or a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` and
//! `JOB_COMPLETIONS`) searches part of the range; `jostle explore merge` joins the parts.

use crate::findings;
use crate::output::Output;
use crate::say;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jostle::balance::Profile;
use jostle_harness::explore::{Explorer, SHRINK_RUNS, Shard, Space, Summary};
use std::io::IsTerminal;
use std::ops::{Range, RangeInclusive};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The most schedules one run of `jostle explore` may ask for.
const MAX_SCHEDULES: u64 = 10_000_000;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ExploreArgs {
    #[command(subcommand)]
    merge: Option<ExploreCommand>,
    /// The balancer under test, a built-in one (`jostle list`).
    #[arg(long, value_name = "NAME", default_value = "round_robin")]
    balancer: String,
    /// The client defaults of a jostle policy: `jostle` (the default) or `grpc`
    /// (docs/GRPC.md).
    #[arg(long, value_name = "NAME", value_parser = crate::profile::parse)]
    profile: Option<Profile>,
    /// The seeds to run, one schedule each: `A..B` (B excluded, as in Rust), or `A..` with
    /// --budget. Split a range across machines: `0..5000` on one, `5000..10000` on another.
    #[arg(long, value_name = "A..B", value_parser = seeds)]
    seeds: Option<(u64, Option<u64>)>,
    /// How many schedules, from the first seed (1..=10000000; default 100 when --seeds gives
    /// no end).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_SCHEDULES))]
    budget: Option<u64>,
    /// Search part I of N of the seed range (I from 0): contiguous blocks, merged with
    /// `jostle explore merge`. Default: from JOB_COMPLETION_INDEX and JOB_COMPLETIONS when
    /// both are set (a Kubernetes Indexed Job); given with them, they must agree.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Start no schedule after this much wall time, e.g. `10m`, from 1s to 30d (the seeds
    /// covered then depend on the machine; the first schedule always runs).
    #[arg(long, value_name = "DURATION", value_parser = wall_time)]
    time: Option<Duration>,
    /// Where to write each finding's scenario file.
    #[arg(long, value_name = "DIR", default_value = "target/jostle-explore")]
    out: PathBuf,
    /// Also write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    space: crate::explore_space::SpaceArgs,
    /// The most runs shrinking one finding may take (0..=100000; 0 keeps the schedule as drawn).
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    shrink_runs: u64,
}

/// `A..B` or `A..`.
fn seeds(text: &str) -> Result<(u64, Option<u64>), String> {
    let expected = "a seed range A..B (B excluded) or A.., e.g. 0..1000";
    let (a, b) = text.split_once("..").ok_or_else(|| format!("expected {expected}"))?;
    let a: u64 = a.parse().map_err(|_| format!("`{a}` is not a seed; expected {expected}"))?;
    if b.is_empty() {
        return Ok((a, None));
    }
    let b: u64 = b.parse().map_err(|_| format!("`{b}` is not a seed; expected {expected}"))?;
    if b <= a {
        return Err(format!("the range {a}..{b} is empty; expected {expected}"));
    }
    Ok((a, Some(b)))
}

/// The shortest and longest `--time`.
const TIME_RANGE: RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(30 * 24 * 3600);

/// A `--time` within [`TIME_RANGE`].
fn wall_time(text: &str) -> Result<Duration, String> {
    let time = humantime::parse_duration(text).map_err(|error| error.to_string())?;
    if !TIME_RANGE.contains(&time) {
        return Err(format!("`{text}` is out of range; expected a duration from 1s to 30d"));
    }
    Ok(time)
}

#[derive(Debug, clap::Subcommand)]
enum ExploreCommand {
    /// Join the findings folders of every shard of one exploration into the folder one
    /// process over the whole seed range writes.
    Merge(crate::merge::MergeArgs),
}

pub(crate) fn explore(args: &ExploreArgs) -> ExitCode {
    if let Some(ExploreCommand::Merge(merge)) = &args.merge {
        return crate::merge::merge(merge);
    }
    match play(args) {
        Ok(code) => code,
        Err((message, code)) => say::fail(&message, code),
    }
}

fn play(args: &ExploreArgs) -> Result<ExitCode, (String, u8)> {
    let bad = |message: String| (format!("error: {message}"), 2);
    let whole = seed_range(args).map_err(bad)?;
    let shard = shard(args.shard.as_deref(), |name| std::env::var(name).ok()).map_err(bad)?;
    let seeds = match shard {
        Some(shard) => shard.part(&whole).map_err(|error| bad(format!("--shard: {error}")))?,
        None => whole.clone(),
    };
    let space = args.space.space().map_err(bad)?;
    let out = Output::check_folder("--out", &args.out).map_err(bad)?;
    let json = Output::check_json_beside(args.json.as_deref(), &out, &args.out).map_err(bad)?;
    if args.profile.is_some_and(|profile| profile != Profile::Jostle)
        && !jostle::balance::policy::NAMES.contains(&args.balancer.as_str())
    {
        return Err(bad(format!(
            "--profile: a profile applies to jostle policies only, not to `{}`",
            args.balancer
        )));
    }
    let origin = command(args, &space);
    let mut explorer = Explorer::new(space)
        .balancer(&args.balancer)
        .map_err(|error| bad(format!("--balancer: {error}")))?
        .profile(args.profile.unwrap_or_default())
        .seeds(seeds.clone())
        .shrink_runs(usize::try_from(args.shrink_runs).unwrap_or(usize::MAX))
        .origin(origin.clone());
    if let Some(time) = args.time {
        explorer = explorer.time(time);
    }
    let total = seeds.end - seeds.start;
    let bar = bar(total);
    let started = Instant::now();
    let found = explorer.run(|done| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let found = found.map_err(|error| (format!("error: the exploration failed: {error}"), 1))?;
    let elapsed = started.elapsed();
    let summary = Summary::new(&found, &origin, whole, shard);
    let texts: Vec<String> = found.findings.iter().map(|f| f.file.clone()).collect();
    let files = findings::write(&args.out, &summary, &texts)?;
    findings::print(&summary, &files, &args.out, Some(elapsed))
        .map_err(|why| (format!("error: cannot write to stdout: {why}"), 1))?;
    if let Some(json) = json {
        json.write(&findings::json(&summary, &files))
            .map_err(|error| (format!("error: cannot write {}: {error}", json.name()), 1))?;
    }
    Ok(if found.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The seeds the flags ask for.
fn seed_range(args: &ExploreArgs) -> Result<Range<u64>, String> {
    let (start, end) = args.seeds.unwrap_or((0, None));
    let range = match (end, args.budget) {
        (Some(end), None) => start..end,
        (Some(end), Some(budget)) => start..end.min(start.saturating_add(budget)),
        (None, budget) => start..start.saturating_add(budget.unwrap_or(100)),
    };
    if range.is_empty() {
        return Err(format!(
            "--seeds {}.. with --budget {} is empty: no seed lies between {} and u64::MAX; \
             expected at least one schedule to run",
            range.start,
            args.budget.unwrap_or(100),
            range.start
        ));
    }
    if range.end - range.start > MAX_SCHEDULES {
        return Err(format!(
            "--seeds {}..{} is {} schedules; expected at most {MAX_SCHEDULES}",
            range.start,
            range.end,
            range.end - range.start
        ));
    }
    Ok(range)
}

/// The shard `--shard` or the environment (`env`) asks for; the error line to print when they
/// disagree, or when only one of the two variables is set.
fn shard(
    flag: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, String> {
    let given = flag
        .map(|text| Shard::parse(text).map_err(|error| format!("--shard: {error}")))
        .transpose()?;
    let (index, count) = (env("JOB_COMPLETION_INDEX"), env("JOB_COMPLETIONS"));
    let from_env = match (&index, &count) {
        (None, None) => None,
        (Some(index), Some(count)) => {
            Some(Shard::parse(&format!("{index}/{count}")).map_err(|error| {
                format!("JOB_COMPLETION_INDEX={index}, JOB_COMPLETIONS={count}: {error}")
            })?)
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(format!(
                "{} is set but {} is not; expected both (a shard of an Indexed Job: set \
                 JOB_COMPLETIONS to the Job's completions) or neither",
                if index.is_some() { "JOB_COMPLETION_INDEX" } else { "JOB_COMPLETIONS" },
                if index.is_some() { "JOB_COMPLETIONS" } else { "JOB_COMPLETION_INDEX" },
            ));
        }
    };
    match (given, from_env) {
        (Some(given), Some(from_env)) if given != from_env => Err(format!(
            "--shard {given} and JOB_COMPLETION_INDEX/JOB_COMPLETIONS {from_env} disagree; \
             expected one shard: drop --shard or unset the variables"
        )),
        (given, from_env) => Ok(given.or(from_env)),
    }
}

/// The command line without its seeds and shard: the findings' origin comments give it with
/// each one's own seed, and the shards of one exploration share it. The space is given by its
/// flags ([`Space::flags`]): the command draws the same schedules.
fn command(args: &ExploreArgs, space: &Space) -> String {
    let profile = args.profile.map(|profile| format!(" --profile {profile}")).unwrap_or_default();
    let mut line = format!("jostle explore --balancer {}{profile}{}", args.balancer, space.flags());
    if args.shrink_runs != SHRINK_RUNS as u64 {
        line.push_str(&format!(" --shrink-runs {}", args.shrink_runs));
    }
    line
}

/// A bar over `total` schedules on stderr, when it is a terminal.
fn bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("explore [{wide_bar}] {pos}/{len} schedules {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    Some(bar)
}
