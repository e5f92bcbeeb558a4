//! The two transports a cluster runs on, and the connector a client dials them with.
//!
//! - [`Transport::InMemory`]: tokio duplex streams over a per-cluster [`MemNetwork`] of
//!   addresses. Nothing touches the OS network, and the paused clock works end to end. The
//!   addresses ([`mem_address`]: `127.74.0.1:0`, ...) are IP literals on a port nothing can
//!   listen on: a client that dials them itself instead of through the [`Connector`] gets
//!   `ConnectionRefused` at once from the kernel, never a name lookup.
//! - [`Transport::Tcp`]: real sockets on 127.0.0.1 with ephemeral ports.
//!
//! Either way a client connects *by address* through a [`Connector`], exactly as it would with
//! `Endpoint::connect_with_connector` in production.
//!
//! ```
//! use jostle_harness::net::{MemNetwork, Connector};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let network = MemNetwork::new();
//! let refused = Connector::in_memory(&network)
//!     .oneshot("http://127.74.0.1:0".parse().unwrap())
//!     .await
//!     .unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
//! # }
//! ```

mod connector;
mod frames;
mod killable;
mod mem;
mod server_conn;
pub mod sockets;
mod turn;

pub use connector::{ClientStream, Connector};
pub use frames::{REFUSED_WHY, Refusals, reason_name};
pub use killable::Killable;
pub use mem::{MemNetwork, mem_address};
pub use server_conn::{ServerConn, ServerStream};

/// Which transport a cluster's backends listen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// In-process duplex streams; usable under tokio's paused clock.
    #[default]
    InMemory,
    /// TCP on 127.0.0.1, ephemeral ports.
    Tcp,
}

impl Transport {
    /// Both transports, for tests that run the same body on each.
    pub const ALL: [Transport; 2] = [Transport::InMemory, Transport::Tcp];

    /// The name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Transport::InMemory => "in-memory",
            Transport::Tcp => "tcp",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
