//! `jostle drive`: plays a scenario file's fault timeline through the control APIs of `jostle
//! serve` pods elsewhere (backend `i` of the file is the `i`-th pod), while clients send the
//! load, and reports it from the pods' own counters (docs/KUBERNETES.md, docs/SERVE.md).

use crate::output::Output;
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
    /// answer lists every pod (a headless Service); the pods are taken in address order.
    #[arg(long, value_name = "NAME:PORT", conflicts_with = "control")]
    pods: Option<String>,
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
/// does not resolve included).
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
    if args.control.is_empty() && args.pods.is_none() {
        return fail("error: no pods; expected --control ADDR,... or --pods NAME:PORT", 2);
    }
    if let Some(Err(message)) = args.pods.as_deref().map(name_and_port) {
        return fail(&message, 2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("error: cannot start a tokio runtime: {error}"), 1),
    };
    runtime.block_on(async {
        let controls = match &args.pods {
            Some(name) => match pods(name).await {
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
            Ok(fleet) => fleet,
            Err(error) => return fail(&format!("error: {error}"), 1),
        };
        let until = args.duration.or(timeline.end);
        if until.is_none() {
            say::error("the file's load is a number of calls: driving until Ctrl-C or SIGTERM");
        }
        let played = match serve::play(&fleet, &timeline, until, crate::serve::stopped(None)).await
        {
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

/// Every address `name` (`host:port`) resolves to, in address order.
async fn pods(name: &str) -> Result<Vec<SocketAddr>, String> {
    let resolved = tokio::net::lookup_host(name)
        .await
        .map_err(|error| format!("error: --pods {name}: cannot resolve it: {error}"))?;
    let mut addresses: Vec<SocketAddr> = resolved.collect();
    addresses.sort_unstable();
    addresses.dedup();
    if addresses.is_empty() {
        return Err(format!("error: --pods {name}: no address; expected one per pod"));
    }
    Ok(addresses)
}
