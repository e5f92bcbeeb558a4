//! jostle: client-side gRPC load balancing for tonic.
//!
//! This crate is what a service ships, and nothing else:
//! - [`balance`]: client-side balancing: the [`Balancer`](balance::Balancer) trait, policies,
//!   and [`BalancedChannel`](balance::BalancedChannel), a tower `Service` that a generated tonic
//!   client uses directly;
//! - [`discover`]: where endpoints come from: a list, a stream of changes, DNS;
//! - [`dial`]: connectors (TCP with `TCP_NODELAY`);
//! - [`grpc`]: small gRPC-over-HTTP/2 facts the balancer reads.
//!
//! The test side (an order service to chaos-test against, faults, load, checks, the article's
//! dialers as specimens) is the `jostle-harness` crate.
//!
//! ```
//! use jostle::balance::BalancedChannel;
//! use jostle::balance::policy::RoundRobin;
//! use jostle::dial::TcpConnector;
//! use jostle::discover;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let addresses = ["http://127.0.0.1:50051", "http://127.0.0.1:50052"].map(|a| a.parse().unwrap());
//! let channel = BalancedChannel::builder()
//!     .balancer(RoundRobin::new())
//!     .build(discover::fixed(addresses), TcpConnector::new());
//! // `channel` is what `MyServiceClient::new(channel)` takes.
//! # drop(channel);
//! # }
//! ```

pub mod balance;
pub mod dial;
pub mod discover;
pub mod grpc;
