//! Client-side load balancing for tonic: a pluggable [`Balancer`], built-in [`policy`]s, and
//! [`BalancedChannel`], the tower `Service` that routes each request of a generated client
//! through the balancer to one ready endpoint, with health, backoff and deadlines.
//!
//! ```
//! use jostle::balance::{BalanceConfig, BalancedChannel, policy::PowerOfTwoChoices};
//! use jostle::dial::TcpConnector;
//! use jostle::discover;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (changes, endpoints) = discover::channel();
//! let channel = BalancedChannel::builder()
//!     .balancer(PowerOfTwoChoices::from_seed(7))
//!     .config(BalanceConfig { wait_for_ready: true, ..BalanceConfig::default() })
//!     .build(endpoints, TcpConnector::new());
//! changes.insert("http://127.0.0.1:50051".parse().unwrap());
//! # drop(channel);
//! # }
//! ```

mod body;
mod channel;
mod config;
mod endpoint;
mod events;
pub mod outlier;
mod picker;
pub mod policy;
mod profile;
mod random;
mod retry;
mod route;
mod shared;
mod watched;

pub use channel::{BalancedChannel, Builder};
pub use config::{Backoff, BalanceConfig, ConfigError};
pub use events::{EndpointEvent, error_chain};
pub use picker::{Balancer, Candidate, EndpointId, Outcome};
pub use profile::Profile;
pub use random::{RandomSource, Scripted, Seeded};
pub use shared::EndpointSnapshot;
