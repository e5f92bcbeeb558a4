//! [`run_story`]: plays the story against a fresh cluster.

use super::StoryConfig;
use super::report::{BackendLine, CallFailure, Event, StoryReport};
use crate::BACKEND_HEADER;
use crate::cluster::{Cluster, StopMode};
use crate::dial::RoundRobinDialer;
use crate::error::Result;
use crate::fault::Fault;
use crate::proto::CreateOrderResponse;
use crate::proto::order_service_client::OrderServiceClient;
use crate::sample::create_order_request;
use std::collections::BTreeMap;
use tokio::time::Instant;
use tonic::transport::{Channel, Endpoint};

/// The backend the article's dialer dials first: its counter is bumped before use.
const FIRST_DIALED: usize = 1;

/// Runs the story: `calls` sequential `CreateOrder` calls through the article's round-robin
/// dialer over 3 backends. Call `restart_at` is held in flight on the backend serving the client
/// while that backend crashes (abrupt stop); it stays down `down_for`, then restarts on the same
/// address.
pub async fn run_story(config: StoryConfig) -> Result<StoryReport> {
    config.validate()?;
    let cluster = Cluster::builder()
        .backends(3)
        .transport(config.transport)
        .seed(config.seed)
        .start()
        .await?;
    let dialer = RoundRobinDialer::new(cluster.addresses(), cluster.connector());
    // The endpoint's address is ignored: the dialer picks the real one, as in the article.
    let channel = Endpoint::from_static("http://orders.jostle").connect_with_connector_lazy(dialer);
    let mut client = OrderServiceClient::new(channel);

    let started = Instant::now();
    let mut story = Story {
        cluster: &cluster,
        started,
        events: Vec::new(),
        failures: Vec::new(),
        served: BTreeMap::new(),
        restarted: None,
        last_served: None,
    };
    let mut accepted = story.accepted();
    for call in 0..config.calls {
        if call == config.restart_at {
            let victim = story.last_served.unwrap_or(FIRST_DIALED);
            story.crash_during_call(&client, call, victim, &config).await?;
        } else {
            let outcome = create_order(&mut client, call).await;
            story.record(call, outcome);
        }
        let now = story.accepted();
        for (id, (before, after)) in accepted.iter().zip(&now).enumerate() {
            if after > before {
                story.event(
                    call,
                    format!("the dialer opened a connection to backend-{id}; calls now go there"),
                );
            }
        }
        accepted = now;
    }

    let backends = cluster
        .backends()
        .iter()
        .map(|backend| BackendLine {
            name: backend.name().to_owned(),
            address: backend.address().to_string().trim_end_matches('/').to_owned(),
            stats: backend.stats(),
        })
        .collect();
    let Story { events, failures, served, restarted, .. } = story;
    let restarted = restarted.map(|(name, ok_before)| {
        let ok_end = cluster
            .backends()
            .iter()
            .find(|b| b.name() == name)
            .map_or(0, |b| b.stats().total_ok());
        (name, ok_end - ok_before)
    });
    cluster.shutdown().await;
    Ok(StoryReport { config, backends, served, failures, events, restarted })
}

struct Story<'a> {
    cluster: &'a Cluster,
    started: Instant,
    events: Vec<Event>,
    failures: Vec<CallFailure>,
    served: BTreeMap<String, u64>,
    /// The restarted backend, and how many calls it had served when it came back.
    restarted: Option<(String, u64)>,
    /// The backend that served the last successful call.
    last_served: Option<usize>,
}

impl Story<'_> {
    fn event(&mut self, call: u32, what: String) {
        self.events.push(Event { call, at: self.started.elapsed(), what });
    }

    fn record(&mut self, call: u32, outcome: Result<(String, CreateOrderResponse), tonic::Status>) {
        match outcome {
            Ok((backend, _)) => {
                self.last_served = self.cluster.backends().iter().position(|b| b.name() == backend);
                *self.served.entry(backend).or_default() += 1;
            }
            Err(status) => {
                let what = format!("the call failed: {:?}: {}", status.code(), status.message());
                self.event(call, what);
                self.failures.push(CallFailure {
                    call,
                    code: status.code(),
                    message: status.message().to_owned(),
                });
            }
        }
    }

    fn accepted(&self) -> Vec<u64> {
        self.cluster.backends().iter().map(|backend| backend.stats().connections_accepted).collect()
    }

    /// Holds call `call` in flight on `victim`, crashes the victim under it, keeps it down, and
    /// restarts it.
    async fn crash_during_call(
        &mut self,
        client: &OrderServiceClient<Channel>,
        call: u32,
        victim: usize,
        config: &StoryConfig,
    ) -> Result<()> {
        let backend = self.cluster.backend(victim)?.clone();
        let in_flight_before = backend.stats().in_flight();
        let hang = backend.faults().inject(Fault::Hang);
        let mut held = client.clone();
        let pending = tokio::spawn(async move { create_order(&mut held, call).await });
        backend.wait_until(|stats| stats.in_flight() > in_flight_before).await;
        self.event(
            call,
            format!("{} crashes (abrupt stop) with this call in flight", backend.name()),
        );
        backend.stop(StopMode::Abrupt).await?;
        backend.faults().heal(hang);
        let outcome =
            pending.await.unwrap_or_else(|join| Err(tonic::Status::internal(join.to_string())));
        self.record(call, outcome);
        tokio::time::sleep(config.down_for).await;
        backend.restart().await?;
        self.restarted = Some((backend.name().to_owned(), backend.stats().total_ok()));
        self.event(
            call,
            format!("{} is back on the same address after {:?}", backend.name(), config.down_for),
        );
        Ok(())
    }
}

/// One `CreateOrder` call; on success, the backend that served it, from the response header.
async fn create_order(
    client: &mut OrderServiceClient<Channel>,
    call: u32,
) -> Result<(String, CreateOrderResponse), tonic::Status> {
    let request = create_order_request(u64::from(call));
    let response = client.create_order(request).await?;
    let backend = response
        .metadata()
        .get(BACKEND_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("unknown")
        .to_owned();
    Ok((backend, response.into_inner()))
}
