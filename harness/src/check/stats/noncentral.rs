//! The noncentral chi-square distribution, as a Poisson mixture of central ones.

use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// The Poisson mass left out of the noncentral chi-square mixture: its truncation error bound.
const MIXTURE_TOLERANCE: f64 = 1e-12;

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
pub(super) fn noncentral_chi_square_sf(x: f64, df: u32, noncentrality: f64) -> f64 {
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
