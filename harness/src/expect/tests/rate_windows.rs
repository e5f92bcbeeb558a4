//! The failure rates' windows: two rates built in Rust in two windows are written as a file
//! that reads back as them; in one window, as the file always was; the lower bound's own
//! window is refused at its place when it cannot hold.

use super::STORY;
use super::written::reads_back_as_itself;
use crate::expect::{Accounting, ExpectLines, FailureRate, MinFailureRate, Rule};
use crate::scenario::{Expectations, Scenario};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn failure_rates_in_two_windows_read_back_as_themselves_and_judge_the_same() {
    let ms = Duration::from_millis;
    let max = |from, until| Arc::new(FailureRate { max: 0.1, from, until }) as Arc<dyn Rule>;
    let min = |from, until| Arc::new(MinFailureRate { min: 0.0, from, until }) as Arc<dyn Rule>;
    for (max_window, min_window) in [
        ((ms(100), Some(ms(1_900))), (ms(500), None)),
        ((ms(1_000), None), (Duration::ZERO, None)),
        ((Duration::ZERO, None), (Duration::ZERO, Some(ms(700)))),
        ((ms(100), Some(ms(1_900))), (ms(100), Some(ms(1_000)))),
    ] {
        let rules = vec![
            Arc::new(Accounting) as Arc<dyn Rule>,
            max(max_window.0, max_window.1),
            min(min_window.0, min_window.1),
        ];
        reads_back_as_itself(
            rules,
            "cargo test -p jostle-harness --lib expect::tests::rate_windows",
        );
    }
}

#[test]
fn failure_rates_in_one_window_write_it_once_under_the_shared_keys() {
    let (from, until) = (Duration::from_millis(100), Some(Duration::from_millis(1_900)));
    let built = Expectations::of(vec![
        Arc::new(Accounting),
        Arc::new(FailureRate { max: 0.1, from, until }),
        Arc::new(MinFailureRate { min: 0.0, from, until }),
    ]);
    assert_eq!(
        built.toml().ok().as_deref(),
        Some(
            "[expect]\nmax_failure_rate = 0.1\nfailure_rate_from = \"100ms\"\n\
             failure_rate_until = \"1900ms\"\nmin_failure_rate = 0.0\n"
        ),
        "two rates in one window write the file they were always written as"
    );
}

#[test]
fn the_lower_bounds_own_window_is_refused_at_its_place_when_it_cannot_hold() {
    for (expect, message) in [
        (
            "min_failure_rate_from = \"1s\"\nmax_failure_rate = 0.1\n",
            "every.toml:15:25: `min_failure_rate_from` without `min_failure_rate`",
        ),
        (
            "min_failure_rate = 0.5\nmin_failure_rate_until = \"1s\"\nfailure_rate_from = \"1s\"\n",
            "every.toml:17:21: `failure_rate_from` counts for no rate: `min_failure_rate` counts in its own window",
        ),
        (
            "min_failure_rate = 0.5\nmin_failure_rate_from = \"1s\"\nmin_failure_rate_until = \"1s\"\n",
            "every.toml:17:26: `min_failure_rate_until` (1s) is not after `min_failure_rate_from` (1s)",
        ),
        (
            "min_failure_rate = 0.5\nmin_failure_rate_from = \"2s\"\n",
            "every.toml:16:25: this window starts at 2s, when the load is over",
        ),
        (
            "min_failure_rate = 0.5\nmin_failure_rate_from = \"1.5s\"\n",
            "every.toml:16:25: bad duration",
        ),
    ] {
        let text = format!("{STORY}[expect]\n{expect}");
        let error = Scenario::parse(&text, "every.toml").expect_err(expect).to_string();
        assert!(error.starts_with(message), "the window must be refused at its place: {error}");
    }
}

#[test]
fn an_upper_failure_rate_written_after_a_lower_one_in_another_window_is_refused() {
    let ms = Duration::from_millis;
    let mut lines = ExpectLines::new("[expect]\n");
    MinFailureRate { min: 0.5, from: ms(100), until: None }.append_to(&mut lines);
    FailureRate { max: 0.1, from: ms(200), until: None }.append_to(&mut lines);
    let error = lines.into_string().expect_err("the shared window holds one of them").to_string();
    assert!(
        error.starts_with(
            "cannot write `failure-rate` to a scenario file: its window differs from the one \
             `min_failure_rate` wrote first"
        ),
        "the upper bound's window must not be taken from the lower bound's: {error}"
    );
}
