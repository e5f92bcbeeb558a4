//! [`RoundRobin`]: each ready endpoint in turn, by position.

use crate::balance::{Balancer, Candidate};

/// Each ready endpoint in turn: a counter, the pick is `counter % ready.len()`, then the counter
/// moves on by one.
///
/// **Choose it** when the backends are alike (same instance type, same code, similar latency
/// per call), e.g. three replicas of an order service behind a Kubernetes headless service: every
/// backend gets `1/N` of the calls, with no randomness to seed and no state but a counter. It is
/// the article's round-robin dialer done per request rather than per connection.
///
/// **Do not choose it** when one backend can be slower than the others (a noisy neighbour, a
/// GC pause, a cold cache): round robin keeps sending it `1/N` of the calls and they queue
/// there; use [`LeastOutstanding`](super::LeastOutstanding) or
/// [`PowerOfTwoChoices`](super::PowerOfTwoChoices). Nor when capacities differ (use
/// [`WeightedRoundRobin`](super::WeightedRoundRobin)), nor for a primary with a standby (use
/// [`PickFirst`](super::PickFirst)).
///
/// The counter is positional and never resets: when the ready set shrinks or grows between
/// picks the counter keeps going, so the cycle continues from `counter % new_len`. Right after
/// a change one endpoint may be picked twice in a row or skipped once; over a full cycle of a
/// stable set every endpoint is picked exactly once. A pick from an empty slice (which the
/// [`Balancer`] contract rules out) returns 0, out of range, and leaves the counter alone.
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, policy::RoundRobin};
///
/// let addresses: [http::Uri; 3] =
///     ["http://backend-0.test:1", "http://backend-1.test:1", "http://backend-2.test:1"]
///         .map(|a| a.parse().unwrap());
/// let ready: Vec<Candidate<'_>> = (0..3u64)
///     .zip(&addresses)
///     .map(|(id, address)| Candidate { id: EndpointId(id), address, in_flight: 0, weight: 1 })
///     .collect();
///
/// let mut balancer = RoundRobin::new();
/// let picks: Vec<usize> = (0..5).map(|_| balancer.pick(&ready)).collect();
/// assert_eq!(picks, [0, 1, 2, 0, 1]);
/// assert_eq!(balancer.name(), "round_robin");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RoundRobin {
    counter: usize,
}

impl RoundRobin {
    /// Starts at the first ready endpoint.
    pub fn new() -> Self {
        Self::starting_at(0)
    }

    /// Starts at position `n` (taken modulo the number of ready endpoints at the first pick):
    /// e.g. give each client a different start so that a fleet of freshly started clients does
    /// not send its first calls all to the same backend.
    ///
    /// ```
    /// use jostle::balance::{Balancer, Candidate, EndpointId, policy::RoundRobin};
    ///
    /// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
    /// let ready = [0, 1].map(|id| Candidate {
    ///     id: EndpointId(id),
    ///     address: &address,
    ///     in_flight: 0,
    ///     weight: 1,
    /// });
    /// let mut balancer = RoundRobin::starting_at(3);
    /// assert_eq!([balancer.pick(&ready), balancer.pick(&ready)], [1, 0]);
    /// ```
    pub fn starting_at(n: usize) -> Self {
        Self { counter: n }
    }
}

impl Balancer for RoundRobin {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        if ready.is_empty() {
            return 0;
        }
        let index = self.counter % ready.len();
        self.counter = self.counter.wrapping_add(1);
        index
    }

    fn name(&self) -> &str {
        "round_robin"
    }
}

#[cfg(test)]
mod tests {
    use super::RoundRobin;
    use crate::balance::Balancer;
    use crate::balance::policy::testing::Ready;

    #[test]
    fn round_robin_cycles_through_every_ready_endpoint_in_order() {
        let ready = Ready::of(3);
        let mut balancer = RoundRobin::new();
        assert_eq!(
            ready.picks(&mut balancer, 10),
            [0, 1, 2, 0, 1, 2, 0, 1, 2, 0],
            "round robin must pick counter % len, counter += 1"
        );
    }

    #[test]
    fn round_robin_always_picks_the_only_endpoint() {
        let ready = Ready::of(1);
        let mut balancer = RoundRobin::new();
        assert_eq!(ready.picks(&mut balancer, 4), [0; 4], "one endpoint must take every pick");
    }

    #[test]
    fn round_robin_on_an_empty_slice_returns_zero_and_keeps_its_place() {
        let mut balancer = RoundRobin::new();
        assert_eq!(balancer.pick(&[]), 0, "an empty ready set must give 0 (out of range)");
        assert_eq!(
            Ready::of(3).picks(&mut balancer, 3),
            [0, 1, 2],
            "a pick from an empty set must not move the counter"
        );
    }

    #[test]
    fn round_robin_starting_at_n_begins_at_n_modulo_len() {
        let ready = Ready::of(3);
        assert_eq!(
            ready.picks(&mut RoundRobin::starting_at(1), 4),
            [1, 2, 0, 1],
            "starting_at(1) must begin at position 1"
        );
        assert_eq!(
            ready.picks(&mut RoundRobin::starting_at(7), 4),
            [1, 2, 0, 1],
            "starting_at(7) with 3 endpoints must begin at 7 % 3 = 1"
        );
    }

    #[test]
    fn round_robin_ignores_in_flight() {
        let mut ready = Ready::with_in_flight(&[9, 0, 0]);
        let mut balancer = RoundRobin::new();
        let first = ready.picks(&mut balancer, 3);
        ready.set_in_flight(1, 50);
        let second = ready.picks(&mut balancer, 3);
        assert_eq!(
            [first, second],
            [[0, 1, 2], [0, 1, 2]],
            "round robin must not look at load, however uneven"
        );
    }

    #[test]
    fn round_robin_counter_keeps_going_when_the_set_shrinks() {
        let mut ready = Ready::of(4);
        let mut balancer = RoundRobin::new();
        assert_eq!(ready.picked_ids(&mut balancer, 3), [0, 1, 2]);
        ready.remove(2);
        // counter 3, 4, 5, 6 over ready [0, 1, 3]: positions 0, 1, 2, 0.
        assert_eq!(
            ready.picked_ids(&mut balancer, 4),
            [0, 1, 3, 0],
            "after a shrink the counter must continue modulo the new length"
        );
    }

    #[test]
    fn round_robin_counter_keeps_going_when_the_set_grows() {
        let mut ready = Ready::of(2);
        let mut balancer = RoundRobin::new();
        assert_eq!(ready.picked_ids(&mut balancer, 3), [0, 1, 0]);
        ready.add(2);
        // counter 3, 4, 5, 6 over ready [0, 1, 2]: positions 0, 1, 2, 0.
        assert_eq!(
            ready.picked_ids(&mut balancer, 4),
            [0, 1, 2, 0],
            "after a grow the counter must continue modulo the new length"
        );
    }

    #[test]
    fn round_robin_wraps_the_counter_without_overflow() {
        let ready = Ready::of(2);
        let mut balancer = RoundRobin::starting_at(usize::MAX);
        // usize::MAX is odd, so it maps to 1; then the counter wraps to 0.
        assert_eq!(ready.picks(&mut balancer, 3), [1, 0, 1], "the counter must wrap, not panic");
    }

    #[test]
    fn round_robin_is_named_round_robin() {
        assert_eq!(RoundRobin::new().name(), "round_robin");
    }
}
