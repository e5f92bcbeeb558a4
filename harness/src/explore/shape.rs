//! The dimensions of a schedule beside its faults: how the clients discover the backends
//! ([`Via`]), how long the backends take to answer ([`Latency`]), and which methods the load
//! calls ([`Methods`]); each written as the scenario file's own fields.

use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// How the clients hear of the announced set: `[discovery] via`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "kebab-case")]
pub enum Via {
    /// jostle's discovery change stream: each change at its instant.
    Stream,
    /// DNS: a resolver answering with the set announced when it is asked, each answer with
    /// `ttl`; the client resolves again when the TTL runs out (never sooner than `min_ttl`
    /// after its last resolution) or after a failed connection.
    Dns {
        /// Every answer's TTL.
        #[serde(serialize_with = "millis")]
        ttl: Duration,
        /// The client's floor between two resolutions.
        #[serde(serialize_with = "millis")]
        min_ttl: Duration,
    },
}

/// The most a DNS client's resolutions are apart, whatever the TTL: jostle's `DnsDiscovery`
/// keeps an answer at most 300 s.
pub const MAX_TTL_KEPT: Duration = Duration::from_secs(300);

impl Via {
    /// The longest a client may go on with the set it had before a discovery change: none
    /// through the stream; through DNS, the time to its next resolution, at most the TTL
    /// kept between `min_ttl` and 300 s (a refresh after a failed connection only makes it
    /// sooner).
    pub fn lag(&self) -> Duration {
        match *self {
            Via::Stream => Duration::ZERO,
            Via::Dns { ttl, min_ttl } => ttl.max(min_ttl).min(MAX_TTL_KEPT),
        }
    }

    /// The `via` line and the lines it needs, for `[discovery]`; empty for the stream.
    pub(super) fn toml(&self) -> String {
        match self {
            Via::Stream => String::new(),
            Via::Dns { ttl, min_ttl } => format!(
                "via = \"dns\"\nttl = \"{}ms\"\nmin_ttl = \"{}ms\"\n",
                ttl.as_millis(),
                min_ttl.as_millis()
            ),
        }
    }
}

/// Every backend's service time: `[cluster] latency`, each call `base` give or take up to
/// `jitter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// The middle.
    #[serde(serialize_with = "millis")]
    pub base: Duration,
    /// The spread either side, at most `base`.
    #[serde(serialize_with = "millis")]
    pub jitter: Duration,
}

impl Latency {
    /// The longest a call may take without a fault: `base + jitter`.
    pub fn most(&self) -> Duration {
        self.base + self.jitter
    }

    /// The `latency` line of `[cluster]`.
    pub(super) fn toml(&self) -> String {
        format!(
            "latency = {{ base = \"{}ms\", jitter = \"{}ms\" }}\n",
            self.base.as_millis(),
            self.jitter.as_millis()
        )
    }
}

/// The method mix: `[load] mix` weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Methods {
    /// `CreateOrder`.
    pub create: u32,
    /// `GetOrder`: a backend answers NOT_FOUND for an order another one holds.
    pub get: u32,
    /// `WatchOrders`, a server stream of the orders a backend holds (up to 5).
    pub watch: u32,
}

impl Methods {
    /// `CreateOrder` only, the scenario format's default.
    pub const CREATE: Methods = Methods { create: 1, get: 0, watch: 0 };

    /// The `mix` line of `[load]`; empty for `CreateOrder` only (the format's default).
    pub(super) fn toml(&self) -> String {
        if *self == Methods::CREATE {
            return String::new();
        }
        let mut line = String::from("mix = {");
        let mut parts = Vec::new();
        for (name, weight) in [("create", self.create), ("get", self.get), ("watch", self.watch)] {
            if weight > 0 {
                parts.push(format!(" {name} = {weight}"));
            }
        }
        let _ = writeln!(line, "{} }}", parts.join(","));
        line
    }
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}
