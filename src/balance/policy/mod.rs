//! TEMP until the policies land.
#![allow(missing_docs)]
use super::{Balancer, Candidate, RandomSource, Seeded};
#[derive(Debug, Default)]
pub struct RoundRobin(usize);
impl RoundRobin {
    pub fn new() -> Self {
        Self(0)
    }
}
impl Balancer for RoundRobin {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let i = self.0 % ready.len().max(1);
        self.0 += 1;
        i
    }
}
#[derive(Debug)]
pub struct PowerOfTwoChoices(Seeded);
impl PowerOfTwoChoices {
    pub fn from_seed(s: u64) -> Self {
        Self(Seeded::from_seed(s))
    }
}
impl Balancer for PowerOfTwoChoices {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        self.0.below(ready.len())
    }
}
