//! [`Samples`]: every backend's own counters, read at moments of the wall clock while a
//! scenario plays, so that a check can count what each backend served between two moments.
//! Memory is bounded: past [`MAX_COUNTS`] stored counts, every other sample is dropped and the
//! interval doubles.

use std::time::Duration;

/// How often the counters are read, at first.
pub const EVERY: Duration = Duration::from_millis(100);

/// The most counts kept (samples × backends): 2^20, 24 MiB. A long run keeps coarser samples.
pub const MAX_COUNTS: usize = 1 << 20;

/// One backend's counters at one moment, since serving started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// Calls it answered OK.
    pub served: u64,
    /// Calls it answered with another code.
    pub failed: u64,
    /// Connections it accepted.
    pub connections: u64,
}

/// The counters of every backend at each moment read, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Samples {
    every: Duration,
    at: Vec<Duration>,
    counts: Vec<Vec<Count>>,
}

impl Default for Samples {
    fn default() -> Self {
        Self { every: EVERY, at: Vec::new(), counts: Vec::new() }
    }
}

impl Samples {
    /// How often the counters are read now.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Adds the counters read at `at` (since serving started); thins the samples when they
    /// would pass [`MAX_COUNTS`].
    pub fn push(&mut self, at: Duration, counts: Vec<Count>) {
        let width = counts.len().max(1);
        if (self.at.len() + 1) * width > MAX_COUNTS && self.at.len() > 2 {
            let keep = |index: usize| index.is_multiple_of(2);
            self.at =
                self.at.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, a)| *a).collect();
            let counts = std::mem::take(&mut self.counts);
            self.counts =
                counts.into_iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, c)| c).collect();
            self.every *= 2;
        }
        self.at.push(at);
        self.counts.push(counts);
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The first sample read at `at` or later.
    pub fn at_or_after(&self, at: Duration) -> Option<(Duration, &[Count])> {
        let index = self.at.partition_point(|&read| read < at);
        Some((*self.at.get(index)?, self.counts[index].as_slice()))
    }

    /// The last sample read at `at` or earlier.
    pub fn at_or_before(&self, at: Duration) -> Option<(Duration, &[Count])> {
        let index = self.at.partition_point(|&read| read <= at).checked_sub(1)?;
        Some((self.at[index], self.counts[index].as_slice()))
    }

    /// The first sample.
    pub fn first(&self) -> Option<(Duration, &[Count])> {
        Some((*self.at.first()?, self.counts.first()?.as_slice()))
    }

    /// The last sample.
    pub fn last(&self) -> Option<(Duration, &[Count])> {
        Some((*self.at.last()?, self.counts.last()?.as_slice()))
    }

    /// What each backend served (OK) between the first sample at or after `from` and the last
    /// at or before `until`, with the moments actually read; `None` when no two samples lie in
    /// between.
    pub fn served_between(&self, from: Duration, until: Duration) -> Option<Between> {
        let (start, first) = self.at_or_after(from)?;
        let (end, last) = self.at_or_before(until)?;
        if end <= start {
            return None;
        }
        let served =
            first.iter().zip(last).map(|(a, b)| b.served.saturating_sub(a.served)).collect();
        Some(Between { start, end, served })
    }
}

/// What each backend served between two samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Between {
    /// When the first sample was read.
    pub start: Duration,
    /// When the last was read.
    pub end: Duration,
    /// OK calls per backend, by index.
    pub served: Vec<u64>,
}

impl Between {
    /// Every backend's OK calls.
    pub fn total(&self) -> u64 {
        self.served.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::{Count, MAX_COUNTS, Samples};
    use std::time::Duration;

    fn served(n: u64) -> Vec<Count> {
        vec![Count { served: n, ..Count::default() }; 2]
    }

    #[test]
    fn served_between_counts_from_the_first_sample_at_or_after_to_the_last_at_or_before() {
        let mut samples = Samples::default();
        for (ms, n) in [(0, 0), (100, 10), (200, 25), (300, 40)] {
            samples.push(Duration::from_millis(ms), served(n));
        }
        let between = samples.served_between(Duration::from_millis(50), Duration::from_millis(250));
        let between = between.expect("two samples lie between 50 and 250 ms");
        assert_eq!(
            (between.start, between.end),
            (Duration::from_millis(100), Duration::from_millis(200))
        );
        assert_eq!(between.served, [15, 15]);
        assert_eq!(between.total(), 30);
        assert!(
            samples
                .served_between(Duration::from_millis(210), Duration::from_millis(290))
                .is_none(),
            "no two samples between 210 and 290 ms: nothing to judge"
        );
    }

    #[test]
    fn past_the_bound_every_other_sample_goes_and_the_interval_doubles() {
        let mut samples = Samples::default();
        let wide = MAX_COUNTS / 4;
        for i in 0..5_u64 {
            samples.push(Duration::from_millis(i * 100), vec![Count::default(); wide]);
        }
        assert!(samples.len() * wide <= MAX_COUNTS, "stored counts must stay under the bound");
        assert_eq!(samples.every(), Duration::from_millis(200), "thinning doubles the interval");
        assert_eq!(samples.last().map(|(at, _)| at), Some(Duration::from_millis(400)));
    }
}
