//! `λ*`: the noncentrality at which the chi-square test reaches a power, searched within a
//! bracket that a Chernoff bound closes.
//!
//! ```
//! use jostle_harness::check::stats::DistributionSpec;
//!
//! // Three even backends at the defaults: λ* ≈ 56.30 (scipy.stats.ncx2), found in a bracket
//! // far below the Chernoff bound's 2 c + 4 ln(1 / (1 − power)) + …
//! let plan = DistributionSpec::default().sample_size(&[1.0 / 3.0; 3])?;
//! assert!((plan.noncentrality - 56.299_817_082_6).abs() < 1e-7);
//! # Ok::<(), jostle_harness::check::stats::StatsError>(())
//! ```

use super::noncentral::noncentral_chi_square_sf;

/// How much smaller than `1 − power` the tail at the search's bound is: the computed power
/// there exceeds `power` even after the mixture's truncation (at most `1e-12`), for every power
/// at least about `1e-12` below 1.
const BOUND_TAIL_FRACTION: f64 = 1e-3;

/// The search's bound when the Chernoff bound is not a finite number (it always is for the
/// arguments [`sample_size`](super::sample_size) passes): `1000 c + 10⁷`.
const FALLBACK_OVER_CRITICAL: f64 = 1000.0;
const FALLBACK_BASE: f64 = 1e7;

/// The Chernoff parameters `t` tried for [`chernoff_bound`]: `2⁻⁶ … 2⁶`. Any `t > 0` gives a
/// valid bound; the smallest over these is close to the best.
const CHERNOFF_T: [f64; 13] =
    [0.015_625, 0.031_25, 0.062_5, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// A noncentrality `λ` at which `P(χ²(df, λ) ≤ critical) ≤ tail`, by the Chernoff bound
/// on the lower tail:
///
/// `P(X ≤ c) ≤ e^{t c} · E[e^{−t X}] = exp(t c − (df/2) ln(1 + 2t) − λ t / (1 + 2t))` for
/// every `t > 0` (the moment generating function of the noncentral chi-square), which is at
/// most `tail` once `λ ≥ (1 + 2t)/t · (t c − (df/2) ln(1 + 2t) + ln(1/tail))`. The smallest
/// such `λ` over [`CHERNOFF_T`]; `∞` or NaN only for a `tail` that is not a positive number.
pub(super) fn chernoff_bound(df: u32, critical: f64, tail: f64) -> f64 {
    let half_df = f64::from(df) / 2.0;
    let log_tail = -tail.ln();
    CHERNOFF_T
        .iter()
        .map(|&t| {
            let exponent = t * critical - half_df * (2.0 * t).ln_1p() + log_tail;
            ((1.0 + 2.0 * t) / t * exponent).max(0.0)
        })
        .fold(f64::INFINITY, f64::min)
}

/// `λ*`: the smallest noncentrality (to a relative `1e-12`, rounded up) at which
/// `P(χ²(df, λ) > critical) >= power`; infinite when the computed power cannot reach `power`
/// (a power within about `1e-12` of 1).
///
/// The bracket doubles from `max(c, 1)` until the power at its top reaches `power`, then
/// bisects. By [`chernoff_bound`], the true power at `λ_C`, the bound for a tail of
/// `1e-3 · (1 − power)`, is at least `1 − 1e-3 · (1 − power)`; the computed one is smaller by
/// at most the mixture's `1e-12` (and rounding), so it reaches `power` there unless `power`
/// lies within about `1e-12` of 1. A top past `λ_C` whose computed power is still short of
/// `power` therefore means that precision, not a larger `λ*`: the search ends there, having
/// evaluated the power at no `λ` above `2 λ_C` (about `2 c + 8 ln(1/(1 − power)) + 110`).
pub(super) fn noncentrality_for_power(df: u32, critical: f64, power: f64) -> f64 {
    let power_at = |noncentrality| noncentral_chi_square_sf(critical, df, noncentrality);
    search(power_at, critical, power, search_bound(df, critical, power))
}

/// `λ_C` of [`noncentrality_for_power`]: where the search gives up.
fn search_bound(df: u32, critical: f64, power: f64) -> f64 {
    chernoff_bound(df, critical, (1.0 - power) * BOUND_TAIL_FRACTION)
        .min(FALLBACK_OVER_CRITICAL * critical + FALLBACK_BASE)
}

/// The search of [`noncentrality_for_power`] over any increasing `power_at`, giving up once
/// the bracket's top has passed `bound` short of `power`.
fn search(power_at: impl Fn(f64) -> f64, critical: f64, power: f64, bound: f64) -> f64 {
    let mut low = 0.0;
    let mut high = critical.max(1.0);
    while power_at(high) < power {
        if high >= bound || bound.is_nan() {
            return f64::INFINITY;
        }
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

#[cfg(test)]
mod tests;
