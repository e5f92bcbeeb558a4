//! This process's own sockets, as Linux shows them: the socket inodes its file descriptors
//! hold (/proc/self/fd, `socket:[INODE]`) and each socket's ends by inode
//! (/proc/self/net/{tcp,tcp6,udp,udp6}). The leak check counts the sockets on a cluster's
//! ports with it; tests sample where this process's sockets lead. Elsewhere than Linux, or
//! without /proc, nothing is read.
//!
//! ```
//! use jostle_harness::net::sockets::{TCP, own_sockets};
//!
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let port = listener.local_addr()?.port();
//! if std::path::Path::new("/proc/self/net/tcp").exists() {
//!     let sockets = own_sockets(&TCP);
//!     assert!(sockets.iter().any(|socket| socket.local.port() == port), "{sockets:?}");
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The TCP tables, IPv4 and IPv6.
pub const TCP: [&str; 2] = ["tcp", "tcp6"];

/// Every table: TCP and UDP, IPv4 and IPv6.
pub const ALL: [&str; 4] = ["tcp", "tcp6", "udp", "udp6"];

/// One socket of this process, as /proc/self/net shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Socket {
    /// `tcp`, `tcp6`, `udp` or `udp6`.
    pub table: &'static str,
    /// Its local end.
    pub local: SocketAddr,
    /// Its remote end (`0.0.0.0:0` or `[::]:0` when not connected).
    pub remote: SocketAddr,
    /// Its inode.
    pub inode: u64,
}

/// The socket inode of each of this process's file descriptors that holds a socket (an inode
/// twice when two descriptors hold one socket); `None` when /proc/self/fd cannot be read.
pub fn own_socket_fds() -> Option<Vec<u64>> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    let inodes = entries.filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok());
    Some(
        inodes
            .filter_map(|target| {
                let target = target.to_string_lossy().into_owned();
                target.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
            })
            .collect(),
    )
}

/// The rows of one /proc/net table (`text`, named `table`) whose inode is in `inodes`.
pub fn parse_table(table: &'static str, text: &str, inodes: &BTreeSet<u64>) -> Vec<Socket> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let inode: u64 = fields.get(9)?.parse().ok()?;
            if !inodes.contains(&inode) {
                return None;
            }
            let local = parse_address(fields.get(1)?)?;
            Some(Socket { table, local, remote: parse_address(fields.get(2)?)?, inode })
        })
        .collect()
}

/// `0100007F:0035` (IPv4, the address as the kernel's host-order word) or 32 hex digits for
/// IPv6 (four host-order words), a colon and the port in hex.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Option<Vec<u32>> = (0..ip.len() / 8)
        .map(|i| u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect();
    let bytes: Vec<u8> = words?.into_iter().flat_map(|word| word.to_le_bytes()).collect();
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Every socket of `tables` (names from [`ALL`]) that this process holds now.
pub fn own_sockets(tables: &[&'static str]) -> Vec<Socket> {
    let inodes: BTreeSet<u64> = own_socket_fds().unwrap_or_default().into_iter().collect();
    tables
        .iter()
        .flat_map(|table| {
            let text = std::fs::read_to_string(format!("/proc/self/net/{table}"));
            parse_table(table, &text.unwrap_or_default(), &inodes)
        })
        .collect()
}
