//! Pearson's chi-square goodness-of-fit test and its critical value.

use super::{StatsError, validate_shares};
use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF};

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

/// Pearson's chi-square goodness-of-fit test of the calls each backend served (`observed`)
/// against the shares the policy promises (`expected_shares`, summing to 1).
///
/// With `n = Σ observed` and the sum over the backends with a positive share,
/// `statistic = Σ (O_i − n p_i)² / (n p_i)`, `df` is their number less one, and
/// `p_value = P(χ²(df) ≥ statistic)` from `statrs`. A backend with share `0` is left out of
/// both; any call it served makes `statistic = +∞` and `p_value = 0`: an automatic failure.
///
/// The χ² distribution is the statistic's large-`n` limit; with the counts [`sample_size`](super::sample_size) asks
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
/// `1 − false_failure` has lost digits. Below about `1e-16`, where `1 − false_failure` rounds to
/// 1 and the inverse CDF is infinite, the start is found by bisection on the survival function.
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
    if !x.is_finite() {
        x = tail_quantile(&dist, df, false_failure);
    }
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

/// The quantile at `1 − false_failure` found from the survival function alone, for a
/// `false_failure` so small (below about `1e-16`) that `1 − false_failure` rounds to 1 and the
/// inverse CDF is infinite: an upper bound by doubling, then bisection to the last bit.
fn tail_quantile(dist: &ChiSquared, df: u32, false_failure: f64) -> f64 {
    let mut low = 0.0;
    let mut high = f64::from(df).max(1.0);
    // `sf` falls below every positive f64 long before 2^1000: the loop ends well inside it.
    for _ in 0..1000 {
        if dist.sf(high) <= false_failure {
            break;
        }
        low = high;
        high *= 2.0;
    }
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if middle <= low || middle >= high {
            break;
        }
        if dist.sf(middle) > false_failure {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

/// The central `χ²(df)` distribution, `df >= 1`.
pub(super) fn central(df: u32) -> ChiSquared {
    match ChiSquared::new(f64::from(df)) {
        Ok(dist) => dist,
        Err(error) => unreachable!("χ²({df}) with df >= 1 is valid: {error}"),
    }
}
