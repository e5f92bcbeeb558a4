//! [`RandomSource`]: where randomised policies draw from; seedable, or scripted in tests.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A source of uniform choices. Policies take one so that every random pick can be replayed
/// from a seed, or scripted exactly in a test.
pub trait RandomSource: Send + 'static {
    /// A uniform integer in `0..bound` (`bound` is at least 1).
    fn below(&mut self, bound: usize) -> usize;
}

/// The default source: ChaCha8, a named algorithm, so a seed replays the same picks on every
/// platform and rand version that ships it.
#[derive(Debug, Clone)]
pub struct Seeded(ChaCha8Rng);

impl Seeded {
    /// Picks replayable from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Seeded from the operating system: not replayable.
    pub fn from_entropy() -> Self {
        Self(ChaCha8Rng::from_os_rng())
    }
}

impl RandomSource for Seeded {
    fn below(&mut self, bound: usize) -> usize {
        self.0.random_range(0..bound.max(1))
    }
}

/// Replays a fixed list of choices (each taken modulo the bound), then starts over: for tests
/// that assert every pick.
///
/// ```
/// use jostle::balance::{RandomSource, Scripted};
///
/// let mut script = Scripted::new([2, 0, 5]);
/// assert_eq!((script.below(3), script.below(3), script.below(3)), (2, 0, 2));
/// ```
#[derive(Debug, Clone)]
pub struct Scripted {
    choices: Vec<usize>,
    next: usize,
}

impl Scripted {
    /// Replays `choices` in order, cycling.
    pub fn new(choices: impl IntoIterator<Item = usize>) -> Self {
        Self { choices: choices.into_iter().collect(), next: 0 }
    }
}

impl RandomSource for Scripted {
    fn below(&mut self, bound: usize) -> usize {
        if self.choices.is_empty() {
            return 0;
        }
        let choice = self.choices[self.next % self.choices.len()];
        self.next += 1;
        choice % bound.max(1)
    }
}
