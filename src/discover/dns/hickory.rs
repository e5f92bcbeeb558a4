//! [`HickoryResolver`]: the real resolver, hickory's, behind the `dns` feature (on by default).
//!
//! ```
//! use jostle::discover::dns::{DnsDiscovery, HickoryResolver};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let resolver = HickoryResolver::with_name_servers(&["127.0.0.1:53".parse()?])?;
//! let discovery = DnsDiscovery::with_resolver("orders.internal.:50051", resolver)?;
//! # drop(discovery);
//! # Ok(())
//! # }
//! ```

use super::{DnsDiscovery, DnsError, FLOOR, Resolve, Resolved, Resolving};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, NameServerConfigGroup, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// The real resolver: hickory's tokio resolver, with the system's DNS configuration
/// ([`HickoryResolver::from_system_conf`]) or with name servers of its own
/// ([`HickoryResolver::with_name_servers`]).
///
/// Every call asks the name servers (hickory's own cache is bypassed): [`DnsDiscovery`] holds an
/// answer for its TTL itself, and a [`Refresh`](super::Refresh) after a connection failure must see a new answer.
pub struct HickoryResolver {
    resolver: TokioResolver,
    min_ttl: Duration,
}

impl HickoryResolver {
    /// A resolver from the system's DNS configuration; TTLs below 1 s count as 1 s.
    pub fn from_system_conf() -> Result<Self, DnsError> {
        let builder = TokioResolver::builder_tokio()
            .map_err(|error| DnsError::SystemConfig(io::Error::from(error)))?;
        Ok(Self { resolver: builder.build(), min_ttl: Duration::from_secs(1) })
    }

    /// A resolver that asks only `name_servers`, in order, each over UDP and, for an answer too
    /// long for UDP, over TCP on the same port: a service pointed at its own resolver (a
    /// cluster's DNS service, a sidecar) instead of the system's. No search domain is appended,
    /// so give fully qualified names; hickory's default options otherwise (5 s timeout, 2
    /// attempts). TTLs below 1 s count as 1 s. Nothing is sent before the first resolution.
    ///
    /// ```
    /// use jostle::discover::dns::{DnsDiscovery, DnsError, HickoryResolver};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let resolver = HickoryResolver::with_name_servers(&["10.96.0.10:53".parse()?])?;
    /// let discovery = DnsDiscovery::with_resolver("orders.prod.svc.cluster.local:50051", resolver)?;
    /// # drop(discovery);
    /// assert!(matches!(HickoryResolver::with_name_servers(&[]), Err(DnsError::NoNameServers)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_name_servers(name_servers: &[SocketAddr]) -> Result<Self, DnsError> {
        if name_servers.is_empty() {
            return Err(DnsError::NoNameServers);
        }
        let mut group = NameServerConfigGroup::with_capacity(2 * name_servers.len());
        for &address in name_servers {
            group.push(NameServerConfig::new(address, Protocol::Udp));
            group.push(NameServerConfig::new(address, Protocol::Tcp));
        }
        let config = ResolverConfig::from_parts(None, Vec::new(), group);
        let builder =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default());
        Ok(Self { resolver: builder.build(), min_ttl: Duration::from_secs(1) })
    }

    /// Counts any TTL below `min_ttl` as `min_ttl` (at least 1 ms). Default 1 s.
    #[must_use]
    pub fn min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl.max(FLOOR);
        self
    }
}

impl fmt::Debug for HickoryResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HickoryResolver")
            .field("name_servers", &self.resolver.config().name_servers().len())
            .field("min_ttl", &self.min_ttl)
            .finish_non_exhaustive()
    }
}

impl Resolve for HickoryResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        Box::pin(async move {
            self.resolver.clear_cache();
            let lookup = self.resolver.lookup_ip(host).await.map_err(io::Error::from)?;
            let ttl = remaining(lookup.valid_until(), std::time::Instant::now(), self.min_ttl);
            Ok(Resolved { addresses: lookup.iter().collect(), ttl })
        })
    }
}

/// The time from `now` until `valid_until`, at least `min_ttl`.
fn remaining(
    valid_until: std::time::Instant,
    now: std::time::Instant,
    min_ttl: Duration,
) -> Duration {
    valid_until.saturating_duration_since(now).max(min_ttl)
}

impl DnsDiscovery<HickoryResolver> {
    /// Discovery of `target` (`host:port`) with the system's resolver.
    pub fn new(target: &str) -> Result<Self, DnsError> {
        Self::with_resolver(target, HickoryResolver::from_system_conf()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_answer_counts_as_min_ttl() {
        let now = std::time::Instant::now();
        let expired = now.checked_sub(Duration::from_secs(1)).unwrap_or(now);
        assert_eq!(
            remaining(expired, now, Duration::from_secs(1)),
            Duration::from_secs(1),
            "hickory's expired answer must count as min_ttl"
        );
    }
}
