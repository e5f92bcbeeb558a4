//! `[discovery] via`, `ttl` and `min_ttl`: how the client under test hears of the announced
//! set, through jostle's discovery stream or through DNS, as a [`Via`].

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use super::raw::RawDiscovery;
use super::suggest::{did_you_mean, quoted};
use std::time::Duration;
use toml::Spanned;

/// The TTL the scripted resolver answers with when `ttl` is left out: the one in Kubernetes'
/// default CoreDNS configuration (`kubernetes cluster.local ... { ttl 30 }`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(30);

/// The longest TTL a file may give: the most CoreDNS's `kubernetes` plugin allows.
pub const MAX_TTL: Duration = Duration::from_secs(3600);

/// The client's floor between two resolutions when `min_ttl` is left out and the balancer has
/// jostle's profile: jostle's `DnsDiscovery` default (gRPC's profile: 30 s, TTLs ignored).
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(1);

/// The lowest `min_ttl`: it bounds how often the client resolves, so it bounds the query log
/// (at most one query per `min_ttl` of the run, beside retries after empty answers, 1 s apart).
pub const MIN_MIN_TTL: Duration = Duration::from_millis(100);

/// The highest `min_ttl`: jostle's `DnsDiscovery` holds no answer longer than 300 s unless the
/// floor says so, and a floor above that would only stop re-resolution.
pub const MAX_MIN_TTL: Duration = Duration::from_secs(300);

/// How the client under test hears of the announced set.
///
/// ```
/// use jostle_harness::scenario::{self, Via};
/// use std::time::Duration;
///
/// let text = r#"
/// name = "a headless Service"
/// [cluster]
/// backends = 3
/// [balancer]
/// policy = "round_robin"
/// [load]
/// rate = 10
/// duration = "10s"
/// [discovery]
/// via = "dns"
/// ttl = "5s"
/// initial = [0, 1]
/// [[discovery.change]]
/// at = "4s"
/// set = [1, 2]
/// "#;
/// let discovery = scenario::parse(text, "dns.toml")?.discovery().clone();
/// let ttl = Duration::from_secs(5);
/// assert_eq!(discovery.via, Via::Dns { ttl, min_ttl: None });
/// // What the scripted resolver answers at 3 s and at 4 s.
/// assert_eq!(discovery.at(Duration::from_secs(3)), [0, 1]);
/// assert_eq!(discovery.at(Duration::from_secs(4)), [1, 2]);
/// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Via {
    /// jostle's discovery change stream: each change reaches the client at its time.
    #[default]
    Stream,
    /// DNS: jostle's `DnsDiscovery` asks a scripted resolver, which answers with the set
    /// announced at that moment and this TTL; the client sees a change only when it resolves
    /// again (the TTL ran out, or a connection failed).
    Dns {
        /// The TTL of every answer.
        ttl: Duration,
        /// The client's floor between two resolutions (`DnsDiscovery::min_ttl`); `None` (no
        /// `min_ttl` in the file): the balancer profile's ([`DEFAULT_MIN_TTL`] with jostle's,
        /// 30 s with TTLs ignored with gRPC's).
        min_ttl: Option<Duration>,
    },
}

impl Via {
    /// The names a file may write, in the order the docs list them.
    pub const NAMES: [&'static str; 2] = ["stream", "dns"];

    /// The name a file writes for it.
    pub fn name(&self) -> &'static str {
        match self {
            Via::Stream => "stream",
            Via::Dns { .. } => "dns",
        }
    }
}

/// Checks `via`, `ttl` and `min_ttl` of `[discovery]`.
pub(super) fn via(raw: &RawDiscovery, source: &Source<'_>) -> Result<Via, ScenarioError> {
    let dns = match &raw.via {
        None => false,
        Some(written) => match written.get_ref().as_str() {
            "stream" => false,
            "dns" => true,
            other => {
                return Err(source
                    .error(
                        written.span(),
                        format!("unknown discovery path `{other}`"),
                        quoted(&Via::NAMES),
                    )
                    .suggesting(did_you_mean(other, Via::NAMES)));
            }
        },
    };
    if !dns {
        let stray = [("ttl", raw.ttl.as_ref()), ("min_ttl", raw.min_ttl.as_ref())];
        if let Some((field, value)) = stray.into_iter().find_map(|(f, v)| Some((f, v?))) {
            return Err(source.error(
                value.span(),
                format!("`{field}` without DNS discovery"),
                format!("`via = \"dns\"` beside it, or no `{field}`"),
            ));
        }
        return Ok(Via::Stream);
    }
    let ttl = match &raw.ttl {
        None => DEFAULT_TTL,
        Some(ttl) => within(ttl, "ttl", Duration::ZERO..=MAX_TTL, TTL_RANGE, source)?,
    };
    let min_ttl = match &raw.min_ttl {
        None => None,
        Some(min) => {
            Some(within(min, "min_ttl", MIN_MIN_TTL..=MAX_MIN_TTL, MIN_TTL_RANGE, source)?)
        }
    };
    Ok(Via::Dns { ttl, min_ttl })
}

/// [`MAX_TTL`]'s range as an error message gives it.
const TTL_RANGE: &str = "a TTL from \"0s\" to \"1h\" (CoreDNS's range)";

/// [`MIN_MIN_TTL`] to [`MAX_MIN_TTL`] as an error message gives it.
const MIN_TTL_RANGE: &str = "a duration from \"100ms\" to \"300s\"";

/// A duration in `range`; `expected` says the range in a file's words.
fn within(
    value: &Spanned<Dur>,
    field: &str,
    range: std::ops::RangeInclusive<Duration>,
    expected: &str,
    source: &Source<'_>,
) -> Result<Duration, ScenarioError> {
    let duration = value.get_ref().0;
    if !range.contains(&duration) {
        return Err(source.error(value.span(), format!("`{field}` is {duration:?}"), expected));
    }
    Ok(duration)
}
