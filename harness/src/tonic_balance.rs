//! Adapters that run tonic's own balancer (`Channel::balance_list`, `Channel::balance_channel`)
//! unchanged over a cluster's TCP endpoints, so the harness can hold it to the same checks.
//!
//! tonic's balancer takes `Endpoint`s only, with no custom connector: it works on TCP, not on
//! the in-memory transport.
//!
//! ```
//! use jostle_harness::cluster::Cluster;
//! use jostle_harness::net::Transport;
//! use jostle_harness::tonic_balance;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let cluster = Cluster::builder().backends(3).transport(Transport::Tcp).start().await?;
//! let _channel = tonic_balance::balance_list(&cluster)?;
//! let in_memory = Cluster::builder().backends(1).start().await?;
//! assert!(tonic_balance::balance_list(&in_memory).is_err());
//! # Ok(())
//! # }
//! ```

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::net::Transport;
use http::Uri;
use tokio::sync::mpsc::Sender;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};

fn tcp_only(cluster: &Cluster) -> Result<()> {
    if cluster.transport() != Transport::Tcp {
        return Err(Error::InvalidParameter {
            parameter: "transport",
            expected: "tcp (tonic's balancer takes endpoints, not connectors)".into(),
            got: cluster.transport().to_string(),
        });
    }
    Ok(())
}

/// tonic's `Channel::balance_list` over every backend of a TCP cluster.
pub fn balance_list(cluster: &Cluster) -> Result<Channel> {
    tcp_only(cluster)?;
    Ok(Channel::balance_list(cluster.addresses().into_iter().map(Endpoint::from)))
}

/// tonic's `Channel::balance_channel`, empty: send `Change::Insert(key, endpoint(address))` and
/// `Change::Remove(key)` to change its set while it runs.
pub fn balance_channel(
    cluster: &Cluster,
    capacity: usize,
) -> Result<(Channel, Sender<Change<Uri, Endpoint>>)> {
    tcp_only(cluster)?;
    Ok(Channel::balance_channel(capacity))
}
