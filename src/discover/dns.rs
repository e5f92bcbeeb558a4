//! DNS discovery: a `host:port` name resolved into endpoints, re-resolved every TTL and on
//! demand after connection failures.
//!
//! [`DnsDiscovery::changes`] gives the stream of [`Change`]s and a [`Refresh`] handle. The first
//! answer inserts every address; each later answer sends only the difference (inserts, then
//! removals, each in address order). The next resolution is due when the answer's TTL runs out,
//! kept between `min_ttl` and `max_ttl`; [`Refresh::refresh`] brings it forward. With
//! [`ReResolution::grpc`] ([`DnsDiscovery::re_resolution`]) TTLs are ignored, as grpc-go does:
//! only a refresh, at most once per 30 s, resolves again. A failed
//! resolution, or an empty answer, keeps the endpoints as they are and is retried after `retry`.
//! Resolution happens while the stream is polled, under `tokio::time`; dropping the stream stops
//! it.
//!
//! The resolver is a [`Resolve`]: `HickoryResolver` (the system's DNS configuration by default,
//! or name servers of its own with `HickoryResolver::with_name_servers`; with the `dns` feature,
//! on by default), or any other, such as this one for tests:
//!
//! ```
//! use jostle::discover::Change;
//! use jostle::discover::dns::{DnsDiscovery, Resolve, Resolved, Resolving};
//! use std::time::Duration;
//! use tokio_stream::StreamExt;
//!
//! /// Answers every name with the same two addresses, valid for a minute.
//! #[derive(Debug)]
//! struct TwoBackends;
//!
//! impl Resolve for TwoBackends {
//!     fn resolve<'a>(&'a self, _host: &'a str) -> Resolving<'a> {
//!         let addresses = vec!["10.0.0.2".parse().unwrap(), "10.0.0.1".parse().unwrap()];
//!         Box::pin(async move { Ok(Resolved { addresses, ttl: Duration::from_secs(60) }) })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), jostle::discover::dns::DnsError> {
//! let (mut changes, refresh) =
//!     DnsDiscovery::with_resolver("orders.internal:50051", TwoBackends)?.changes();
//! let first = Change::insert("http://10.0.0.1:50051".parse().unwrap());
//! let second = Change::insert("http://10.0.0.2:50051".parse().unwrap());
//! assert_eq!(changes.next().await, Some(first));
//! assert_eq!(changes.next().await, Some(second));
//! // After a connection failure: ask again now rather than at the end of the TTL.
//! assert!(refresh.refresh());
//! # Ok(())
//! # }
//! ```
//!
//! With the system's resolver (the `dns` feature; this example would query DNS, so it is only
//! compiled):
//!
//! ```no_run
//! use jostle::discover::dns::DnsDiscovery;
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), jostle::discover::dns::DnsError> {
//! let (changes, refresh) = DnsDiscovery::new("orders.internal:50051")?
//!     .max_ttl(Duration::from_secs(30))
//!     .changes();
//! # let _ = (changes, refresh);
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "dns")]
mod hickory;

#[cfg(feature = "dns")]
pub use hickory::HickoryResolver;

use super::{Change, Changes};
use http::Uri;
use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::time::{Instant, Sleep};
use tokio_stream::Stream;

mod re_resolution;

pub use re_resolution::ReResolution;

/// The shortest wait between two resolutions that [`DnsDiscovery`] accepts: a zero TTL, minimum
/// or retry cannot make it resolve in a loop.
const FLOOR: Duration = Duration::from_millis(1);

/// "Not before a refresh": the next resolution of a discovery that ignores TTLs (30 years, as
/// tokio's own far future).
const NEVER: Duration = Duration::from_secs(86_400 * 365 * 30);

/// What can go wrong setting up DNS discovery.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The target is not `host:port`.
    #[error(
        "invalid dns target {target:?}: expected host:port (such as \"orders.internal:50051\" or \"[::1]:50051\"), but {problem}"
    )]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The system's DNS configuration (`/etc/resolv.conf` on Unix) could not be read.
    #[error("cannot read the system dns configuration")]
    SystemConfig(#[source] io::Error),
    /// [`HickoryResolver::with_name_servers`] was given no name server.
    #[error("no dns name server given: expected at least one host:port")]
    NoNameServers,
}

/// The addresses a name resolved to, and how long they may be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The addresses, in any order, possibly repeated.
    pub addresses: Vec<IpAddr>,
    /// How long the answer holds (the DNS TTL).
    pub ttl: Duration,
}

/// A resolution under way, as returned by [`Resolve::resolve`].
pub type Resolving<'a> = Pin<Box<dyn Future<Output = io::Result<Resolved>> + Send + 'a>>;

/// Resolves a host name to addresses: the extension point of [`DnsDiscovery`].
pub trait Resolve: Send + Sync + 'static {
    /// Resolves `host` (a name or an IP literal, without port or brackets).
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a>;
}

impl<R: Resolve> Resolve for Arc<R> {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        (**self).resolve(host)
    }
}

/// Discovery of the endpoints behind a DNS name: `http://IP:PORT` for each address, weight 1.
#[must_use]
pub struct DnsDiscovery<R: Resolve> {
    target: String,
    host: String,
    port: u16,
    resolver: R,
    min_ttl: Duration,
    max_ttl: Duration,
    retry: Duration,
    follow_ttl: bool,
}

impl<R: Resolve> DnsDiscovery<R> {
    /// Discovery of `target` (`host:port`, an IPv6 host in brackets) with `resolver`.
    pub fn with_resolver(target: &str, resolver: R) -> Result<Self, DnsError> {
        let (host, port) = parse_target(target)
            .map_err(|problem| DnsError::Target { target: target.to_owned(), problem })?;
        Ok(Self {
            target: target.to_owned(),
            host: host.to_owned(),
            port,
            resolver,
            min_ttl: Duration::from_secs(1),
            max_ttl: Duration::from_secs(300),
            retry: Duration::from_secs(1),
            follow_ttl: true,
        })
    }

    /// When to resolve again: `re_resolution.min_interval` becomes the
    /// [`min_ttl`](Self::min_ttl), and without `follow_ttl` only a [`Refresh`] (or a retry after
    /// a failed or empty answer) resolves again. Default [`ReResolution::jostle`].
    ///
    /// ```
    /// use jostle::discover::dns::{DnsDiscovery, ReResolution};
    ///
    /// # fn main() -> Result<(), jostle::discover::dns::DnsError> {
    /// // As a gRPC client: ignore TTLs, re-resolve after a connection loss at most every 30 s.
    /// let discovery = DnsDiscovery::new("orders.internal:50051")?.re_resolution(ReResolution::grpc());
    /// # drop(discovery);
    /// # Ok(())
    /// # }
    /// ```
    pub fn re_resolution(self, re_resolution: ReResolution) -> Self {
        let mut discovery = self.min_ttl(re_resolution.min_interval);
        discovery.follow_ttl = re_resolution.follow_ttl;
        discovery
    }

    /// The shortest time an answer holds (at least 1 ms): a lower TTL counts as this, and a
    /// [`Refresh`] sooner than this after the last resolution waits for it. Default 1 s.
    pub fn min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl.max(FLOOR);
        self
    }

    /// The longest time an answer holds: a higher TTL counts as this (unless below `min_ttl`,
    /// which wins). Default 300 s.
    pub fn max_ttl(mut self, max_ttl: Duration) -> Self {
        self.max_ttl = max_ttl;
        self
    }

    /// The wait after a failed resolution or an empty answer before the next (at least 1 ms).
    /// Default 1 s.
    pub fn retry(mut self, retry: Duration) -> Self {
        self.retry = retry.max(FLOOR);
        self
    }

    /// The stream of changes, and the handle that makes it resolve again now. The stream resolves
    /// while it is polled (first when first polled), needs a tokio runtime with time enabled, and
    /// never ends by itself; dropping it stops resolution.
    pub fn changes(self) -> (Changes, Refresh) {
        let (sender, receiver) = mpsc::channel(1);
        let stream = DnsChanges {
            resolver: Arc::new(self.resolver),
            host: Arc::from(self.host),
            port: self.port,
            min_ttl: self.min_ttl,
            max_ttl: self.max_ttl,
            retry: self.retry,
            follow_ttl: self.follow_ttl,
            current: BTreeSet::new(),
            pending: VecDeque::new(),
            lookup: None,
            next: None,
            last_start: None,
            refresh: Some(receiver),
        };
        (Box::pin(stream), Refresh(sender))
    }
}

impl<R: Resolve> fmt::Debug for DnsDiscovery<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsDiscovery")
            .field("target", &self.target)
            .field("min_ttl", &self.min_ttl)
            .field("max_ttl", &self.max_ttl)
            .field("retry", &self.retry)
            .field("follow_ttl", &self.follow_ttl)
            .finish_non_exhaustive()
    }
}

/// Makes a [`DnsDiscovery`] stream resolve again now (or once `min_ttl` has passed since its
/// last resolution). Requests made before a resolution starts are answered by it together.
#[derive(Debug, Clone)]
pub struct Refresh(mpsc::Sender<()>);

impl Refresh {
    /// Asks for a resolution. Returns false if the stream is gone.
    pub fn refresh(&self) -> bool {
        !matches!(self.0.try_send(()), Err(TrySendError::Closed(())))
    }
}

/// Splits `host:port`; the error says what is wrong.
fn parse_target(target: &str) -> Result<(&str, u16), &'static str> {
    if target.contains("://") {
        return Err("it has a scheme");
    }
    let (host, port) = target.rsplit_once(':').ok_or("it has no port")?;
    let port = match port.parse::<u16>() {
        Ok(0) | Err(_) => return Err("the port is not a number from 1 to 65535"),
        Ok(port) => port,
    };
    let host = match host.strip_prefix('[') {
        Some(bracketed) => {
            let inner = bracketed.strip_suffix(']').ok_or("a '[' has no matching ']'")?;
            inner.parse::<std::net::Ipv6Addr>().map_err(|_| "the bracketed host is not IPv6")?;
            inner
        }
        None if host.contains(':') => return Err("an IPv6 host is not in brackets"),
        None => host,
    };
    if host.is_empty() {
        return Err("the host is empty");
    }
    if host.contains(|c: char| c.is_whitespace() || matches!(c, '/' | '@' | '[' | ']')) {
        return Err("the host has a character a host name cannot have");
    }
    Ok((host, port))
}

/// `http://IP:PORT`, an IPv6 address in brackets.
fn uri(ip: IpAddr, port: u16) -> Uri {
    let uri = format!("http://{}", SocketAddr::new(ip, port));
    uri.parse().expect("http:// and a socket address make a valid URI")
}

/// The stream behind [`DnsDiscovery::changes`]: waiting for the next resolution, or resolving.
struct DnsChanges<R> {
    resolver: Arc<R>,
    host: Arc<str>,
    port: u16,
    min_ttl: Duration,
    max_ttl: Duration,
    retry: Duration,
    /// Whether an answer's TTL schedules the next resolution (else only a refresh does).
    follow_ttl: bool,
    /// The addresses last sent.
    current: BTreeSet<IpAddr>,
    /// Changes from the last answer not yet taken.
    pending: VecDeque<Change>,
    /// The resolution under way.
    lookup: Option<Resolving<'static>>,
    /// When the next resolution is due; none before the first.
    next: Option<Pin<Box<Sleep>>>,
    last_start: Option<Instant>,
    /// None once every [`Refresh`] is dropped.
    refresh: Option<mpsc::Receiver<()>>,
}

impl<R: Resolve> DnsChanges<R> {
    /// Starts a resolution; it answers every refresh requested so far.
    fn start(&mut self) {
        if let Some(refresh) = self.refresh.as_mut() {
            while refresh.try_recv().is_ok() {}
        }
        self.last_start = Some(Instant::now());
        let (resolver, host) = (Arc::clone(&self.resolver), Arc::clone(&self.host));
        self.lookup = Some(Box::pin(async move { resolver.resolve(&host).await }));
    }

    /// Queues the difference from an answer; returns the wait before the next resolution.
    fn answer(&mut self, result: io::Result<Resolved>) -> Duration {
        let resolved = match result {
            Ok(resolved) if !resolved.addresses.is_empty() => resolved,
            // Keep what there is: a failure or an empty answer is more often passing than real.
            Ok(_) | Err(_) => return self.retry,
        };
        let next: BTreeSet<IpAddr> = resolved.addresses.into_iter().collect();
        let port = self.port;
        let inserts = next.difference(&self.current).map(|&ip| Change::insert(uri(ip, port)));
        let removals = self.current.difference(&next).map(|&ip| Change::Remove(uri(ip, port)));
        self.pending.extend(inserts.chain(removals));
        self.current = next;
        if !self.follow_ttl {
            return NEVER;
        }
        resolved.ttl.min(self.max_ttl).max(self.min_ttl)
    }

    fn schedule(&mut self, deadline: Instant) {
        match self.next.as_mut() {
            Some(next) => next.as_mut().reset(deadline),
            None => self.next = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
    }

    /// Takes refresh requests; if any, brings the next resolution forward to now, or to
    /// `min_ttl` after the last one.
    fn take_refresh(&mut self, cx: &mut Context<'_>) {
        let mut requested = false;
        while let Some(refresh) = self.refresh.as_mut() {
            match refresh.poll_recv(cx) {
                Poll::Ready(Some(())) => requested = true,
                Poll::Ready(None) => self.refresh = None,
                Poll::Pending => break,
            }
        }
        let (Some(next), Some(last_start)) = (self.next.as_ref(), self.last_start) else {
            return;
        };
        let soonest = (last_start + self.min_ttl).max(Instant::now());
        if requested && soonest < next.deadline() {
            self.schedule(soonest);
        }
    }
}

impl<R: Resolve> Stream for DnsChanges<R> {
    type Item = Change;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Change>> {
        let this = self.get_mut();
        loop {
            if let Some(change) = this.pending.pop_front() {
                return Poll::Ready(Some(change));
            }
            if let Some(lookup) = this.lookup.as_mut() {
                let result = ready!(lookup.as_mut().poll(cx));
                this.lookup = None;
                let wait = this.answer(result);
                this.schedule(Instant::now() + wait);
                continue;
            }
            this.take_refresh(cx);
            if let Some(next) = this.next.as_mut() {
                ready!(next.as_mut().poll(cx));
            }
            this.start();
        }
    }
}

#[cfg(test)]
mod tests;
