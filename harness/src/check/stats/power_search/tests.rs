//! The search for `λ*`: bounded by the Chernoff bound, and the same `λ*` as an unbounded search.

use super::{FALLBACK_BASE, FALLBACK_OVER_CRITICAL, chernoff_bound, search, search_bound};
use crate::check::stats::critical_value;
use crate::check::stats::noncentral::{noncentral_chi_square_cdf, noncentral_chi_square_sf};
use std::cell::Cell;

const DFS: [u32; 4] = [1, 2, 3, 6];
const FALSE_FAILURES: [f64; 4] = [1e-2, 1e-6, 1e-17, 1e-300];

#[test]
fn the_chernoff_bound_leaves_at_most_its_tail_below_the_critical_value() {
    for df in DFS {
        for false_failure in FALSE_FAILURES {
            let critical = critical_value(df, false_failure);
            for tail in [0.5, 1e-2, 1e-6, 1e-9] {
                let bound = chernoff_bound(df, critical, tail);
                let below = noncentral_chi_square_cdf(critical, df, bound);
                assert!(
                    below <= tail + 1e-12,
                    "P(χ²({df}, λ_C) ≤ c) must be at most the bound's tail {tail} at c = {critical}, \
                     λ_C = {bound}: got {below}"
                );
                let loose = 2.0 * critical + 4.0 * (1.0 / tail).ln();
                assert!(
                    bound <= loose,
                    "the bound (t = 1/2 alone) is at most 2 c + 4 ln(1/tail) = {loose}: got {bound} \
                     (df {df}, c {critical}, tail {tail})"
                );
            }
        }
    }
}

/// The search as it was before the bound: giving up only past `1000 c + 10⁷`.
fn unbounded(df: u32, critical: f64, power: f64) -> f64 {
    let power_at = |noncentrality| noncentral_chi_square_sf(critical, df, noncentrality);
    search(power_at, critical, power, FALLBACK_OVER_CRITICAL * critical + FALLBACK_BASE)
}

#[test]
fn a_reachable_power_gets_the_same_noncentrality_as_an_unbounded_search() {
    for df in DFS {
        for false_failure in FALSE_FAILURES {
            let critical = critical_value(df, false_failure);
            for power in [0.1, 0.5, 0.99, 1.0 - 1e-6, 1.0 - 1e-10] {
                let power_at =
                    |noncentrality| noncentral_chi_square_sf(critical, df, noncentrality);
                let found = search(power_at, critical, power, search_bound(df, critical, power));
                let before = unbounded(df, critical, power);
                assert!(
                    found.to_bits() == before.to_bits(),
                    "λ* for df {df}, c {critical}, power {power} must not depend on the bound: \
                     {found} bounded, {before} unbounded"
                );
                // Above 0.99 the power is too flat for a 1e-9 step in λ to show in an f64.
                let below = if power <= 0.99 { power_at(found * (1.0 - 1e-9)) } else { 0.0 };
                assert!(
                    power_at(found) >= power && below < power,
                    "λ* = {found} is the smallest noncentrality with power {power} (df {df}, c {critical})"
                );
            }
        }
    }
}

#[test]
fn a_power_the_mixture_cannot_reach_is_refused_without_looking_past_twice_the_bound() {
    for df in DFS {
        for false_failure in FALSE_FAILURES {
            let critical = critical_value(df, false_failure);
            let power = 1.0 - f64::EPSILON / 2.0;
            let furthest = Cell::new(0.0_f64);
            let power_at = |noncentrality: f64| {
                furthest.set(furthest.get().max(noncentrality));
                noncentral_chi_square_sf(critical, df, noncentrality)
            };
            let bound = search_bound(df, critical, power);
            let found = search(power_at, critical, power, bound);
            assert!(
                found.is_infinite() || power_at(found) >= power,
                "a power of 1 − ε/2 is refused or reached, got λ* = {found}"
            );
            assert!(
                furthest.get() <= 2.0 * bound && bound < 3.0 * critical + 1000.0,
                "the search looks no further than twice the Chernoff bound {bound} \
                 (df {df}, c {critical}): it evaluated λ = {}",
                furthest.get()
            );
        }
    }
}
