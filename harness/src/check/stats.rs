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

use std::fmt;

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF};
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// The default false-failure rate: the probability that a correct balancer fails the check.
pub const DEFAULT_FALSE_FAILURE: f64 = 1e-6;

/// The default smallest skew to detect, relative to the skewed backend's share.
pub const DEFAULT_MIN_SKEW: f64 = 0.05;

/// The default probability of detecting a skew of [`DEFAULT_MIN_SKEW`].
pub const DEFAULT_POWER: f64 = 0.99;

/// How far the expected shares may sum from 1.
const SHARE_SUM_TOLERANCE: f64 = 1e-9;

/// The Poisson mass left out of the noncentral chi-square mixture: its truncation error bound.
const MIXTURE_TOLERANCE: f64 = 1e-12;

/// What the distribution check must guarantee; [`DistributionSpec::sample_size`] turns it into a
/// number of calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistributionSpec {
    /// The probability that a correct balancer fails the check: the chi-square test's level.
    /// Default [`DEFAULT_FALSE_FAILURE`] (`1e-6`).
    pub false_failure: f64,
    /// The smallest skew to detect, as a fraction of the skewed backend's share: `0.05` means one
    /// backend getting 5 % more or less than its share (e.g. `0.05 × 1/3` of all calls with three
    /// even backends), the difference spread evenly over the others. Default
    /// [`DEFAULT_MIN_SKEW`] (`0.05`).
    pub min_skew: f64,
    /// The probability of detecting a skew of `min_skew`. Default [`DEFAULT_POWER`] (`0.99`).
    pub power: f64,
}

impl Default for DistributionSpec {
    fn default() -> Self {
        Self {
            false_failure: DEFAULT_FALSE_FAILURE,
            min_skew: DEFAULT_MIN_SKEW,
            power: DEFAULT_POWER,
        }
    }
}

impl DistributionSpec {
    /// The number of calls the chi-square check needs for `expected_shares`: [`sample_size`] with
    /// this spec's parameters.
    ///
    /// # Errors
    ///
    /// As [`sample_size`].
    pub fn sample_size(&self, expected_shares: &[f64]) -> Result<SampleSize, StatsError> {
        sample_size(expected_shares, self.false_failure, self.min_skew, self.power)
    }
}

/// The result of Pearson's chi-square goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// Pearson's statistic `Σ (O_i − n p_i)² / (n p_i)` over the backends with a positive share;
    /// `+∞` when a backend with share zero served a call.
    pub statistic: f64,
    /// Degrees of freedom: the number of backends with a positive share, less one.
    pub df: u32,
    /// `P(χ²(df) ≥ statistic)`: the probability, for a correct balancer, of a statistic at least
    /// this large. The check fails when it is at most the false-failure rate.
    pub p_value: f64,
    /// `n`: the number of calls observed.
    pub total: u64,
}

/// How many calls the chi-square check needs, and the numbers it was derived from (see
/// [`sample_size`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSize {
    /// `n`: the number of calls to make, and then to test once.
    pub calls: u64,
    /// The critical value `c`: the check fails when the statistic exceeds it.
    pub critical: f64,
    /// `λ*`: the noncentrality at which `P(χ²(df, λ*) > c)` equals the power.
    pub noncentrality: f64,
    /// Degrees of freedom: the number of backends with a positive share, less one.
    pub df: u32,
}

/// Where a round-robin sequence stopped rotating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleBreak {
    /// The position in the sequence (0-based) of the first call that broke the rotation.
    pub at: usize,
    /// The backend the rotation required there: `(previous + 1) % k`. At position 0, where any
    /// backend in `0..k` may start the rotation, the only break is a backend outside `0..k`, and
    /// `expected` is then `0`.
    pub expected: usize,
    /// The backend the call went to.
    pub got: usize,
}

impl fmt::Display for CycleBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at == 0 {
            write!(
                f,
                "round robin broken at call 0: backend {} is not one of the k backends",
                self.got
            )
        } else {
            write!(
                f,
                "round robin broken at call {}: expected backend {}, got backend {}",
                self.at, self.expected, self.got
            )
        }
    }
}

impl std::error::Error for CycleBreak {}

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
}

/// Pearson's chi-square goodness-of-fit test of the calls each backend served (`observed`)
/// against the shares the policy promises (`expected_shares`, summing to 1).
///
/// With `n = Σ observed` and the sum over the backends with a positive share,
/// `statistic = Σ (O_i − n p_i)² / (n p_i)`, `df` is their number less one, and
/// `p_value = P(χ²(df) ≥ statistic)` from `statrs`. A backend with share `0` is left out of
/// both; any call it served makes `statistic = +∞` and `p_value = 0`: an automatic failure.
///
/// The χ² distribution is the statistic's large-`n` limit; with the counts [`sample_size`] asks
/// for (thousands per backend at the defaults) it is accurate in the tail the check uses.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`], [`StatsError::InvalidShare`],
/// [`StatsError::SharesDoNotSumToOne`], [`StatsError::BackendCount`],
/// [`StatsError::NoObservations`], [`StatsError::TotalOverflow`].
pub fn chi_square(observed: &[u64], expected_shares: &[f64]) -> Result<ChiSquare, StatsError> {
    if observed.len() != expected_shares.len() {
        return Err(StatsError::LengthMismatch {
            observed: observed.len(),
            shares: expected_shares.len(),
        });
    }
    let df = validate_shares(expected_shares)?;
    let total = observed
        .iter()
        .try_fold(0u64, |sum, &count| sum.checked_add(count))
        .ok_or(StatsError::TotalOverflow)?;
    if total == 0 {
        return Err(StatsError::NoObservations);
    }
    let n = total as f64;
    let mut statistic = 0.0;
    for (&count, &share) in observed.iter().zip(expected_shares) {
        if share == 0.0 {
            if count > 0 {
                statistic = f64::INFINITY;
            }
            continue;
        }
        let expected = n * share;
        let deviation = count as f64 - expected;
        statistic += deviation * deviation / expected;
    }
    let p_value =
        if statistic.is_infinite() { 0.0 } else { central(df).sf(statistic).clamp(0.0, 1.0) };
    Ok(ChiSquare { statistic, df, p_value, total })
}

/// The critical value `c` of a chi-square test at level `false_failure`: the quantile of `χ²(df)`
/// at `1 − false_failure`, so that `P(χ²(df) > c) = false_failure`.
///
/// Starts from `statrs`'s inverse CDF and refines it by Newton's method on the survival function
/// (`sf(c) = false_failure`), which keeps full relative precision in the far tail where
/// `1 − false_failure` has lost digits.
///
/// # Panics
///
/// If `df` is 0 or `false_failure` is not in (0, 1).
pub fn critical_value(df: u32, false_failure: f64) -> f64 {
    assert!(df >= 1, "critical_value: df is 0: it must be at least 1");
    assert!(
        false_failure > 0.0 && false_failure < 1.0,
        "critical_value: false_failure is {false_failure}: it must be a probability in (0, 1)"
    );
    let dist = central(df);
    let mut x = dist.inverse_cdf(1.0 - false_failure);
    for _ in 0..100 {
        let density = dist.pdf(x);
        if density.is_nan() || density <= 0.0 {
            break;
        }
        let next = x + (dist.sf(x) - false_failure) / density;
        if !(next.is_finite() && next > 0.0) {
            break;
        }
        let step = (next - x).abs();
        x = next;
        if step <= 4.0 * f64::EPSILON * x {
            break;
        }
    }
    x
}

/// The CDF of the noncentral chi-square distribution with `df` degrees of freedom and
/// noncentrality `λ`: `P(χ²(df, λ) ≤ x)`.
///
/// `statrs` has no noncentral chi-square, so it is computed as what it is, a Poisson(`λ/2`)
/// mixture of central chi-squares:
///
/// `F(x; df, λ) = Σ_{j ≥ 0} e^{−λ/2} (λ/2)^j / j! · F_{χ²(df + 2j)}(x)`,
///
/// with `F_{χ²(m)}(x) = P(m/2, x/2)`, the regularized lower incomplete gamma function. Terms are
/// summed outward from the Poisson mode `j = ⌊λ/2⌋` until the Poisson weight summed reaches
/// `1 − 1e-12`; every term left out lies in `[0, its weight]`, so the truncation error is at most
/// `1e-12`, on top of the rounding of `statrs`'s incomplete gamma. The mode's weight is computed
/// in log space (`ln Γ`) and the others by the recurrences `w_{j+1} = w_j (λ/2)/(j+1)` and
/// `w_{j−1} = w_j j/(λ/2)`, so a large `λ` whose `e^{−λ/2}` underflows is fine. At `λ = 0` it is
/// the central CDF.
///
/// # Panics
///
/// If `df` is 0, `noncentrality` is negative or not finite, or `x` is NaN.
pub fn noncentral_chi_square_cdf(x: f64, df: u32, noncentrality: f64) -> f64 {
    check_noncentral_arguments(x, df, noncentrality);
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    poisson_mixture(df, noncentrality, |half_df| gamma_lr(half_df, x / 2.0))
}

/// `P(χ²(df, λ) > x)`, summed directly from upper incomplete gammas (see
/// [`noncentral_chi_square_cdf`]) so that a small tail keeps its precision.
fn noncentral_chi_square_sf(x: f64, df: u32, noncentrality: f64) -> f64 {
    check_noncentral_arguments(x, df, noncentrality);
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    poisson_mixture(df, noncentrality, |half_df| gamma_ur(half_df, x / 2.0))
}

fn check_noncentral_arguments(x: f64, df: u32, noncentrality: f64) {
    assert!(df >= 1, "noncentral chi-square: df is 0: it must be at least 1");
    assert!(
        noncentrality.is_finite() && noncentrality >= 0.0,
        "noncentral chi-square: noncentrality is {noncentrality}: it must be finite and >= 0"
    );
    assert!(!x.is_nan(), "noncentral chi-square: x is NaN: it must be a number");
}

/// `Σ_j w_j · term(df/2 + j)` with `w_j` the Poisson(`λ/2`) weights, to within
/// [`MIXTURE_TOLERANCE`] for a `term` in `[0, 1]`.
fn poisson_mixture(df: u32, noncentrality: f64, term: impl Fn(f64) -> f64) -> f64 {
    let half_df = f64::from(df) / 2.0;
    let mean = noncentrality / 2.0;
    if mean == 0.0 {
        return term(half_df).clamp(0.0, 1.0);
    }
    let mode = mean.floor();
    let mode_weight = (-mean + mode * mean.ln() - ln_gamma(mode + 1.0)).exp();
    let mut mass = mode_weight;
    let mut sum = mode_weight * term(half_df + mode);
    // The next index and weight on each side of the mode; `down` is `None` below 0.
    let mut up = mode + 1.0;
    let mut up_weight = mode_weight * mean / up;
    let mut down = if mode >= 1.0 { Some(mode - 1.0) } else { None };
    let mut down_weight = mode_weight * mode / mean;
    while 1.0 - mass > MIXTURE_TOLERANCE {
        match down {
            Some(j) if down_weight >= up_weight => {
                mass += down_weight;
                sum += down_weight * term(half_df + j);
                down_weight *= j / mean;
                down = if j >= 1.0 { Some(j - 1.0) } else { None };
            }
            _ => {
                if up_weight == 0.0 {
                    // Rounding kept the summed mass just short of the bound; nothing is left.
                    break;
                }
                mass += up_weight;
                sum += up_weight * term(half_df + up);
                up += 1.0;
                up_weight *= mean / up;
            }
        }
    }
    sum.clamp(0.0, 1.0)
}

/// The number of calls at which a chi-square test at level `false_failure` detects, with
/// probability `power`, one backend's share being off by `min_skew` of itself.
///
/// # Derivation
///
/// Let `p⁰` be the expected shares of the `k` backends with a positive share (zero-share backends
/// are outside the test, see [`chi_square`]), `df = k − 1`, `α = false_failure`, `δ = min_skew`,
/// `n` the number of calls and `O` the counts. Under the null hypothesis (the balancer is
/// correct) Pearson's `X² = Σ (O_i − n p⁰_i)² / (n p⁰_i)` is asymptotically `χ²(df)`, so failing
/// the check when `X² > c`, with `c` = [`critical_value`]`(df, α)`, fails a correct balancer with
/// probability `α`.
///
/// If the true shares are `p¹` instead, `X²` is asymptotically noncentral `χ²(df, λ)` with
/// `λ = n w²` and `w² = Σ_i (p¹_i − p⁰_i)² / p⁰_i` (Cohen's effect size `w`, squared: the local
/// alternatives of Mitra 1958, *Ann. Math. Statist.* 29; Cohen 1988, *Statistical Power Analysis
/// for the Behavioral Sciences*, ch. 7). The power at `n`, `P(χ²(df, n w²) > c)`, increases with
/// `λ`, so `λ*`, the `λ` at which it equals `power`, is found by bisection on
/// [`noncentral_chi_square_cdf`]'s survival function (to a relative `1e-12`, rounding `λ*` up),
/// and `n = ⌈λ* / w²⌉`.
///
/// The alternatives to detect: backend `i` off by `δ` of its share in direction `s = ±1`, the
/// difference spread evenly over the other `k − 1`:
/// `p¹_i = p⁰_i (1 + s δ)` and `p¹_j = p⁰_j − s δ p⁰_i / (k − 1)` for `j ≠ i`. Then
///
/// `w²(i) = δ² p⁰_i · (1 + p⁰_i / (k − 1)² · Σ_{j ≠ i} 1 / p⁰_j)`,
///
/// the same for both directions, since only squared deviations enter `λ`. (Both are evaluated
/// anyway; at finite `n` the two directions' exact powers differ slightly, and the tests simulate
/// both.) `n` is computed for the smallest `w²` over all `i` and both `s`, the hardest of these
/// alternatives to see, so each of them, and any alternative with a larger `w²` (such as the same
/// skew with a larger `δ`), is detected with probability at least `power`. With even shares
/// every `w²(i)` is `δ² / (k − 1)`: `0.05² / 2 = 0.00125` for three backends, where at the
/// defaults `c = −2 ln 1e-6 ≈ 27.631` (`χ²(2)` is exponential), `λ* ≈ 56.30` and `n = 45 040`.
///
/// Both limits need large expected counts. They are: for the smallest share `p⁰_m`,
/// `Σ_{j ≠ m} p⁰_m / p⁰_j ≤ k − 1`, so `w²_min ≤ w²(m) ≤ δ² p⁰_m (1 + 1/(k − 1)) ≤ 2 δ² p⁰_m`, and
/// every expected count `n p⁰_i ≥ λ* / (2 δ²)`: more than 10 000 at the defaults, whatever the
/// shares (`λ* ≈ 52.1` at `df = 1`, and `λ*` grows with `df`). The tests check both the
/// false-failure rate and the power by simulation.
///
/// # Errors
///
/// [`StatsError::NotAProbability`] for `false_failure`, `min_skew` or `power` outside (0, 1),
/// [`StatsError::PowerNotAboveFalseFailure`], the share errors of [`chi_square`],
/// [`StatsError::SkewNotSpreadable`] when some other backend's share is smaller than its part of
/// the skew, and [`StatsError::SampleSizeTooLarge`].
pub fn sample_size(
    expected_shares: &[f64],
    false_failure: f64,
    min_skew: f64,
    power: f64,
) -> Result<SampleSize, StatsError> {
    check_probability("false_failure", false_failure)?;
    check_probability("min_skew", min_skew)?;
    check_probability("power", power)?;
    if power <= false_failure {
        return Err(StatsError::PowerNotAboveFalseFailure { power, false_failure });
    }
    let df = validate_shares(expected_shares)?;
    let effect = smallest_effect(expected_shares, min_skew)?;
    let critical = critical_value(df, false_failure);
    let noncentrality = noncentrality_for_power(df, critical, power);
    let calls = (noncentrality / effect).ceil();
    // 2^64, exactly representable: every f64 below it converts to a u64 exactly.
    if calls.is_nan() || calls >= 18_446_744_073_709_551_616.0 {
        return Err(StatsError::SampleSizeTooLarge { min_skew });
    }
    #[allow(
        clippy::cast_possible_truncation,
        reason = "`calls` is a whole number in [0, 2^64), checked just above"
    )]
    let calls = calls as u64;
    Ok(SampleSize { calls, critical, noncentrality, df })
}

/// The smallest `w² = Σ (p¹ − p⁰)² / p⁰` over the alternatives of [`sample_size`].
fn smallest_effect(shares: &[f64], min_skew: f64) -> Result<f64, StatsError> {
    let others = shares.iter().filter(|&&share| share > 0.0).count() as f64 - 1.0;
    let mut smallest = f64::INFINITY;
    for (backend, &share) in shares.iter().enumerate().filter(|(_, share)| **share > 0.0) {
        let shift = min_skew * share;
        let spread = shift / others;
        if let Some((starved, _)) = shares.iter().enumerate().find(|&(other, &other_share)| {
            other != backend && other_share > 0.0 && other_share < spread
        }) {
            return Err(StatsError::SkewNotSpreadable { min_skew, backend, starved });
        }
        for direction in [1.0, -1.0] {
            let effect: f64 = shares
                .iter()
                .enumerate()
                .filter(|(_, other_share)| **other_share > 0.0)
                .map(|(other, &other_share)| {
                    let deviation =
                        if other == backend { direction * shift } else { -direction * spread };
                    deviation * deviation / other_share
                })
                .sum();
            smallest = smallest.min(effect);
        }
    }
    Ok(smallest)
}

/// `λ*`: the smallest noncentrality (to a relative `1e-12`, rounded up) at which
/// `P(χ²(df, λ) > critical) >= power`.
fn noncentrality_for_power(df: u32, critical: f64, power: f64) -> f64 {
    let power_at = |noncentrality| noncentral_chi_square_sf(critical, df, noncentrality);
    let mut low = 0.0;
    let mut high = critical.max(1.0);
    while power_at(high) < power {
        low = high;
        high *= 2.0;
    }
    for _ in 0..200 {
        if high - low <= 1e-12 * high {
            break;
        }
        let middle = (low + high) / 2.0;
        if power_at(middle) >= power {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

/// Checks that `sequence`, the backend each call went to in order, is an exact rotation over
/// `0..k`: it may start at any backend, and every next call goes to `(previous + 1) % k`.
///
/// An empty sequence is a rotation. With `k = 0` no backend exists, so any call breaks it.
///
/// # Errors
///
/// [`CycleBreak`] at the first call that breaks the rotation.
pub fn exact_cycle(sequence: &[usize], k: usize) -> Result<(), CycleBreak> {
    let Some((&first, rest)) = sequence.split_first() else {
        return Ok(());
    };
    if first >= k {
        return Err(CycleBreak { at: 0, expected: 0, got: first });
    }
    let mut previous = first;
    for (offset, &got) in rest.iter().enumerate() {
        let expected = (previous + 1) % k;
        if got != expected {
            return Err(CycleBreak { at: offset + 1, expected, got });
        }
        previous = got;
    }
    Ok(())
}

/// The central `χ²(df)` distribution, `df >= 1`.
fn central(df: u32) -> ChiSquared {
    match ChiSquared::new(f64::from(df)) {
        Ok(dist) => dist,
        Err(error) => unreachable!("χ²({df}) with df >= 1 is valid: {error}"),
    }
}

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
