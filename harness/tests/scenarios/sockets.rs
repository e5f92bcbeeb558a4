//! A sampler of this process's own sockets and where they lead: read from /proc/self/fd (the
//! socket inodes this process holds) and /proc/self/net/{tcp,tcp6,udp,udp6} (each socket's
//! remote address by inode). Sockets of other processes in the same network namespace are left
//! out, so another program's traffic on the machine cannot fail a test.
//!
//! A socket is *outside* when its remote end is set and is not a loopback address (nor in
//! 10.213.0.0/16, the network namespaces the serve tests of this binary create on this
//! machine), or is any address on port 53 (a DNS query, even to a local stub resolver). A sample cannot see a
//! socket opened and closed between two samples; the tests that use it also assert, by
//! construction, that nothing they dial needs a resolver.

use jostle_harness::net::sockets::{self, Socket, parse_table};
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Whether `socket` leads off this machine, or to a name server.
pub(crate) fn is_outside(socket: &Socket) -> bool {
    let ip = socket.remote.ip().to_canonical();
    socket.remote.port() == 53 || !(ip.is_loopback() || ip.is_unspecified() || test_block(ip))
}

/// 10.213.0.0/16: the network namespaces that the serve tests of this same binary create and
/// remove (serve/netns.rs). Their sockets stay on this machine.
fn test_block(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.octets()[..2] == [10, 213])
}

/// Every socket this process holds now.
pub(crate) fn own_sockets() -> Vec<Socket> {
    sockets::own_sockets(&sockets::ALL)
}

/// A thread that samples [`own_sockets`] until stopped.
pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Sampled>,
}

/// What a [`Sampler`] saw.
#[derive(Debug, Default)]
pub(crate) struct Sampled {
    /// How many samples it took.
    pub(crate) samples: u64,
    /// Every socket it saw, once each.
    pub(crate) seen: BTreeSet<Socket>,
}

impl Sampled {
    /// The sockets seen that were [`Socket::is_outside`].
    pub(crate) fn outside(&self) -> Vec<&Socket> {
        self.seen.iter().filter(|socket| is_outside(socket)).collect()
    }
}

impl Sampler {
    /// Starts sampling, about every 200 µs.
    pub(crate) fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut sampled = Sampled::default();
            while !stopping.load(Ordering::Relaxed) {
                sampled.seen.extend(own_sockets());
                sampled.samples += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
            sampled
        });
        Self { stop, thread }
    }

    /// Stops sampling (one last sample is taken) and gives what was seen.
    pub(crate) fn stop(self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        let mut sampled = self.thread.join().expect("the socket sampler must not panic");
        sampled.seen.extend(own_sockets());
        sampled.samples += 1;
        sampled
    }
}

const HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

#[test]
fn the_sampler_flags_a_socket_of_this_process_whose_remote_end_is_not_loopback() {
    // 192.0.2.1:443 (TEST-NET-1), 127.0.0.1:80 and 10.213.3.10:50051 (a test namespace), as
    // the kernel prints them, for inodes 101, 102 and 104; inode 103 belongs to another process.
    let text = format!(
        "{HEADER}   0: 0100007F:9C40 010200C0:01BB 01 00000000:00000000 00:00000000 00000000 0 0 101\n   \
         1: 0100007F:9C41 0100007F:0050 01 00000000:00000000 00:00000000 00000000 0 0 102\n   \
         2: 0100007F:9C42 010200C0:01BB 01 00000000:00000000 00:00000000 00000000 0 0 103\n   \
         3: 0100007F:9C43 0A03D50A:C383 01 00000000:00000000 00:00000000 00000000 0 0 104\n"
    );
    let ours = BTreeSet::from([101, 102, 104]);
    let sockets = parse_table("tcp", &text, &ours);
    let remotes: Vec<String> = sockets.iter().map(|s| s.remote.to_string()).collect();
    assert_eq!(
        remotes,
        ["192.0.2.1:443", "127.0.0.1:80", "10.213.3.10:50051"],
        "the kernel's hex must parse"
    );
    let outside: Vec<bool> = sockets.iter().map(is_outside).collect();
    assert_eq!(outside, [true, false, false], "a non-loopback remote end must count as outside");
}

#[test]
fn the_sampler_flags_ipv6_remotes_and_any_query_to_port_53() {
    // [2001:db8::1]:443, [::1]:53 (a DNS query to a local stub) and [::ffff:127.0.0.1]:80.
    let text = format!(
        "{HEADER}   0: 00000000000000000000000001000000:9C40 B80D0120000000000000000001000000:01BB 01 0:0 0:0 0 0 0 1\n   \
         1: 00000000000000000000000001000000:9C41 00000000000000000000000001000000:0035 01 0:0 0:0 0 0 0 2\n   \
         2: 00000000000000000000000001000000:9C42 0000000000000000FFFF00000100007F:0050 01 0:0 0:0 0 0 0 3\n"
    );
    let sockets = parse_table("tcp6", &text, &BTreeSet::from([1, 2, 3]));
    let remotes: Vec<String> = sockets.iter().map(|s| s.remote.to_string()).collect();
    assert_eq!(remotes, ["[2001:db8::1]:443", "[::1]:53", "[::ffff:127.0.0.1]:80"]);
    let outside: Vec<bool> = sockets.iter().map(is_outside).collect();
    assert_eq!(outside, [true, true, false], "off-machine and DNS sockets are outside");
}

#[test]
fn the_sampler_sees_a_socket_this_process_opens() {
    let sampler = Sampler::start();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind on loopback");
    socket.connect("127.0.0.1:9").expect("a UDP connect sends nothing");
    let seen = own_sockets();
    drop(socket);
    let sampled = sampler.stop();
    let discard: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert!(
        seen.iter().any(|s| s.table == "udp" && s.remote == discard),
        "a sample must see this process's own connected socket, saw {seen:?}"
    );
    assert!(sampled.samples > 0, "the sampler must have sampled");
}
