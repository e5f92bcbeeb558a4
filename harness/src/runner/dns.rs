//! `via = "dns"`: jostle's own `DnsDiscovery` asks a scripted resolver that answers, at each
//! moment, with the backends the scenario's discovery timeline announces then.
//!
//! What runs for real is all of jostle's DNS discovery: when it resolves (first when the
//! balancer polls its stream, then when an answer's TTL runs out, kept to `min_ttl`..300 s, or
//! sooner after a [`Refresh`]; with gRPC's profile only after a refresh, at most every 30 s), how it diffs one answer against the last, and what it does with
//! an empty answer (keeps the endpoints, asks again 1 s later). What is scripted is the name
//! server: it answers backend `i` with the pseudo-address [`address_of`]`(i)` and the file's
//! TTL, and logs every query. What is mapped is the address: DNS carries IP addresses and one
//! port, the cluster's backends have their own (`http://127.74.0.N+1:0` in memory,
//! `http://127.0.0.1:<port>` on TCP), so each `http://10.x.y.z:50051` of the change stream is
//! turned back into backend `i`'s own address before the balancer sees it.

use crate::load::limits::MAX_DNS_QUERIES;
use crate::scenario::Discovery;
use http::Uri;
use jostle::discover::dns::{DnsDiscovery, ReResolution, Refresh, Resolve, Resolved, Resolving};
use jostle::discover::{Change, Changes};
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use tokio_stream::StreamExt;

/// The name the balancer resolves: a headless Service's name, and the port DNS cannot carry.
pub(super) const NAME: &str = "orders.jostle:50051";

/// Where the pseudo-addresses start: backend `i` is `10.0.0.0 + i + 1` (10.0.0.1 for
/// backend 0; the cluster's 10,000 backends at most fit well inside 10.0.0.0/8).
const FIRST: u32 = u32::from_be_bytes([10, 0, 0, 1]);

/// The address the scripted resolver gives backend `index`.
pub(super) fn address_of(index: usize) -> IpAddr {
    let offset = u32::try_from(index).expect("a cluster has at most 10,000 backends");
    IpAddr::V4(Ipv4Addr::from(FIRST + offset))
}

/// The backend whose pseudo-address is `ip`, if any.
fn index_of(ip: IpAddr) -> Option<usize> {
    let IpAddr::V4(v4) = ip else { return None };
    usize::try_from(u32::from(v4).checked_sub(FIRST)?).ok()
}

/// One query the scripted resolver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Query {
    /// Since the cluster started.
    pub(super) at: Duration,
    /// The backends in the answer, in index order.
    pub(super) answer: Vec<usize>,
    /// The answer's TTL.
    pub(super) ttl: Duration,
}

/// The queries answered so far, the first [`MAX_DNS_QUERIES`] of them, and how many more there
/// were; shared with the resolver.
#[derive(Debug, Clone, Default)]
pub(super) struct Queries {
    /// The first queries, in order.
    pub(super) kept: Vec<Query>,
    /// Queries answered after those, not kept.
    pub(super) dropped: u64,
}

/// [`Queries`], shared with the resolver.
pub(super) type QueryLog = Arc<Mutex<Queries>>;

/// The name server of a scenario: the timeline's set at the moment of each query.
#[derive(Debug)]
struct ScriptedResolver {
    discovery: Discovery,
    started: Instant,
    ttl: Duration,
    log: QueryLog,
}

impl Resolve for ScriptedResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        Box::pin(async move {
            if Some(host) != NAME.split(':').next() {
                return Err(io::Error::new(io::ErrorKind::NotFound, format!("no record {host}")));
            }
            let at = Instant::now().duration_since(self.started);
            let answer = self.discovery.at(at);
            let addresses = answer.iter().map(|&index| address_of(index)).collect();
            let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
            if log.kept.len() < MAX_DNS_QUERIES {
                log.kept.push(Query { at, answer, ttl: self.ttl });
            } else {
                log.dropped += 1;
            }
            drop(log);
            Ok(Resolved { addresses, ttl: self.ttl })
        })
    }
}

/// jostle's DNS discovery of `discovery` (whose `via` is DNS) over the scripted resolver,
/// its changes mapped to `addresses`; the handle that makes it resolve now; its query log.
/// Times count from `started`, the cluster's start.
pub(super) fn discover(
    discovery: &Discovery,
    ttl: Duration,
    re_resolution: ReResolution,
    addresses: Vec<Uri>,
    started: Instant,
) -> (Changes, Refresh, QueryLog) {
    let log = QueryLog::default();
    let resolver =
        ScriptedResolver { discovery: discovery.clone(), started, ttl, log: Arc::clone(&log) };
    let (changes, refresh) = DnsDiscovery::with_resolver(NAME, resolver)
        .expect("NAME is host:port")
        .re_resolution(re_resolution)
        .changes();
    // The resolver answers only pseudo-addresses of backends: every change maps.
    let mapped = changes.filter_map(move |change| mapped(change, &addresses));
    (Box::pin(mapped), refresh, log)
}

/// `change` with its pseudo-address replaced by the backend's own address.
fn mapped(change: Change, addresses: &[Uri]) -> Option<Change> {
    let own = |uri: &Uri| {
        let ip: IpAddr = uri.host()?.parse().ok()?;
        addresses.get(index_of(ip)?).cloned()
    };
    Some(match change {
        Change::Insert { address, weight } => Change::Insert { address: own(&address)?, weight },
        Change::Remove(address) => Change::Remove(own(&address)?),
    })
}

#[cfg(test)]
mod tests {
    use super::{address_of, index_of};

    #[test]
    fn every_backend_has_its_own_pseudo_address_and_maps_back() {
        assert_eq!(address_of(0).to_string(), "10.0.0.1");
        assert_eq!(address_of(255).to_string(), "10.0.1.0");
        for index in [0, 1, 254, 255, 9_999] {
            assert_eq!(index_of(address_of(index)), Some(index), "backend {index} maps back");
        }
        assert_eq!(index_of("10.0.0.0".parse().unwrap()), None, "below the first is no backend");
    }
}
