//! [`Random`]: a uniform draw over the ready endpoints.

use crate::balance::{Balancer, Candidate, RandomSource, Seeded};

/// A uniform draw over the ready endpoints: `source.below(ready.len())`, no other state.
///
/// **Choose it** as the baseline that the other policies must beat in a chaos run, or when many
/// independent clients (say, a hundred pods of a tonic gateway) each call the same backends:
/// with no shared counter there is no risk of every client starting its cycle on the same
/// backend, and over many calls each backend's share tends to `1/N`.
///
/// **Do not choose it** for a small set or a low call rate when evenness matters: with 3
/// backends and 30 calls (10 each if even), the busiest gets 14 or more in about one run in
/// four, and the busiest and the idlest differ by 6 or more in about two runs in five; the
/// shares even out only as calls grow (a spread of about `sqrt(calls / N)`), where
/// [`RoundRobin`](super::RoundRobin) is exact at every full cycle. Like round robin it ignores load, so a slow backend still gets its share; use
/// [`PowerOfTwoChoices`](super::PowerOfTwoChoices) for a random policy that sees load.
///
/// It draws only when there is a choice: with one ready endpoint it picks it, and with none it
/// returns 0 (out of range), without touching the source.
///
/// ```
/// use jostle::balance::{Balancer, Candidate, EndpointId, Scripted, policy::Random};
///
/// let address: http::Uri = "http://backend-0.test:1".parse().unwrap();
/// let ready = [0, 1, 2].map(|id| Candidate {
///     id: EndpointId(id),
///     address: &address,
///     in_flight: 0,
///     weight: 1,
/// });
///
/// let mut scripted = Random::with_source(Scripted::new([2, 0, 1]));
/// let picks: Vec<usize> = (0..3).map(|_| scripted.pick(&ready)).collect();
/// assert_eq!(picks, [2, 0, 1]);
///
/// let mut seeded = Random::from_seed(7);
/// assert!(seeded.pick(&ready) < 3);
/// assert_eq!(seeded.name(), "random");
/// ```
#[derive(Debug, Clone)]
pub struct Random<R = Seeded> {
    source: R,
}

impl Random<Seeded> {
    /// Seeded from the operating system: the picks cannot be replayed. Prefer
    /// [`Random::from_seed`] wherever a run is reported.
    pub fn new() -> Self {
        Self::with_source(Seeded::from_entropy())
    }

    /// Picks replayable from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        Self::with_source(Seeded::from_seed(seed))
    }
}

impl Default for Random<Seeded> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: RandomSource> Random<R> {
    /// Draws from `source`, e.g. a [`Scripted`](crate::balance::Scripted) one in a test.
    pub fn with_source(source: R) -> Self {
        Self { source }
    }
}

impl<R: RandomSource> Balancer for Random<R> {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        match ready.len() {
            0 | 1 => 0,
            len => self.source.below(len),
        }
    }

    fn name(&self) -> &str {
        "random"
    }
}

#[cfg(test)]
mod tests {
    use super::Random;
    use crate::balance::policy::testing::{Ready, Recording};
    use crate::balance::{Balancer, Scripted};

    #[test]
    fn random_picks_exactly_what_the_source_draws() {
        let ready = Ready::of(4);
        let mut balancer = Random::with_source(Recording::new([3, 0, 2, 2, 1, 0, 3, 1]));
        assert_eq!(
            ready.picks(&mut balancer, 8),
            [3, 0, 2, 2, 1, 0, 3, 1],
            "random must pick the index the source draws"
        );
        assert_eq!(balancer.source.bounds, [4; 8], "random must draw below(len) once per pick");
    }

    #[test]
    fn random_picks_the_only_endpoint_without_drawing() {
        let ready = Ready::of(1);
        let mut balancer = Random::with_source(Recording::new([5]));
        assert_eq!(ready.picks(&mut balancer, 3), [0; 3], "one endpoint must take every pick");
        assert!(balancer.source.bounds.is_empty(), "with no choice random must not draw");
    }

    #[test]
    fn random_on_an_empty_slice_returns_zero_without_drawing() {
        let mut balancer = Random::with_source(Recording::new([1]));
        assert_eq!(balancer.pick(&[]), 0, "an empty ready set must give 0 (out of range)");
        assert!(balancer.source.bounds.is_empty(), "with no candidates random must not draw");
    }

    #[test]
    fn random_ignores_in_flight() {
        let mut ready = Ready::with_in_flight(&[0, 100, 0]);
        let mut balancer = Random::with_source(Scripted::new([1, 1, 2]));
        let first = ready.picks(&mut balancer, 3);
        ready.set_in_flight(1, 1_000);
        let second = ready.picks(&mut balancer, 3);
        assert_eq!(
            [first, second],
            [[1, 1, 2], [1, 1, 2]],
            "random must pick what it draws, whatever the load"
        );
    }

    #[test]
    fn random_draws_below_the_current_length_as_the_set_shrinks_and_grows() {
        let mut ready = Ready::of(3);
        let mut balancer = Random::with_source(Recording::new([2, 1, 2, 1, 2, 3]));
        assert_eq!(ready.picked_ids(&mut balancer, 2), [2, 1]);
        ready.remove(1);
        // Ready [0, 2]: positions 2 % 2 = 0 and 1.
        assert_eq!(ready.picked_ids(&mut balancer, 2), [0, 2], "after a shrink");
        ready.add(3);
        ready.add(4);
        // Ready [0, 2, 3, 4]: positions 2 and 3.
        assert_eq!(ready.picked_ids(&mut balancer, 2), [3, 4], "after a grow");
        assert_eq!(
            balancer.source.bounds,
            [3, 3, 2, 2, 4, 4],
            "random must draw below the ready length at each pick"
        );
    }

    #[test]
    fn random_from_the_same_seed_replays_the_same_picks() {
        let ready = Ready::of(5);
        let first = ready.picks(&mut Random::from_seed(11), 50);
        let second = ready.picks(&mut Random::from_seed(11), 50);
        assert_eq!(
            first, second,
            "seed 11 must replay every pick (cargo test -p jostle --lib random_from_the_same_seed)"
        );
        assert!(first.iter().all(|&index| index < 5), "every pick must be in range");
    }

    #[test]
    fn random_is_named_random() {
        assert_eq!(Random::from_seed(0).name(), "random");
        assert_eq!(Random::new().name(), "random");
    }
}
