//! The statistics behind the distribution check: how evenly (or how faithfully to its weights) a
//! balancer spread its calls over the backends.
//!
//! ```
//! use jostle_harness::check::stats::{chi_square, exact_cycle, DistributionSpec};
//!
//! // Random over three backends: how many calls the check needs at the defaults
//! // (false-failure rate 1e-6, detect a 5 % skew of one backend's share with power 0.99)…
//! let even = [1.0 / 3.0; 3];
//! let plan = DistributionSpec::default().sample_size(&even)?;
//! assert_eq!(plan.calls, 45_040);
//!
//! // …then, once, the counts each backend served out of those calls.
//! let served = [15_061, 14_985, 14_994];
//! assert_eq!(served.iter().sum::<u64>(), plan.calls);
//! let test = chi_square(&served, &even)?;
//! assert!(test.p_value > 1e-6, "an even spread passes");
//! assert!(test.statistic <= plan.critical, "same verdict as the p-value");
//!
//! // A 60/20/20 split does not.
//! let skewed = chi_square(&[27_024, 9_008, 9_008], &even)?;
//! assert!(skewed.p_value <= 1e-6);
//!
//! // Round robin: the backends as served, in order, must rotate exactly.
//! assert!(exact_cycle(&[2, 0, 1, 2, 0], 3).is_ok());
//! let broken = exact_cycle(&[2, 0, 0, 1], 3).unwrap_err();
//! assert_eq!((broken.at, broken.expected, broken.got), (2, 1, 0));
//! # Ok::<(), jostle_harness::check::stats::StatsError>(())
//! ```
//!
//! # Two checks
//!
//! - **Round robin** is deterministic, so its check is exact: [`exact_cycle`] accepts only a
//!   sequence in which every call goes to the backend after the previous one's, modulo `k`.
//! - **Random and weighted** policies are checked by Pearson's chi-square goodness-of-fit test
//!   ([`chi_square`]) against the shares the policy promises: the check fails when
//!   `p_value <= false_failure`, equivalently when `statistic > critical`.
//!
//! # No retries
//!
//! The chi-square check runs exactly once, on a number of calls fixed in advance by
//! [`sample_size`] from a [`DistributionSpec`]: the false-failure rate to accept (default `1e-6`,
//! the level grpc-go tests its weighted policies at), the smallest skew to detect (default 5 % of
//! a backend's share) and the probability of detecting it (default 0.99). So, to the large-sample
//! approximation the test rests on (and checked by simulation in this module's tests), a correct
//! balancer fails the check with probability `false_failure`, and a balancer with one backend off
//! by `min_skew` of its share, or any deviation of at least that effect size, passes it with
//! probability at most `1 − power`. Running the check again after a failure, until it passes,
//! would make both numbers meaningless; nothing here supports it.
//!
//! # Backends with share zero
//!
//! A backend whose expected share is `0` (one drained, or weighted 0) takes no part in the
//! chi-square statistic or its degrees of freedom: the test is over the backends with a positive
//! share. A single call served by such a backend fails the check outright (`statistic = +∞`,
//! `p_value = 0`), however many calls there were.
mod chi_square;
mod cycle;
mod error;
mod noncentral;
mod power_search;
mod sample_size;

pub use chi_square::{ChiSquare, chi_square, critical_value};
pub use cycle::{CycleBreak, exact_cycle};
pub use error::StatsError;
pub use noncentral::noncentral_chi_square_cdf;
pub use sample_size::{DistributionSpec, SampleSize, sample_size};

#[cfg(test)]
use chi_square::central;
#[cfg(test)]
use noncentral::noncentral_chi_square_sf;

/// The default false-failure rate: the probability that a correct balancer fails the check.
pub const DEFAULT_FALSE_FAILURE: f64 = 1e-6;

/// The default smallest skew to detect, relative to the skewed backend's share.
pub const DEFAULT_MIN_SKEW: f64 = 0.05;

/// The default probability of detecting a skew of [`DEFAULT_MIN_SKEW`].
pub const DEFAULT_POWER: f64 = 0.99;

/// How far the expected shares may sum from 1.
const SHARE_SUM_TOLERANCE: f64 = 1e-9;

fn check_probability(parameter: &'static str, value: f64) -> Result<(), StatsError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(StatsError::NotAProbability { parameter, value })
    }
}

/// Validates the shares and returns the degrees of freedom: positive shares less one.
fn validate_shares(shares: &[f64]) -> Result<u32, StatsError> {
    if let Some((index, &share)) =
        shares.iter().enumerate().find(|(_, share)| !(share.is_finite() && **share >= 0.0))
    {
        return Err(StatsError::InvalidShare { index, share });
    }
    let sum: f64 = shares.iter().sum();
    if sum.is_nan() || (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
        return Err(StatsError::SharesDoNotSumToOne { sum });
    }
    let positive = shares.iter().filter(|&&share| share > 0.0).count();
    if positive < 2 {
        return Err(StatsError::BackendCount { positive });
    }
    u32::try_from(positive - 1).map_err(|_| StatsError::BackendCount { positive })
}

#[cfg(test)]
mod tests;
