//! [`PowerOfTwoChoices`]: the less loaded of two endpoints drawn at random.

use crate::balance::{Balancer, Candidate, RandomSource, Seeded};

/// Power of two choices, as tower's `p2c::Balance`: draw two distinct ready endpoints uniformly
/// at random and pick the one with fewer calls in flight ([`Candidate::in_flight`]), the first
/// drawn on a tie.
///
/// The pair is drawn as `a = below(len)`, then `b = below(len - 1)`, and `b += 1` if `b >= a`,
/// so `b != a` and every ordered pair is equally likely. (tower draws its pair in another order,
/// so a seed does not replay tower's sequence, only its distribution.) With one ready endpoint
/// it picks it, and with none it returns 0 (out of range), without drawing.
///
/// **Choose it** when latency varies or a backend can turn slow, as for
/// [`LeastOutstanding`](super::LeastOutstanding), and especially when the ready set is large (a
/// pick costs two draws, not a scan of hundreds of endpoints) or when a fleet of clients starts
/// at once: least outstanding breaks ties in a fixed order, so freshly started clients all send
/// their first calls to the same backend, where p2c's draws spread them. The busiest endpoint
/// only ever wins a tie, so a stuck backend is starved of new calls within a few picks. It is a
/// good default for a tonic service whose backends are alike but whose calls are not.
///
/// **Do not choose it** when nothing is usually in flight at pick time (a client that awaits
/// each call before the next): every comparison is a tie, it reduces to [`Random`](super::Random)
/// with its unevenness at small N, and [`RoundRobin`](super::RoundRobin) or least outstanding
/// spread such traffic exactly. Nor for a primary with a standby
/// ([`PickFirst`](super::PickFirst)), nor when capacities differ and are known
/// ([`WeightedRoundRobin`](super::WeightedRoundRobin)). It shares least outstanding's blind
/// spots: it sees only this channel's calls, and a backend that fails fast with an error the
/// channel does not eject on looks idle.
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, Scripted, policy::PowerOfTwoChoices};
///
/// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
/// let ready = [(0, 5), (1, 2), (2, 0)].map(|(id, in_flight)| Candidate {
///     id: EndpointId(id),
///     address: &address,
///     in_flight,
///     weight: 1,
/// });
///
/// // Draws (a, b): (0, 0 -> 1) picks 1; (2, 1) picks 2; (1, 0) picks 1.
/// let mut scripted = PowerOfTwoChoices::with_source(Scripted::new([0, 0, 2, 1, 1, 0]));
/// let picks: Vec<usize> = (0..3).map(|_| scripted.pick(&ready)).collect();
/// assert_eq!(picks, [1, 2, 1]);
///
/// let mut seeded = PowerOfTwoChoices::from_seed(7);
/// assert_ne!(seeded.pick(&ready), 0, "the busiest endpoint never wins a comparison");
/// assert_eq!(seeded.name(), "p2c");
/// ```
#[derive(Debug, Clone)]
pub struct PowerOfTwoChoices<R = Seeded> {
    source: R,
}

impl PowerOfTwoChoices<Seeded> {
    /// Seeded from the operating system: the picks cannot be replayed. Prefer
    /// [`PowerOfTwoChoices::from_seed`] wherever a run is reported.
    pub fn new() -> Self {
        Self::with_source(Seeded::from_entropy())
    }

    /// Picks replayable from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        Self::with_source(Seeded::from_seed(seed))
    }
}

impl Default for PowerOfTwoChoices<Seeded> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: RandomSource> PowerOfTwoChoices<R> {
    /// Draws from `source`, e.g. a [`Scripted`](crate::balance::Scripted) one in a test.
    pub fn with_source(source: R) -> Self {
        Self { source }
    }
}

impl<R: RandomSource> Balancer for PowerOfTwoChoices<R> {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let len = ready.len();
        if len < 2 {
            return 0;
        }
        let a = self.source.below(len);
        let mut b = self.source.below(len - 1);
        if b >= a {
            b += 1;
        }
        // A source that breaks its contract gives an out-of-range index: no pick, no panic.
        match (ready.get(a), ready.get(b)) {
            (Some(first), Some(second)) if second.in_flight < first.in_flight => b,
            _ => a,
        }
    }

    fn name(&self) -> &str {
        "p2c"
    }
}

#[cfg(test)]
mod tests {
    use super::PowerOfTwoChoices;
    use crate::balance::policy::testing::{Ready, Recording};
    use crate::balance::{Balancer, Scripted};

    #[test]
    fn p2c_picks_the_less_loaded_of_two_distinct_draws() {
        let ready = Ready::with_in_flight(&[5, 1, 3, 0]);
        // (a, b drawn below 3, b after skipping a) -> loads -> pick
        // (0, 0 -> 1) 5 vs 1 -> 1;  (2, 2 -> 3) 3 vs 0 -> 3;  (3, 0 -> 0) 0 vs 5 -> 3
        // (1, 2 -> 3) 1 vs 0 -> 3;  (1, 0 -> 0) 1 vs 5 -> 1;  (2, 0 -> 0) 3 vs 5 -> 2
        let script = [0, 0, 2, 2, 3, 0, 1, 2, 1, 0, 2, 0];
        let mut balancer = PowerOfTwoChoices::with_source(Recording::new(script));
        assert_eq!(
            ready.picks(&mut balancer, 6),
            [1, 3, 3, 3, 1, 2],
            "p2c must pick the one with fewer in flight of the two it drew"
        );
        assert_eq!(
            balancer.source.bounds,
            [4, 3].repeat(6),
            "p2c must draw a below len, then b below len - 1, once each per pick"
        );
    }

    #[test]
    fn p2c_second_draw_skips_the_first_so_every_pair_is_distinct() {
        // Every (a, b drawn below 2) for three endpoints; b after skipping a:
        // (0,0)->1 (0,1)->2 (1,0)->0 (1,1)->2 (2,0)->0 (2,1)->1
        let script = [0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 2, 1];
        let rising = Ready::with_in_flight(&[0, 1, 2]);
        let falling = Ready::with_in_flight(&[2, 1, 0]);
        let lower = rising.picks(&mut PowerOfTwoChoices::with_source(Scripted::new(script)), 6);
        let higher = falling.picks(&mut PowerOfTwoChoices::with_source(Scripted::new(script)), 6);
        assert_eq!(lower, [0, 0, 0, 1, 0, 1], "the lower index of each pair must win on [0,1,2]");
        assert_eq!(higher, [1, 2, 1, 2, 2, 2], "the higher index of each pair must win on [2,1,0]");
        assert!(
            lower.iter().zip(&higher).all(|(low, high)| low < high),
            "the two draws of a pick must never be the same endpoint"
        );
    }

    #[test]
    fn p2c_picks_the_first_draw_on_a_tie() {
        let ready = Ready::with_in_flight(&[2, 2, 2, 2]);
        let script = [3, 0, 2, 2, 1, 0, 0, 2, 0, 0];
        assert_eq!(
            ready.picks(&mut PowerOfTwoChoices::with_source(Scripted::new(script)), 5),
            [3, 2, 1, 0, 0],
            "on equal load p2c must pick a, the first draw"
        );
    }

    #[test]
    fn p2c_with_two_endpoints_always_compares_both() {
        let ready = Ready::with_in_flight(&[4, 1]);
        let script = [0, 0, 1, 0, 1, 0, 0, 0];
        let mut balancer = PowerOfTwoChoices::with_source(Recording::new(script));
        assert_eq!(
            ready.picks(&mut balancer, 4),
            [1; 4],
            "with two endpoints both are drawn, so the less loaded must win every pick"
        );
        assert_eq!(balancer.source.bounds, [2, 1].repeat(4), "b must be drawn below 1");
    }

    #[test]
    fn p2c_follows_in_flight_as_it_changes_between_picks() {
        let mut ready = Ready::with_in_flight(&[0, 0, 0]);
        // Every pick draws (a = 0, b = 0 -> 1): it compares endpoints 0 and 1.
        let mut balancer = PowerOfTwoChoices::with_source(Scripted::new([0]));
        let mut picks = Vec::new();
        picks.push(ready.picks(&mut balancer, 1)[0]); // tie: a
        ready.set_in_flight(0, 3);
        picks.push(ready.picks(&mut balancer, 1)[0]); // 3 vs 0: b
        ready.set_in_flight(1, 3);
        picks.push(ready.picks(&mut balancer, 1)[0]); // 3 vs 3: a
        ready.set_in_flight(0, 1);
        picks.push(ready.picks(&mut balancer, 1)[0]); // 1 vs 3: a
        ready.set_in_flight(1, 1);
        picks.push(ready.picks(&mut balancer, 1)[0]); // 1 vs 1, 2 idle but not drawn: a
        assert_eq!(picks, [0, 1, 0, 0, 0], "each pick must compare the loads at that moment");
    }

    #[test]
    fn p2c_spreads_calls_as_they_are_booked() {
        let mut ready = Ready::of(3);
        // (a, b): (0,1) (0,1) (2,0) (1,2) (2,0) (1,0)
        let script = [0, 0, 0, 0, 2, 0, 1, 1, 2, 0, 1, 0];
        let mut balancer = PowerOfTwoChoices::with_source(Scripted::new(script));
        // loads before each pick: [0,0,0] [1,0,0] [1,1,0] [1,1,1] [1,2,1] [1,2,2]
        assert_eq!(
            ready.serve(&mut balancer, 6),
            [0, 1, 2, 1, 2, 0],
            "each call must go to the less loaded of its two draws, as the loads grow"
        );
        assert_eq!(ready.loads(), [2, 2, 2]);
    }

    #[test]
    fn p2c_picks_the_only_endpoint_without_drawing() {
        let mut ready = Ready::with_in_flight(&[9]);
        let mut balancer = PowerOfTwoChoices::with_source(Recording::new([1]));
        assert_eq!(ready.serve(&mut balancer, 3), [0; 3], "one endpoint must take every pick");
        assert!(balancer.source.bounds.is_empty(), "with no choice p2c must not draw");
    }

    #[test]
    fn p2c_on_an_empty_slice_returns_zero_without_drawing() {
        let mut balancer = PowerOfTwoChoices::with_source(Recording::new([1]));
        assert_eq!(balancer.pick(&[]), 0, "an empty ready set must give 0 (out of range)");
        assert!(balancer.source.bounds.is_empty(), "with no candidates p2c must not draw");
    }

    #[test]
    fn p2c_draws_below_the_current_length_as_the_set_shrinks_and_grows() {
        let mut ready = Ready::with_in_flight(&[1, 0, 2, 3]);
        // (1, 0 -> 0) -> 1;  then over [0, 2, 3]: (2, 1 -> 1) -> id 2;  then over
        // [0, 2, 3, 4 idle]: (0, 2 -> 3) -> id 4.
        let mut balancer = PowerOfTwoChoices::with_source(Recording::new([1, 0, 2, 1, 0, 2]));
        let mut picked = ready.picked_ids(&mut balancer, 1);
        ready.remove(1);
        picked.extend(ready.picked_ids(&mut balancer, 1));
        ready.add(4);
        picked.extend(ready.picked_ids(&mut balancer, 1));
        assert_eq!(picked, [1, 2, 4], "each pick must draw over the set as it is then");
        assert_eq!(
            balancer.source.bounds,
            [4, 3, 3, 2, 4, 3],
            "p2c must draw below len and len - 1 of the current set"
        );
    }

    #[test]
    fn p2c_from_the_same_seed_replays_the_same_picks() {
        let ready = Ready::with_in_flight(&[3, 1, 4, 1, 5]);
        let first = ready.picks(&mut PowerOfTwoChoices::from_seed(11), 50);
        let second = ready.picks(&mut PowerOfTwoChoices::from_seed(11), 50);
        assert_eq!(
            first, second,
            "seed 11 must replay every pick (cargo test -p jostle --lib p2c_from_the_same_seed)"
        );
        assert!(!first.contains(&4), "the busiest endpoint must never win a comparison");
    }

    #[test]
    fn p2c_is_named_p2c() {
        assert_eq!(PowerOfTwoChoices::from_seed(0).name(), "p2c");
        assert_eq!(PowerOfTwoChoices::new().name(), "p2c");
    }
}
