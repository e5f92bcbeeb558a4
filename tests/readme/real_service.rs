use jostle::balance::{BalancedChannel, Balancer, Candidate};
use jostle::dial::TcpConnector;
use jostle::discover;
use jostle_harness::proto::order_service_client::OrderServiceClient;

/// The endpoint with the fewest calls in flight; ties taken in turn.
#[derive(Debug, Default)]
struct Fewest {
    next: usize,
}

impl Balancer for Fewest {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let start = self.next % ready.len().max(1);
        self.next = self.next.wrapping_add(1);
        (0..ready.len())
            .map(|k| (start + k) % ready.len())
            .min_by_key(|&i| ready[i].in_flight)
            .unwrap_or(0)
    }
}

/// A client of the order service at `addresses` (say `http://10.1.0.7:50051`, one per
/// replica), balanced call by call. Call it inside a tokio runtime.
pub fn orders_client(addresses: Vec<http::Uri>) -> OrderServiceClient<BalancedChannel> {
    let channel = BalancedChannel::builder()
        .balancer(Fewest::default())
        .build(discover::fixed(addresses), TcpConnector::new());
    OrderServiceClient::new(channel)
}
