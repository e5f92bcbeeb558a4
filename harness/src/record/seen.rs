//! [`CallsSeen`]: the calls that reached a backend, by the name jostle's load driver gives each
//! one in [`CALL_HEADER`](crate::CALL_HEADER), in the order they arrived across all backends.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most call names one backend keeps: a load has at most this many calls
/// ([`MAX_CALLS`](crate::load::limits::MAX_CALLS)); a client sending more names (an outside
/// client in `jostle serve`) cannot grow memory past it.
pub const MAX_CALLS_SEEN: usize = 1_000_000;

/// Arrivals across every backend of the process, numbered: which of two backends a call
/// reached last.
static ARRIVALS: AtomicU64 = AtomicU64::new(0);

/// One call that reached a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenCall {
    /// The seed of the load that made it.
    pub seed: u64,
    /// Its index in that load.
    pub index: u64,
    /// When it arrived, as a number that grows with every arrival at any backend.
    pub arrival: u64,
}

/// The calls that reached one backend, in arrival order.
#[derive(Debug, Default)]
pub struct CallsSeen {
    calls: Mutex<Vec<SeenCall>>,
}

impl CallsSeen {
    /// Keeps the call named `name` (`<seed>-<index>`); a name in another form, or past
    /// [`MAX_CALLS_SEEN`], is not kept.
    pub fn arrived(&self, name: &str) {
        let Some((seed, index)) = name.split_once('-') else { return };
        let (Ok(seed), Ok(index)) = (seed.parse(), index.parse()) else { return };
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.len() < MAX_CALLS_SEEN {
            let arrival = ARRIVALS.fetch_add(1, Ordering::Relaxed);
            calls.push(SeenCall { seed, index, arrival });
        }
    }

    /// Every call kept so far, in arrival order.
    pub fn calls(&self) -> Vec<SeenCall> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
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
    }
}
