//! How many calls the chi-square check needs: [`DistributionSpec`] and [`sample_size`].

use super::power_search::noncentrality_for_power;
use super::{
    DEFAULT_FALSE_FAILURE, DEFAULT_MIN_SKEW, DEFAULT_POWER, StatsError, check_probability,
    critical_value, validate_shares,
};

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

/// The number of calls at which a chi-square test at level `false_failure` detects, with
/// probability `power`, one backend's share being off by `min_skew` of itself.
///
/// # Derivation
///
/// Let `p⁰` be the expected shares of the `k` backends with a positive share (zero-share backends
/// are outside the test, see [`chi_square`](super::chi_square)), `df = k − 1`, `α = false_failure`, `δ = min_skew`,
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
/// [`noncentral_chi_square_cdf`](super::noncentral_chi_square_cdf)'s survival function (to a relative `1e-12`, rounding `λ*` up),
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
/// [`StatsError::PowerNotAboveFalseFailure`], the share errors of [`chi_square`](super::chi_square),
/// [`StatsError::SkewNotSpreadable`] when some other backend's share is smaller than its part of
/// the skew, [`StatsError::PowerUnreachable`] for a power within about `1e-12` of 1, and
/// [`StatsError::SampleSizeTooLarge`].
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
    if noncentrality.is_infinite() {
        return Err(StatsError::PowerUnreachable { power });
    }
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
pub(super) fn smallest_effect(shares: &[f64], min_skew: f64) -> Result<f64, StatsError> {
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
