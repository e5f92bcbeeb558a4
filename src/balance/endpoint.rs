//! Each endpoint's task: connect, serve while the connection lives, back off after failures.

use super::EndpointId;
use super::shared::Shared;
use super::watched::{Closed, WatchConnector};
use http::Uri;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tonic::transport::Endpoint;

/// Resolves when `stop` is set or dropped, or `shutdown` (the channel's owner) is dropped.
async fn stopped(stop: &mut watch::Receiver<bool>, shutdown: &mut watch::Receiver<()>) {
    tokio::select! {
        _ = stop.wait_for(|stop| *stop) => {}
        _ = shutdown.changed() => {}
    }
}

/// Keeps endpoint `id` connected while it is in the set: a ready connection is in the ready
/// set until it closes or is kicked for its health; then the endpoint waits out its backoff and
/// reconnects.
pub(crate) async fn keep_connected<C, T>(
    shared: Arc<Shared>,
    id: EndpointId,
    address: Uri,
    connector: C,
    mut stop: watch::Receiver<bool>,
    mut shutdown: watch::Receiver<()>,
) where
    C: tower::Service<Uri, Response = TokioIo<T>> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let timeout = shared.config.connect_timeout;
    loop {
        let closed = Closed::new();
        let watched = WatchConnector { inner: connector.clone(), closed: Arc::clone(&closed) };
        let mut endpoint = Endpoint::from(address.clone()).connect_timeout(timeout);
        if let Some(settings) = &shared.endpoint {
            endpoint = settings(endpoint);
        }
        let connecting = tokio::time::timeout(timeout, endpoint.connect_with_connector(watched));
        let connected = tokio::select! {
            connected = connecting => connected,
            () = stopped(&mut stop, &mut shutdown) => return,
        };
        let wait = match connected {
            Ok(Ok(channel)) => {
                shared.set_ready(id, channel, Arc::clone(&closed));
                let reason = tokio::select! {
                    reason = closed.wait() => reason,
                    () = stopped(&mut stop, &mut shutdown) => return,
                };
                shared.set_down(id, reason)
            }
            Ok(Err(error)) => shared.connect_failed(id, &address, &error),
            Err(elapsed) => shared.connect_failed(id, &address, &elapsed),
        };
        if wait > Duration::ZERO {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stopped(&mut stop, &mut shutdown) => return,
            }
        }
    }
}
