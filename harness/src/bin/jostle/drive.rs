//! `jostle drive`: plays a scenario file's fault timeline through the control APIs of `jostle
//! serve` pods elsewhere (backend `i` of the file is the `i`-th pod), while clients send the
//! load, and reports it from the pods' own counters (docs/KUBERNETES.md, docs/SERVE.md).

use crate::output::Output;
use crate::pod_source::{self, PodSource};
use crate::say::{self, fail};
use jostle_harness::control;
use jostle_harness::scenario::Scenario;
use jostle_harness::serve::{self, Fleet, LoadError, Timeline, Verdict};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The most pods a fleet may have: a scenario's backends at most.
const MAX_PODS: usize = jostle_harness::cluster::MAX_BACKENDS;

#[derive(Debug, clap::Args)]
pub(crate) struct DriveArgs {
    /// The scenario file whose fault timeline to play.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Each pod's control address (`host:port`), in backend order: the first is the file's
    /// backend 0. Repeat the flag, or separate with commas. One per backend of the file.
    #[arg(long, value_name = "ADDR", value_delimiter = ',')]
    control: Vec<SocketAddr>,
    /// Instead of --control: a name and port (`orders-control.default.svc:7000`) whose DNS
    /// answer lists every pod (a headless Service); the pods are taken in address order, and
    /// the name is resolved again every --resolve-every: a replaced pod is followed.
    #[arg(long, value_name = "NAME:PORT", conflicts_with = "control")]
    pods: Option<String>,
    /// Instead of --control or --pods: a file listing every pod's control address, one
    /// `ADDR:PORT` a line (`#` comments), read again every --resolve-every as --pods is
    /// resolved again; replace it whole (write another, rename it over) to change the pods.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["control", "pods"])]
    pods_file: Option<PathBuf>,
    /// How often --pods or --pods-file is read again while driving, from 100ms to 10m.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "1s")]
    resolve_every: Duration,
    /// The token the pods' control APIs require; default: the JOSTLE_CONTROL_TOKEN
    /// environment variable, else none.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Stop after this long (`30s`, `5m`) instead of at the end of the file's load.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    duration: Option<Duration>,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

/// Exit 0 when the pods' records show what the file expects (or nothing could be judged from
/// the server side), 1 when they do not or a pod fails, 2 on bad input (a `--pods` name that
/// does not resolve, or a `--pods-file` that does not list the pods, included). With `--pods`
/// or `--pods-file` the pods are followed: one that does not answer is no failure (the report
/// says so, and judges only what came before).
pub(crate) fn drive(args: &DriveArgs) -> ExitCode {
    let (scenario, timeline) = match read(&args.file) {
        Ok(read) => read,
        Err(message) => return fail(&message, 2),
    };
    let json = match args.json.as_deref().map(|path| Output::check("--json", path, &[&args.file])) {
        None => None,
        Some(Ok(json)) => Some(json),
        Some(Err(message)) => return fail(&format!("error: {message}"), 2),
    };
    let token = match control::Token::given(args.token.as_deref()) {
        Ok(token) => token,
        Err(error) => return fail(&format!("error: --token: {error}"), 2),
    };
    let source = match (&args.pods, &args.pods_file) {
        (Some(name), _) => Some(PodSource::Dns(name.clone())),
        (None, Some(file)) => Some(PodSource::File(file.clone())),
        (None, None) if args.control.is_empty() => {
            return fail(
                "error: no pods; expected --control ADDR,..., --pods NAME:PORT or --pods-file FILE",
                2,
            );
        }
        (None, None) => None,
    };
    if let Some(Err(message)) = args.pods.as_deref().map(name_and_port) {
        return fail(&message, 2);
    }
    if !pod_source::EVERY.contains(&args.resolve_every) {
        return fail(
            &format!(
                "error: --resolve-every {}; expected 100ms to 10m",
                humantime::format_duration(args.resolve_every)
            ),
            2,
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("error: cannot start a tokio runtime: {error}"), 1),
    };
    runtime.block_on(async {
        let controls = match &source {
            Some(source) => match source.resolve().await {
                Ok(controls) => controls,
                Err(message) => return fail(&message, 2),
            },
            None => args.control.clone(),
        };
        if controls.len() != scenario.backends() || controls.len() > MAX_PODS {
            return fail(
                &format!(
                    "error: pods given: {}; expected one per backend of {} ({})",
                    controls.len(),
                    args.file.display(),
                    scenario.backends()
                ),
                2,
            );
        }
        let fleet = match Fleet::connect(&controls, token).await {
            Ok(fleet) if source.is_some() => fleet.following(),
            Ok(fleet) => fleet,
            Err(error) => return fail(&format!("error: {error}"), 1),
        };
        let until = args.duration.or(timeline.end);
        if until.is_none() {
            say::error("the file's load is a number of calls: driving until Ctrl-C or SIGTERM");
        }
        let playing = serve::play(&fleet, &timeline, until, crate::serve::stopped(None));
        let played = match &source {
            None => playing.await,
            Some(source) => tokio::select! {
                played = playing => played,
                never = pod_source::follow(&fleet, source, args.resolve_every) => match never {},
            },
        };
        let played = match played {
            Ok(played) => played,
            Err(error) => return fail(&format!("error: the scenario stopped: {error}"), 1),
        };
        let replay = format!("jostle drive {} --control ...", args.file.display());
        let report = serve::judged(&scenario, &timeline, &fleet, played, &replay);
        report.to_string().lines().for_each(say::error);
        if let Some(file) = &json {
            let written = serde_json::to_string_pretty(&report.json())
                .map_err(std::io::Error::other)
                .and_then(|json| file.write(&(json + "\n")));
            if let Err(error) = written {
                return fail(&format!("error: cannot write {}: {error}", file.name()), 1);
            }
        }
        if report.verdict == Verdict::NotAsExpected { ExitCode::from(1) } else { ExitCode::SUCCESS }
    })
}

/// The scenario at `file` and its timeline, for pods on TCP; or the error line to print.
fn read(file: &std::path::Path) -> Result<(Scenario, Timeline), String> {
    let (scenario, timeline) = serve::load(file).map_err(|error| match error {
        LoadError::Scenario(error) => format!("error: {error}"),
        other => format!("error: {}: {other}", file.display()),
    })?;
    if timeline.has_discovery() {
        return Err(format!(
            "error: {}: [discovery] announces or withdraws backends; the pods' own discovery (a \
             Service's DNS, their readiness) does that, not their control APIs: expected a file \
             without a [discovery] timeline (play it with `jostle serve --scenario`)",
            file.display()
        ));
    }
    let latencies = scenario.latencies();
    if latencies.all.is_some() || !latencies.backends.is_empty() {
        return Err(format!(
            "error: {}: [cluster] `latency` or `latencies` models a backend's own latency, \
             which a pod is started with, not told through its control API: expected a file \
             without them (inject a `delay` fault instead)",
            file.display()
        ));
    }
    Ok((scenario, timeline))
}

/// Checks that `--pods` is `NAME:PORT`, a host name (or address) and a port in 1..=65535,
/// before anything is resolved; the error line to print.
fn name_and_port(given: &str) -> Result<(), String> {
    let expected = "expected NAME:PORT, a host name and a port from 1 to 65535 \
                    (orders-control.default.svc:7000)";
    let refuse = |why: &str| Err(format!("error: --pods {given}: {why}; {expected}"));
    let Some((name, port)) = given.rsplit_once(':') else {
        return refuse("no port");
    };
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    if name.is_empty() {
        return refuse("no name");
    }
    if name.contains(':') && name.parse::<std::net::Ipv6Addr>().is_err() {
        return refuse("a name with a `:` that is not an IPv6 address in brackets");
    }
    match port.parse::<u16>() {
        Ok(0) => refuse("port 0"),
        Ok(_) => Ok(()),
        Err(_) => refuse(&format!("`{port}` is not a port")),
    }
}
