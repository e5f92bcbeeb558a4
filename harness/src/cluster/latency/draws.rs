//! [`LatencyDraws`]: one backend's latency, drawn call by call from its own seeded stream.

use super::BackendLatency;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The ChaCha stream latency draws from. Faults draw from stream 0 of their own keys, the
/// load and the policies from other generators: latency adds draws to no existing stream, so
/// a run without latency replays as it did before latency existed.
const LATENCY_STREAM: u64 = 0x006c_6174_656e_6379; // "latency" in ASCII

/// The latency of one backend and the generator its calls draw from, shared by the backend's
/// runs (a restart does not replay the draws).
#[derive(Debug)]
pub(crate) struct LatencyDraws {
    latency: BackendLatency,
    rng: Mutex<ChaCha8Rng>,
}

impl LatencyDraws {
    /// Draws for backend `backend` of a cluster seeded with `seed`.
    pub(crate) fn new(latency: BackendLatency, seed: u64, backend: usize) -> Self {
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ (backend as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.set_stream(LATENCY_STREAM);
        Self { latency, rng: Mutex::new(rng) }
    }

    /// The latency it adds.
    pub(crate) fn latency(&self) -> BackendLatency {
        self.latency
    }

    /// The latency of the call arriving now: a whole number of milliseconds drawn uniformly
    /// from the latency's range (no draw without jitter).
    pub(crate) fn next(&self) -> Duration {
        let BackendLatency { base, jitter } = self.latency;
        if jitter.is_zero() {
            return base;
        }
        let (low, high) = (millis(base.saturating_sub(jitter)), millis(base + jitter));
        let drawn =
            self.rng.lock().unwrap_or_else(PoisonError::into_inner).random_range(low..=high);
        Duration::from_millis(drawn)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_whole_milliseconds_in_range_and_replay_from_the_seed() {
        let ms = Duration::from_millis;
        let latency = BackendLatency::new(ms(10), ms(2));
        let draw = |seed, backend| {
            let draws = LatencyDraws::new(latency, seed, backend);
            (0..200).map(|_| draws.next()).collect::<Vec<_>>()
        };
        let first = draw(7, 1);
        assert_eq!(first, draw(7, 1), "same seed and backend must give the same draws");
        assert_ne!(first, draw(7, 2), "each backend must draw from its own stream");
        assert_ne!(first, draw(8, 1), "another seed must give other draws");
        for drawn in &first {
            assert!(latency.range().contains(drawn), "{drawn:?} must lie in 8ms..=12ms");
            assert_eq!(drawn.subsec_nanos() % 1_000_000, 0, "{drawn:?} must be whole ms");
        }
        for edge in [ms(8), ms(12)] {
            assert!(first.contains(&edge), "200 draws must reach the range's edge {edge:?}");
        }
    }

    #[test]
    fn without_jitter_every_call_takes_the_base() {
        let draws = LatencyDraws::new(BackendLatency::fixed(Duration::from_millis(30)), 1, 0);
        assert!((0..10).all(|_| draws.next() == Duration::from_millis(30)));
    }
}
