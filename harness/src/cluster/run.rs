//! One run of a backend, from start to stop: how it admits and serves connections.
//!
//! jostle serves each connection itself with hyper's HTTP/2 server (tonic's `Server` does the
//! same underneath), so that it can close one connection gracefully, drain all of them while
//! still accepting, hold one without speaking HTTP/2, or reset it. Beside the backend's own
//! service each connection serves the standard ones (health, reflection: see `standard`).

use super::latency::{LatencyDraws, LatencyLayer};
use super::standard::{Split, standard};
use crate::fault::{ConnHandle, FaultLayer, FaultSet};
use crate::net::{ServerConn, ServerStream};
use crate::record::{BackendStats, RecordLayer};
use http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::body::Body;
use tonic::service::Routes;
use tower::ServiceExt;

/// What a run shares with its listener and its connections.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) name: Arc<str>,
    routes: Routes,
    pub(crate) stats: Arc<BackendStats>,
    pub(crate) faults: Arc<FaultSet>,
    latency: Option<Arc<LatencyDraws>>,
    rpc_behavior: bool,
    /// Resets every connection of this run.
    pub(crate) kill: CancellationToken,
    /// Cancelled by any stop: held (blackholed) connections let go.
    pub(crate) stop: CancellationToken,
    /// GOAWAY for the connections open now; replaced by a fresh one at each drain.
    drain: Mutex<CancellationToken>,
    tracker: TaskTracker,
}

/// What became of a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admitted {
    /// It is being served (or held, for a blackhole).
    Serving,
    /// It was reset at once.
    Reset,
}

impl Run {
    pub(crate) fn new(
        name: Arc<str>,
        routes: Routes,
        stats: Arc<BackendStats>,
        faults: Arc<FaultSet>,
        latency: Option<Arc<LatencyDraws>>,
        rpc_behavior: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            name,
            routes,
            stats,
            faults,
            latency,
            rpc_behavior,
            kill: CancellationToken::new(),
            stop: CancellationToken::new(),
            drain: Mutex::new(CancellationToken::new()),
            tracker: TaskTracker::new(),
        })
    }

    /// Takes a new server-side stream: counts it, applies the connection faults standing now,
    /// and serves it after `handshake_delay`.
    pub(crate) fn admit(
        self: &Arc<Self>,
        stream: ServerStream,
        handshake_delay: Duration,
    ) -> Admitted {
        let admission = self.faults.admission();
        let conn = ServerConn::new(stream, self.kill.clone(), Arc::clone(&self.stats));
        if admission.reset {
            // Dropped at once; a TCP socket has zero linger, so the peer sees a reset.
            drop(conn);
            return Admitted::Reset;
        }
        if let Some(id) = admission.blackhole {
            let run = Arc::clone(self);
            self.tracker.spawn(async move {
                tokio::select! {
                    () = run.faults.healed(id) => {}
                    () = run.kill.cancelled() => {}
                    () = run.stop.cancelled() => {}
                }
                drop(conn);
            });
            return Admitted::Serving;
        }
        let goaway = self.drain.lock().unwrap_or_else(PoisonError::into_inner).child_token();
        let run = Arc::clone(self);
        self.tracker.spawn(run.serve(conn, goaway, handshake_delay, admission.max_age));
        Admitted::Serving
    }

    /// GOAWAY on every connection open now; new connections are served as usual.
    pub(crate) fn drain_now(&self) {
        let fresh = CancellationToken::new();
        let old = std::mem::replace(
            &mut *self.drain.lock().unwrap_or_else(PoisonError::into_inner),
            fresh,
        );
        old.cancel();
    }

    /// Waits until every connection task of this run has ended. Call after the listener is
    /// closed and the connections were told to go (kill or drain).
    pub(crate) async fn finished(&self) {
        self.tracker.close();
        self.tracker.wait().await;
    }

    async fn serve(
        self: Arc<Self>,
        conn: ServerConn,
        goaway: CancellationToken,
        handshake_delay: Duration,
        max_age: Option<Duration>,
    ) {
        if !handshake_delay.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(handshake_delay) => {}
                () = self.kill.cancelled() => return,
                () = self.stop.cancelled() => return,
            }
        }
        let own = tower::ServiceBuilder::new()
            .layer(RecordLayer::new(Arc::clone(&self.stats)))
            .layer(LatencyLayer::new(self.latency.clone()))
            .layer(FaultLayer::new(
                Arc::clone(&self.faults),
                Arc::clone(&self.name),
                self.rpc_behavior,
                ConnHandle::new(goaway.clone()),
            ))
            .service(self.routes.clone());
        let service = Split::new(standard(&self.faults, goaway.clone()), own)
            .map_request(|request: Request<Incoming>| request.map(Body::new));
        // Reset-stream limits as tonic's `Server` sets them (none), so that a backend behaves
        // like a tonic server under a client that cancels many calls.
        let mut builder = http2::Builder::new(TokioExecutor::new());
        builder
            .timer(TokioTimer::new())
            .max_local_error_reset_streams(None)
            .max_pending_accept_reset_streams(None);
        let connection =
            builder.serve_connection(TokioIo::new(conn), TowerToHyperService::new(service));
        tokio::pin!(connection);
        let age = async move {
            match max_age {
                Some(age) => tokio::time::sleep(age).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(age);
        let mut closing = false;
        loop {
            tokio::select! {
                _ = &mut connection => break,
                () = goaway.cancelled(), if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
                () = &mut age, if !closing => {
                    closing = true;
                    // Told to the connection's health watches too, which then end.
                    goaway.cancel();
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
