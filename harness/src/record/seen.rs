//! [`CallsSeen`]: the calls that reached a backend, by the name jostle's load driver gives each
//! one in [`CALL_HEADER`](crate::CALL_HEADER), in the order they arrived across the backends
//! that share one [`Arrivals`] counter (one cluster's).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The most call names one backend keeps: a load has at most this many calls
/// ([`MAX_CALLS`](crate::load::limits::MAX_CALLS)); a client sending more names (an outside
/// client in `jostle serve`, or retries of a load that size) cannot grow memory past it. The
/// names past it are counted ([`CallsSeen::not_kept`]), never silently lost.
pub const MAX_CALLS_SEEN: usize = 1_000_000;

/// The arrival numbers of one cluster: shared by its backends, so that which of two backends a
/// call reached last can be told, and by nothing else, so that two clusters in one process
/// (parallel tests) number their arrivals each from 0, neither perturbing the other.
#[derive(Debug, Clone, Default)]
pub struct Arrivals(Arc<AtomicU64>);

impl Arrivals {
    fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// One call that reached a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenCall {
    /// The seed of the load that made it.
    pub seed: u64,
    /// Its index in that load.
    pub index: u64,
    /// When it arrived, as a number that grows with every arrival at any backend of the
    /// cluster, from 0.
    pub arrival: u64,
}

/// The calls that reached one backend, in arrival order.
#[derive(Debug)]
pub struct CallsSeen {
    calls: Mutex<Vec<SeenCall>>,
    arrivals: Arrivals,
    not_kept: AtomicU64,
    most: usize,
}

impl Default for CallsSeen {
    /// A backend alone: its own arrival numbers.
    fn default() -> Self {
        Self::new(Arrivals::default())
    }
}

impl CallsSeen {
    /// The calls of a backend numbered by `arrivals` (its cluster's).
    pub fn new(arrivals: Arrivals) -> Self {
        Self::keeping(MAX_CALLS_SEEN, arrivals)
    }

    fn keeping(most: usize, arrivals: Arrivals) -> Self {
        Self { calls: Mutex::default(), arrivals, not_kept: AtomicU64::new(0), most }
    }

    /// Keeps the call named `name` (`<seed>-<index>`); a name in another form is not a call;
    /// past [`MAX_CALLS_SEEN`] a call is counted in [`not_kept`](Self::not_kept) instead.
    pub fn arrived(&self, name: &str) {
        let Some((seed, index)) = name.split_once('-') else { return };
        let (Ok(seed), Ok(index)) = (seed.parse(), index.parse()) else { return };
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.len() < self.most {
            calls.push(SeenCall { seed, index, arrival: self.arrivals.next() });
        } else {
            self.not_kept.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Every call kept so far, in arrival order.
    pub fn calls(&self) -> Vec<SeenCall> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Calls that arrived past the [`MAX_CALLS_SEEN`] kept: which backend they reached last is
    /// not known.
    pub fn not_kept(&self) -> u64 {
        self.not_kept.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_well_formed_names_in_arrival_order_and_ignores_the_rest() {
        let seen = CallsSeen::default();
        seen.arrived("7-0");
        seen.arrived("not a call");
        seen.arrived("7-x");
        seen.arrived("18446744073709551615-3");
        let calls = seen.calls();
        assert_eq!(calls.len(), 2, "only `<seed>-<index>` names are calls: {calls:?}");
        assert_eq!((calls[0].seed, calls[0].index), (7, 0));
        assert_eq!((calls[1].seed, calls[1].index), (u64::MAX, 3));
        assert!(calls[0].arrival < calls[1].arrival, "arrivals are numbered in order");
        assert_eq!(seen.not_kept(), 0, "malformed names are not calls, so not calls lost");
    }

    #[test]
    fn two_clusters_number_their_arrivals_each_from_zero_without_perturbing_each_other() {
        let (one, other) = (Arrivals::default(), Arrivals::default());
        let ones = [CallsSeen::new(one.clone()), CallsSeen::new(one)];
        let others = [CallsSeen::new(other.clone()), CallsSeen::new(other)];
        // Interleaved, as two parallel tests' backends are.
        for index in 0..3 {
            ones[0].arrived(&format!("1-{index}"));
            others[0].arrived(&format!("2-{index}"));
            others[1].arrived(&format!("2-{index}"));
            ones[1].arrived(&format!("1-{index}"));
        }
        let arrivals =
            |seen: &CallsSeen| seen.calls().iter().map(|c| c.arrival).collect::<Vec<_>>();
        assert_eq!(
            (arrivals(&ones[0]), arrivals(&ones[1])),
            (vec![0, 2, 4], vec![1, 3, 5]),
            "a cluster's arrivals count its own backends' calls only, from 0"
        );
        assert_eq!(
            (arrivals(&others[0]), arrivals(&others[1])),
            (vec![0, 2, 4], vec![1, 3, 5]),
            "another cluster in the process numbers its own arrivals the same way"
        );
    }

    #[test]
    fn backends_of_different_clusters_each_number_arrivals_from_zero() {
        let (one, other) = (CallsSeen::default(), CallsSeen::default());
        for index in 0..3 {
            one.arrived(&format!("1-{index}"));
            other.arrived(&format!("2-{index}"));
        }
        let arrivals =
            |seen: &CallsSeen| seen.calls().iter().map(|c| c.arrival).collect::<Vec<_>>();
        assert_eq!(
            (arrivals(&one), arrivals(&other)),
            (vec![0, 1, 2], vec![0, 1, 2]),
            "backends that share no cluster share no arrival numbers"
        );
    }

    #[test]
    fn calls_past_the_most_kept_are_counted_not_lost() {
        let seen = CallsSeen::keeping(2, Arrivals::default());
        for index in 0..5 {
            seen.arrived(&format!("3-{index}"));
        }
        seen.arrived("not a call");
        assert_eq!(seen.calls().len(), 2, "no more than the most kept are kept");
        assert_eq!(seen.not_kept(), 3, "every call past the most kept is counted");
    }
}
