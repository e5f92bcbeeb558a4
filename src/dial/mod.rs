//! Connectors for tonic's [`Endpoint::connect_with_connector`](tonic::transport::Endpoint), the
//! Rust form of grpc-go's `WithContextDialer`, and for jostle's `BalancedChannel`.
//!
//! A connector runs once per *connection*, not per request: a tonic `Channel` is one HTTP/2
//! connection that carries every call until it breaks. Balancing calls is
//! [`BalancedChannel`](crate::balance::BalancedChannel)'s work, not a connector's.
//!
//! ```
//! use jostle::dial::TcpConnector;
//! use tonic::transport::Endpoint;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let _channel = Endpoint::from_static("http://127.0.0.1:50051")
//!     .connect_with_connector_lazy(TcpConnector::new());
//! # Ok(())
//! # }
//! ```

mod tcp;

pub use tcp::TcpConnector;

use std::future::Future;
use std::pin::Pin;

/// The boxed future every connector in this module returns.
pub type DialFuture<T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'static>>;
