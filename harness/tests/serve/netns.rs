//! Test hosts with their own addresses: network namespaces on a bridge, as pods on a node.
//!
//! [`Hosts::create`]`(n, count)` makes, for this test process (`pid`), in the subnet
//! `10.213.n.0/24` (10.213.0.0/16 is the tests' block; each test takes its own /24):
//!
//! - a bridge `jb<pid>n<n>` on the host holding `10.213.n.1/24`;
//! - per host `i`, a namespace `jostle-<pid>-n<n>-h<i>` with `lo` up and a veth pair, one end
//!   (`jv<pid>n<n>h<i>`) on the bridge, the other (`eth0`) inside holding `10.213.n.(10+i)/24`.
//!
//! The host reaches every namespace's address through the bridge; nothing is routed beyond it.
//! Dropping [`Hosts`] (also while a test panics) kills the processes started in the namespaces,
//! then every process left in them, and deletes the namespaces, veths and bridge.
//! [`Hosts::create`] first removes what a crashed earlier run (a test process that is gone) left
//! behind under the same naming scheme. Needs root and iproute2's `ip`.

use super::process::Served;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Output};

/// Why namespaces cannot be made here, if they cannot: not root, or no `ip`.
fn unavailable() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status.lines().find_map(|line| line.strip_prefix("Uid:")).unwrap_or("");
    if uid.split_whitespace().next() != Some("0") {
        return Some("network namespaces need root".to_owned());
    }
    match Command::new("ip").arg("-V").output() {
        Ok(output) if output.status.success() => None,
        _ => Some("no `ip` (iproute2) on the PATH".to_owned()),
    }
}

/// Whether namespaces can be made here; if not, says why, or fails when JOSTLE_REQUIRE_NETNS
/// is set (.ci/run sets it).
pub(crate) fn runnable() -> bool {
    let Some(why) = unavailable() else { return true };
    assert!(
        std::env::var_os("JOSTLE_REQUIRE_NETNS").is_none(),
        "JOSTLE_REQUIRE_NETNS is set but {why}: run as root with iproute2 installed \
         (apt-get install iproute2; .ci/run does)"
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipped: {why} (run as root with iproute2's `ip`; .ci/run does)");
    }
    false
}

/// Runs `ip args...`; panics with its stderr unless it succeeds.
fn ip(args: &[&str]) -> Output {
    let output = Command::new("ip").args(args).output().expect("`ip` runs");
    assert!(
        output.status.success(),
        "`ip {}` must succeed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    output
}

/// Runs `ip args...` for its stdout, whatever its status (a listing, or a removal that may
/// find nothing to remove).
fn ip_quiet(args: &[&str]) -> String {
    let output = Command::new("ip").args(args).output().expect("`ip` runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The names of every namespace (`ip netns list` prints `name (id: N)` or just `name`).
fn namespaces() -> Vec<String> {
    let listing = ip_quiet(&["netns", "list"]);
    listing.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect()
}

/// The names of every link of the host (`ip -o link show`: `7: jv12n10h0@if2: <...> ...`).
fn links() -> Vec<String> {
    let listing = ip_quiet(&["-o", "link", "show"]);
    listing
        .lines()
        .filter_map(|line| line.split(": ").nth(1))
        .map(|name| name.split('@').next().unwrap_or(name).to_owned())
        .collect()
}

/// Kills every process left in namespace `name` (by id), then deletes it.
fn delete_namespace(name: &str) {
    for pid in ip_quiet(&["netns", "pids", name]).split_whitespace() {
        let _ = Command::new("kill").args(["-KILL", pid]).status();
    }
    let _ = Command::new("ip").args(["netns", "del", name]).output();
}

/// The test process id in a name of this scheme (`jostle-<pid>-...`, `jb<pid>n...`,
/// `jv<pid>n...`), if it is one.
fn owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix("jostle-")
        .or_else(|| name.strip_prefix("jb"))
        .or_else(|| name.strip_prefix("jv"))?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let tail = &rest[digits.len()..];
    (tail.starts_with("-n") || tail.starts_with('n')).then(|| digits.parse().ok()).flatten()
}

/// Removes namespaces and links of this scheme whose test process is gone.
fn remove_stale() {
    let gone =
        |name: &String| owner(name).is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
    for name in links().iter().filter(|name| gone(name)) {
        let _ = Command::new("ip").args(["link", "del", name]).output();
    }
    for name in namespaces().iter().filter(|name| gone(name)) {
        delete_namespace(name);
    }
}

/// What a [`Hosts`] made, by name, to check after it is dropped that none of it is left.
#[derive(Debug, Clone)]
pub(crate) struct Made {
    namespaces: Vec<String>,
    links: Vec<String>,
    processes: Vec<u32>,
}

impl Made {
    /// Whatever of it still exists: namespaces, links, live processes.
    pub(crate) fn left(&self) -> Vec<String> {
        let (namespaces, links) = (namespaces(), links());
        let mut left: Vec<String> = self
            .namespaces
            .iter()
            .filter(|name| namespaces.contains(name))
            .map(|name| format!("namespace {name}"))
            .collect();
        left.extend(
            self.links
                .iter()
                .filter(|name| links.contains(name))
                .map(|name| format!("link {name}")),
        );
        left.extend(
            self.processes
                .iter()
                .filter(|pid| Path::new(&format!("/proc/{pid}")).exists())
                .map(|pid| format!("process {pid}")),
        );
        left
    }
}

/// Namespaced hosts on a bridge, removed on drop.
pub(crate) struct Hosts {
    subnet: u8,
    bridge: String,
    namespaces: Vec<String>,
    veths: Vec<String>,
    served: Vec<Option<Served>>,
}

impl Hosts {
    /// Makes `count` hosts in `10.213.subnet.0/24` (see the module docs).
    pub(crate) fn create(subnet: u8, count: u8) -> Self {
        assert!(count <= 200, "at most 200 hosts in a /24 (from .10)");
        remove_stale();
        let prefix = format!("10.213.{subnet}.0/24");
        let holders = ip_quiet(&["-4", "-o", "addr", "show", "to", &prefix]);
        assert!(
            holders.trim().is_empty(),
            "the test subnet {prefix} must be free (another run of the same test holds it?): \
             {holders}"
        );
        let pid = std::process::id();
        // The guard exists before anything is made: a failure halfway removes what was made.
        let mut hosts = Self {
            subnet,
            bridge: format!("jb{pid}n{subnet}"),
            namespaces: Vec::new(),
            veths: Vec::new(),
            served: Vec::new(),
        };
        ip(&["link", "add", &hosts.bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("10.213.{subnet}.1/24"), "dev", &hosts.bridge]);
        ip(&["link", "set", &hosts.bridge, "up"]);
        for index in 0..count {
            let namespace = format!("jostle-{pid}-n{subnet}-h{index}");
            let veth = format!("jv{pid}n{subnet}h{index}");
            ip(&["netns", "add", &namespace]);
            hosts.namespaces.push(namespace.clone());
            ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &namespace,
            ]);
            hosts.veths.push(veth.clone());
            ip(&["link", "set", &veth, "master", &hosts.bridge]);
            ip(&["link", "set", &veth, "up"]);
            let address = format!("{}/24", hosts.address(usize::from(index)));
            ip(&["-n", &namespace, "addr", "add", &address, "dev", "eth0"]);
            ip(&["-n", &namespace, "link", "set", "eth0", "up"]);
            ip(&["-n", &namespace, "link", "set", "lo", "up"]);
            hosts.served.push(None);
        }
        hosts
    }

    /// Host `index`'s address: `10.213.subnet.(10+index)`.
    pub(crate) fn address(&self, index: usize) -> Ipv4Addr {
        let last = u8::try_from(10 + index).expect("a host index below 246");
        Ipv4Addr::new(10, 213, self.subnet, last)
    }

    /// Runs `jostle serve --backends 1 args...` inside host `index` (through `ip netns exec`,
    /// which execs it: the child is the serve process), with `env` set, and waits for its
    /// announcement.
    pub(crate) fn serve(&mut self, index: usize, args: &[&str], env: &[(&str, &str)]) -> &Served {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.namespaces[index], env!("CARGO_BIN_EXE_jostle")]);
        command.args(["serve", "--backends", "1"]).args(args);
        command.envs(env.iter().copied());
        self.served[index].insert(Served::spawn(command, 1))
    }

    /// The processes running in host `index`, by `ip netns pids`.
    pub(crate) fn pids(&self, index: usize) -> Vec<u32> {
        let listing = ip_quiet(&["netns", "pids", &self.namespaces[index]]);
        listing.split_whitespace().map(|pid| pid.parse().expect("a pid")).collect()
    }

    /// Everything made so far, by name.
    pub(crate) fn made(&self) -> Made {
        let mut links = self.veths.clone();
        links.push(self.bridge.clone());
        Made {
            namespaces: self.namespaces.clone(),
            links,
            processes: self.served.iter().flatten().map(Served::id).collect(),
        }
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        // Served's own drop kills and reaps its process.
        self.served.clear();
        // The links first: deleting a veth removes both ends at once, whereas a namespace's
        // own links go when the kernel gets round to freeing it, after `ip netns del` returns.
        for link in self.veths.iter().chain([&self.bridge]) {
            let _ = Command::new("ip").args(["link", "del", link]).output();
        }
        // Then whatever process is left inside, and the namespaces.
        for namespace in &self.namespaces {
            delete_namespace(namespace);
        }
    }
}

#[test]
fn namespaces_links_and_processes_are_removed_also_when_a_test_panics() {
    if !runnable() {
        return;
    }
    let rerun = "rerun: cargo test -p jostle-harness --test harness namespaces";
    let mut made = None;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // 10.213.11.0/24: the rolling deploy's test may run at the same time on 10.213.10.0/24.
        let mut hosts = Hosts::create(11, 2);
        let address = hosts.address(1).to_string();
        let serve = hosts.serve(1, &["--host", &address], &[]).id();
        assert_eq!(
            hosts.pids(1),
            [serve],
            "`ip netns exec` must exec serve, so that killing the child ends it ({rerun})"
        );
        made = Some(hosts.made());
        panic!("a forced failure after setup");
    }));
    let panic = outcome.expect_err("the body must panic");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"a forced failure after setup"));
    let made = made.expect("the setup must be complete before the panic");
    assert_eq!(
        (made.namespaces.len(), made.links.len(), made.processes.len()),
        (2, 3, 1),
        "two namespaces, two veths and a bridge, one serve were made ({rerun}): {made:?}"
    );
    let left = made.left();
    assert!(
        left.is_empty(),
        "a test that panics must still remove every namespace, link and process it made \
         ({rerun}): {left:?}"
    );
}
