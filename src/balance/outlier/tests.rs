//! Tests of `outlier`.

use super::*;
use std::time::{Duration, Instant};

const SECOND: Duration = Duration::from_secs(1);

/// Success rate only, at A50's defaults (stdev 1.9, enforcement 100, 5 hosts, 100 calls),
/// with no cap on ejections.
fn success_rate_only() -> OutlierConfig {
    OutlierConfig {
        max_ejection_percent: 100,
        success_rate: Some(SuccessRateEjection::default()),
        failure_percentage: None,
        ..OutlierConfig::default()
    }
}

/// Failure percentage only: threshold 85, enforcement 100, 5 hosts, 50 calls; no cap.
fn failure_percentage_only() -> OutlierConfig {
    OutlierConfig {
        max_ejection_percent: 100,
        success_rate: None,
        failure_percentage: Some(FailurePercentageEjection {
            enforcement_percentage: 100,
            ..FailurePercentageEjection::default()
        }),
        ..OutlierConfig::default()
    }
}

/// Failure percentage judging a single endpoint on a single call: for ejection-time tests.
fn eager(base: u64, max: u64) -> OutlierConfig {
    OutlierConfig {
        base_ejection_time: Duration::from_secs(base),
        max_ejection_time: Duration::from_secs(max),
        max_ejection_percent: 100,
        success_rate: None,
        failure_percentage: Some(FailurePercentageEjection {
            threshold: 50,
            enforcement_percentage: 100,
            minimum_hosts: 1,
            request_volume: 1,
        }),
        ..OutlierConfig::default()
    }
}

fn detector(config: OutlierConfig, keys: impl IntoIterator<Item = u64>) -> OutlierDetector<u64> {
    let mut detector = OutlierDetector::new(config);
    for key in keys {
        assert!(detector.add(key));
    }
    detector
}

fn calls(detector: &mut OutlierDetector<u64>, key: u64, successes: u64, failures: u64) {
    for _ in 0..successes {
        detector.record(&key, true);
    }
    for _ in 0..failures {
        detector.record(&key, false);
    }
}

/// The draw most in favour of ejecting.
fn zero(_: u32) -> u32 {
    0
}

fn ejected_keys(events: &[OutlierEvent<u64>]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|event| match event {
            OutlierEvent::Ejected { key, .. } => Some(*key),
            OutlierEvent::Unejected { .. } => None,
        })
        .collect()
}

fn ejection_duration(events: &[OutlierEvent<u64>], wanted: u64) -> Option<Duration> {
    events.iter().find_map(|event| match event {
        OutlierEvent::Ejected { key, duration, .. } if *key == wanted => Some(*duration),
        _ => None,
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn success_rate_ejects_an_endpoint_below_mean_minus_stdev_factor_stdevs() {
    // Rates 1.0, 1.0, 1.0, 1.0, 0.5: mean 4.5 / 5 = 0.9; deviations 0.1 (x4) and -0.4,
    // squares 0.04 + 0.16 = 0.20, variance 0.04, stdev 0.2; required 0.9 - 1.9 * 0.2 = 0.52.
    let mut detector = detector(success_rate_only(), 1..=5);
    for key in 1..=4 {
        calls(&mut detector, key, 100, 0);
    }
    calls(&mut detector, 5, 50, 50);
    let now = Instant::now();

    let events = detector.tick(now, &mut zero);

    assert_eq!(
        detector.ejected(),
        vec![5],
        "a success rate of 0.5 is below mean - 1.9 stdev = 0.52"
    );
    let [
        OutlierEvent::Ejected {
            key: 5,
            until,
            duration,
            reason: EjectionReason::SuccessRate { success_rate, mean, stdev, required },
        },
    ] = events[..]
    else {
        panic!("one success-rate ejection of endpoint 5, got {events:?}");
    };
    assert!(close(success_rate, 0.5) && close(mean, 0.9), "rate 0.5, mean 0.9");
    assert!(close(stdev, 0.2) && close(required, 0.52), "stdev 0.2, required 0.52");
    assert_eq!(duration, 30 * SECOND, "a first ejection lasts base_ejection_time");
    assert_eq!(until, now + 30 * SECOND, "until is the tick's time plus the duration");
}

#[test]
fn success_rate_spares_endpoints_within_stdev_factor_stdevs() {
    // Rates 1.0, 1.0, 1.0, 0.9, 0.8: mean 4.7 / 5 = 0.94; deviations 0.06 (x3), -0.04,
    // -0.14, squares 0.0108 + 0.0016 + 0.0196 = 0.032, variance 0.0064, stdev 0.08;
    // required 0.94 - 1.9 * 0.08 = 0.788, and the lowest rate, 0.8, is above it.
    let mut detector = detector(success_rate_only(), 1..=5);
    for key in 1..=3 {
        calls(&mut detector, key, 100, 0);
    }
    calls(&mut detector, 4, 90, 10);
    calls(&mut detector, 5, 80, 20);
    let mut draws = 0;

    let events = detector.tick(Instant::now(), &mut |_| {
        draws += 1;
        0
    });

    assert!(events.is_empty(), "0.8 is above mean - 1.9 stdev = 0.788: {events:?}");
    assert_eq!(draws, 0, "no outlier, so no enforcement coin is drawn");
}

#[test]
fn failure_percentage_ejects_above_threshold_with_enough_volume() {
    // 1: 90 of 100 failed (90% > 85%) is ejected. 2: 85 of 100 (85%, not above 85%) stays.
    // 3: 49 of 49 failed, under the request volume of 50, is not judged. 4, 5, 6: healthy.
    // Five endpoints (all but 3) have 50 calls or more: minimum_hosts 5 is met.
    let mut detector = detector(failure_percentage_only(), 1..=6);
    calls(&mut detector, 1, 10, 90);
    calls(&mut detector, 2, 15, 85);
    calls(&mut detector, 3, 0, 49);
    for key in 4..=6 {
        calls(&mut detector, key, 100, 0);
    }

    let events = detector.tick(Instant::now(), &mut zero);

    assert_eq!(
        detector.ejected(),
        vec![1],
        "only a failure percentage strictly above the threshold, with 50 calls, is ejected"
    );
    assert!(
        matches!(
            events[..],
            [OutlierEvent::Ejected {
                key: 1,
                reason: EjectionReason::FailurePercentage {
                    failures: 90,
                    requests: 100,
                    threshold: 85
                },
                ..
            }]
        ),
        "the event carries the figures that ejected endpoint 1: {events:?}"
    );
}

#[test]
fn too_few_requests_eject_nobody() {
    // Every endpoint has 49 calls: under success rate's 100 and failure percentage's 50,
    // so neither algorithm judges anyone, not even endpoint 5 with 49 failures of 49.
    let config = OutlierConfig {
        failure_percentage: failure_percentage_only().failure_percentage,
        ..success_rate_only()
    };
    let mut detector = detector(config, 1..=5);
    for key in 1..=4 {
        calls(&mut detector, key, 49, 0);
    }
    calls(&mut detector, 5, 0, 49);

    let events = detector.tick(Instant::now(), &mut zero);

    assert!(events.is_empty(), "endpoints under request_volume are not judged: {events:?}");
}

#[test]
fn too_few_hosts_eject_nobody() {
    // Four endpoints with 100 calls, endpoint 4 all failures, and a fifth with none: only
    // four have enough volume, under minimum_hosts 5 for both algorithms.
    let config = OutlierConfig {
        failure_percentage: failure_percentage_only().failure_percentage,
        ..success_rate_only()
    };
    let mut detector = detector(config, 1..=5);
    for key in 1..=3 {
        calls(&mut detector, key, 100, 0);
    }
    calls(&mut detector, 4, 0, 100);

    let events = detector.tick(Instant::now(), &mut zero);

    assert!(
        events.is_empty(),
        "fewer than minimum_hosts endpoints with request_volume: nobody is judged: {events:?}"
    );
}

#[test]
fn max_ejection_percent_caps_ejections() {
    // Ten endpoints, 1 to 4 failing every call. A cap of 20% of 10 is 2: 1 and 2 go (key
    // order), then 2 * 100 >= 20 * 10 stops the sweep before 3 and 4.
    let mut detector =
        detector(OutlierConfig { max_ejection_percent: 20, ..failure_percentage_only() }, 1..=10);
    let sweep = |detector: &mut OutlierDetector<u64>| {
        for key in 1..=4 {
            calls(detector, key, 0, 100);
        }
        for key in 5..=10 {
            calls(detector, key, 100, 0);
        }
    };
    sweep(&mut detector);
    let now = Instant::now();

    let events = detector.tick(now, &mut zero);
    assert_eq!(ejected_keys(&events), vec![1, 2], "20% of 10 endpoints is 2 ejections");
    assert_eq!(detector.ejected(), vec![1, 2]);

    sweep(&mut detector);
    let events = detector.tick(now + 10 * SECOND, &mut zero);
    assert!(events.is_empty(), "at the cap, 3 and 4 stay in service: {events:?}");

    assert!(detector.remove(&1));
    sweep(&mut detector);
    detector.tick(now + 20 * SECOND, &mut zero);
    assert_eq!(
        detector.ejected(),
        vec![2, 3],
        "a removed endpoint frees its slot: 1 of 9 is under 20%, so 3 goes, then 2 of 9 is not"
    );
}

#[test]
fn max_ejection_percent_lets_at_least_one_go_unless_zero() {
    // 5% of 10 endpoints is half of one: with none ejected, 0 < 5 * 10, so one goes.
    for (percent, expected) in [(5, vec![1]), (0, vec![])] {
        let mut detector = detector(
            OutlierConfig { max_ejection_percent: percent, ..failure_percentage_only() },
            1..=10,
        );
        for key in 1..=10 {
            calls(&mut detector, key, 0, 100);
        }
        detector.tick(Instant::now(), &mut zero);
        assert_eq!(
            detector.ejected(),
            expected,
            "max_ejection_percent {percent}: at least one ejection unless it is 0"
        );
    }
}

#[test]
fn ejection_time_grows_with_repeated_ejections_and_is_capped() {
    // base 10 s, cap max(10 s, 25 s) = 25 s: ejection times 10 s, 20 s, then min(30, 25).
    let mut detector = detector(eager(10, 25), [1]);
    let start = Instant::now();
    let at = |seconds: u64| start + Duration::from_secs(seconds);
    let mut timeline = Vec::new();
    for tick in 1..=11_u64 {
        if !detector.is_ejected(&1) {
            calls(&mut detector, 1, 0, 1);
        }
        let events = detector.tick(at(tick * 10), &mut zero);
        timeline.extend(events.into_iter().map(|event| match event {
            OutlierEvent::Ejected { duration, .. } => (tick * 10, Some(duration)),
            OutlierEvent::Unejected { .. } => (tick * 10, None),
        }));
    }

    assert_eq!(
        timeline,
        vec![
            (10, Some(10 * SECOND)),
            // 20 s after 10 s is not strictly after; 30 s is.
            (30, None),
            (40, Some(20 * SECOND)),
            (70, None),
            (80, Some(25 * SECOND)),
            (110, None),
        ],
        "multiplier 1, 2, 3 eject for 10 s, 20 s, then 30 s capped at max_ejection_time 25 s"
    );
}

#[test]
fn max_ejection_time_below_base_caps_at_base() {
    // base 30 s, max 10 s: the cap is max(30 s, 10 s) = 30 s, so the second ejection, at
    // multiplier 2 (60 s), lasts 30 s.
    let mut detector = detector(eager(30, 10), [1]);
    let start = Instant::now();
    calls(&mut detector, 1, 0, 1);
    let first = detector.tick(start, &mut zero);
    detector.tick(start + 31 * SECOND, &mut zero);
    calls(&mut detector, 1, 0, 1);
    let second = detector.tick(start + 41 * SECOND, &mut zero);

    assert_eq!(ejection_duration(&first, 1), Some(30 * SECOND), "first: base");
    assert_eq!(
        ejection_duration(&second, 1),
        Some(30 * SECOND),
        "a max_ejection_time under base_ejection_time caps at base_ejection_time"
    );
}

#[test]
fn multiplier_decays_while_healthy() {
    // base 10 s. Ejected at 0 s (multiplier 1), back at 11 s (multiplier stays 1 on the
    // tick that returns it), ejected at 12 s (multiplier 2, 20 s), back at 33 s.
    let mut detector = detector(eager(10, 300), [1]);
    let start = Instant::now();
    let at = |seconds: u64| start + Duration::from_secs(seconds);
    calls(&mut detector, 1, 0, 1);
    detector.tick(at(0), &mut zero);
    detector.tick(at(11), &mut zero);
    calls(&mut detector, 1, 0, 1);
    let second = detector.tick(at(12), &mut zero);
    assert_eq!(ejection_duration(&second, 1), Some(20 * SECOND), "multiplier 2");
    let back = detector.tick(at(33), &mut zero);
    assert_eq!(back, vec![OutlierEvent::Unejected { key: 1 }], "20 s have passed");
    assert_eq!(detector.entries[&1].multiplier, 2, "not decayed on the returning tick");

    // One healthy tick: 2 -> 1; ejected again, multiplier 2, 20 s.
    let mut once = detector.clone();
    once.tick(at(40), &mut zero);
    calls(&mut once, 1, 0, 1);
    let after_one = once.tick(at(50), &mut zero);
    // Two healthy ticks: 2 -> 1 -> 0; ejected again, multiplier 1, 10 s.
    detector.tick(at(40), &mut zero);
    detector.tick(at(50), &mut zero);
    calls(&mut detector, 1, 0, 1);
    let after_two = detector.tick(at(60), &mut zero);

    assert_eq!(
        ejection_duration(&after_one, 1),
        Some(20 * SECOND),
        "each tick in service takes one off the multiplier: 2 - 1 + 1 = 2"
    );
    assert_eq!(
        ejection_duration(&after_two, 1),
        Some(10 * SECOND),
        "and never below 0: 2 - 2 + 1 = 1"
    );
}

#[test]
fn ejected_endpoint_returns_after_its_ejection_time() {
    // Default base_ejection_time 30 s: ejected at t, still out at t + 30 s, back just after.
    let mut detector = detector(failure_percentage_only(), 1..=5);
    calls(&mut detector, 1, 0, 100);
    for key in 2..=5 {
        calls(&mut detector, key, 100, 0);
    }
    let ejected_at = Instant::now();
    detector.tick(ejected_at, &mut zero);
    assert!(detector.is_ejected(&1), "90%+ failures eject endpoint 1");

    for seconds in [10, 20, 30] {
        let events = detector.tick(ejected_at + seconds * SECOND, &mut zero);
        assert!(events.is_empty(), "{seconds} s is not after 30 s: {events:?}");
        assert!(detector.is_ejected(&1), "still ejected at {seconds} s");
    }
    let events = detector.tick(ejected_at + 30 * SECOND + Duration::from_nanos(1), &mut zero);

    assert_eq!(
        events,
        vec![OutlierEvent::Unejected { key: 1 }],
        "an endpoint returns at the first tick strictly after its ejection time"
    );
    assert!(!detector.is_ejected(&1) && detector.ejected().is_empty());
}

#[test]
fn enforcement_percentage_zero_never_ejects() {
    // Both algorithms detect endpoint 5 (rate 0.0 vs required 0.8 - 1.9 * 0.4 = 0.04;
    // 100% failures), and the most favourable draw, 0, is not below 0.
    let config = OutlierConfig {
        max_ejection_percent: 100,
        success_rate: Some(SuccessRateEjection {
            enforcement_percentage: 0,
            ..SuccessRateEjection::default()
        }),
        failure_percentage: Some(FailurePercentageEjection::default()),
        ..OutlierConfig::default()
    };
    assert_eq!(config.failure_percentage.map(|f| f.enforcement_percentage), Some(0));
    let mut detector = detector(config, 1..=5);
    for key in 1..=4 {
        calls(&mut detector, key, 100, 0);
    }
    calls(&mut detector, 5, 0, 100);
    let mut draws = Vec::new();

    let events = detector.tick(Instant::now(), &mut |n| {
        draws.push(n);
        0
    });

    assert!(events.is_empty(), "enforcement 0 detects but never ejects: {events:?}");
    assert_eq!(draws, vec![100, 100], "one draw from 0..100 per algorithm that detects it");
}

#[test]
fn enforcement_percentage_ejects_when_the_draw_is_below_it() {
    // Enforcement 50: a draw of 49 ejects, a draw of 50 does not.
    for (draw, ejected) in [(49, true), (50, false)] {
        let mut detector = detector(
            OutlierConfig {
                success_rate: None,
                failure_percentage: Some(FailurePercentageEjection {
                    enforcement_percentage: 50,
                    ..FailurePercentageEjection::default()
                }),
                max_ejection_percent: 100,
                ..OutlierConfig::default()
            },
            1..=5,
        );
        calls(&mut detector, 1, 0, 50);
        for key in 2..=5 {
            calls(&mut detector, key, 50, 0);
        }
        detector.tick(Instant::now(), &mut |_| draw);
        assert_eq!(
            detector.is_ejected(&1),
            ejected,
            "draw {draw} against enforcement 50: ejected only when below"
        );
    }
}

#[test]
fn ticks_judge_only_the_last_interval() {
    // Failures recorded before the previous tick are not judged again.
    let mut detector = detector(failure_percentage_only(), 1..=5);
    for key in 1..=5 {
        calls(&mut detector, key, 100, 0);
    }
    calls(&mut detector, 1, 0, 1000);
    let now = Instant::now();

    // 1000 failures of 1100 (90.9%) is detected; a draw of 100 is never below an
    // enforcement percentage, so it is not ejected.
    let mut first_draws = 0;
    detector.tick(now, &mut |_| {
        first_draws += 1;
        100
    });
    assert_eq!(first_draws, 1, "endpoint 1 is detected in the first interval");
    let mut second_draws = 0;
    let events = detector.tick(now + 10 * SECOND, &mut |_| {
        second_draws += 1;
        0
    });

    assert!(detector.entries.values().all(|entry| entry.current == Bucket::default()));
    assert_eq!(second_draws, 0, "the second interval had no calls, so no outlier");
    assert!(
        events.is_empty(),
        "the buckets swapped: last interval's failures are gone: {events:?}"
    );
}

#[test]
fn ejected_endpoint_is_not_ejected_again() {
    // Endpoint 1 is ejected at 0 s; failures it reports while ejected draw no coin and do
    // not restart or lengthen its ejection.
    let mut detector = detector(failure_percentage_only(), 1..=5);
    let fill = |detector: &mut OutlierDetector<u64>| {
        calls(detector, 1, 0, 100);
        for key in 2..=5 {
            calls(detector, key, 100, 0);
        }
    };
    fill(&mut detector);
    let start = Instant::now();
    detector.tick(start, &mut zero);
    fill(&mut detector);
    let mut draws = 0;

    let events = detector.tick(start + 10 * SECOND, &mut |_| {
        draws += 1;
        0
    });

    assert!(events.is_empty(), "already ejected: no new ejection: {events:?}");
    assert_eq!(draws, 0, "no coin for an endpoint that is already ejected");
    assert_eq!(detector.entries[&1].multiplier, 1);
    assert_eq!(detector.entries[&1].ejected_at, Some(start));
}

#[test]
fn removed_endpoint_is_forgotten() {
    let mut detector = detector(failure_percentage_only(), 1..=5);
    calls(&mut detector, 1, 0, 100);
    for key in 2..=5 {
        calls(&mut detector, key, 100, 0);
    }
    detector.tick(Instant::now(), &mut zero);
    assert!(detector.is_ejected(&1));

    assert!(detector.remove(&1), "1 was tracked");
    assert!(!detector.remove(&1), "and is no longer");
    detector.record(&1, false);

    assert!(!detector.is_ejected(&1), "a removed endpoint is not ejected");
    assert!(detector.ejected().is_empty());
    assert_eq!(detector.ejected, 0, "nor counted toward max_ejection_percent");
    assert!(!detector.entries.contains_key(&1), "record ignores an unknown key");
    assert!(detector.add(1), "re-added");
    assert!(!detector.add(1), "add is idempotent");
    let entry = &detector.entries[&1];
    assert!(
        entry.ejected_at.is_none() && entry.multiplier == 0 && entry.current == Bucket::default(),
        "a re-added endpoint starts afresh: {entry:?}"
    );
}

#[test]
fn noop_config_ejects_nobody_but_still_returns_the_ejected() {
    let mut detector = detector(eager(10, 300), [1]);
    calls(&mut detector, 1, 0, 1);
    let start = Instant::now();
    detector.tick(start, &mut zero);
    detector.config =
        OutlierConfig { success_rate: None, failure_percentage: None, ..eager(10, 300) };
    assert!(!detector.config().is_enabled());

    calls(&mut detector, 1, 0, 1);
    let events = detector.tick(start + 11 * SECOND, &mut zero);

    assert_eq!(events, vec![OutlierEvent::Unejected { key: 1 }], "un-ejection still runs");
    calls(&mut detector, 1, 0, 1);
    assert!(detector.tick(start + 21 * SECOND, &mut zero).is_empty(), "no algorithm");
}

#[test]
fn default_config_is_a50s_and_valid() {
    let config = OutlierConfig::default();
    assert_eq!(config.interval, 10 * SECOND);
    assert_eq!(config.base_ejection_time, 30 * SECOND);
    assert_eq!(config.max_ejection_time, 300 * SECOND);
    assert_eq!(config.max_ejection_percent, 10);
    assert_eq!(
        config.success_rate,
        Some(SuccessRateEjection {
            stdev_factor: 1900,
            enforcement_percentage: 100,
            minimum_hosts: 5,
            request_volume: 100
        })
    );
    assert_eq!(config.failure_percentage, None);
    assert_eq!(
        FailurePercentageEjection::default(),
        FailurePercentageEjection {
            threshold: 85,
            enforcement_percentage: 0,
            minimum_hosts: 5,
            request_volume: 50
        }
    );
    assert!(config.is_enabled());
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn config_validation_rejects_a_zero_interval() {
    let config = OutlierConfig { interval: Duration::ZERO, ..OutlierConfig::default() };
    let error = config.validate().unwrap_err();
    assert_eq!(error, OutlierError::ZeroInterval);
    assert_eq!(error.to_string(), "interval must be greater than zero");
}

#[test]
fn config_validation_rejects_durations_past_the_protobuf_limit() {
    let config = OutlierConfig {
        max_ejection_time: Duration::from_secs(315_576_000_001),
        ..OutlierConfig::default()
    };
    let error = config.validate().unwrap_err();
    assert_eq!(
        error,
        OutlierError::DurationTooLong {
            field: "max_ejection_time",
            value: Duration::from_secs(315_576_000_001)
        }
    );
    assert!(error.to_string().starts_with("max_ejection_time must be at most"), "{error}");
    let at_limit = OutlierConfig { base_ejection_time: MAX_DURATION, ..OutlierConfig::default() };
    assert_eq!(at_limit.validate(), Ok(()), "the limit itself is valid");
}

#[test]
fn config_validation_rejects_percentages_over_100() {
    let over = |field: &'static str| -> OutlierConfig {
        let mut config = OutlierConfig {
            failure_percentage: Some(FailurePercentageEjection::default()),
            ..OutlierConfig::default()
        };
        let success_rate = config.success_rate.as_mut().unwrap();
        let failure_percentage = config.failure_percentage.as_mut().unwrap();
        match field {
            "max_ejection_percent" => config.max_ejection_percent = 101,
            "success_rate.enforcement_percentage" => success_rate.enforcement_percentage = 101,
            "failure_percentage.threshold" => failure_percentage.threshold = 101,
            _ => failure_percentage.enforcement_percentage = 101,
        }
        config
    };
    for field in [
        "max_ejection_percent",
        "success_rate.enforcement_percentage",
        "failure_percentage.threshold",
        "failure_percentage.enforcement_percentage",
    ] {
        let error = over(field).validate().unwrap_err();
        assert_eq!(error, OutlierError::NotAPercentage { field, value: 101 });
        assert_eq!(
            error.to_string(),
            format!("{field} must be a percentage from 0 to 100, got 101")
        );
    }
    let hundred = OutlierConfig {
        max_ejection_percent: 100,
        failure_percentage: Some(FailurePercentageEjection {
            threshold: 100,
            enforcement_percentage: 100,
            ..FailurePercentageEjection::default()
        }),
        ..OutlierConfig::default()
    };
    assert_eq!(hundred.validate(), Ok(()), "100 is a valid percentage");
}

#[test]
fn config_validation_ignores_the_fields_of_an_algorithm_that_is_off() {
    let config =
        OutlierConfig { success_rate: None, failure_percentage: None, ..OutlierConfig::default() };
    assert_eq!(config.validate(), Ok(()));
    assert!(!config.is_enabled());
}
