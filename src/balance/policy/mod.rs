//! The built-in [`Balancer`] policies: pure pick logic over the endpoints ready now.
//!
//! ```
//! use jostle::balance::{Balancer, Candidate, EndpointId, policy::LeastOutstanding};
//!
//! let addresses: [http::Uri; 3] =
//!     ["http://backend-0.test:1", "http://backend-1.test:1", "http://backend-2.test:1"]
//!         .map(|a| a.parse().unwrap());
//! let in_flight = [4, 1, 7];
//! let ready: Vec<Candidate<'_>> = (0..3)
//!     .map(|i| Candidate {
//!         id: EndpointId(i as u64),
//!         address: &addresses[i],
//!         in_flight: in_flight[i],
//!         weight: 1,
//!     })
//!     .collect();
//!
//! let mut balancer = LeastOutstanding::new();
//! assert_eq!(balancer.pick(&ready), 1, "backend-1 has the fewest calls in flight");
//! ```
//!
//! | policy | name | choose it when |
//! |---|---|---|
//! | [`RoundRobin`] | `round_robin` | the backends are alike |
//! | [`Random`] | `random` | you want a stateless baseline (uneven at small N) |
//! | [`LeastOutstanding`] | `least_outstanding` | latency varies, or a backend can be slow |
//! | [`PowerOfTwoChoices`] | `p2c` | as least outstanding, with many endpoints |
//! | [`PickFirst`] | `pick_first` | one primary, the rest standbys |
//! | [`WeightedRoundRobin`] | `weighted_round_robin` | capacities differ, and are known |
//!
//! Every policy returns 0 (out of range, so no pick) for an empty slice, which the
//! [`Balancer`] contract rules out anyway, and none of them panics on one. The randomised ones
//! draw from a [`RandomSource`](crate::balance::RandomSource): seed them, or script them in a
//! test, and every pick replays.

mod least_outstanding;
mod p2c;
mod pick_first;
mod random;
mod round_robin;
mod weighted_round_robin;

pub use least_outstanding::LeastOutstanding;
pub use p2c::PowerOfTwoChoices;
pub use pick_first::PickFirst;
pub use random::Random;
pub use round_robin::RoundRobin;
pub use weighted_round_robin::WeightedRoundRobin;

use super::Balancer;

/// The names [`by_name`] knows, which are also the policies' [`Balancer::name`]s.
pub const NAMES: &[&str] =
    &["round_robin", "random", "least_outstanding", "p2c", "pick_first", "weighted_round_robin"];

/// The built-in policy called `name` (one of [`NAMES`]), boxed; the randomised ones
/// ([`Random`], [`PowerOfTwoChoices`]) draw from `seed`. `None` for an unknown name.
///
/// ```
/// use jostle::balance::policy::{self, NAMES};
///
/// for name in NAMES {
///     let balancer = policy::by_name(name, 7).expect("every listed name is known");
///     assert_eq!(balancer.name(), *name);
/// }
/// assert!(policy::by_name("least_request", 7).is_none());
/// ```
pub fn by_name(name: &str, seed: u64) -> Option<Box<dyn Balancer>> {
    let balancer: Box<dyn Balancer> = match name {
        "round_robin" => Box::new(RoundRobin::new()),
        "random" => Box::new(Random::from_seed(seed)),
        "least_outstanding" => Box::new(LeastOutstanding::new()),
        "p2c" => Box::new(PowerOfTwoChoices::from_seed(seed)),
        "pick_first" => Box::new(PickFirst::new()),
        "weighted_round_robin" => Box::new(WeightedRoundRobin::new()),
        _ => return None,
    };
    Some(balancer)
}

/// A ready set for unit tests: endpoint `id` is `http://backend-<id>.test:1`, never dialled.
#[cfg(test)]
mod testing {
    use crate::balance::{Balancer, Candidate, EndpointId, RandomSource, Scripted};
    use http::Uri;

    /// Replays a script, and records every bound it was asked to draw below.
    #[derive(Debug)]
    pub(super) struct Recording {
        script: Scripted,
        pub(super) bounds: Vec<usize>,
    }

    impl Recording {
        pub(super) fn new(choices: impl IntoIterator<Item = usize>) -> Self {
            Self { script: Scripted::new(choices), bounds: Vec::new() }
        }
    }

    impl RandomSource for Recording {
        fn below(&mut self, bound: usize) -> usize {
            self.bounds.push(bound);
            self.script.below(bound)
        }
    }

    #[derive(Debug, Clone)]
    struct Endpoint {
        id: u64,
        address: Uri,
        in_flight: usize,
        weight: u32,
    }

    impl Endpoint {
        fn new(id: u64) -> Self {
            let address = format!("http://backend-{id}.test:1").parse().expect("valid test uri");
            Self { id, address, in_flight: 0, weight: 1 }
        }
    }

    /// Endpoints in discovery order, with their loads and weights.
    #[derive(Debug, Clone)]
    pub(super) struct Ready(Vec<Endpoint>);

    impl Ready {
        /// `n` endpoints with ids `0..n`, nothing in flight, weight 1.
        pub(super) fn of(n: u64) -> Self {
            Self((0..n).map(Endpoint::new).collect())
        }

        /// One endpoint per load, ids from 0, weight 1.
        pub(super) fn with_in_flight(loads: &[usize]) -> Self {
            let mut ready = Self::of(loads.len() as u64);
            for (endpoint, load) in ready.0.iter_mut().zip(loads) {
                endpoint.in_flight = *load;
            }
            ready
        }

        /// One endpoint per weight, ids from 0, nothing in flight.
        pub(super) fn with_weights(weights: &[u32]) -> Self {
            let mut ready = Self::of(weights.len() as u64);
            for (endpoint, weight) in ready.0.iter_mut().zip(weights) {
                endpoint.weight = *weight;
            }
            ready
        }

        /// Sets the load of the endpoint at `index`.
        pub(super) fn set_in_flight(&mut self, index: usize, in_flight: usize) {
            self.0[index].in_flight = in_flight;
        }

        /// Sets the weight of the endpoint with `id`.
        pub(super) fn set_weight(&mut self, id: u64, weight: u32) {
            self.endpoint(id).weight = weight;
        }

        /// Takes the endpoint with `id` out of the set.
        pub(super) fn remove(&mut self, id: u64) {
            self.0.retain(|endpoint| endpoint.id != id);
        }

        /// Appends a new endpoint with `id` (last in discovery order), idle, weight 1.
        pub(super) fn add(&mut self, id: u64) {
            self.0.push(Endpoint::new(id));
        }

        /// Appends a new endpoint with `id` and `weight`.
        pub(super) fn add_weighted(&mut self, id: u64, weight: u32) {
            self.add(id);
            self.endpoint(id).weight = weight;
        }

        /// Puts back an endpoint that had left, at its old place (ids ascending), as the
        /// channel does when an endpoint reconnects.
        pub(super) fn restore(&mut self, id: u64) {
            let at = self.0.partition_point(|endpoint| endpoint.id < id);
            self.0.insert(at, Endpoint::new(id));
        }

        /// The slice the balancer sees.
        pub(super) fn candidates(&self) -> Vec<Candidate<'_>> {
            self.0
                .iter()
                .map(|endpoint| Candidate {
                    id: EndpointId(endpoint.id),
                    address: &endpoint.address,
                    in_flight: endpoint.in_flight,
                    weight: endpoint.weight,
                })
                .collect()
        }

        /// `n` picks on this set as it stands, as indices.
        pub(super) fn picks(&self, balancer: &mut dyn Balancer, n: usize) -> Vec<usize> {
            let candidates = self.candidates();
            (0..n).map(|_| balancer.pick(&candidates)).collect()
        }

        /// `n` picks on this set as it stands, as endpoint ids.
        pub(super) fn picked_ids(&self, balancer: &mut dyn Balancer, n: usize) -> Vec<u64> {
            self.picks(balancer, n).into_iter().map(|index| self.0[index].id).collect()
        }

        /// `n` picks where each picked endpoint gets one more call in flight, as the channel
        /// books it; as indices.
        pub(super) fn serve(&mut self, balancer: &mut dyn Balancer, n: usize) -> Vec<usize> {
            (0..n)
                .map(|_| {
                    let index = balancer.pick(&self.candidates());
                    self.0[index].in_flight += 1;
                    index
                })
                .collect()
        }

        /// The loads now, in order.
        pub(super) fn loads(&self) -> Vec<usize> {
            self.0.iter().map(|endpoint| endpoint.in_flight).collect()
        }

        fn endpoint(&mut self, id: u64) -> &mut Endpoint {
            self.0.iter_mut().find(|endpoint| endpoint.id == id).expect("endpoint in the set")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{NAMES, by_name};
    use crate::balance::policy::testing::Ready;

    #[test]
    fn by_name_knows_every_listed_name_and_the_policy_reports_it() {
        for name in NAMES {
            let balancer = by_name(name, 7);
            assert_eq!(
                balancer.as_ref().map(|b| b.name()),
                Some(*name),
                "by_name({name}) must build the policy whose name() is {name}"
            );
        }
    }

    #[test]
    fn by_name_rejects_an_unknown_name() {
        assert!(by_name("least_request", 7).is_none(), "an unknown name must give None");
        assert!(by_name("", 7).is_none(), "the empty name must give None");
    }

    #[test]
    fn by_name_seeds_the_random_policies_so_picks_replay() {
        let ready = Ready::with_in_flight(&[3, 1, 4, 1, 5, 9, 2, 6]);
        for name in ["random", "p2c"] {
            let mut first = by_name(name, 42).expect("known name");
            let mut second = by_name(name, 42).expect("known name");
            assert_eq!(
                ready.picks(first.as_mut(), 64),
                ready.picks(second.as_mut(), 64),
                "{name} built with seed 42 twice must replay the same picks"
            );
        }
    }

    #[test]
    fn every_policy_returns_zero_on_an_empty_slice() {
        for name in NAMES {
            let mut balancer = by_name(name, 7).expect("known name");
            assert_eq!(balancer.pick(&[]), 0, "{name} must return 0 (no pick) for no candidates");
        }
    }

    #[test]
    fn every_policy_picks_the_only_endpoint() {
        let ready = Ready::with_in_flight(&[5]);
        for name in NAMES {
            let mut balancer = by_name(name, 7).expect("known name");
            assert_eq!(ready.picks(balancer.as_mut(), 5), [0; 5], "{name} must pick the only one");
        }
    }
}
