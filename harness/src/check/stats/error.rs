//! [`StatsError`]: invalid input to the statistics.

/// Invalid input to the distribution statistics; each names the parameter and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// `observed` and `expected_shares` differ in length.
    #[error(
        "observed has {observed} counts but expected_shares has {shares} shares: lengths must match"
    )]
    LengthMismatch {
        /// `observed.len()`.
        observed: usize,
        /// `expected_shares.len()`.
        shares: usize,
    },
    /// A share is negative, infinite or NaN.
    #[error("expected_shares[{index}] is {share}: shares must be finite and non-negative")]
    InvalidShare {
        /// Its index.
        index: usize,
        /// The share.
        share: f64,
    },
    /// The shares do not sum to 1.
    #[error("expected_shares sum to {sum}: shares must sum to 1 within 1e-9")]
    SharesDoNotSumToOne {
        /// Their sum.
        sum: f64,
    },
    /// Fewer than two backends have a positive share (or too many for a `u32` of degrees of
    /// freedom).
    #[error(
        "expected_shares has {positive} positive shares: k >= 2 backends with a positive share are \
         needed (and k - 1 must fit a u32)"
    )]
    BackendCount {
        /// How many shares are positive.
        positive: usize,
    },
    /// A probability is not in the open interval (0, 1).
    #[error("{parameter} is {value}: it must be a probability in (0, 1)")]
    NotAProbability {
        /// The parameter: `false_failure`, `min_skew` or `power`.
        parameter: &'static str,
        /// Its value.
        value: f64,
    },
    /// The power asked for is no more than the false-failure rate, which a test reaches with no
    /// calls at all.
    #[error("power is {power}: it must exceed false_failure ({false_failure})")]
    PowerNotAboveFalseFailure {
        /// The power asked for.
        power: f64,
        /// The false-failure rate.
        false_failure: f64,
    },
    /// `observed` counts no call.
    #[error("observed counts 0 calls: at least 1 is needed")]
    NoObservations,
    /// `observed` counts sum past `u64::MAX`.
    #[error("observed counts sum past u64::MAX: the total must fit a u64")]
    TotalOverflow,
    /// Skewing one backend up by `min_skew` of its share would take more than some other
    /// backend's whole share, spread evenly.
    #[error(
        "min_skew is {min_skew}: backend {backend}'s skew spread evenly over the others would take \
         backend {starved}'s share below 0, so min_skew must be smaller"
    )]
    SkewNotSpreadable {
        /// The relative skew asked for.
        min_skew: f64,
        /// The backend skewed.
        backend: usize,
        /// The backend whose share would go negative.
        starved: usize,
    },
    /// The sample size does not fit a `u64`.
    #[error(
        "min_skew is {min_skew}: the sample size exceeds u64::MAX calls, so min_skew must be larger"
    )]
    SampleSizeTooLarge {
        /// The relative skew asked for.
        min_skew: f64,
    },
    /// The power asked for is so close to 1 that no noncentrality the mixture can compute
    /// reaches it.
    #[error(
        "power is {power}: no sample size reaches it (the power is computed to within 1e-12), so \
         power must be smaller"
    )]
    PowerUnreachable {
        /// The power asked for.
        power: f64,
    },
}
