//! [`WeightedRoundRobin`]: smooth weighted round robin (nginx's algorithm) over static weights.

use crate::balance::{Balancer, Candidate, EndpointId};
use std::collections::BTreeMap;

/// Smooth weighted round robin, nginx's algorithm, over each endpoint's static
/// [`Candidate::weight`]: over a full cycle an endpoint of weight `w` takes `w` of every
/// `sum(w)` calls, and its picks are spread through the cycle rather than bunched. Weights
/// 5, 1, 1 give `a a b a c a a`, then again.
///
/// Each pick adds every ready endpoint's weight to its current weight, picks the highest current
/// weight (the first in discovery order on a tie), and takes the sum of the weights off the
/// pick's. Unlike nginx there is no effective weight that drops on failures: health is the
/// channel's job, which takes a failing endpoint out of the ready set.
///
/// - Weight 0 means never picked, and drops the endpoint's state, unless every ready weight is
///   0: then the picks are plain round robin by position, with a counter of their own.
/// - State is keyed by [`EndpointId`] in a `BTreeMap` (deterministic, no hashing), created at an
///   endpoint's first pick and dropped by [`Balancer::forget`], which the channel calls when an
///   endpoint leaves the ready set; one that comes back starts afresh at current weight 0.
/// - A weight that changes (discovery inserts the address again with a new weight) counts from
///   the next pick. With an empty slice it returns 0 (out of range) and changes nothing.
///
/// **Choose it** when backends differ in capacity and you know by how much: a fleet mixing
/// 16-core and 4-core nodes (weights 4 and 1), a canary that should take 1 call in 20, or a
/// backend being drained by lowering its weight step by step. Weights come from discovery, as
/// [`Change::Insert`](crate::discover::Change::Insert)'s `weight`.
///
/// **Do not choose it** when the capacity you need to follow is dynamic: weights are static, so
/// a backend that slows down keeps its full share (use
/// [`PowerOfTwoChoices`](super::PowerOfTwoChoices) or
/// [`LeastOutstanding`](super::LeastOutstanding)); and with every weight equal it is plain
/// [`RoundRobin`](super::RoundRobin) with a map to keep up.
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, policy::WeightedRoundRobin};
///
/// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
/// let ready = [(0, 5), (1, 1), (2, 1)].map(|(id, weight)| Candidate {
///     id: EndpointId(id),
///     address: &address,
///     in_flight: 0,
///     weight,
/// });
///
/// let mut balancer = WeightedRoundRobin::new();
/// let picks: String = (0..7).map(|_| ["a", "b", "c"][balancer.pick(&ready)]).collect();
/// assert_eq!(picks, "aabacaa", "nginx's documented order for weights 5, 1, 1");
/// assert_eq!(balancer.name(), "weighted_round_robin");
/// ```
#[derive(Debug, Clone, Default)]
pub struct WeightedRoundRobin {
    /// Current weight of every endpoint picked from (nonzero weight) and not yet forgotten.
    current: BTreeMap<EndpointId, i64>,
    /// Position counter for when every ready weight is 0.
    unweighted: usize,
}

impl WeightedRoundRobin {
    /// Every endpoint at current weight 0.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Balancer for WeightedRoundRobin {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        if ready.is_empty() {
            return 0;
        }
        let mut total: i64 = 0;
        let mut best: Option<(usize, i64)> = None;
        for (index, candidate) in ready.iter().enumerate() {
            if candidate.weight == 0 {
                self.current.remove(&candidate.id);
                continue;
            }
            let weight = i64::from(candidate.weight);
            let current = self.current.entry(candidate.id).or_insert(0);
            *current += weight;
            total += weight;
            if best.is_none_or(|(_, highest)| *current > highest) {
                best = Some((index, *current));
            }
        }
        match best {
            Some((index, _)) => {
                if let Some(current) = self.current.get_mut(&ready[index].id) {
                    *current -= total;
                }
                index
            }
            None => {
                let index = self.unweighted % ready.len();
                self.unweighted = self.unweighted.wrapping_add(1);
                index
            }
        }
    }

    fn forget(&mut self, endpoint: EndpointId) {
        self.current.remove(&endpoint);
    }

    fn name(&self) -> &str {
        "weighted_round_robin"
    }
}

#[cfg(test)]
mod tests {
    use super::WeightedRoundRobin;
    use crate::balance::policy::testing::Ready;
    use crate::balance::{Balancer, EndpointId};

    #[test]
    fn weighted_round_robin_gives_nginx_order_for_weights_5_1_1() {
        let ready = Ready::with_weights(&[5, 1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        assert_eq!(
            ready.picks(&mut balancer, 14),
            [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0],
            "weights 5, 1, 1 must give nginx's a a b a c a a, cycle after cycle"
        );
        assert!(
            balancer.current.values().all(|&current| current == 0),
            "after whole cycles every current weight must be back at 0"
        );
    }

    #[test]
    fn weighted_round_robin_interleaves_weights_2_1() {
        let ready = Ready::with_weights(&[2, 1]);
        assert_eq!(
            ready.picks(&mut WeightedRoundRobin::new(), 6),
            [0, 1, 0, 0, 1, 0],
            "weights 2, 1 must give a b a per cycle, not a a b"
        );
    }

    #[test]
    fn weighted_round_robin_with_equal_weights_is_round_robin() {
        let ready = Ready::with_weights(&[3, 3, 3]);
        assert_eq!(
            ready.picks(&mut WeightedRoundRobin::new(), 7),
            [0, 1, 2, 0, 1, 2, 0],
            "equal weights must cycle in discovery order (ties go to the first)"
        );
    }

    #[test]
    fn weighted_round_robin_never_picks_weight_zero() {
        let ready = Ready::with_weights(&[0, 3, 0, 1]);
        let mut balancer = WeightedRoundRobin::new();
        // current weights of [1, 3] before each pick: [3,1] [2,2] [1,3] [4,0]
        assert_eq!(
            ready.picks(&mut balancer, 8),
            [1, 1, 3, 1, 1, 1, 3, 1],
            "weight 0 must never be picked while another weight is not 0"
        );
        assert!(
            !balancer.current.contains_key(&EndpointId(0)),
            "a weight 0 endpoint must hold no state"
        );
    }

    #[test]
    fn weighted_round_robin_with_every_weight_zero_is_plain_round_robin() {
        let ready = Ready::with_weights(&[0, 0, 0]);
        let mut balancer = WeightedRoundRobin::new();
        assert_eq!(
            ready.picks(&mut balancer, 7),
            [0, 1, 2, 0, 1, 2, 0],
            "with every weight 0 the picks must cycle by position"
        );
        assert!(balancer.current.is_empty(), "all-zero picks must keep no weight state");
    }

    #[test]
    fn weighted_round_robin_stops_picking_an_endpoint_whose_weight_drops_to_zero() {
        let mut ready = Ready::with_weights(&[5, 1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        let mut picked = ready.picked_ids(&mut balancer, 2);
        ready.set_weight(0, 0);
        // b and c at current weight 2 each, total 2: b c b c.
        picked.extend(ready.picked_ids(&mut balancer, 4));
        assert_eq!(picked, [0, 0, 1, 2, 1, 2], "weight 0 must take no more picks");
        assert!(
            !balancer.current.contains_key(&EndpointId(0)),
            "dropping to weight 0 must drop the endpoint's state"
        );
    }

    #[test]
    fn weighted_round_robin_applies_a_new_weight_from_the_next_pick() {
        let mut ready = Ready::with_weights(&[1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        let mut picked = ready.picked_ids(&mut balancer, 2);
        ready.set_weight(1, 3);
        // current weights before each pick: [1,3] [2,2] [-1,5] [0,4]
        picked.extend(ready.picked_ids(&mut balancer, 8));
        assert_eq!(
            picked,
            [0, 1, 1, 0, 1, 1, 1, 0, 1, 1],
            "after b's weight goes to 3, b must take 3 of every 4 picks"
        );
    }

    #[test]
    fn weighted_round_robin_ignores_in_flight() {
        let mut ready = Ready::with_weights(&[2, 1]);
        ready.set_in_flight(0, 50);
        let mut balancer = WeightedRoundRobin::new();
        let first = ready.picks(&mut balancer, 3);
        ready.set_in_flight(1, 500);
        let second = ready.picks(&mut balancer, 3);
        assert_eq!(
            [first, second],
            [[0, 1, 0], [0, 1, 0]],
            "static weights, not load, must decide"
        );
    }

    #[test]
    fn weighted_round_robin_forget_drops_the_endpoint_state() {
        let ready = Ready::with_weights(&[5, 1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        // a a b a: current weights now a -1, b -3, c 4; the next pick would be c.
        assert_eq!(ready.picks(&mut balancer, 4), [0, 0, 1, 0]);
        balancer.forget(EndpointId(0));
        assert!(!balancer.current.contains_key(&EndpointId(0)), "forget must drop the state");
        // a restarts at 0: [5,-2,5] [3,-1,6] [8,0,0] [6,1,1] [4,2,2] [2,3,3]
        assert_eq!(
            ready.picks(&mut balancer, 6),
            [0, 2, 0, 0, 0, 1],
            "a forgotten endpoint must start again at current weight 0"
        );
        balancer.forget(EndpointId(9));
        assert_eq!(balancer.current.len(), 3, "forgetting an unknown endpoint must change nothing");
    }

    #[test]
    fn weighted_round_robin_continues_when_the_set_shrinks() {
        let mut ready = Ready::with_weights(&[5, 1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        let mut picked = ready.picked_ids(&mut balancer, 3);
        // c leaves the ready set, and the channel tells the balancer.
        ready.remove(2);
        balancer.forget(EndpointId(2));
        // a 1, b -4, total 6: [6,-3] [5,-2] [4,-1] [3,0] [2,1] [1,2] [6,-3]
        picked.extend(ready.picked_ids(&mut balancer, 7));
        assert_eq!(
            picked,
            [0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
            "after a shrink the remaining current weights must carry on"
        );
    }

    #[test]
    fn weighted_round_robin_folds_a_new_endpoint_into_the_cycle() {
        let mut ready = Ready::with_weights(&[5, 1, 1]);
        let mut balancer = WeightedRoundRobin::new();
        let mut picked = ready.picked_ids(&mut balancer, 7);
        ready.add_weighted(3, 2);
        picked.extend(ready.picked_ids(&mut balancer, 9));
        assert_eq!(
            picked,
            [0, 0, 1, 0, 2, 0, 0, 0, 3, 0, 1, 0, 2, 0, 3, 0],
            "with d of weight 2 added, a cycle of 9 must give a 5, b 1, c 1, d 2"
        );
    }

    #[test]
    fn weighted_round_robin_always_picks_the_only_endpoint() {
        let mut balancer = WeightedRoundRobin::new();
        assert_eq!(Ready::with_weights(&[5]).picks(&mut balancer, 3), [0; 3], "weight 5 alone");
        assert_eq!(Ready::with_weights(&[0]).picks(&mut balancer, 3), [0; 3], "weight 0 alone");
    }

    #[test]
    fn weighted_round_robin_on_an_empty_slice_returns_zero_and_changes_nothing() {
        let mut balancer = WeightedRoundRobin::new();
        assert_eq!(balancer.pick(&[]), 0, "an empty ready set must give 0 (out of range)");
        assert!(balancer.current.is_empty(), "an empty pick must create no state");
        assert_eq!(balancer.unweighted, 0, "an empty pick must not move the counter");
    }

    #[test]
    fn weighted_round_robin_handles_the_largest_weights() {
        let ready = Ready::with_weights(&[u32::MAX, u32::MAX, 1]);
        let picks = ready.picks(&mut WeightedRoundRobin::new(), 6);
        assert_eq!(picks, [0, 1, 0, 1, 0, 1], "u32::MAX weights must not overflow");
    }

    #[test]
    fn weighted_round_robin_is_named_weighted_round_robin() {
        assert_eq!(WeightedRoundRobin::new().name(), "weighted_round_robin");
    }
}
