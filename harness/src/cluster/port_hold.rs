//! [`PortHold`]: a TCP port kept for a backend while nothing of it listens there.
//!
//! A crashed, stopped or refusing TCP backend must refuse connects, as a pod whose process is
//! gone does, and its port must stay its own: the backend starts again on the same address, and
//! a client that still dials the address (tonic's `balance_list` never forgets one) must meet a
//! refusal, never a server of another process that bound port 0 and was given the freed port.
//! That server would answer the client's calls, and the run would count answers no backend of
//! its cluster gave.
//!
//! A socket bound to the port that never listens does both: the kernel answers a connect to it
//! with a reset, as to a closed port, and an ephemeral bind (port 0) never picks a port that has
//! a bound socket. It is bound with `SO_REUSEADDR`, as the backend's listener is, so that it
//! binds beside the connections a draining backend still serves.

use std::net::SocketAddr;
use tokio::net::TcpSocket;

/// A bound, non-listening socket on a backend's port; dropping it frees the port.
#[derive(Debug)]
pub(crate) struct PortHold {
    _socket: TcpSocket,
}

impl PortHold {
    /// Binds a socket to `address` without listening. An error when the port is taken, which
    /// happens only if another socket took it in the instant since the listener closed.
    pub(crate) fn bind(address: SocketAddr) -> std::io::Result<Self> {
        let socket = if address.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }?;
        socket.set_reuseaddr(true)?;
        socket.bind(address)?;
        Ok(Self { _socket: socket })
    }

    /// Binds a hold on `address` for `backend`, or says in the log why it could not: the run
    /// goes on, and a foreign answer on the port shows in the `accounting` check.
    pub(crate) fn keep(address: SocketAddr, backend: &str) -> Option<Self> {
        match Self::bind(address) {
            Ok(hold) => Some(hold),
            Err(error) => {
                tracing::warn!(backend, %address, %error, "cannot keep the stopped backend's port");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::{Cluster, StopMode};
    use crate::net::Transport;
    use std::net::SocketAddr;

    fn port(cluster: &Cluster, index: usize) -> SocketAddr {
        let address = cluster.backend(index).unwrap().address().authority().unwrap().as_str();
        address.parse().expect("a TCP backend's address is an IP:port")
    }

    /// Binds `address` exactly, as another program would, without `SO_REUSEADDR`.
    fn free(address: SocketAddr) -> bool {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(address).is_ok()
    }

    #[tokio::test]
    async fn shutting_down_binds_no_hold_and_frees_the_ports_before_the_drop() {
        let cluster = Cluster::builder().backends(2).transport(Transport::Tcp).start().await;
        let cluster = cluster.expect("two TCP backends on loopback");
        let (stopped, running) = (port(&cluster, 0), port(&cluster, 1));
        cluster.backend(0).unwrap().stop(StopMode::Abrupt).await.unwrap();
        let held = cluster.backend(0).unwrap().holds();
        assert_eq!(held, (1, true), "a stop keeps the backend's port: the hold is counted");
        assert!(!free(stopped), "a stopped backend's port is its own while the cluster lives");

        cluster.stop_for_good().await;
        let holds: Vec<_> = cluster.backends().iter().map(|backend| backend.holds()).collect();
        assert_eq!(
            holds,
            [(1, false), (0, false)],
            "a backend stopped for good at shutdown binds no hold (the drop would free it at \
             once) and lets go of the one a fault left"
        );
        assert!(free(stopped) && free(running), "every port is free once shutdown has stopped");
    }
}
