//! `jostle serve`: order-service backends on 127.0.0.1 TCP ports and a control API beside
//! them, announced in one JSON line on stdout, served until Ctrl-C, SIGTERM or `--duration`,
//! then shut down with every port closed and a summary on stderr (docs/SERVE.md). With
//! `--scenario FILE`, the file's fault and discovery timelines play on the wall clock while
//! clients elsewhere send the load, and the report is judged from the backends' own records.

use crate::output::Output;
use crate::records::{self, Awaited};
use crate::say::{self, fail};
use jostle_harness::cluster::{Backend, Cluster, MAX_BACKENDS};
use jostle_harness::control::{self, Controller};
use jostle_harness::fault::FaultWindow;
use jostle_harness::net::Transport;
use jostle_harness::record::StatsSnapshot;
use jostle_harness::scenario::Scenario;
use jostle_harness::serve::{self, LoadError, Local, Timeline, Verdict};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long the backends may take to answer the calls in flight at the stop before they are
/// stopped at once.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How long the control server may take to close its connections after the stop.
const CONTROL_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// How many backends, from 1 to 10000, each on its own port of 127.0.0.1. Default 3, or
    /// the scenario's.
    #[arg(long, value_name = "N")]
    backends: Option<usize>,
    /// Play this scenario file's fault and discovery timelines on the wall clock, from the
    /// moment serving starts, while clients elsewhere send the load; stop at the end of its
    /// load (warm-up and duration) unless --duration says otherwise, and report its
    /// expectations as the backends' own counters show them.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Each backend's port of 127.0.0.1, by index, comma-separated (`50051,50052,50053`); one
    /// per backend, 0 for an ephemeral one. Default: every port ephemeral.
    #[arg(long, value_name = "PORT,...", value_delimiter = ',')]
    ports: Vec<u16>,
    /// The address every backend listens on: 127.0.0.1 by default; `0.0.0.0` for every
    /// interface (a pod, a test host in a network namespace), or one of the machine's own.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Where the control API listens. Default: an ephemeral port of 127.0.0.1. Any address
    /// but a loopback one (127.0.0.1, ::1) needs --token.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    control: SocketAddr,
    /// The token every control call must carry (`authorization: Bearer TOKEN`; `jostle ctl
    /// --token`), 16 to 1024 visible ASCII characters; default: the JOSTLE_CONTROL_TOKEN
    /// environment variable, else none. Required to listen beyond loopback.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Stop by itself after this long (`30s`, `5m`); default: until Ctrl-C or SIGTERM.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    duration: Option<Duration>,
    /// The seed of every random choice of the faults (probabilities, jitter). Default 0, or
    /// the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Seed this process apart from others started with the same arguments (the replicas of a
    /// Deployment): the seed used is FNV-1a 64 of the seed (or 0) and NAME, the pod's name
    /// (1 to 253 characters), and is printed on stderr.
    #[arg(long, value_name = "NAME", value_parser = crate::pod_seed::name)]
    seed_from: Option<String>,
    /// Obey the gRPC xDS interop `rpc-behavior` request header.
    #[arg(long)]
    rpc_behavior: bool,
    /// Also write the summary as JSON to FILE on stop.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// With --scenario: the client's call records (JSON Lines, docs/calls.schema.json), which
    /// it writes to FILE when its load ends; read after the scenario's end, and every
    /// expectation judged from them by the checks of `jostle run` (the connections from the
    /// backends' counters).
    #[arg(long, value_name = "FILE", requires = "scenario")]
    calls: Option<PathBuf>,
    /// How long to wait after the scenario's end for the client to write --calls, from 1s
    /// to 1h.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "30s", requires = "calls")]
    calls_wait: Duration,
}

/// Exit 0 after a clean stop, 1 when serving could not start or the summary could not be
/// written, 2 on bad input.
pub(crate) fn serve(args: &ServeArgs) -> ExitCode {
    let story = match args.scenario.as_deref().map(Story::read).transpose() {
        Ok(story) => story,
        Err(message) => return fail(&message, 2),
    };
    let inputs: Vec<&std::path::Path> = args.scenario.as_deref().into_iter().collect();
    let json = match args.json.as_deref().map(|path| Output::check("--json", path, &inputs)) {
        None => None,
        Some(Ok(json)) => Some(json),
        Some(Err(message)) => return fail(&format!("error: {message}"), 2),
    };
    let calls = match args.calls.as_deref().map(|path| Awaited::check(path, &inputs, json.as_ref()))
    {
        None => None,
        Some(Ok(calls)) => Some(calls),
        Some(Err(message)) => return fail(&format!("error: {message}"), 2),
    };
    if !(Duration::from_secs(1)..=records::MAX_WAIT).contains(&args.calls_wait) {
        return fail(
            &format!(
                "error: --calls-wait {}; expected 1s to 1h",
                humantime::format_duration(args.calls_wait)
            ),
            2,
        );
    }
    let backends = match (&story, args.backends) {
        (Some(story), Some(given)) if given != story.scenario.backends() => {
            let file = story.scenario.backends();
            return fail(
                &format!(
                    "error: --backends {given}; expected the scenario's own count ({file}) or none"
                ),
                2,
            );
        }
        (Some(story), _) => story.scenario.backends(),
        (None, given) => given.unwrap_or(3),
    };
    if !(1..=MAX_BACKENDS).contains(&backends) {
        return fail(&format!("error: --backends {backends}; expected 1 to {MAX_BACKENDS}"), 2);
    }
    if !args.ports.is_empty() && args.ports.len() != backends {
        let ports = args.ports.len();
        return fail(
            &format!("error: --ports gives {ports} ports; expected one per backend ({backends})"),
            2,
        );
    }
    let token = match control::Token::given(args.token.as_deref()) {
        Ok(token) => token,
        Err(error) => return fail(&format!("error: --token: {error}"), 2),
    };
    if !args.control.ip().is_loopback() && token.is_none() {
        return fail(
            &format!(
                "error: --control {} is not a loopback address; listening beyond 127.0.0.1 and \
                 ::1 needs --token (or {}): expected a loopback address, or a token",
                args.control,
                control::TOKEN_ENV
            ),
            2,
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("error: cannot start a tokio runtime: {error}"), 1),
    };
    runtime.block_on(serve_until_stopped(args, backends, story, token, json, calls))
}

/// A scenario file to play: the scenario, its timelines, and how to replay it.
struct Story {
    scenario: Scenario,
    timeline: Timeline,
    replay: String,
}

impl Story {
    /// Reads and checks `file` for serving on TCP, or the error line to print. Its seed is the
    /// file's until [`Story::seeded`].
    fn read(file: &std::path::Path) -> Result<Self, String> {
        let (scenario, timeline) = serve::load(file).map_err(|error| match error {
            LoadError::Scenario(error) => format!("error: --scenario: {error}"),
            other => format!("error: --scenario {}: {other}", file.display()),
        })?;
        let replay = format!("jostle serve --scenario {}", file.display());
        Ok(Self { scenario, timeline, replay })
    }

    /// The story played with `seed`, the one the backends' faults draw from: the report's
    /// header, its verdicts and the replay command name it, not the file's.
    fn seeded(self, seed: u64) -> Self {
        let replay = format!("{} --seed {seed}", self.replay);
        Self { scenario: self.scenario.with_seed(seed), replay, ..self }
    }
}

async fn serve_until_stopped(
    args: &ServeArgs,
    backends: usize,
    story: Option<Story>,
    token: Option<control::Token>,
    json: Option<Output>,
    calls: Option<Awaited>,
) -> ExitCode {
    let seed = seed(args, story.as_ref());
    let story = story.map(|story| story.seeded(seed));
    let mut builder = Cluster::builder()
        .backends(backends)
        .transport(Transport::Tcp)
        .ports(args.ports.iter().copied())
        .host(args.host)
        .seed(seed)
        .rpc_behavior(args.rpc_behavior);
    if let Some(story) = &story {
        let latencies = story.scenario.latencies();
        if let Some(latency) = latencies.all {
            builder = builder.latency(latency);
        }
        for &(index, latency) in &latencies.backends {
            builder = builder.backend_latency(index, latency);
        }
    }
    listen_for_stop();
    let cluster = builder.start().await;
    let cluster = match cluster {
        Ok(cluster) => Arc::new(cluster),
        Err(error) => return fail(&format!("error: cannot start the backends: {error}"), 1),
    };
    let listener = match tokio::net::TcpListener::bind(args.control).await {
        Ok(listener) => listener,
        Err(error) => {
            stop_cluster(cluster).await;
            return fail(&format!("error: cannot listen on {}: {error}", args.control), 1);
        }
    };
    let control_address = listener.local_addr().unwrap_or(args.control);
    if token.is_some() {
        let beyond = if control_address.ip().is_loopback() { "" } else { ", beyond loopback" };
        say::error(&format!(
            "the control API on {control_address}{beyond} requires a token: every call must send `authorization: Bearer TOKEN`"
        ));
    }
    let controller = Arc::new(Controller::new(Arc::clone(&cluster)));
    if let Some(story) = &story {
        let announced = story.timeline.announced_at(Duration::ZERO);
        announced.iter().enumerate().for_each(|(index, &is)| controller.announce(index, is));
    }
    let stop = CancellationToken::new();
    let mut server = tokio::spawn(control::serve(
        Arc::clone(&controller),
        listener,
        stop.clone().cancelled_owned(),
        token,
    ));
    let announced = say::line(announcement(&controller, control_address));
    let mut code = ExitCode::SUCCESS;
    let mut report = None;
    match (announced, &story) {
        (Err(why), _) => code = say::stdout_lost(&why),
        (Ok(()), None) => {
            tokio::select! {
                () = stopped(args.duration) => {}
                ended = &mut server => {
                    code = fail(&format!("error: the control server stopped: {ended:?}"), 1);
                }
            }
        }
        (Ok(()), Some(story)) => {
            let plane = Local::new(Arc::clone(&controller));
            let until = args.duration.or(story.timeline.end);
            tokio::select! {
                played = serve::play(&plane, &story.timeline, until, stopped(None)) => match played {
                    Ok(played) => {
                        let mut judged = serve::judged(&story.scenario, &story.timeline, &plane, played, &story.replay);
                        if let Some(calls) = &calls {
                            match with_records(judged.clone(), story, calls, args.calls_wait).await {
                                Ok(with) => judged = with,
                                Err(message) => code = fail(&format!("error: {message}"), 2),
                            }
                        }
                        if judged.verdict == Verdict::NotAsExpected && code == ExitCode::SUCCESS {
                            code = ExitCode::from(1);
                        }
                        report = Some(judged);
                    }
                    Err(error) => code = fail(&format!("error: the scenario stopped: {error}"), 1),
                },
                ended = &mut server => {
                    code = fail(&format!("error: the control server stopped: {ended:?}"), 1);
                }
            }
        }
    }
    controller.close();
    stop.cancel();
    if !server.is_finished() && tokio::time::timeout(CONTROL_GRACE, &mut server).await.is_err() {
        server.abort();
    }
    let baselines = controller.baselines();
    drop(controller);
    // Counted once every backend has stopped: a call answered as the stop began is in the
    // counters then, as it is in the client's count.
    let backends = cluster.backends().to_vec();
    let fault_log = stop_cluster(cluster).await;
    let mut summary = summary(&backends, &baselines, &fault_log, control_address);
    text_summary(&summary).iter().for_each(|line| say::error(line));
    if let Some(report) = &report {
        report.to_string().lines().for_each(say::error);
        summary["scenario"] = report.json();
    }
    if let Some(file) = &json {
        let written = serde_json::to_string_pretty(&summary)
            .map_err(std::io::Error::other)
            .and_then(|json| file.write(&(json + "\n")));
        if let Err(error) = written {
            return fail(&format!("error: cannot write {}: {error}", file.name()), 1);
        }
    }
    code
}

/// `report` with the client's records at `calls` judged, once written; the error is the
/// line to print.
async fn with_records(
    report: serve::ServedReport,
    story: &Story,
    calls: &Awaited,
    wait: Duration,
) -> Result<serve::ServedReport, String> {
    let log = tokio::select! {
        log = calls.read(&story.scenario, wait) => log?,
        () = stopped(None) => return Err("stopped while waiting for --calls".to_owned()),
    };
    serve::with_records(report, &story.scenario, &log, &story.replay)
        .map_err(|error| format!("the client's records cannot be judged: {error}"))
}

/// The line that says serving has begun: every backend's name and address, the control
/// address, and the scenario's origin on the wall clock (`origin_unix_ms`, milliseconds since
/// the Unix epoch: call records count from it).
/// The seed of the faults' draws: `--seed`, or the scenario's, or 0; with `--seed-from`, that
/// seed and the name hashed, and said on stderr.
fn seed(args: &ServeArgs, story: Option<&Story>) -> u64 {
    let given = args.seed.or(story.map(|story| story.scenario.seed())).unwrap_or(0);
    match &args.seed_from {
        None => given,
        Some(name) => {
            let seed = crate::pod_seed::seed_for(given, name);
            say::error(&format!(
                "seed {seed}, from seed {given} and the name `{name}` (replay this pod's draws with --seed {seed})"
            ));
            seed
        }
    }
}

fn announcement(controller: &Controller, control: SocketAddr) -> String {
    #[derive(serde::Serialize)]
    struct Announced<'a> {
        backends: Vec<Address<'a>>,
        control: String,
        origin_unix_ms: f64,
    }
    #[derive(serde::Serialize)]
    struct Address<'a> {
        name: &'a str,
        address: String,
        announced: bool,
    }
    let announced = controller.announced();
    let backends = controller
        .cluster()
        .backends()
        .iter()
        .zip(announced)
        .map(|(backend, announced)| Address {
            name: backend.name(),
            address: control::address(backend),
            announced,
        })
        .collect();
    let since_origin = controller.cluster().fault_log().elapsed();
    let origin = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(since_origin);
    let origin_unix_ms = origin.as_micros() as f64 / 1000.0;
    let announced = Announced { backends, control: control.to_string(), origin_unix_ms };
    serde_json::to_string(&announced).unwrap_or_default()
}

/// Cancelled at the first Ctrl-C or SIGTERM after [`listen_for_stop`].
static STOP_SIGNAL: std::sync::LazyLock<CancellationToken> =
    std::sync::LazyLock::new(CancellationToken::new);

/// Listens for Ctrl-C and SIGTERM from now on: call it before saying that serving has begun,
/// so that a SIGTERM sent right after that line stops serving cleanly (exit 0, the summary)
/// instead of killing the process before anything waits for it.
pub(crate) fn listen_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for kind in [SignalKind::terminate(), SignalKind::interrupt()] {
            // Registered here, not when the task first runs: a signal from now on is kept.
            if let Ok(mut stream) = signal(kind) {
                let token = STOP_SIGNAL.clone();
                tokio::spawn(async move {
                    stream.recv().await;
                    token.cancel();
                });
            }
        }
    }
    #[cfg(not(unix))]
    {
        let token = STOP_SIGNAL.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            token.cancel();
        });
    }
}

/// Waits for Ctrl-C, SIGTERM (listened for since [`listen_for_stop`]) or the end of
/// `duration`.
pub(crate) async fn stopped(duration: Option<Duration>) {
    let duration = async {
        match duration {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = STOP_SIGNAL.cancelled() => {}
        () = duration => {}
    }
}

/// Heals every fault and stops every backend, waiting until their ports are closed: first as
/// a rolling deploy does (in-flight calls finish and are answered), for at most
/// [`STOP_GRACE`], then at once. Hands back every fault window.
async fn stop_cluster(cluster: Arc<Cluster>) -> Vec<FaultWindow> {
    let windows = cluster.fault_log().windows();
    cluster.heal_all();
    let graceful = async {
        for index in 0..cluster.len() {
            // A backend already stopped is fine.
            let _ = cluster.stop(index).await;
        }
    };
    let _ = tokio::time::timeout(STOP_GRACE, graceful).await;
    match Arc::try_unwrap(cluster) {
        Ok(cluster) => cluster.shutdown().await,
        Err(shared) => {
            for index in 0..shared.len() {
                // A backend already stopped is fine.
                let _ = shared.crash(index).await;
            }
        }
    }
    windows
}

/// Every backend's counters since the last `ctl reset` (`baselines`; since serving began
/// without one), and every fault window.
fn summary(
    backends: &[Backend],
    baselines: &[StatsSnapshot],
    windows: &[FaultWindow],
    control: SocketAddr,
) -> Value {
    let backends: Vec<Value> = backends
        .iter()
        .enumerate()
        .map(|(index, backend)| {
            let baseline = baselines.get(index).cloned().unwrap_or_default();
            let counters = control::since(&backend.stats(), &baseline);
            let failed: std::collections::BTreeMap<_, _> = counters.failed.into_iter().collect();
            let refused: std::collections::BTreeMap<_, _> =
                counters.refused_streams.into_iter().collect();
            json!({
                "name": backend.name(),
                "address": control::address(backend),
                "served": counters.served,
                "failed": failed,
                "connections_accepted": counters.connections_accepted,
                "refused_streams": refused,
            })
        })
        .collect();
    let faults: Vec<Value> = windows
        .iter()
        .cloned()
        .map(|window| serve::window_json(&control::window(window)))
        .collect();
    json!({ "control": control.to_string(), "backends": backends, "faults": faults })
}

fn text_summary(summary: &Value) -> Vec<String> {
    let mut lines = vec!["jostle serve stopped".to_owned()];
    for backend in summary["backends"].as_array().into_iter().flatten() {
        let failed = backend["failed"]
            .as_object()
            .map(|failed| {
                failed.iter().map(|(code, count)| format!(" {code} {count}")).collect::<String>()
            })
            .unwrap_or_default();
        let refused = backend["refused_streams"]
            .as_object()
            .map(|refused| {
                refused.iter().map(|(reason, n)| format!(" {reason} {n}")).collect::<String>()
            })
            .unwrap_or_default();
        let refused = if refused.is_empty() {
            String::new()
        } else {
            format!(", refused streams{refused} ({})", jostle_harness::net::REFUSED_WHY)
        };
        lines.push(format!(
            "  {} {}: served {}, failed{}, connections {}{refused}",
            backend["name"].as_str().unwrap_or_default(),
            backend["address"].as_str().unwrap_or_default(),
            backend["served"],
            if failed.is_empty() { " 0".to_owned() } else { failed },
            backend["connections_accepted"],
        ));
    }
    let faults = summary["faults"].as_array().map_or(0, Vec::len);
    lines.push(format!("  fault windows: {faults}"));
    lines
}
