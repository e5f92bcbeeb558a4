//! [`drive`]: runs a [`LoadSpec`] against a channel and records every call.

use super::limits;
use super::{CallLog, CallOutcome, CallRecord, LoadSpec, Method, Pace, Progress, Until};
use crate::channel::BoxChannel;
use crate::error::{Error, Result};
use crate::proto::order_service_client::OrderServiceClient;
use crate::proto::{GetOrderRequest, WatchOrdersRequest};
use crate::sample::create_order_request;
use crate::{BACKEND_HEADER, CALL_HEADER};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tonic::metadata::MetadataMap;
use tonic::{Code, Request, Status};

/// Past twice its deadline and this, a call is abandoned (and recorded as timed out, late).
const GUARD_SLACK: Duration = Duration::from_secs(1);

/// How long a closed-loop worker waits after a call that took no time at all, when the load is
/// bounded by a duration or the call failed.
const IDLE_PAUSE: Duration = Duration::from_millis(1);

/// What every call needs: the draws, the orders made so far, the clock, the log.
struct Load {
    spec: LoadSpec,
    started: Instant,
    progress: Progress,
    draws: Mutex<(u64, ChaCha8Rng)>,
    created: Mutex<Vec<String>>,
    records: Mutex<Vec<CallRecord>>,
}

impl Load {
    /// The index and method of the next call, due `at` since the load started, or `None` once
    /// the load is over.
    fn next(&self, at: Duration) -> Option<(u64, Method)> {
        let mut draws = self.draws.lock().unwrap_or_else(PoisonError::into_inner);
        let index = draws.0;
        let over = index >= limits::MAX_CALLS
            || match self.spec.until {
                Until::Calls(calls) => index >= calls,
                Until::Elapsed(elapsed) => at >= elapsed,
            };
        if over {
            return None;
        }
        draws.0 += 1;
        let mix = self.spec.mix;
        let draw = draws.1.random_range(0..mix.create + mix.get + mix.watch);
        let method = if draw < mix.create {
            Method::CreateOrder
        } else if draw < mix.create + mix.get {
            Method::GetOrder
        } else {
            Method::WatchOrders
        };
        Some((index, method))
    }

    /// One call, recorded; whether it failed.
    async fn call(
        self: Arc<Self>,
        mut client: OrderServiceClient<BoxChannel>,
        index: u64,
        method: Method,
    ) -> bool {
        let start = self.started.elapsed();
        self.progress.at(start);
        let deadline = self.spec.deadline;
        let call = async {
            match method {
                Method::CreateOrder => {
                    let response =
                        client.create_order(self.timed(create_order_request(index), index)).await?;
                    if let Some(order) = &response.get_ref().order {
                        self.created
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(order.id.clone());
                    }
                    Ok(backend(response.metadata()))
                }
                Method::GetOrder => {
                    let id = {
                        let created = self.created.lock().unwrap_or_else(PoisonError::into_inner);
                        let len = created.len() as u64;
                        (len > 0)
                            .then(|| created[usize::try_from(index % len).unwrap_or(0)].clone())
                    };
                    let id = id.unwrap_or_else(|| "backend-0-1".into());
                    let response =
                        client.get_order(self.timed(GetOrderRequest { id }, index)).await?;
                    Ok(backend(response.metadata()))
                }
                Method::WatchOrders => {
                    let request =
                        WatchOrdersRequest { customer_id: String::new(), limit: 5, follow: false };
                    let response = client.watch_orders(self.timed(request, index)).await?;
                    let served = backend(response.metadata());
                    let mut stream = response.into_inner();
                    while stream.message().await?.is_some() {}
                    Ok(served)
                }
            }
        };
        // The deadline goes out as `grpc-timeout`; enforcing it is the channel's job, and the
        // timeout check measures whether it did. The guard only keeps a channel that ignores
        // deadlines from hanging the load.
        let guard = deadline * 2 + GUARD_SLACK;
        let (outcome, served) = match tokio::time::timeout(guard, call).await {
            Err(_) => (CallOutcome::TimedOut, None),
            Ok(Ok(served)) => (CallOutcome::Ok, served),
            Ok(Err(status)) => (classify(&status), backend(status.metadata())),
        };
        let end = self.started.elapsed();
        let record = CallRecord { index, method, start, end, outcome, backend: served, client: 0 };
        self.records.lock().unwrap_or_else(PoisonError::into_inner).push(record);
        self.progress.finished(end);
        outcome != CallOutcome::Ok
    }
}

impl Load {
    /// Call `index`'s request: its deadline, and its name in [`CALL_HEADER`].
    fn timed<T>(&self, message: T, index: u64) -> Request<T> {
        let mut request = Request::new(message);
        request.set_timeout(self.spec.deadline);
        let name = format!("{}-{index}", self.spec.seed);
        if let Ok(value) = name.parse() {
            request.metadata_mut().insert(CALL_HEADER, value);
        }
        request
    }
}

fn backend(metadata: &MetadataMap) -> Option<String> {
    metadata.get(BACKEND_HEADER).and_then(|value| value.to_str().ok()).map(str::to_owned)
}

/// A deadline is a timeout whichever layer enforced it: tonic reports its own as `Cancelled`.
fn classify(status: &Status) -> CallOutcome {
    match status.code() {
        Code::DeadlineExceeded => CallOutcome::TimedOut,
        Code::Cancelled if status.message().contains("Timeout expired") => CallOutcome::TimedOut,
        code => CallOutcome::Failed(code),
    }
}

/// A call task that did not end well: its panic, named (a task of a load is never aborted).
fn panicked(error: tokio::task::JoinError) -> Error {
    let message = match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(error) => error.to_string(),
    };
    Error::Panicked { what: "a call of the load".to_owned(), message }
}

/// Runs `spec` against `channel` and returns every call it made, in start order.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when `spec` is out of [`limits`]; [`Error::Panicked`] when a
/// call panicked (in the channel under test, or in tonic).
pub async fn drive(channel: BoxChannel, spec: &LoadSpec) -> Result<CallLog> {
    drive_with(channel, spec, &Progress::new()).await
}

/// [`drive`], publishing how far the load is to `progress` as it goes. The same run as
/// [`drive`]'s: publishing adds no timer and no await.
///
/// At most [`limits::MAX_IN_FLIGHT`] calls are in flight at once: a call due while that many
/// are (an open loop against calls that hang) starts when one ends, late. A run through the
/// runner says so in its report; here the log shows it in the calls' start times.
pub async fn drive_with(
    channel: BoxChannel,
    spec: &LoadSpec,
    progress: &Progress,
) -> Result<CallLog> {
    let in_flight = Arc::new(Semaphore::new(limits::MAX_IN_FLIGHT));
    drive_within(channel, spec, progress, &in_flight).await.map(|(log, _)| log)
}

/// The stream the load draws its methods from: ChaCha8 of the seed, on a stream of its own.
/// The seed's stream 0 is what jostle's random policies pick from (`Random::from_seed`):
/// drawn from the same stream, a mix of N weights over N backends sent each method to one
/// backend (found by explore: `random` with `mix = { create = 1, get = 1, watch = 2 }` over
/// four backends sent every `GetOrder` to backend-1, and nothing else).
fn method_draws(seed: u64) -> ChaCha8Rng {
    let mut draws = ChaCha8Rng::seed_from_u64(seed);
    draws.set_stream(METHOD_STREAM);
    draws
}

/// The ChaCha8 stream of a load's method draws.
const METHOD_STREAM: u64 = 0x6d65_7468_6f64; // "method"

/// [`drive_with`], every call holding a permit of `in_flight` while it lasts (shared by every
/// client of a run); also how many calls started late because none was free.
pub(crate) async fn drive_within(
    channel: BoxChannel,
    spec: &LoadSpec,
    progress: &Progress,
    in_flight: &Arc<Semaphore>,
) -> Result<(CallLog, u64)> {
    spec.validate()?;
    let load = Arc::new(Load {
        spec: spec.clone(),
        started: Instant::now(),
        progress: progress.clone(),
        draws: Mutex::new((0, method_draws(spec.seed))),
        created: Mutex::default(),
        records: Mutex::default(),
    });
    let held = Arc::new(AtomicU64::new(0));
    let mut calls = JoinSet::new();
    match spec.pace {
        Pace::Closed { concurrency } => {
            for _ in 0..concurrency {
                let (load, held) = (Arc::clone(&load), Arc::clone(&held));
                let in_flight = Arc::clone(in_flight);
                let client = OrderServiceClient::new(channel.clone());
                let timed = matches!(spec.until, Until::Elapsed(_));
                calls.spawn(async move {
                    loop {
                        let permit = permit(&in_flight, &held).await;
                        let Some((index, method)) = load.next(load.started.elapsed()) else {
                            break;
                        };
                        let started = Instant::now();
                        let failed = Arc::clone(&load).call(client.clone(), index, method).await;
                        drop(permit);
                        if (failed || timed) && started.elapsed().is_zero() {
                            // Calls that take no time at all would never let a paused clock
                            // reach the end of a duration (or would spin on a dead balancer):
                            // pause a millisecond of tokio time.
                            tokio::time::sleep(IDLE_PAUSE).await;
                        }
                    }
                });
            }
        }
        Pace::Open { per_second } => {
            // Call n is due n / rate after the start, whenever the timer wakes the loop: every
            // call due by then starts at once, so the rate holds above the timer's resolution.
            for due in 0..=limits::MAX_CALLS {
                let at = Duration::from_secs_f64(due as f64 / per_second);
                if matches!(spec.until, Until::Elapsed(elapsed) if at >= elapsed) {
                    break;
                }
                if load.started.elapsed() < at {
                    tokio::time::sleep_until(load.started + at).await;
                }
                let permit = permit(in_flight, &held).await;
                let Some((index, method)) = load.next(at) else { break };
                let load = Arc::clone(&load);
                let client = OrderServiceClient::new(channel.clone());
                calls.spawn(async move {
                    load.call(client, index, method).await;
                    drop(permit);
                });
                // Ended calls leave the set as the load goes, not all at its end.
                while let Some(joined) = calls.try_join_next() {
                    if let Err(error) = joined {
                        calls.abort_all();
                        return Err(panicked(error));
                    }
                }
            }
        }
    }
    while let Some(joined) = calls.join_next().await {
        if let Err(error) = joined {
            calls.abort_all();
            return Err(panicked(error));
        }
    }
    let mut records =
        std::mem::take(&mut *load.records.lock().unwrap_or_else(PoisonError::into_inner));
    records.sort_by_key(|record| record.index);
    Ok((CallLog { calls: records, seed: spec.seed }, held.load(Ordering::Relaxed)))
}

/// A permit of `in_flight`, counting in `held` a call that had to wait for one.
async fn permit(in_flight: &Arc<Semaphore>, held: &AtomicU64) -> OwnedSemaphorePermit {
    if let Ok(permit) = Arc::clone(in_flight).try_acquire_owned() {
        return permit;
    }
    held.fetch_add(1, Ordering::Relaxed);
    Arc::clone(in_flight).acquire_owned().await.expect("the in-flight semaphore is never closed")
}
