//! The `tracing` events of a [`BalancedChannel`](super::BalancedChannel), worded in one place.
//! They are silent unless the application installs a subscriber.
//!
//! | message | level | fields |
//! |---|---|---|
//! | `endpoint added by discovery` | debug | `endpoint`, `id`, `weight` |
//! | `endpoint weight changed by discovery` | debug | `endpoint`, `weight` |
//! | `endpoint removed by discovery` | debug | `endpoint`, `id` |
//! | `endpoint ready` (first connection) | debug | `endpoint`, `id` |
//! | `endpoint reconnected while ejected by outlier detection` | debug | `endpoint`, `id` |
//! | `endpoint connection attempt failed` | debug | `endpoint`, `id`, `error`, `retry_in` |
//! | `endpoint ejected` | info | `endpoint`, `id`, `reason`, and `retry_in` or `ejected_for` |
//! | `endpoint readmitted` | info | `endpoint`, `id`, `reason` |
//! | `call retried transparently: no server ran it` | debug | `id`, `error` |
//!
//! `reason` of an ejection: the connection failed, was closed by the peer, shut down or dropped;
//! the endpoint answered `UNAVAILABLE`; a call failed on a transport error; calls ended at their
//! deadline `timeouts_to_eject` times in a row; or outlier detection (with the figures in
//! `detail`).

use super::EndpointId;
use super::outlier::OutlierEvent;
use http::Uri;
use std::time::Duration;

pub(super) fn added(endpoint: &Uri, id: EndpointId, weight: u32) {
    tracing::debug!(endpoint = %endpoint, id = id.0, weight, "endpoint added by discovery");
}

pub(super) fn weight_changed(endpoint: &Uri, weight: u32) {
    tracing::debug!(endpoint = %endpoint, weight, "endpoint weight changed by discovery");
}

pub(super) fn removed(endpoint: &Uri, id: EndpointId) {
    tracing::debug!(endpoint = %endpoint, id = id.0, "endpoint removed by discovery");
}

/// A connection is up: the first one is "ready", a later one "readmitted", unless outlier
/// detection holds the endpoint out (it is readmitted when its ejection time is served).
pub(super) fn connected(endpoint: &Uri, id: EndpointId, before: bool, outlier_ejected: bool) {
    if outlier_ejected {
        tracing::debug!(
            endpoint = %endpoint,
            id = id.0,
            "endpoint reconnected while ejected by outlier detection"
        );
    } else if before {
        let reason = "reconnected";
        tracing::info!(endpoint = %endpoint, id = id.0, reason, "endpoint readmitted");
    } else {
        tracing::debug!(endpoint = %endpoint, id = id.0, "endpoint ready");
    }
}

/// A connection attempt failed with `error` (and its sources); the next is in `retry_in`.
pub(super) fn connect_failed(
    endpoint: &Uri,
    id: EndpointId,
    error: &(dyn std::error::Error + 'static),
    retry_in: Duration,
) {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(error) = source {
        // Some errors print their source in their own message already: keep it once.
        let next = error.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = error.source();
    }
    tracing::debug!(
        endpoint = %endpoint,
        id = id.0,
        error = %text,
        ?retry_in,
        "endpoint connection attempt failed"
    );
}

/// Its connection closed for `reason`; it reconnects after `retry_in`.
pub(super) fn closed(endpoint: &Uri, id: EndpointId, reason: &str, retry_in: Duration) {
    tracing::info!(endpoint = %endpoint, id = id.0, reason, ?retry_in, "endpoint ejected");
}

/// What an outlier-detection tick changed; `endpoint` gives an id's address and whether it is
/// connected (one that is not is readmitted when it reconnects).
pub(super) fn outlier<'a>(
    changes: &[OutlierEvent<EndpointId>],
    endpoint: impl Fn(EndpointId) -> Option<(&'a Uri, bool)>,
) {
    for change in changes {
        match change {
            OutlierEvent::Ejected { key, duration, reason, .. } => {
                if let Some((address, _)) = endpoint(*key) {
                    tracing::info!(
                        endpoint = %address,
                        id = key.0,
                        reason = "outlier detection",
                        detail = ?reason,
                        ejected_for = ?duration,
                        "endpoint ejected"
                    );
                }
            }
            OutlierEvent::Unejected { key } => {
                if let Some((address, true)) = endpoint(*key) {
                    let reason = "outlier ejection time served";
                    tracing::info!(endpoint = %address, id = key.0, reason, "endpoint readmitted");
                }
            }
        }
    }
}

/// A call no server ran (a refused stream, or nothing of it sent) goes to the next pick.
pub(super) fn retried(id: EndpointId, error: &(dyn std::error::Error + 'static)) {
    tracing::debug!(id = id.0, error = %error, "call retried transparently: no server ran it");
}
