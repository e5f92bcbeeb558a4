//! `jostle ctl`: the control API of a running `jostle serve`, one verb a call, results as JSON
//! lines on stdout so that a shell script can drive a test (docs/SERVE.md).

use crate::say::{self, fail};
use jostle_harness::control::proto::{
    BackendInfo, BackendRequest, Event, EventsRequest, FaultLogRequest, HealRequest, InjectRequest,
    ListBackendsRequest, ResetCountersRequest,
};
use jostle_harness::control::{self, Client};
use jostle_harness::serve;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tonic::transport::Endpoint;

/// How long connecting to the control API may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one control call may take (a graceful stop waits for in-flight calls).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, clap::Args)]
pub(crate) struct CtlArgs {
    /// The control address `jostle serve` announced (`"control"` in its JSON line).
    #[arg(long, value_name = "ADDR")]
    control: SocketAddr,
    /// The token the control API requires (`jostle serve --token`); default: the
    /// JOSTLE_CONTROL_TOKEN environment variable, else none.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, clap::Subcommand)]
enum Verb {
    /// Print every backend as a JSON line: name, address, state, and counters since the last
    /// reset (served, failed by code, connections accepted and open).
    List,
    /// Inject a fault named as in scenario files (docs/FAULTS.md), e.g.
    /// `inject status --on backend-1 code=Unavailable probability=1`; print its id.
    Inject {
        /// The fault kind: `status`, `delay`, `refuse`, `reset`, ...
        kind: String,
        /// A backend, by name or index; repeat for several; none for every backend.
        #[arg(long = "on", value_name = "BACKEND")]
        on: Vec<String>,
        /// The kind's parameters as NAME=VALUE (`code=Unavailable`, `delay=300ms`, `for=5s`).
        #[arg(value_name = "NAME=VALUE")]
        parameters: Vec<String>,
    },
    /// Heal the fault with this id, or every fault with `--all`.
    Heal {
        /// The id `inject` printed.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<u64>,
        /// Every fault.
        #[arg(long)]
        all: bool,
    },
    /// Crash a backend: every connection reset, connects refused until `start`.
    Crash {
        /// By name (`backend-1`) or index (`1`).
        backend: String,
    },
    /// Stop a backend as a rolling deploy does: GOAWAY, in-flight calls finish.
    Stop {
        /// By name (`backend-1`) or index (`1`).
        backend: String,
    },
    /// Start a crashed or stopped backend again on the same address.
    Start {
        /// By name (`backend-1`) or index (`1`).
        backend: String,
    },
    /// Crash a backend and start it again at once.
    Restart {
        /// By name (`backend-1`) or index (`1`).
        backend: String,
    },
    /// Print every fault window as a JSON line.
    Faults,
    /// Count every backend's counters from zero again.
    Reset,
    /// Print events as JSON lines as they happen: first every backend's state, then each
    /// fault window opening and closing and each change of state (looked at every 20 ms),
    /// until --count events, the server stops, or Ctrl-C.
    Events {
        /// Stop after this many events (1 to 1000000).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        count: Option<u64>,
    },
}

/// Exit 0 on success, 1 when the server refuses or cannot be reached, 2 on bad input.
pub(crate) fn ctl(args: CtlArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("error: cannot start a tokio runtime: {error}"), 1),
    };
    runtime.block_on(call(args))
}

async fn call(args: CtlArgs) -> ExitCode {
    let request = match Request::from_verb(args.verb) {
        Ok(request) => request,
        Err(message) => return fail(&format!("error: {message}"), 2),
    };
    let token = match control::Token::given(args.token.as_deref()) {
        Ok(token) => token,
        Err(error) => return fail(&format!("error: --token: {error}"), 2),
    };
    let endpoint = match Endpoint::from_shared(format!("http://{}", args.control)) {
        // A stream of events lasts as long as it is wanted; every other call is bounded.
        Ok(endpoint) if matches!(request, Request::Events(_)) => {
            endpoint.connect_timeout(CONNECT_TIMEOUT)
        }
        Ok(endpoint) => endpoint.connect_timeout(CONNECT_TIMEOUT).timeout(CALL_TIMEOUT),
        Err(error) => return fail(&format!("error: --control {}: {error}", args.control), 2),
    };
    let channel = match endpoint.connect().await {
        Ok(channel) => channel,
        Err(error) => {
            let why = jostle_harness::error_chain(&error);
            return fail(&format!("error: cannot reach {}: {why}", args.control), 1);
        }
    };
    let client = control::client(channel, token);
    // A listener that accepts but never speaks HTTP/2 passes `connect`: a first call, bounded
    // like the connect, shows whether a control API is there at all.
    match tokio::time::timeout(
        CONNECT_TIMEOUT,
        client.clone().list_backends(ListBackendsRequest {}),
    )
    .await
    {
        Ok(_) => {}
        Err(_) => {
            return fail(
                &format!(
                    "error: cannot reach {}: it accepted a connection but sent no gRPC answer \
                     within {} s; expected a jostle control API there",
                    args.control,
                    CONNECT_TIMEOUT.as_secs()
                ),
                1,
            );
        }
    }
    match request.send(client).await {
        Ok(lines) => {
            for line in lines {
                if let Err(why) = say::line(line) {
                    return say::stdout_lost(&why);
                }
            }
            ExitCode::SUCCESS
        }
        Err(status) => fail(&format!("error: {:?}: {}", status.code(), status.message()), 1),
    }
}

/// A verb checked and made into what it sends.
#[derive(Debug)]
enum Request {
    List,
    Inject(InjectRequest),
    Heal(HealRequest),
    Lifecycle(&'static str, BackendRequest),
    Faults,
    Reset,
    Events(Option<u64>),
}

impl Request {
    fn from_verb(verb: Verb) -> Result<Self, String> {
        Ok(match verb {
            Verb::List => Request::List,
            Verb::Inject { kind, on, parameters } => Request::Inject(InjectRequest {
                kind,
                targets: on,
                parameters: parameter_map(&parameters)?,
            }),
            Verb::Heal { id, all } => Request::Heal(HealRequest { id: id.unwrap_or(0), all }),
            Verb::Crash { backend } => Request::Lifecycle("crash", BackendRequest { backend }),
            Verb::Stop { backend } => Request::Lifecycle("stop", BackendRequest { backend }),
            Verb::Start { backend } => Request::Lifecycle("start", BackendRequest { backend }),
            Verb::Restart { backend } => Request::Lifecycle("restart", BackendRequest { backend }),
            Verb::Faults => Request::Faults,
            Verb::Reset => Request::Reset,
            Verb::Events { count } => Request::Events(count),
        })
    }

    /// Sends the request; the JSON lines to print.
    async fn send(self, mut client: Client) -> Result<Vec<String>, tonic::Status> {
        Ok(match self {
            Request::List => {
                let listed = client.list_backends(ListBackendsRequest {}).await?.into_inner();
                listed.backends.iter().map(backend_line).collect()
            }
            Request::Inject(request) => {
                let id = client.inject(request).await?.into_inner().id;
                vec![json!({ "id": id }).to_string()]
            }
            Request::Heal(request) => {
                client.heal(request).await?;
                Vec::new()
            }
            Request::Lifecycle(verb, request) => {
                let response = match verb {
                    "crash" => client.crash(request).await?,
                    "stop" => client.stop(request).await?,
                    "start" => client.start(request).await?,
                    _ => client.restart(request).await?,
                };
                response.into_inner().backend.iter().map(backend_line).collect()
            }
            Request::Faults => {
                let log = client.fault_log(FaultLogRequest {}).await?.into_inner();
                log.windows.iter().map(|window| serve::window_json(window).to_string()).collect()
            }
            Request::Reset => {
                client.reset_counters(ResetCountersRequest {}).await?;
                Vec::new()
            }
            Request::Events(count) => {
                let mut events = client.events(EventsRequest {}).await?.into_inner();
                let mut printed = 0;
                while count.is_none_or(|count| printed < count) {
                    let Some(event) = events.message().await? else { break };
                    if let Err(why) = say::line(event_json(&event)) {
                        return Err(tonic::Status::unavailable(format!("stdout: {why}")));
                    }
                    printed += 1;
                }
                Vec::new()
            }
        })
    }
}

/// `NAME=VALUE` pairs as a map, or which one is malformed or repeated.
fn parameter_map(pairs: &[String]) -> Result<HashMap<String, String>, String> {
    let mut map = HashMap::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("parameter `{pair}`; expected NAME=VALUE, e.g. code=Unavailable"));
        };
        if map.insert(name.to_owned(), value.to_owned()).is_some() {
            return Err(format!("parameter `{name}` given twice; expected it once"));
        }
    }
    Ok(map)
}

/// An event as `ctl events` prints it.
fn event_json(event: &Event) -> Value {
    let mut line = json!({ "at_ms": event.at_ms, "event": event.kind, "backend": event.backend });
    if event.kind == "state" {
        line["state"] = Value::String(event.state.clone());
    }
    if let Some(window) = &event.window {
        line["window"] = serve::window_json(window);
    }
    line
}

fn backend_line(backend: &BackendInfo) -> String {
    let counters = backend.counters.clone().unwrap_or_default();
    let failed: BTreeMap<String, u64> = counters.failed.into_iter().collect();
    let refused: BTreeMap<String, u64> = counters.refused_streams.into_iter().collect();
    let line: Value = json!({
        "name": backend.name,
        "address": backend.address,
        "state": backend.state,
        "announced": backend.announced,
        "served": counters.served,
        "failed": failed,
        "connections_accepted": counters.connections_accepted,
        "connections_open": counters.connections_open,
        "refused_streams": refused,
    });
    line.to_string()
}
