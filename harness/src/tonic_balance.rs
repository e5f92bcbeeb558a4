//! Adapters that run tonic's own balancer (`Channel::balance_list`, `Channel::balance_channel`)
//! unchanged over a cluster's TCP endpoints, so the harness can hold it to the same checks.
//!
//! A balancer factory has a [`Target`], not a cluster: [`balance_list_for`] and
//! [`balance_channel_for`] take one (`balance_channel_for` feeds the target's discovery into
//! tonic's change sender). tonic's balancer takes `Endpoint`s only, with no custom connector:
//! it works on TCP, not on the in-memory transport, and says so with an error there.
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

use crate::channel::Target;
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::net::{Connector, Transport};
use http::Uri;
use jostle::discover::{Change as Announced, Changes};
use tokio::sync::mpsc::Sender;
use tokio_stream::StreamExt;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};

fn tcp_only(transport: Transport) -> Result<()> {
    if transport != Transport::Tcp {
        return Err(Error::InvalidParameter {
            parameter: "transport",
            expected: "tcp (tonic's balancer takes endpoints, not connectors)".into(),
            got: transport.to_string(),
        });
    }
    Ok(())
}

fn transport_of(target: &Target) -> Transport {
    match target.connector {
        Connector::InMemory(_) => Transport::InMemory,
        Connector::Tcp(_) => Transport::Tcp,
    }
}

/// tonic's `balance_channel` needs a buffer of at least one change, and a tokio runtime to
/// spawn its worker on.
fn channel_preconditions(capacity: usize) -> Result<()> {
    if capacity == 0 {
        return Err(Error::InvalidParameter {
            parameter: "capacity",
            expected: "at least 1 change buffered".into(),
            got: capacity.to_string(),
        });
    }
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::InvalidParameter {
            parameter: "runtime",
            expected: "a call from inside a tokio runtime (tonic spawns its balancer there)".into(),
            got: "none".into(),
        });
    }
    Ok(())
}

/// tonic's `Channel::balance_list` over every backend of a TCP cluster.
pub fn balance_list(cluster: &Cluster) -> Result<Channel> {
    tcp_only(cluster.transport())?;
    Ok(Channel::balance_list(cluster.addresses().into_iter().map(Endpoint::from)))
}

/// tonic's `Channel::balance_list` over every address of a TCP target, for a factory. The list
/// is fixed: the target's discovery never reaches it (use [`balance_channel_for`] for that).
pub fn balance_list_for(target: &Target) -> Result<Channel> {
    tcp_only(transport_of(target))?;
    Ok(Channel::balance_list(target.addresses.iter().cloned().map(Endpoint::from)))
}

/// tonic's `Channel::balance_channel`, empty: send `Change::Insert(key, endpoint(address))` and
/// `Change::Remove(key)` to change its set while it runs. `capacity` is at least 1.
pub fn balance_channel(
    cluster: &Cluster,
    capacity: usize,
) -> Result<(Channel, Sender<Change<Uri, Endpoint>>)> {
    tcp_only(cluster.transport())?;
    channel_preconditions(capacity)?;
    Ok(Channel::balance_channel(capacity))
}

/// tonic's `Channel::balance_channel` fed by a TCP target's discovery, for a factory: each
/// announced address becomes `Change::Insert(address, Endpoint::from(address))`, each removal
/// `Change::Remove(address)` (weights are dropped: tonic's balancer has none). A task forwards
/// them for as long as the channel lives and ends when every clone of the channel is dropped.
///
/// Takes the target's discovery stream ([`Target::changes`]): one channel per target.
/// `capacity` (at least 1) is how many changes tonic buffers. Call it inside a tokio runtime.
pub fn balance_channel_for(target: &Target, capacity: usize) -> Result<Channel> {
    tcp_only(transport_of(target))?;
    channel_preconditions(capacity)?;
    let (channel, sender) = Channel::balance_channel(capacity);
    tokio::spawn(forward(target.changes(), sender));
    Ok(channel)
}

/// Forwards `changes` into tonic's `sender` until the channel behind it is gone. When the
/// discovery stream ends, it keeps the sender (and so the last set) until then.
async fn forward(mut changes: Changes, sender: Sender<Change<Uri, Endpoint>>) {
    loop {
        let announced = tokio::select! {
            announced = changes.next() => announced,
            () = sender.closed() => return,
        };
        let change = match announced {
            Some(Announced::Insert { address, .. }) => {
                Change::Insert(address.clone(), Endpoint::from(address))
            }
            Some(Announced::Remove(address)) => Change::Remove(address),
            None => return sender.closed().await,
        };
        if sender.send(change).await.is_err() {
            return;
        }
    }
}
