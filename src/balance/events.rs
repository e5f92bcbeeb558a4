//! The events of a [`BalancedChannel`](super::BalancedChannel), worded in one place: each is a
//! `tracing` event (silent unless the application installs a subscriber) and, for a hook set
//! with [`Builder::on_event`](super::Builder::on_event), an [`EndpointEvent`].
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
use std::sync::Arc;
use std::time::Duration;

/// What happened to one endpoint of a [`BalancedChannel`](super::BalancedChannel), as told to
/// the hook of [`Builder::on_event`](super::Builder::on_event): for metrics, alerts and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointEvent {
    /// Discovery added it.
    Added {
        /// Its address.
        address: Uri,
        /// Its weight.
        weight: u32,
    },
    /// Discovery removed it: no new call goes to it, its connection closes.
    Removed {
        /// Its address.
        address: Uri,
    },
    /// Its first connection is up: it is in the ready set.
    Connected {
        /// Its address.
        address: Uri,
    },
    /// A connection attempt failed; the next one is in `retry_in`.
    Down {
        /// Its address.
        address: Uri,
        /// The connection error, with its sources.
        error: String,
        /// The backoff before the next attempt.
        retry_in: Duration,
    },
    /// It left the ready set: its connection failed or broke, it answered `UNAVAILABLE`, calls
    /// on it ended at their deadline `timeouts_to_eject` times in a row, or outlier detection
    /// ejected it.
    Ejected {
        /// Its address.
        address: Uri,
        /// Why, as the `reason` of the `endpoint ejected` trace.
        error: String,
        /// When it reconnects (`None` for outlier detection, which holds it out for a time).
        retry_in: Option<Duration>,
    },
    /// It is back in the ready set.
    Readmitted {
        /// Its address.
        address: Uri,
        /// Why: reconnected, or its outlier ejection time served.
        reason: String,
    },
}

impl EndpointEvent {
    /// The endpoint's address.
    pub fn address(&self) -> &Uri {
        match self {
            Self::Added { address, .. }
            | Self::Removed { address }
            | Self::Connected { address }
            | Self::Down { address, .. }
            | Self::Ejected { address, .. }
            | Self::Readmitted { address, .. } => address,
        }
    }

    /// The error of a failed connection attempt or an ejection.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Down { error, .. } | Self::Ejected { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A hook told of every [`EndpointEvent`].
pub(crate) type Hook = Arc<dyn Fn(&EndpointEvent) + Send + Sync>;

/// Tells `hook`, if any, of `event`. Never called with a lock of the channel held, so that a
/// hook may look at the channel.
pub(super) fn tell(hook: Option<&Hook>, event: impl FnOnce() -> EndpointEvent) {
    if let Some(hook) = hook {
        hook(&event());
    }
}

/// `error` and every source under it, joined by `: `, without repeats: the whole reason, down to
/// the operating system's (`transport error: tcp connect error: Connection refused (os error
/// 111)`), where the outermost message alone may say only `transport error`. Some errors print
/// their source in their own message already: it is kept once.
///
/// ```
/// let error = std::io::Error::other("connection refused");
/// assert_eq!(jostle::balance::error_chain(&error), "connection refused");
/// ```
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

pub(super) fn added(hook: Option<&Hook>, endpoint: &Uri, id: EndpointId, weight: u32) {
    tracing::debug!(endpoint = %endpoint, id = id.0, weight, "endpoint added by discovery");
    tell(hook, || EndpointEvent::Added { address: endpoint.clone(), weight });
}

pub(super) fn weight_changed(endpoint: &Uri, weight: u32) {
    tracing::debug!(endpoint = %endpoint, weight, "endpoint weight changed by discovery");
}

pub(super) fn removed(hook: Option<&Hook>, endpoint: &Uri, id: EndpointId) {
    tracing::debug!(endpoint = %endpoint, id = id.0, "endpoint removed by discovery");
    tell(hook, || EndpointEvent::Removed { address: endpoint.clone() });
}

/// A connection is up: the first one is "ready", a later one "readmitted", unless outlier
/// detection holds the endpoint out (it is readmitted when its ejection time is served).
pub(super) fn connected(
    hook: Option<&Hook>,
    endpoint: &Uri,
    id: EndpointId,
    before: bool,
    outlier_ejected: bool,
) {
    if outlier_ejected {
        tracing::debug!(
            endpoint = %endpoint,
            id = id.0,
            "endpoint reconnected while ejected by outlier detection"
        );
    } else if before {
        let reason = "reconnected";
        tracing::info!(endpoint = %endpoint, id = id.0, reason, "endpoint readmitted");
        tell(hook, || EndpointEvent::Readmitted {
            address: endpoint.clone(),
            reason: reason.into(),
        });
    } else {
        tracing::debug!(endpoint = %endpoint, id = id.0, "endpoint ready");
        tell(hook, || EndpointEvent::Connected { address: endpoint.clone() });
    }
}

/// A connection attempt failed with `error` (and its sources); the next is in `retry_in`.
pub(super) fn connect_failed(
    hook: Option<&Hook>,
    endpoint: &Uri,
    id: EndpointId,
    error: &(dyn std::error::Error + 'static),
    retry_in: Duration,
) {
    let text = error_chain(error);
    tracing::debug!(
        endpoint = %endpoint,
        id = id.0,
        error = %text,
        ?retry_in,
        "endpoint connection attempt failed"
    );
    tell(hook, || EndpointEvent::Down { address: endpoint.clone(), error: text, retry_in });
}

/// Its connection closed for `reason`; it reconnects after `retry_in`.
pub(super) fn closed(
    hook: Option<&Hook>,
    endpoint: &Uri,
    id: EndpointId,
    reason: &str,
    retry_in: Duration,
) {
    tracing::info!(endpoint = %endpoint, id = id.0, reason, ?retry_in, "endpoint ejected");
    tell(hook, || EndpointEvent::Ejected {
        address: endpoint.clone(),
        error: reason.into(),
        retry_in: Some(retry_in),
    });
}

/// What an outlier-detection tick changed; `endpoint` gives an id's address and whether it is
/// connected (one that is not is readmitted when it reconnects). Returns the events for the
/// hook, to [`tell`] once the channel's lock is released.
pub(super) fn outlier<'a>(
    changes: &[OutlierEvent<EndpointId>],
    endpoint: impl Fn(EndpointId) -> Option<(&'a Uri, bool)>,
) -> Vec<EndpointEvent> {
    let mut told = Vec::new();
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
                    told.push(EndpointEvent::Ejected {
                        address: address.clone(),
                        error: format!("outlier detection: {reason:?}"),
                        retry_in: None,
                    });
                }
            }
            OutlierEvent::Unejected { key } => {
                if let Some((address, true)) = endpoint(*key) {
                    let reason = "outlier ejection time served";
                    tracing::info!(endpoint = %address, id = key.0, reason, "endpoint readmitted");
                    told.push(EndpointEvent::Readmitted {
                        address: address.clone(),
                        reason: reason.into(),
                    });
                }
            }
        }
    }
    told
}

/// A call no server ran (a refused stream, or nothing of it sent) goes to the next pick.
pub(super) fn retried(id: EndpointId, error: &(dyn std::error::Error + 'static)) {
    tracing::debug!(id = id.0, error = %error, "call retried transparently: no server ran it");
}
