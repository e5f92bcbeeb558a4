//! A real name server on loopback: hickory-server answering from one in-memory zone,
//! `jostle.test.`, in which a test can replace the A record set of a name, as a rolling deploy
//! re-points a headless Service's name at the new pods.
//!
//! It listens on UDP and TCP on the same ephemeral port of 127.0.0.1, and answers what a name
//! server answers: the records with their TTL, NXDOMAIN for a name it does not have. The test
//! of this file checks it through jostle's own `HickoryResolver::with_name_servers`.

use hickory_server::ServerFuture;
use hickory_server::authority::{AuthorityObject, Catalog, ZoneType};
use hickory_server::proto::rr::rdata::{A, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordSet, RecordType, RrKey};
use hickory_server::store::in_memory::InMemoryAuthority;
use jostle::discover::dns::{HickoryResolver, Resolve};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};

/// The zone served.
const ZONE: &str = "jostle.test.";

/// How long the server keeps a TCP connection that sends nothing.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// The name server: the zone's authority (to re-point a name) and the server's tasks, which
/// end when it is dropped.
pub(crate) struct NameServer {
    address: SocketAddr,
    zone: Arc<InMemoryAuthority>,
    ttl: u32,
    _server: ServerFuture<Catalog>,
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap_or_else(|error| panic!("{text:?} must be a DNS name: {error}"))
}

/// The A record set of `owner`: one record per address, each with `ttl` seconds.
fn a_records(owner: &Name, addresses: &[Ipv4Addr], ttl: u32) -> RecordSet {
    let mut set = RecordSet::with_ttl(owner.clone(), RecordType::A, ttl);
    for &address in addresses {
        set.insert(Record::from_rdata(owner.clone(), ttl, RData::A(A(address))), 0);
    }
    set
}

/// A UDP socket and a TCP listener on the same ephemeral port of 127.0.0.1.
async fn bind() -> (UdpSocket, TcpListener) {
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("a UDP port of 127.0.0.1");
        let port = udp.local_addr().expect("its address").port();
        // The same port may be taken for TCP by someone else: then try another.
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            return (udp, tcp);
        }
    }
    panic!("a port of 127.0.0.1 free for both UDP and TCP must be found in 20 tries")
}

impl NameServer {
    /// Serves `host` (a name in `jostle.test.`, such as `orders`) as `addresses`, every record
    /// with `ttl` seconds. Must be called inside a tokio runtime, which runs the server.
    pub(crate) async fn start(host: &str, addresses: &[Ipv4Addr], ttl: u32) -> Self {
        let origin = name(ZONE);
        // A zone needs its SOA; its minimum is the TTL of a negative answer.
        let soa = SOA::new(
            name("ns.jostle.test."),
            name("hostmaster.jostle.test."),
            1,
            3600,
            600,
            86400,
            ttl,
        );
        let mut soa_set = RecordSet::with_ttl(origin.clone(), RecordType::SOA, ttl);
        soa_set.insert(Record::from_rdata(origin.clone(), ttl, RData::SOA(soa)), 1);
        let owner = name(&format!("{host}.{ZONE}"));
        let records = BTreeMap::from([
            (RrKey::new(LowerName::new(&origin), RecordType::SOA), soa_set),
            (RrKey::new(LowerName::new(&owner), RecordType::A), a_records(&owner, addresses, ttl)),
        ]);
        let zone = InMemoryAuthority::new(origin.clone(), records, ZoneType::Primary, false)
            .unwrap_or_else(|error| panic!("the zone {ZONE} must be valid: {error}"));
        let zone = Arc::new(zone);
        let mut catalog = Catalog::new();
        catalog
            .upsert(LowerName::new(&origin), vec![Arc::clone(&zone) as Arc<dyn AuthorityObject>]);

        let (udp, tcp) = bind().await;
        let address = udp.local_addr().expect("the UDP address");
        let mut server = ServerFuture::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, TCP_IDLE);
        Self { address, zone, ttl, _server: server }
    }

    /// Where it listens (UDP and TCP).
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Replaces the A record set of `host` with `addresses`: the next query sees only them.
    pub(crate) async fn point(&self, host: &str, addresses: &[Ipv4Addr]) {
        let owner = name(&format!("{host}.{ZONE}"));
        let key = RrKey::new(LowerName::new(&owner), RecordType::A);
        let set = a_records(&owner, addresses, self.ttl);
        self.zone.records_mut().await.insert(key, Arc::new(set));
    }
}

/// The addresses of an answer, in order.
fn sorted(addresses: &[IpAddr]) -> Vec<IpAddr> {
    let mut addresses = addresses.to_vec();
    addresses.sort();
    addresses
}

#[test]
fn the_hickory_resolver_asks_the_name_server_given_and_sees_a_repointed_record_set() {
    // Addresses from TEST-NET-2 (RFC 5737): only data here, nothing is sent to them.
    let [first, second, third] = [1, 2, 3].map(|last| Ipv4Addr::new(198, 51, 100, last));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let server = NameServer::start("orders", &[second, first], 60).await;
        let resolver = HickoryResolver::with_name_servers(&[server.address()])
            .expect("one name server is enough")
            .min_ttl(Duration::from_millis(1));
        let rerun = "rerun: cargo test -p jostle-harness --test harness hickory_resolver";

        let answer = resolver.resolve("orders.jostle.test").await.expect("the name must resolve");
        assert_eq!(
            sorted(&answer.addresses),
            [IpAddr::V4(first), IpAddr::V4(second)],
            "the resolver must return the record set the server holds ({rerun})"
        );
        assert!(
            answer.ttl > Duration::from_secs(1) && answer.ttl <= Duration::from_secs(60),
            "the answer must hold for the record's TTL of 60 s, less the time since it was \
             given, not a default ({rerun}): {:?}",
            answer.ttl
        );

        server.point("orders", &[third, second]).await;
        let answer = resolver.resolve("orders.jostle.test").await.expect("the name must resolve");
        assert_eq!(
            sorted(&answer.addresses),
            [IpAddr::V4(second), IpAddr::V4(third)],
            "every resolution must ask the server, so a re-pointed name is seen at once \
             ({rerun})"
        );

        let missing = resolver.resolve("payments.jostle.test").await;
        assert!(missing.is_err(), "a name the zone lacks must fail ({rerun}): {missing:?}");
    });
}
