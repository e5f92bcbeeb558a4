//! [`ReResolution`]: when DNS discovery asks again, as jostle does or as gRPC does.

use std::time::Duration;

/// When a [`DnsDiscovery`](super::DnsDiscovery) resolves again after an answer.
///
/// ```
/// use jostle::discover::dns::ReResolution;
/// use std::time::Duration;
///
/// // grpc-go's DNS resolver: no re-resolution on a TTL, and a refresh (after a connection
/// // loss or failure) at most once per 30 s.
/// let grpc = ReResolution::grpc();
/// assert_eq!(grpc.min_interval, Duration::from_secs(30));
/// assert!(!grpc.follow_ttl);
/// assert!(ReResolution::jostle().follow_ttl);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReResolution {
    /// The shortest time between two resolutions: a [`Refresh`](super::Refresh) sooner than
    /// this after the last resolution waits for it, and with `follow_ttl` a lower TTL counts
    /// as this. Above zero.
    pub min_interval: Duration,
    /// Whether an answer's TTL (kept to `min_interval..=max_ttl`) schedules the next
    /// resolution. `false`: only a [`Refresh`](super::Refresh) does (and a retry after a failed
    /// or empty answer), as grpc-go's resolver, which ignores TTLs.
    pub follow_ttl: bool,
}

impl ReResolution {
    /// jostle's own: every TTL, and at most once per second (TTLs below 1 s count as 1 s).
    pub const fn jostle() -> Self {
        Self { min_interval: Duration::from_secs(1), follow_ttl: true }
    }

    /// grpc-go's (`internal/resolver/dns`, `MinResolutionInterval`; C-core's
    /// `dns_min_time_between_resolutions` is 30 s too): no re-resolution on a TTL; a refresh at
    /// most once per 30 s.
    pub const fn grpc() -> Self {
        Self { min_interval: Duration::from_secs(30), follow_ttl: false }
    }
}

impl Default for ReResolution {
    /// [`ReResolution::jostle`].
    fn default() -> Self {
        Self::jostle()
    }
}
