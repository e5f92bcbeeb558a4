//! [`Shard`]: one part of a seed range, so that many processes (a Kubernetes Indexed Job's
//! pods) search it side by side and [`merge`](super::merge) joins what they found.
//!
//! ```
//! use jostle_harness::explore::Shard;
//!
//! // Contiguous blocks, as even as they can be: 0..10 in three parts.
//! let parts: Vec<_> = (0..3).map(|i| Shard::new(i, 3).unwrap().part(&(0..10)).unwrap()).collect();
//! assert_eq!(parts, [0..3, 3..6, 6..10]);
//! assert_eq!(Shard::parse("1/3").unwrap(), Shard::new(1, 3).unwrap());
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// The most shards a seed range may be split into (a Kubernetes Indexed Job's own limit on
/// `completions`).
pub const MAX_SHARDS: u64 = 100_000;

/// Part `index` of `count` (`index` from 0, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// Which part, from 0.
    pub index: u64,
    /// Of how many, 1..=[`MAX_SHARDS`].
    pub count: u64,
}

impl Shard {
    /// Part `index` of `count`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a count outside 1..=[`MAX_SHARDS`] or an index not
    /// below it.
    pub fn new(index: u64, count: u64) -> Result<Self> {
        if !(1..=MAX_SHARDS).contains(&count) || index >= count {
            return Err(Error::InvalidParameter {
                parameter: "shard",
                expected: format!(
                    "I/N with N from 1 to {MAX_SHARDS} and I from 0 to N - 1 (the first is 0)"
                ),
                got: format!("{index}/{count}"),
            });
        }
        Ok(Self { index, count })
    }

    /// `I/N`, as `--shard` takes it.
    ///
    /// # Errors
    ///
    /// As [`Shard::new`], and for text that is not `I/N`.
    pub fn parse(text: &str) -> Result<Self> {
        let refuse = || Error::InvalidParameter {
            parameter: "shard",
            expected: "I/N, part I (from 0) of N, e.g. 0/3".into(),
            got: text.into(),
        };
        let (index, count) = text.split_once('/').ok_or_else(refuse)?;
        let number = |t: &str| t.trim().parse::<u64>().map_err(|_| refuse());
        Self::new(number(index)?, number(count)?)
    }

    /// This shard's part of `seeds`: contiguous blocks in shard order, their lengths differing
    /// by at most one, so that the parts in order are the range in order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the range has fewer seeds than shards (a part would be
    /// empty, and a search of nothing proves nothing).
    pub fn part(&self, seeds: &Range<u64>) -> Result<Range<u64>> {
        let len = seeds.end.saturating_sub(seeds.start);
        if len < self.count {
            return Err(Error::InvalidParameter {
                parameter: "shard",
                expected: format!(
                    "at most as many shards as seeds: {}..{} has {len}",
                    seeds.start, seeds.end
                ),
                got: self.to_string(),
            });
        }
        let at = |i: u64| {
            let offset = u128::from(len) * u128::from(i) / u128::from(self.count);
            seeds.start + u64::try_from(offset).unwrap_or(len)
        };
        Ok(at(self.index)..at(self.index + 1))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
