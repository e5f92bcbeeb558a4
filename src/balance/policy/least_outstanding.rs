//! [`LeastOutstanding`]: the ready endpoint with the fewest calls in flight.

use crate::balance::{Balancer, Candidate};

/// The ready endpoint with the fewest calls in flight ([`Candidate::in_flight`]); ties broken
/// round robin among the tied ones. Deterministic: no randomness, nothing to seed.
///
/// The scan starts just past the previous pick's position and wraps around; the first endpoint
/// with the fewest calls wins. So when several are equally loaded, successive picks take them in
/// turn rather than always the first. Like [`RoundRobin`](super::RoundRobin) that position is
/// kept across changes to the ready set and taken modulo the new length.
///
/// **Choose it** when call latency varies or a backend can turn slow: a replica in a GC pause,
/// on a noisy host, or serving a few expensive queries holds its calls longer, its count rises,
/// and new calls go to the others at once; round robin would keep queueing `1/N` of the calls
/// behind it. It needs no tuning, and when nothing is in flight at pick time (a client that
/// awaits each call before the next) it is exactly round robin.
///
/// **Do not choose it** when:
/// - Many clients share the backends and load is skewed: `in_flight` counts only this
///   channel's calls, so it cannot see what other clients put on a backend.
/// - Calls include long-lived streams (a server-streaming subscription counts as one call in
///   flight for as long as it is open): the counts then measure open streams, not work.
/// - A backend fails fast with an error the channel does not eject on (say `INTERNAL`): its
///   calls end at once, its count stays low, and it draws more calls than the healthy ones.
/// - The ready set is large (hundreds): every pick scans all of it;
///   [`PowerOfTwoChoices`](super::PowerOfTwoChoices) looks at two.
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, policy::LeastOutstanding};
///
/// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
/// let ready = [(0, 3), (1, 0), (2, 0)].map(|(id, in_flight)| Candidate {
///     id: EndpointId(id),
///     address: &address,
///     in_flight,
///     weight: 1,
/// });
///
/// let mut balancer = LeastOutstanding::new();
/// let picks: Vec<usize> = (0..4).map(|_| balancer.pick(&ready)).collect();
/// assert_eq!(picks, [1, 2, 1, 2], "the two idle ones in turn, never the busy one");
/// assert_eq!(balancer.name(), "least_outstanding");
/// ```
#[derive(Debug, Clone, Default)]
pub struct LeastOutstanding {
    /// Where the next scan starts: one past the previous pick's position.
    next: usize,
}

impl LeastOutstanding {
    /// Starts its first scan at the first ready endpoint.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Balancer for LeastOutstanding {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let len = ready.len();
        if len == 0 {
            return 0;
        }
        let start = self.next % len;
        let mut best = start;
        for step in 1..len {
            let index = (start + step) % len;
            if ready[index].in_flight < ready[best].in_flight {
                best = index;
            }
        }
        self.next = best + 1;
        best
    }

    fn name(&self) -> &str {
        "least_outstanding"
    }
}

#[cfg(test)]
mod tests {
    use super::LeastOutstanding;
    use crate::balance::Balancer;
    use crate::balance::policy::testing::Ready;

    #[test]
    fn least_outstanding_picks_the_endpoint_with_the_fewest_in_flight() {
        let ready = Ready::with_in_flight(&[3, 1, 2, 5]);
        assert_eq!(
            ready.picks(&mut LeastOutstanding::new(), 6),
            [1; 6],
            "the one with the fewest calls in flight must win every pick while loads stand"
        );
    }

    #[test]
    fn least_outstanding_rotates_through_equally_loaded_endpoints() {
        let ready = Ready::of(3);
        assert_eq!(
            ready.picks(&mut LeastOutstanding::new(), 7),
            [0, 1, 2, 0, 1, 2, 0],
            "equal load must be broken round robin, not always index 0"
        );
    }

    #[test]
    fn least_outstanding_rotates_only_among_the_tied_least_loaded() {
        let ready = Ready::with_in_flight(&[0, 4, 0, 4, 0]);
        assert_eq!(
            ready.picks(&mut LeastOutstanding::new(), 7),
            [0, 2, 4, 0, 2, 4, 0],
            "ties must rotate among the least loaded and skip the busier ones"
        );
    }

    #[test]
    fn least_outstanding_follows_in_flight_as_it_changes_between_picks() {
        let mut ready = Ready::with_in_flight(&[2, 2, 2]);
        let mut balancer = LeastOutstanding::new();
        let mut picks = Vec::new();
        picks.push(ready.picks(&mut balancer, 1)[0]); // all tied: the scan starts at 0
        ready.set_in_flight(2, 0);
        picks.push(ready.picks(&mut balancer, 1)[0]); // 2 is idle
        ready.set_in_flight(1, 1);
        picks.push(ready.picks(&mut balancer, 1)[0]); // loads [2, 1, 0]: still 2
        ready.set_in_flight(2, 9);
        picks.push(ready.picks(&mut balancer, 1)[0]); // loads [2, 1, 9]: 1
        ready.set_in_flight(0, 1);
        // loads [1, 1, 9], the scan starts past 1 at 2: 0 before 1.
        picks.push(ready.picks(&mut balancer, 1)[0]);
        assert_eq!(picks, [0, 2, 2, 1, 0], "every pick must go to the fewest in flight then");
    }

    #[test]
    fn least_outstanding_spreads_calls_as_they_are_booked() {
        let mut ready = Ready::with_in_flight(&[2, 0, 1]);
        let mut balancer = LeastOutstanding::new();
        // loads before each pick: [2,0,1] [2,1,1] [2,1,2] [2,2,2] [2,2,3] [3,2,3]
        assert_eq!(
            ready.serve(&mut balancer, 6),
            [1, 2, 1, 2, 0, 1],
            "each call must go to the least loaded, ties to the next past the last pick"
        );
        assert_eq!(ready.loads(), [3, 3, 3], "booking the picks must level the loads");
    }

    #[test]
    fn least_outstanding_always_picks_the_only_endpoint() {
        let mut ready = Ready::with_in_flight(&[7]);
        let mut balancer = LeastOutstanding::new();
        assert_eq!(ready.serve(&mut balancer, 4), [0; 4], "one endpoint must take every pick");
    }

    #[test]
    fn least_outstanding_on_an_empty_slice_returns_zero_and_keeps_its_place() {
        let mut balancer = LeastOutstanding::new();
        assert_eq!(balancer.pick(&[]), 0, "an empty ready set must give 0 (out of range)");
        assert_eq!(
            Ready::of(2).picks(&mut balancer, 3),
            [0, 1, 0],
            "a pick from an empty set must not move the scan start"
        );
    }

    #[test]
    fn least_outstanding_keeps_its_scan_position_when_the_set_shrinks() {
        let mut ready = Ready::of(4);
        let mut balancer = LeastOutstanding::new();
        assert_eq!(ready.picked_ids(&mut balancer, 3), [0, 1, 2]);
        ready.remove(0);
        // Ready [1, 2, 3], all idle; the scan starts at position 3 % 3 = 0.
        assert_eq!(
            ready.picked_ids(&mut balancer, 4),
            [1, 2, 3, 1],
            "after a shrink the tie rotation must continue modulo the new length"
        );
    }

    #[test]
    fn least_outstanding_sends_calls_to_a_new_idle_endpoint() {
        let mut ready = Ready::with_in_flight(&[2, 2]);
        let mut balancer = LeastOutstanding::new();
        assert_eq!(ready.serve(&mut balancer, 2), [0, 1]);
        ready.add(2);
        // loads before each pick: [3,3,0] [3,3,1] [3,3,2] [3,3,3] [4,3,3] [4,4,3]
        assert_eq!(
            ready.serve(&mut balancer, 6),
            [2, 2, 2, 0, 1, 2],
            "a new endpoint with nothing in flight must take calls until it catches up"
        );
    }

    #[test]
    fn least_outstanding_is_named_least_outstanding() {
        assert_eq!(LeastOutstanding::new().name(), "least_outstanding");
    }
}
