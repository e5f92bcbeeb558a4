//! [`PickFirst`]: every call to the first ready endpoint in discovery order.

use crate::balance::{Balancer, Candidate};

/// Every call to the first ready endpoint in discovery order (index 0): the others take calls
/// only when every endpoint before them has left the ready set. No state at all.
///
/// In a [`BalancedChannel`](crate::balance::BalancedChannel) an endpoint that goes down and
/// reconnects keeps its place in discovery order, so traffic fails back to the first endpoint
/// as soon as it is ready again. One that discovery removes and inserts again is new, and goes
/// last. (grpc-go's `pick_first` differs: it stays on whichever address it connected to.)
///
/// **Choose it** for primary/standby: a single-writer service (a leader, a primary database
/// proxy, a stateful matching engine) listed first with a hot standby after it; a primary region
/// with a disaster-recovery region behind it; or a backend whose per-client cache or session
/// makes every call after the first cheaper. Discovery order is the priority order.
///
/// **Do not choose it** to spread load: one backend takes everything, and the standbys sit
/// idle until it fails. A primary that flaps moves all traffic back and forth with it (the
/// channel's reconnect backoff bounds how often). For alike backends use
/// [`RoundRobin`](super::RoundRobin); for uneven ones
/// [`PowerOfTwoChoices`](super::PowerOfTwoChoices).
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, policy::PickFirst};
///
/// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
/// let candidate = |id| Candidate { id: EndpointId(id), address: &address, in_flight: 0, weight: 1 };
///
/// let mut balancer = PickFirst::new();
/// let both = [candidate(0), candidate(1)];
/// assert_eq!([balancer.pick(&both), balancer.pick(&both)], [0, 0], "the primary takes all");
/// let standby_only = [candidate(1)];
/// assert_eq!(balancer.pick(&standby_only), 0, "the standby, once the primary is not ready");
/// assert_eq!(balancer.name(), "pick_first");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PickFirst;

impl PickFirst {
    /// The first ready endpoint, always.
    pub fn new() -> Self {
        Self
    }
}

impl Balancer for PickFirst {
    fn pick(&mut self, _ready: &[Candidate<'_>]) -> usize {
        // Also right for an empty slice: 0 is out of range there, so no pick.
        0
    }

    fn name(&self) -> &str {
        "pick_first"
    }
}

#[cfg(test)]
mod tests {
    use super::PickFirst;
    use crate::balance::Balancer;
    use crate::balance::policy::testing::Ready;

    #[test]
    fn pick_first_sends_every_call_to_the_first_ready_endpoint() {
        let mut ready = Ready::of(3);
        assert_eq!(
            ready.serve(&mut PickFirst::new(), 6),
            [0; 6],
            "pick first must always pick index 0"
        );
        assert_eq!(ready.loads(), [6, 0, 0], "the standbys must take nothing");
    }

    #[test]
    fn pick_first_ignores_in_flight() {
        let mut ready = Ready::with_in_flight(&[100, 0]);
        let mut balancer = PickFirst::new();
        let first = ready.picks(&mut balancer, 3);
        ready.set_in_flight(0, 1_000);
        let second = ready.picks(&mut balancer, 3);
        assert_eq!([first, second], [[0; 3], [0; 3]], "a busy first endpoint must still win");
    }

    #[test]
    fn pick_first_fails_over_in_discovery_order_when_the_first_leaves() {
        let mut ready = Ready::of(3);
        let mut balancer = PickFirst::new();
        let mut picked = ready.picked_ids(&mut balancer, 2);
        ready.remove(0);
        picked.extend(ready.picked_ids(&mut balancer, 2));
        ready.remove(1);
        picked.extend(ready.picked_ids(&mut balancer, 2));
        assert_eq!(
            picked,
            [0, 0, 1, 1, 2, 2],
            "each time the first leaves, the next in discovery order must take every call"
        );
    }

    #[test]
    fn pick_first_fails_back_when_the_first_is_ready_again() {
        let mut ready = Ready::of(2);
        let mut balancer = PickFirst::new();
        let mut picked = ready.picked_ids(&mut balancer, 2);
        ready.remove(0);
        picked.extend(ready.picked_ids(&mut balancer, 2));
        ready.restore(0);
        picked.extend(ready.picked_ids(&mut balancer, 2));
        assert_eq!(
            picked,
            [0, 0, 1, 1, 0, 0],
            "an endpoint back at the head of the set must take the calls again"
        );
    }

    #[test]
    fn pick_first_does_not_move_to_a_newly_added_endpoint() {
        let mut ready = Ready::of(1);
        let mut balancer = PickFirst::new();
        let mut picked = ready.picked_ids(&mut balancer, 2);
        ready.add(1);
        picked.extend(ready.picked_ids(&mut balancer, 2));
        assert_eq!(picked, [0, 0, 0, 0], "a new endpoint joins last and must take nothing");
    }

    #[test]
    fn pick_first_always_picks_the_only_endpoint() {
        assert_eq!(
            Ready::of(1).picks(&mut PickFirst::new(), 3),
            [0; 3],
            "one endpoint must take every pick"
        );
    }

    #[test]
    fn pick_first_on_an_empty_slice_returns_zero() {
        assert_eq!(PickFirst::new().pick(&[]), 0, "an empty ready set must give 0 (out of range)");
    }

    #[test]
    fn pick_first_is_named_pick_first() {
        assert_eq!(PickFirst::new().name(), "pick_first");
    }
}
