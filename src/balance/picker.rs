//! [`Balancer`]: the extension point. One required method picks an endpoint for a request.

use http::Uri;
use std::time::Duration;
use tonic::Code;

/// Names an endpoint for as long as it is in the balanced set; never reused for another
/// address while the set lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EndpointId(pub u64);

/// One endpoint that is ready to take a request, as the balancer sees it at pick time.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Stable id of the endpoint.
    pub id: EndpointId,
    /// Its address.
    pub address: &'a Uri,
    /// Requests sent to it that have not finished yet.
    pub in_flight: usize,
    /// Its static weight (1 unless discovery gave another).
    pub weight: u32,
}

/// How a request that a balancer routed ended, for load- and health-aware policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The gRPC status code the caller got (`Ok` for success).
    pub code: Code,
    /// From the pick to the response headers (or the failure).
    pub latency: Duration,
}

/// Picks an endpoint for each request from the endpoints ready now.
///
/// `ready` is never empty when `pick` is called, and is ordered by the order in which the
/// endpoints were added to the set (discovery order), so positional policies (round robin, pick
/// first) are deterministic. Return the index into `ready` of the endpoint to use; an index out
/// of range is treated as no pick (the request fails `UNAVAILABLE`).
///
/// ```
/// use jostle::balance::{Balancer, Candidate};
///
/// /// Always the endpoint with the fewest requests in flight; the first one on a tie.
/// #[derive(Debug, Default)]
/// struct Fewest;
///
/// impl Balancer for Fewest {
///     fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
///         (0..ready.len()).min_by_key(|&i| ready[i].in_flight).unwrap_or(0)
///     }
/// }
/// ```
pub trait Balancer: Send + 'static {
    /// The index into `ready` (never empty) of the endpoint for the next request.
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize;

    /// Told how each routed request ended. Does nothing by default.
    fn observe(&mut self, _endpoint: EndpointId, _outcome: &Outcome) {}

    /// Told when an endpoint left the set (removed, or no longer ready). Does nothing by default.
    fn forget(&mut self, _endpoint: EndpointId) {}

    /// A short name for reports, e.g. `round_robin`.
    fn name(&self) -> &str {
        std::any::type_name::<Self>().rsplit("::").next().unwrap_or("balancer")
    }
}

impl<B: Balancer + ?Sized> Balancer for Box<B> {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        (**self).pick(ready)
    }

    fn observe(&mut self, endpoint: EndpointId, outcome: &Outcome) {
        (**self).observe(endpoint, outcome);
    }

    fn forget(&mut self, endpoint: EndpointId) {
        (**self).forget(endpoint);
    }

    fn name(&self) -> &str {
        (**self).name()
    }
}
