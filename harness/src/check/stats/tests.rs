//! Tests of `stats`.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use statrs::distribution::ContinuousCDF;

const EVEN3: [f64; 3] = [1.0 / 3.0; 3];

/// `rng.random_range(0..3)` `calls` times: a correct random balancer over three backends.
/// jostle's own `Random` policy, seeded, picking among three ready endpoints.
fn uniform_counts(seed: u64, calls: u64) -> [u64; 3] {
    use jostle::balance::{Balancer, Candidate, EndpointId, policy::Random};
    let addresses: Vec<http::Uri> = (0..3)
        .map(|i| format!("http://backend-{i}.test:1").parse().expect("a valid uri"))
        .collect();
    let ready: Vec<Candidate<'_>> = addresses
        .iter()
        .enumerate()
        .map(|(i, address)| Candidate {
            id: EndpointId(i as u64),
            address,
            in_flight: 0,
            weight: 1,
        })
        .collect();
    let mut policy = Random::from_seed(seed);
    let mut counts = [0u64; 3];
    for _ in 0..calls {
        counts[policy.pick(&ready)] += 1;
    }
    counts
}

/// A balancer over three backends that picks each with the given probabilities.
fn weighted_counts(seed: u64, calls: u64, shares: [f64; 3]) -> [u64; 3] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (first, second) = (shares[0], shares[0] + shares[1]);
    let mut counts = [0u64; 3];
    for _ in 0..calls {
        let u: f64 = rng.random();
        let pick = if u < first {
            0
        } else if u < second {
            1
        } else {
            2
        };
        counts[pick] += 1;
    }
    counts
}

fn default_plan_for_three_even() -> SampleSize {
    DistributionSpec::default().sample_size(&EVEN3).expect("three even shares are valid")
}

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

// --- sample size ---

#[test]
fn sample_size_for_three_even_backends_at_the_defaults() {
    let plan = default_plan_for_three_even();
    println!("three even backends at the defaults: {plan:?}");
    assert_eq!(plan.df, 2, "df = backends - 1");
    // χ²(2) is exponential with mean 2: c = -2 ln α.
    assert!(
        close(plan.critical, -2.0 * 1e-6f64.ln(), 1e-9),
        "critical value at 1e-6 with df 2 is -2 ln 1e-6, got {}",
        plan.critical
    );
    // scipy.stats.ncx2 (SciPy 1.17.1): brentq(λ: ncx2.sf(c, 2, λ) - 0.99) = 56.29981708262341.
    assert!(
        close(plan.noncentrality, 56.299_817_082_623_41, 1e-7),
        "λ* for power 0.99 at df 2 is 56.2998170826 (scipy), got {}",
        plan.noncentrality
    );
    // w² = 0.05² / 2 = 0.00125 for every backend; n = ⌈56.2998… / 0.00125⌉.
    assert_eq!(plan.calls, 45_040, "n = ⌈λ* / w²⌉ with w² = 0.00125");
}

#[test]
fn sample_size_of_k_even_backends_uses_an_effect_of_min_skew_squared_over_k_minus_1() {
    for k in [2u32, 3, 4, 5, 10] {
        let shares = vec![1.0 / f64::from(k); usize::try_from(k).expect("small k")];
        let plan = DistributionSpec::default().sample_size(&shares).expect("even shares");
        let effect = 0.05f64.powi(2) / f64::from(k - 1);
        let expected = (plan.noncentrality / effect).ceil();
        assert_eq!(plan.df, k - 1, "df = k - 1 for k = {k}");
        assert!(
            close(plan.calls as f64, expected, 1.0),
            "n = ⌈λ*/(δ²/(k-1))⌉ for k = {k}: got {} calls, expected {expected}",
            plan.calls
        );
    }
}

#[test]
fn sample_size_sizes_uneven_shares_for_the_hardest_backend_to_see() {
    // 3:1 weights: w²(0) = δ² 0.75 (1 + 0.75/0.25) = 3 δ², w²(1) = δ² 0.25 (1 + 0.25/0.75)
    // = δ²/3. The smaller backend's skew is the harder one to see.
    let plan = DistributionSpec::default().sample_size(&[0.75, 0.25]).expect("valid shares");
    let hardest = 0.05f64.powi(2) / 3.0;
    let expected = (plan.noncentrality / hardest).ceil();
    assert_eq!(plan.df, 1, "df = 1 for two backends");
    assert!(
        close(plan.calls as f64, expected, 1.0),
        "n sized for the 0.25 backend's skew (w² = δ²/3): got {}, expected {expected}",
        plan.calls
    );
}

#[test]
fn sample_size_ignores_backends_with_share_zero() {
    let with_drained = DistributionSpec::default()
        .sample_size(&[1.0 / 3.0, 0.0, 1.0 / 3.0, 1.0 / 3.0])
        .expect("a zero share is valid");
    assert_eq!(
        with_drained,
        default_plan_for_three_even(),
        "a drained backend leaves the test over the other three unchanged"
    );
}

#[test]
fn more_calls_are_needed_for_a_lower_false_failure_rate_a_smaller_skew_or_more_power() {
    let at = |false_failure, min_skew, power| {
        sample_size(&EVEN3, false_failure, min_skew, power).expect("valid parameters").calls
    };
    let base = at(1e-6, 0.05, 0.99);
    assert!(at(1e-9, 0.05, 0.99) > base, "a smaller false-failure rate needs more calls");
    assert!(at(1e-6, 0.025, 0.99) > base, "a smaller skew needs more calls");
    assert!(at(1e-6, 0.05, 0.999) > base, "more power needs more calls");
    // Halving the skew quarters w², so it quadruples n (up to rounding).
    assert!(at(1e-6, 0.025, 0.99).abs_diff(4 * base) <= 4, "halving min_skew quadruples n");
}

// --- the acceptance criteria: false failures and power, by simulation ---

#[test]
fn a_correct_random_balancer_never_fails_over_a_thousand_seeds() {
    // α = 1e-6 per seed, so a correct balancer fails any of 1000 seeds with probability about
    // 1e-3. ChaCha8 is ~200 ns a word in a debug build: the seeds are split over the cores.
    let plan = default_plan_for_three_even();
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(2, usize::from).min(8);
    let results: Vec<(u64, [u64; 3], ChiSquare)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                scope.spawn(move || {
                    (0..1000u64)
                        .skip(thread)
                        .step_by(threads)
                        .map(|seed| {
                            let counts = uniform_counts(seed, plan.calls);
                            (seed, counts, chi_square(&counts, &EVEN3).expect("valid counts"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("worker panicked")).collect()
    });
    assert_eq!(results.len(), 1000, "every seed ran");
    for (seed, counts, test) in &results {
        assert!(
            test.p_value > DEFAULT_FALSE_FAILURE,
            "a correct random balancer must pass (p > 1e-6): seed {seed}, counts {counts:?}, \
             {test:?}"
        );
    }
    let (seed, _, smallest) =
        results.iter().min_by(|a, b| a.2.p_value.total_cmp(&b.2.p_value)).expect("1000 results");
    println!(
        "1000 seeds × {} calls: no failure; smallest p-value {:.3e} (seed {seed}); {:?}",
        plan.calls,
        smallest.p_value,
        started.elapsed()
    );
}

#[test]
fn a_60_20_20_split_is_caught_at_the_computed_sample_size() {
    let plan = default_plan_for_three_even();
    for seed in 0..5 {
        let counts = weighted_counts(seed, plan.calls, [0.6, 0.2, 0.2]);
        let test = chi_square(&counts, &EVEN3).expect("valid counts");
        assert!(
            test.p_value <= DEFAULT_FALSE_FAILURE && test.statistic > plan.critical,
            "a 60/20/20 split must fail the even check (p <= 1e-6): seed {seed}, \
             counts {counts:?}, {test:?}"
        );
    }
    // Deterministic: exactly 60/20/20 of the computed number of calls.
    let counts = [27_024, 9_008, 9_008];
    assert_eq!(counts.iter().sum::<u64>(), plan.calls);
    let test = chi_square(&counts, &EVEN3).expect("valid counts");
    assert!(
        test.p_value <= DEFAULT_FALSE_FAILURE && test.statistic > plan.critical,
        "exact 60/20/20 counts must fail the even check (p <= 1e-6): {test:?}"
    );
}

#[test]
fn power_matches_the_target_empirically() {
    // At the computed n, simulate the minimal-skew alternative, backend 0 at (1 ± 0.05) × 1/3
    // with the difference spread evenly over backends 1 and 2: up on even seeds, down on odd
    // ones (both directions have the same noncentrality, so they share one target).
    //
    // If the power at n is the target 0.99, the misses out of 200 seeds are
    // Binomial(200, 0.01): mean 2, and P(misses >= 11) = 6.9e-6 (scipy.stats.binom.sf(10,
    // 200, 0.01)). So requiring a detection rate >= 0.95 (at most 10 misses), a tolerance of
    // 0.04, fails a correct sample size with probability < 1e-5, while a sample size whose
    // true power were 0.9 would miss ~20 and fail it with probability 0.99. (The seeds are
    // fixed, so the test is deterministic; the reasoning says the bound is not tuned to them.)
    let plan = default_plan_for_three_even();
    let seeds = 10_000..10_200u64;
    let tolerance = 0.04;
    let third = 1.0 / 3.0;
    let shift = DEFAULT_MIN_SKEW * third;
    let up = [third + shift, third - shift / 2.0, third - shift / 2.0];
    let down = [third - shift, third + shift / 2.0, third + shift / 2.0];
    let missed: Vec<u64> = seeds
        .clone()
        .filter(|&seed| {
            let shares = if seed % 2 == 0 { up } else { down };
            let counts = weighted_counts(seed, plan.calls, shares);
            chi_square(&counts, &EVEN3).expect("valid counts").p_value > DEFAULT_FALSE_FAILURE
        })
        .collect();
    let rate = 1.0 - missed.len() as f64 / 200.0;
    println!("5 % skew at n = {}: detection rate {rate}, missed seeds {missed:?}", plan.calls);
    assert!(
        rate >= DEFAULT_POWER - tolerance,
        "a 5 % skew must be detected at rate >= power - {tolerance} at n = {}: seeds {seeds:?} \
         (even up, odd down), missed {missed:?}",
        plan.calls
    );
}

#[test]
fn half_the_computed_sample_size_would_not_reach_the_power() {
    // The other side of the power claim: n is not needlessly large. At n/2, λ halves and the
    // power is P(χ²(2, 28.15) > 27.63) = 0.557 (scipy.stats.ncx2.sf): ~44 misses out of 100
    // seeds expected, and at most 10 with probability 8e-14 (scipy.stats.binom.cdf(10, 100,
    // 0.443)).
    let plan = default_plan_for_three_even();
    let third = 1.0 / 3.0;
    let shift = DEFAULT_MIN_SKEW * third;
    let shares = [third + shift, third - shift / 2.0, third - shift / 2.0];
    let seeds = 30_000..30_100u64;
    let missed = seeds
        .clone()
        .filter(|&seed| {
            let counts = weighted_counts(seed, plan.calls / 2, shares);
            chi_square(&counts, &EVEN3).expect("valid counts").p_value > DEFAULT_FALSE_FAILURE
        })
        .count();
    println!("at n/2 = {}: missed {missed}/100", plan.calls / 2);
    assert!(
        missed > 10,
        "at half the computed n the detection rate must fall below 0.99 - 0.04: seeds \
         {seeds:?}, missed {missed}/100"
    );
    let predicted = noncentral_chi_square_sf(plan.critical, plan.df, plan.noncentrality / 2.0);
    assert!(
        close(predicted, 0.557_400_955_441_778_6, 1e-9),
        "power at λ*/2 is 0.5574009554 per scipy, got {predicted}"
    );
}

// --- chi-square ---

#[test]
fn chi_square_of_exactly_the_expected_counts_is_zero_with_p_value_one() {
    let test = chi_square(&[100, 300, 600], &[0.1, 0.3, 0.6]).expect("valid input");
    assert_eq!(test, ChiSquare { statistic: 0.0, df: 2, p_value: 1.0, total: 1000 });
}

#[test]
fn chi_square_matches_a_hand_computed_statistic_and_p_value() {
    // n = 60, expected 20 each: X² = (100 + 0 + 100) / 20 = 10; P(χ²(2) >= 10) = e^-5.
    let test = chi_square(&[10, 20, 30], &EVEN3).expect("valid input");
    assert!(close(test.statistic, 10.0, 1e-12), "X² = 10, got {}", test.statistic);
    assert_eq!((test.df, test.total), (2, 60));
    assert!(close(test.p_value, (-5.0f64).exp(), 1e-14), "p = e^-5, got {}", test.p_value);
    // Two backends, 70/30 against 50/50 of 100: X² = (400 + 400) / 50 = 16, df 1,
    // p = erfc(√8) = P(|Z| >= 4) = 6.334248366623996e-5.
    let test = chi_square(&[70, 30], &[0.5, 0.5]).expect("valid input");
    assert!(close(test.statistic, 16.0, 1e-12), "X² = 16, got {}", test.statistic);
    assert!(
        close(test.p_value, 6.334_248_366_623_996e-5, 1e-15),
        "p = P(|Z| >= 4), got {}",
        test.p_value
    );
}

#[test]
fn a_call_to_a_backend_with_share_zero_fails_outright() {
    let test = chi_square(&[500, 1, 500], &[0.5, 0.0, 0.5]).expect("a zero share is valid");
    assert_eq!(test.statistic, f64::INFINITY, "a call where none was expected");
    assert_eq!(test.p_value, 0.0, "an automatic failure");
    assert_eq!(test.df, 1, "the zero-share backend carries no degree of freedom");
}

#[test]
fn backends_with_share_zero_and_no_calls_leave_the_test_unchanged() {
    let without = chi_square(&[10, 20, 30], &EVEN3).expect("valid input");
    let with = chi_square(&[10, 0, 20, 30], &[1.0 / 3.0, 0.0, 1.0 / 3.0, 1.0 / 3.0])
        .expect("a zero share is valid");
    assert_eq!(with, without);
}

// --- critical values ---

#[test]
fn critical_value_with_two_degrees_of_freedom_is_minus_two_ln_false_failure() {
    for false_failure in [0.5, 0.05, 1e-3, 1e-6, 1e-9, 1e-12] {
        let critical = critical_value(2, false_failure);
        let exact = -2.0 * f64::ln(false_failure);
        assert!(
            close(critical, exact, 1e-12 * exact),
            "χ²(2) is exponential: c = -2 ln {false_failure} = {exact}, got {critical}"
        );
    }
}

#[test]
fn critical_value_leaves_exactly_the_false_failure_rate_above_it() {
    for df in 1..=12 {
        for false_failure in [0.1, 1e-3, 1e-6, 1e-9] {
            let critical = critical_value(df, false_failure);
            let tail = central(df).sf(critical);
            assert!(
                close(tail, false_failure, 1e-9 * false_failure),
                "P(χ²({df}) > c) must equal {false_failure}, got {tail} at c = {critical}"
            );
        }
    }
    // scipy.stats.chi2.isf(1e-6, df) (SciPy 1.17.1).
    for (df, expected) in
        [(1, 23.928_126_976_934_827), (3, 30.664_849_706_213_598), (9, 44.810_937_870_687_82)]
    {
        let critical = critical_value(df, 1e-6);
        assert!(
            close(critical, expected, 1e-9),
            "c(df {df}, 1e-6) = {expected} per scipy, got {critical}"
        );
    }
}

#[test]
fn critical_value_below_the_resolution_of_one_is_finite_and_exact() {
    // 1 - 1e-17 rounds to 1: the inverse CDF alone would give +inf.
    for false_failure in [1e-17, 1e-30, 1e-100, 1e-300] {
        let exact = -2.0 * f64::ln(false_failure);
        let critical = critical_value(2, false_failure);
        assert!(
            close(critical, exact, 1e-12 * exact),
            "χ²(2) is exponential: c = -2 ln {false_failure} = {exact}, got {critical}"
        );
        for df in [1, 5, 40] {
            let critical = critical_value(df, false_failure);
            let tail = central(df).sf(critical);
            assert!(
                critical.is_finite() && close(tail, false_failure, 1e-6 * false_failure),
                "P(χ²({df}) > c) must equal {false_failure}, got {tail} at c = {critical}"
            );
        }
    }
}

#[test]
fn sample_size_at_a_false_failure_of_1e_17_is_a_finite_number_of_calls() {
    let plan = sample_size(&EVEN3, 1e-17, DEFAULT_MIN_SKEW, DEFAULT_POWER)
        .expect("a tiny false-failure rate is still a valid spec");
    let at_default = default_plan_for_three_even().calls;
    assert!(
        plan.calls > at_default && plan.critical.is_finite(),
        "a false-failure rate of 1e-17 needs more calls than 1e-6 ({at_default}), got {plan:?}"
    );
}

#[test]
fn a_power_just_below_one_is_sized_or_refused_by_name_never_searched_forever() {
    let power = 1.0 - f64::EPSILON / 2.0;
    match sample_size(&EVEN3, DEFAULT_FALSE_FAILURE, DEFAULT_MIN_SKEW, power) {
        Ok(plan) => assert!(
            plan.calls > default_plan_for_three_even().calls,
            "a power of {power} needs more calls than 0.99: {plan:?}"
        ),
        Err(error) => assert_eq!(error, StatsError::PowerUnreachable { power }),
    }
}

#[test]
#[should_panic(expected = "df is 0")]
fn critical_value_rejects_zero_degrees_of_freedom() {
    let _ = critical_value(0, 1e-6);
}

#[test]
#[should_panic(expected = "false_failure is 1")]
fn critical_value_rejects_a_false_failure_rate_outside_0_1() {
    let _ = critical_value(2, 1.0);
}

// --- the noncentral chi-square ---

#[test]
fn noncentral_cdf_at_zero_noncentrality_is_the_central_cdf() {
    for df in 1..=8 {
        for x in [0.01, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0] {
            let noncentral = noncentral_chi_square_cdf(x, df, 0.0);
            let central = central(df).cdf(x);
            assert!(
                close(noncentral, central, 1e-15),
                "F(x = {x}; df = {df}, λ = 0) must be the central CDF {central}, got \
                 {noncentral}"
            );
        }
    }
}

#[test]
fn noncentral_cdf_with_one_degree_of_freedom_matches_its_normal_closed_form() {
    // χ²(1, λ) is (Z + √λ)², so F(x) = Φ(√x − √λ) − Φ(−√x − √λ). The tolerance is statrs's
    // erfc's, not the mixture's: at x = 1, λ = 0.01 the two differ by 2.3e-11, where the
    // mixture agrees with a 30-digit mpmath evaluation (0.68027381370685783622…) to 3e-16.
    let phi = |z: f64| 0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2);
    for noncentrality in [0.01, 0.5, 3.0, 20.0, 150.0, 900.0] {
        for x in [0.1, 1.0, 4.0, 20.0, 100.0, 200.0, 1000.0] {
            let (root_x, root_l) = (f64::sqrt(x), f64::sqrt(noncentrality));
            let exact = phi(root_x - root_l) - phi(-root_x - root_l);
            let mixture = noncentral_chi_square_cdf(x, 1, noncentrality);
            assert!(
                close(mixture, exact, 1e-10),
                "F(x = {x}; 1, λ = {noncentrality}) = {exact} by the closed form, got {mixture}"
            );
        }
    }
}

#[test]
fn noncentral_cdf_matches_reference_values() {
    // scipy.stats.ncx2.cdf(x, df, λ) (SciPy 1.17.1), including λ = 3000, where e^{-λ/2}
    // underflows.
    for (x, df, noncentrality, expected) in [
        (5.0, 2, 3.0, 0.594_060_803_078_196_4),
        (10.0, 4, 5.0, 0.638_228_859_582_311_3),
        (100.0, 3, 80.0, 0.828_906_702_744_922_1),
        (0.5, 7, 0.2, 0.000_503_604_330_069_791),
        (60.0, 10, 30.0, 0.942_944_815_335_83),
        (3000.0, 5, 3000.0, 0.485_435_115_477_506_6),
        (2900.0, 5, 3000.0, 0.169_173_878_368_375_77),
    ] {
        let cdf = noncentral_chi_square_cdf(x, df, noncentrality);
        assert!(
            close(cdf, expected, 1e-10),
            "F(x = {x}; {df}, λ = {noncentrality}) = {expected} per scipy, got {cdf}"
        );
        let sf = noncentral_chi_square_sf(x, df, noncentrality);
        assert!(close(cdf + sf, 1.0, 1e-11), "cdf + sf = 1 at x = {x}; {df}, λ = {noncentrality}");
    }
    assert_eq!(noncentral_chi_square_cdf(0.0, 3, 4.0), 0.0);
    assert_eq!(noncentral_chi_square_cdf(-1.0, 3, 4.0), 0.0);
    assert_eq!(noncentral_chi_square_cdf(f64::INFINITY, 3, 4.0), 1.0);
}

#[test]
fn noncentral_cdf_matches_a_monte_carlo_at_a_fixed_seed() {
    // χ²(3, λ = 5) = (Z₁ + √5)² + Z₂² + Z₃², normals by Box–Muller. With N = 200 000 draws
    // the empirical CDF's standard error is at most 0.5/√N = 0.0011; allow 5 of them.
    let (df, noncentrality, draws, seed) = (3, 5.0, 200_000u32, 7);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = || {
        let u1 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random();
        f64::sqrt(-2.0 * u1.ln()) * f64::cos(std::f64::consts::TAU * u2)
    };
    let points = [2.0, 5.0, 8.0, 12.0, 20.0];
    let mut below = [0u32; 5];
    for _ in 0..draws {
        let value =
            (normal() + f64::sqrt(noncentrality)).powi(2) + normal().powi(2) + normal().powi(2);
        for (count, &x) in below.iter_mut().zip(&points) {
            *count += u32::from(value <= x);
        }
    }
    for (&x, &count) in points.iter().zip(&below) {
        let empirical = f64::from(count) / f64::from(draws);
        let cdf = noncentral_chi_square_cdf(x, df, noncentrality);
        assert!(
            close(cdf, empirical, 5.0 * 0.5 / f64::from(draws).sqrt()),
            "F(x = {x}; 3, λ = 5) = {cdf} must match the Monte Carlo {empirical} (seed {seed})"
        );
    }
}

// --- exact cycle ---

#[test]
fn exact_cycle_accepts_a_rotation_at_every_offset() {
    for k in 1..=5 {
        for offset in 0..k {
            let sequence: Vec<usize> = (0..3 * k + 1).map(|i| (offset + i) % k).collect();
            assert_eq!(
                exact_cycle(&sequence, k),
                Ok(()),
                "a rotation over 0..{k} starting at {offset} is exact: {sequence:?}"
            );
        }
    }
    assert_eq!(exact_cycle(&[], 3), Ok(()), "an empty sequence is a rotation");
    assert_eq!(exact_cycle(&[2], 3), Ok(()), "so is a single call");
}

#[test]
fn exact_cycle_reports_the_first_break() {
    for (sequence, k, expected) in [
        // A repeat.
        (&[0, 1, 1, 2, 0][..], 3, CycleBreak { at: 2, expected: 2, got: 1 }),
        // A skip, after wrapping around.
        (&[1, 2, 0, 2, 1][..], 3, CycleBreak { at: 3, expected: 1, got: 2 }),
        // Reversed.
        (&[2, 1, 0][..], 3, CycleBreak { at: 1, expected: 0, got: 1 }),
        // A backend outside 0..k, first or later.
        (&[3, 0, 1][..], 3, CycleBreak { at: 0, expected: 0, got: 3 }),
        (&[1, 2, 3][..], 3, CycleBreak { at: 2, expected: 0, got: 3 }),
        // No backends at all.
        (&[0][..], 0, CycleBreak { at: 0, expected: 0, got: 0 }),
    ] {
        assert_eq!(
            exact_cycle(sequence, k),
            Err(expected),
            "the first break of {sequence:?} over 0..{k}"
        );
    }
}

#[test]
fn a_cycle_break_says_where_and_what() {
    let broken = CycleBreak { at: 4, expected: 2, got: 0 };
    assert_eq!(
        broken.to_string(),
        "round robin broken at call 4: expected backend 2, got backend 0"
    );
    let outside = CycleBreak { at: 0, expected: 0, got: 7 };
    assert_eq!(
        outside.to_string(),
        "round robin broken at call 0: backend 7 is not one of the k backends"
    );
}

// --- errors ---

#[test]
fn chi_square_rejects_mismatched_lengths() {
    let error = chi_square(&[1, 2], &EVEN3).unwrap_err();
    assert_eq!(error, StatsError::LengthMismatch { observed: 2, shares: 3 });
    assert_eq!(
        error.to_string(),
        "observed has 2 counts but expected_shares has 3 shares: lengths must match"
    );
}

#[test]
fn shares_must_be_finite_and_non_negative() {
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        let error = chi_square(&[1, 1, 1], &[0.5, bad, 0.5]).unwrap_err();
        assert!(
            matches!(error, StatsError::InvalidShare { index: 1, .. }),
            "share {bad} is invalid: {error:?}"
        );
        assert!(error.to_string().contains("expected_shares[1]"), "{error}");
        let error = sample_size(&[0.5, bad, 0.5], 1e-6, 0.05, 0.99).unwrap_err();
        assert!(matches!(error, StatsError::InvalidShare { index: 1, .. }), "{error:?}");
    }
}

#[test]
fn shares_must_sum_to_one_within_1e_9() {
    let error = chi_square(&[1, 1], &[0.5, 0.6]).unwrap_err();
    assert!(matches!(error, StatsError::SharesDoNotSumToOne { .. }), "{error:?}");
    assert!(error.to_string().contains("must sum to 1 within 1e-9"), "{error}");
    assert!(chi_square(&[1, 1], &[0.5, 0.5 + 5e-10]).is_ok(), "5e-10 off is within 1e-9");
    let error = sample_size(&[0.5, 0.5 + 2e-9], 1e-6, 0.05, 0.99).unwrap_err();
    assert!(matches!(error, StatsError::SharesDoNotSumToOne { .. }), "{error:?}");
}

#[test]
fn at_least_two_backends_must_have_a_positive_share() {
    for shares in [&[1.0][..], &[1.0, 0.0][..]] {
        let observed = vec![1; shares.len()];
        let error = chi_square(&observed, shares).unwrap_err();
        assert_eq!(error, StatsError::BackendCount { positive: 1 }, "shares {shares:?}");
        assert!(error.to_string().contains("k >= 2"), "{error}");
        let error = sample_size(shares, 1e-6, 0.05, 0.99).unwrap_err();
        assert_eq!(error, StatsError::BackendCount { positive: 1 }, "shares {shares:?}");
    }
    let error = chi_square(&[], &[]).unwrap_err();
    assert!(matches!(error, StatsError::SharesDoNotSumToOne { .. }), "{error:?}");
}

#[test]
fn false_failure_min_skew_and_power_must_be_probabilities() {
    for bad in [0.0, 1.0, -0.5, 2.0, f64::NAN] {
        for (parameter, result) in [
            ("false_failure", sample_size(&EVEN3, bad, 0.05, 0.99)),
            ("min_skew", sample_size(&EVEN3, 1e-6, bad, 0.99)),
            ("power", sample_size(&EVEN3, 1e-6, 0.05, bad)),
        ] {
            let error = result.unwrap_err();
            assert!(
                matches!(
                    error,
                    StatsError::NotAProbability { parameter: named, .. } if named == parameter
                ),
                "{parameter} = {bad} is not in (0, 1): {error:?}"
            );
            assert!(
                error.to_string().starts_with(&format!("{parameter} is ")),
                "the message names {parameter}: {error}"
            );
            assert!(error.to_string().ends_with("it must be a probability in (0, 1)"), "{error}");
        }
    }
}

#[test]
fn power_must_exceed_the_false_failure_rate() {
    let error = sample_size(&EVEN3, 0.2, 0.05, 0.1).unwrap_err();
    assert_eq!(error, StatsError::PowerNotAboveFalseFailure { power: 0.1, false_failure: 0.2 });
    assert_eq!(error.to_string(), "power is 0.1: it must exceed false_failure (0.2)");
}

#[test]
fn chi_square_needs_at_least_one_call_and_a_total_that_fits_a_u64() {
    assert_eq!(chi_square(&[0, 0, 0], &EVEN3).unwrap_err(), StatsError::NoObservations);
    assert_eq!(chi_square(&[u64::MAX, 1, 0], &EVEN3).unwrap_err(), StatsError::TotalOverflow);
}

#[test]
fn a_skew_the_other_backends_cannot_absorb_is_rejected() {
    // Skewing backend 0 (0.98) up by 5 % takes 0.049 from backend 1's share of 0.02.
    let error = sample_size(&[0.98, 0.02], 1e-6, 0.05, 0.99).unwrap_err();
    assert_eq!(error, StatsError::SkewNotSpreadable { min_skew: 0.05, backend: 0, starved: 1 });
    assert!(error.to_string().starts_with("min_skew is 0.05: backend 0's skew"), "{error}");
}

#[test]
fn a_sample_size_past_u64_is_rejected() {
    let error = sample_size(&EVEN3, 1e-6, 1e-12, 0.99).unwrap_err();
    assert_eq!(error, StatsError::SampleSizeTooLarge { min_skew: 1e-12 });
    assert!(error.to_string().contains("exceeds u64::MAX calls"), "{error}");
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        StatsError::LengthMismatch { observed: 1, shares: 2 },
        StatsError::InvalidShare { index: 0, share: -1.0 },
        StatsError::SharesDoNotSumToOne { sum: 2.0 },
        StatsError::BackendCount { positive: 1 },
        StatsError::NotAProbability { parameter: "power", value: 2.0 },
        StatsError::PowerNotAboveFalseFailure { power: 0.1, false_failure: 0.2 },
        StatsError::NoObservations,
        StatsError::TotalOverflow,
        StatsError::SkewNotSpreadable { min_skew: 0.5, backend: 0, starved: 1 },
        StatsError::SampleSizeTooLarge { min_skew: 1e-12 },
    ];
    for error in errors {
        let message = error.to_string();
        assert!(
            message.starts_with(|c: char| !c.is_uppercase()),
            "error messages start lowercase: {message}"
        );
    }
}

#[test]
fn the_default_spec_is_1e_6_false_failures_a_5_percent_skew_and_power_0_99() {
    assert_eq!(
        DistributionSpec::default(),
        DistributionSpec { false_failure: 1e-6, min_skew: 0.05, power: 0.99 }
    );
}
