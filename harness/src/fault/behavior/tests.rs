//! Tests of `behavior`.

use super::*;
use rstest::rstest;

fn headers(values: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(HEADER, HeaderValue::from_str(value).expect("test values are valid"));
    }
    headers
}

fn on_attempt(values: &[&str], previous_attempts: &str) -> HeaderMap {
    let mut headers = headers(values);
    headers.insert(
        PREVIOUS_ATTEMPTS_HEADER,
        HeaderValue::from_str(previous_attempts).expect("test values are valid"),
    );
    headers
}

fn secs(seconds: u64) -> Option<Duration> {
    Some(Duration::from_secs(seconds))
}

fn invalid(value: &str, expected: &'static str) -> BehaviorError {
    BehaviorError::Invalid { value: value.to_owned(), expected }
}

#[test]
fn empty_header_map_is_the_empty_behavior() {
    let behavior = parse(&HeaderMap::new(), "backend-0").expect("no metadata is valid");
    assert_eq!(behavior, CallBehavior::default(), "no rpc-behavior asks for nothing");
    assert!(behavior.is_empty(), "no rpc-behavior is the empty behaviour");
}

#[test]
fn other_headers_are_ignored() {
    let mut headers = HeaderMap::new();
    headers.insert("rpc-behaviour", HeaderValue::from_static("keep-open"));
    headers.insert("x-rpc-behavior", HeaderValue::from_static("error-code-14"));
    headers.insert(PREVIOUS_ATTEMPTS_HEADER, HeaderValue::from_static("not a count"));
    let behavior = parse(&headers, "backend-0").expect("only rpc-behavior is read");
    assert!(behavior.is_empty(), "only the rpc-behavior header carries behaviours");
}

#[test]
fn sleep_waits_the_given_number_of_seconds() {
    let behavior = parse(&headers(&["sleep-3"]), "backend-0").expect("sleep-3 is valid");
    assert_eq!(
        behavior,
        CallBehavior { sleep: secs(3), ..CallBehavior::default() },
        "sleep-<N> waits N seconds and then serves the call"
    );
    assert!(!behavior.is_empty(), "a sleep is a behaviour");
    let zero = parse(&headers(&["sleep-0"]), "backend-0").expect("sleep-0 is valid");
    assert_eq!(zero.sleep, secs(0), "sleep-0 is a zero-second sleep");
}

#[test]
fn sleeps_before_the_end_of_matching_add_up() {
    let behavior = parse(&headers(&["sleep-1,sleep-2", "sleep-4"]), "b").expect("sleeps are valid");
    assert_eq!(behavior.sleep, secs(7), "each sleep-<N> waits in turn, so they add up");
    let huge = format!("sleep-{max},sleep-{max}", max = u64::MAX);
    let behavior = parse(&headers(&[&huge]), "b").expect("huge sleeps are valid");
    assert_eq!(behavior.sleep, Some(Duration::MAX), "sleeps that overflow saturate");
}

#[test]
fn keep_open_never_answers() {
    let behavior = parse(&headers(&["keep-open"]), "backend-0").expect("keep-open is valid");
    assert_eq!(
        behavior,
        CallBehavior { keep_open: true, ..CallBehavior::default() },
        "keep-open leaves the call open until the client gives up"
    );
}

#[test]
fn error_code_answers_with_that_status_code() {
    for value in 0..=16 {
        let behavior = parse(&headers(&[&format!("error-code-{value}")]), "backend-0")
            .expect("codes 0..=16 are valid");
        assert_eq!(
            behavior,
            CallBehavior { error: Some(Code::from_i32(value)), ..CallBehavior::default() },
            "error-code-{value} answers with status code {value}"
        );
    }
    let unavailable = parse(&headers(&["error-code-14"]), "b").expect("14 is valid");
    assert_eq!(unavailable.error, Some(Code::Unavailable), "error-code-14 is UNAVAILABLE");
}

#[test]
fn succeed_on_retry_attempt_succeeds_when_previous_attempts_match() {
    let headers = on_attempt(&["succeed-on-retry-attempt-4,error-code-14"], "4");
    let behavior = parse(&headers, "backend-0").expect("valid metadata");
    assert_eq!(
        behavior,
        CallBehavior { succeed: true, ..CallBehavior::default() },
        "when grpc-previous-rpc-attempts equals N the call is served and the error after is not"
    );
    assert!(!behavior.is_empty(), "a matched succeed-on-retry-attempt is a behaviour");
}

#[test]
fn succeed_on_retry_attempt_goes_on_when_previous_attempts_differ() {
    for attempts in ["0", "3", "5"] {
        let headers = on_attempt(&["succeed-on-retry-attempt-4,error-code-14"], attempts);
        let behavior = parse(&headers, "backend-0").expect("valid metadata");
        assert_eq!(
            behavior,
            CallBehavior { error: Some(Code::Unavailable), ..CallBehavior::default() },
            "on attempt with {attempts} previous attempts, matching goes on to the error"
        );
    }
    let alone = parse(&on_attempt(&["succeed-on-retry-attempt-4"], "1"), "b").expect("valid");
    assert!(alone.is_empty(), "an unmatched succeed-on-retry-attempt asks for nothing");
}

#[test]
fn succeed_on_retry_attempt_counts_a_missing_previous_attempts_header_as_zero() {
    let values = ["succeed-on-retry-attempt-0,error-code-14"];
    let first = parse(&headers(&values), "backend-0").expect("valid metadata");
    assert!(first.succeed, "the first attempt has 0 previous attempts");
    let values = ["succeed-on-retry-attempt-1,error-code-14"];
    let first = parse(&headers(&values), "backend-0").expect("valid metadata");
    assert_eq!(first.error, Some(Code::Unavailable), "the first attempt is not attempt 1");
    assert!(!first.succeed, "the first attempt is not attempt 1");
}

#[test]
fn sleep_before_a_matched_succeed_on_retry_attempt_still_applies() {
    let headers = on_attempt(&["sleep-2,succeed-on-retry-attempt-1,keep-open"], "1");
    let behavior = parse(&headers, "backend-0").expect("valid metadata");
    assert_eq!(
        behavior,
        CallBehavior { sleep: secs(2), succeed: true, ..CallBehavior::default() },
        "behaviours before the match apply, those after it do not"
    );
}

#[test]
fn behaviors_after_the_end_of_matching_are_ignored() {
    let cases: [(&str, CallBehavior); 4] = [
        (
            "error-code-14,succeed-on-retry-attempt-4",
            CallBehavior { error: Some(Code::Unavailable), ..CallBehavior::default() },
        ),
        ("keep-open,error-code-3", CallBehavior { keep_open: true, ..CallBehavior::default() }),
        (
            "error-code-3,keep-open,sleep-9",
            CallBehavior { error: Some(Code::InvalidArgument), ..CallBehavior::default() },
        ),
        (
            "sleep-1,keep-open,sleep-9",
            CallBehavior { sleep: secs(1), keep_open: true, ..CallBehavior::default() },
        ),
    ];
    for (value, expected) in cases {
        let behavior = parse(&on_attempt(&[value], "4"), "backend-0").expect("valid metadata");
        assert_eq!(behavior, expected, "in {value:?} the first ending behaviour wins");
    }
}

#[test]
fn comma_separated_behaviors_apply_in_order() {
    let behavior = parse(&headers(&["sleep-1,error-code-13"]), "b").expect("valid metadata");
    assert_eq!(
        behavior,
        CallBehavior { sleep: secs(1), error: Some(Code::Internal), ..CallBehavior::default() },
        "every comma-separated behaviour of a value applies"
    );
}

#[test]
fn several_header_values_apply_in_order() {
    let behavior = parse(&headers(&["sleep-1", "error-code-13"]), "b").expect("valid");
    assert_eq!(
        behavior,
        CallBehavior { sleep: secs(1), error: Some(Code::Internal), ..CallBehavior::default() },
        "every rpc-behavior value applies"
    );
    let behavior = parse(&headers(&["keep-open", "error-code-13"]), "b").expect("valid");
    assert_eq!(
        behavior,
        CallBehavior { keep_open: true, ..CallBehavior::default() },
        "an ending behaviour in one value ends matching for the values after it"
    );
}

#[test]
fn whitespace_and_empty_entries_are_ignored() {
    let values = [" sleep-1 ,\t, ,,hostname=b   error-code-2\t,", ""];
    let behavior = parse(&headers(&values), "b").expect("valid metadata");
    assert_eq!(
        behavior,
        CallBehavior { sleep: secs(1), error: Some(Code::Unknown), ..CallBehavior::default() },
        "whitespace around entries and between a hostname rule and its behaviour is ignored"
    );
    let blank = parse(&headers(&[" , ,", ""]), "b").expect("blank values are valid");
    assert!(blank.is_empty(), "values with only blank entries ask for nothing");
}

#[test]
fn hostname_rule_applies_only_to_the_named_backend() {
    let values = ["hostname=backend-1 keep-open,hostname=backend-2 error-code-14,sleep-1"];
    let one = parse(&headers(&values), "backend-1").expect("valid metadata");
    assert_eq!(
        one,
        CallBehavior { keep_open: true, ..CallBehavior::default() },
        "a hostname rule applies on the backend it names"
    );
    let two = parse(&headers(&values), "backend-2").expect("valid metadata");
    assert_eq!(
        two,
        CallBehavior { error: Some(Code::Unavailable), ..CallBehavior::default() },
        "a rule for another backend is skipped and does not end matching"
    );
    let zero = parse(&headers(&values), "backend-0").expect("valid metadata");
    assert_eq!(
        zero,
        CallBehavior { sleep: secs(1), ..CallBehavior::default() },
        "rules for other backends are skipped; rules without hostname apply everywhere"
    );
    let close = parse(&headers(&["hostname=backend-1 keep-open"]), "backend-10").expect("ok");
    assert!(close.is_empty(), "the hostname must equal the backend's, not prefix it");
    let case = parse(&headers(&["hostname=Backend-1 keep-open"]), "backend-1").expect("ok");
    assert!(case.is_empty(), "hostnames are compared exactly");
}

#[test]
fn hostname_rule_gates_succeed_on_retry_attempt() {
    let values = ["hostname=backend-1 succeed-on-retry-attempt-2,error-code-14"];
    let one = parse(&on_attempt(&values, "2"), "backend-1").expect("valid metadata");
    assert!(one.succeed, "the named backend serves the matching retry");
    assert_eq!(one.error, None, "the named backend serves the matching retry");
    let other = parse(&on_attempt(&values, "2"), "backend-0").expect("valid metadata");
    assert_eq!(other.error, Some(Code::Unavailable), "other backends skip the rule");
    assert!(!other.succeed, "other backends skip the rule");
}

#[rstest]
#[case::sleep_without_number("sleep-", invalid("sleep-", EXPECTED_SLEEP))]
#[case::sleep_not_a_number("sleep-x", invalid("sleep-x", EXPECTED_SLEEP))]
#[case::sleep_negative("sleep--1", invalid("sleep--1", EXPECTED_SLEEP))]
#[case::sleep_signed("sleep-+1", invalid("sleep-+1", EXPECTED_SLEEP))]
#[case::sleep_fraction("sleep-1.5", invalid("sleep-1.5", EXPECTED_SLEEP))]
#[case::sleep_inner_space("sleep- 1", invalid("sleep- 1", EXPECTED_SLEEP))]
#[case::sleep_overflow(
    "sleep-18446744073709551616",
    invalid("sleep-18446744073709551616", EXPECTED_SLEEP)
)]
#[case::error_code_without_number("error-code-", invalid("error-code-", EXPECTED_ERROR_CODE))]
#[case::error_code_named(
    "error-code-UNAVAILABLE",
    invalid("error-code-UNAVAILABLE", EXPECTED_ERROR_CODE)
)]
#[case::error_code_negative("error-code--1", invalid("error-code--1", EXPECTED_ERROR_CODE))]
#[case::error_code_too_big("error-code-17", invalid("error-code-17", EXPECTED_ERROR_CODE))]
#[case::error_code_huge(
    "error-code-99999999999999999999",
    invalid("error-code-99999999999999999999", EXPECTED_ERROR_CODE)
)]
#[case::succeed_without_number(
    "succeed-on-retry-attempt-",
    invalid("succeed-on-retry-attempt-", EXPECTED_SUCCEED)
)]
#[case::succeed_not_a_number(
    "succeed-on-retry-attempt-x",
    invalid("succeed-on-retry-attempt-x", EXPECTED_SUCCEED)
)]
#[case::hostname_without_behavior(
    "hostname=backend-1",
    invalid("hostname=backend-1", EXPECTED_HOSTNAME)
)]
#[case::hostname_with_blank_behavior(
    "hostname=backend-1 ",
    invalid("hostname=backend-1", EXPECTED_HOSTNAME)
)]
#[case::hostname_without_name("hostname= sleep-1", invalid("hostname= sleep-1", EXPECTED_HOSTNAME))]
#[case::hostname_twice(
    "hostname=a hostname=b sleep-1",
    invalid("hostname=a hostname=b sleep-1", EXPECTED_ONE_HOSTNAME)
)]
#[case::hostname_bad_behavior(
    "hostname=backend-1 sleep-x",
    invalid("hostname=backend-1 sleep-x", EXPECTED_SLEEP)
)]
#[case::unknown("explode", BehaviorError::Unknown { value: "explode".to_owned() })]
#[case::unknown_hostname_behavior(
    "hostname=backend-1 explode",
    BehaviorError::Unknown { value: "hostname=backend-1 explode".to_owned() }
)]
#[case::keep_open_with_suffix(
    "keep-open-forever",
    BehaviorError::Unknown { value: "keep-open-forever".to_owned() }
)]
#[case::upper_case("KEEP-OPEN", BehaviorError::Unknown { value: "KEEP-OPEN".to_owned() })]
#[case::spec_text_spelling(
    "success-on-retry-attempt-1",
    BehaviorError::Unknown { value: "success-on-retry-attempt-1".to_owned() }
)]
fn invalid_behavior_is_an_error_naming_the_value(
    #[case] value: &str,
    #[case] expected: BehaviorError,
) {
    let error = parse(&headers(&[value]), "backend-1").expect_err("the value is invalid");
    assert_eq!(error, expected, "{value:?} is rejected, named, with the form expected");
}

#[test]
fn error_messages_name_the_value_and_the_expected_form() {
    let cases = [
        ("sleep-x", r#"invalid rpc-behavior "sleep-x": expected sleep-<seconds>"#),
        (
            "error-code-17",
            r#"invalid rpc-behavior "error-code-17": expected error-code-<code> with a grpc status code in 0..=16"#,
        ),
        ("hostname=b", r#"invalid rpc-behavior "hostname=b": expected hostname=<name> <behavior>"#),
        (
            "explode",
            r#"unknown rpc-behavior "explode": expected sleep-<seconds>, keep-open, error-code-<code>, succeed-on-retry-attempt-<previous attempts> or hostname=<name> <behavior>"#,
        ),
    ];
    for (value, message) in cases {
        let error = parse(&headers(&[value]), "b").expect_err("the value is invalid");
        assert_eq!(error.to_string(), message, "the message names {value:?} and the form");
        assert!(!message.ends_with('.'), "messages have no trailing period");
        assert_eq!(message, message.to_lowercase(), "messages are lowercase");
    }
}

#[test]
fn unknown_behavior_message_lists_every_known_form() {
    let error = parse(&headers(&["explode"]), "b").expect_err("unknown");
    let message = error.to_string();
    for form in [
        "sleep-<seconds>",
        "keep-open",
        "error-code-<code>",
        "succeed-on-retry-attempt-<previous attempts>",
        "hostname=<name> <behavior>",
    ] {
        assert!(message.contains(form), "the unknown-behaviour message lists {form}");
    }
}

#[test]
fn invalid_values_are_errors_even_where_they_would_not_apply() {
    let other_backend = headers(&["hostname=backend-2 sleep-x"]);
    assert_eq!(
        parse(&other_backend, "backend-1"),
        Err(invalid("hostname=backend-2 sleep-x", EXPECTED_SLEEP)),
        "a typo in a rule for another backend is reported on every backend"
    );
    let after_end = headers(&["keep-open,explode"]);
    assert_eq!(
        parse(&after_end, "backend-1"),
        Err(BehaviorError::Unknown { value: "explode".to_owned() }),
        "a typo after the end of matching is still reported"
    );
    let later_value = headers(&["error-code-14", "error-code-99"]);
    assert_eq!(
        parse(&later_value, "backend-1"),
        Err(invalid("error-code-99", EXPECTED_ERROR_CODE)),
        "a typo in a later header value is still reported"
    );
}

#[test]
fn non_text_header_value_is_an_error() {
    let mut headers = HeaderMap::new();
    headers.append(HEADER, HeaderValue::from_static("sleep-1"));
    headers.append(HEADER, HeaderValue::from_bytes(b"sleep-\xff1").expect("obs-text"));
    let error = parse(&headers, "b").expect_err("non-ascii bytes are not a behaviour");
    assert_eq!(
        error,
        BehaviorError::NotText { header: HEADER, value: r"sleep-\xff1".to_owned() },
        "a value that is not visible ascii is rejected with its bytes escaped"
    );
    assert_eq!(
        error.to_string(),
        r#"invalid rpc-behavior value "sleep-\xff1": expected visible ascii text"#,
        "the message shows the escaped bytes"
    );
}

#[test]
fn invalid_previous_attempts_header_is_an_error_when_needed() {
    for attempts in ["x", "-1", "1.0", "", "99999999999999999999"] {
        let headers = on_attempt(&["hostname=other succeed-on-retry-attempt-1"], attempts);
        assert_eq!(
            parse(&headers, "b"),
            Err(BehaviorError::PreviousAttempts { value: attempts.to_owned() }),
            "grpc-previous-rpc-attempts {attempts:?} is not a count"
        );
    }
    let mut bytes = headers(&["succeed-on-retry-attempt-1"]);
    bytes.insert(PREVIOUS_ATTEMPTS_HEADER, HeaderValue::from_bytes(b"\x80").expect("obs"));
    assert_eq!(
        parse(&bytes, "b"),
        Err(BehaviorError::NotText { header: PREVIOUS_ATTEMPTS_HEADER, value: r"\x80".into() }),
        "a non-text grpc-previous-rpc-attempts is rejected"
    );
    let message = BehaviorError::PreviousAttempts { value: "x".to_owned() }.to_string();
    assert_eq!(
        message, r#"invalid grpc-previous-rpc-attempts "x": expected a non-negative integer"#,
        "the message names the header value and the form"
    );
    let unused = on_attempt(&["sleep-1"], "x");
    assert!(
        parse(&unused, "b").is_ok(),
        "grpc-previous-rpc-attempts is only read for succeed-on-retry-attempt"
    );
    let padded = on_attempt(&["succeed-on-retry-attempt-2"], " 2 ");
    assert!(
        parse(&padded, "b").expect("padding is trimmed").succeed,
        "whitespace around grpc-previous-rpc-attempts is ignored"
    );
}

#[test]
fn parse_never_panics_on_arbitrary_bytes() {
    let pieces: [&[u8]; 16] = [
        b"sleep-",
        b"keep-open",
        b"error-code-",
        b"succeed-on-retry-attempt-",
        b"hostname=",
        b" ",
        b",",
        b"\t",
        b"1",
        b"16",
        b"17",
        b"-",
        b"18446744073709551616",
        b"\xff",
        b"\x80",
        b"=",
    ];
    // Every sequence of up to three pieces, as a value and as several values.
    let mut seen = 0;
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let bytes = [a, b, c].concat();
                let Ok(value) = HeaderValue::from_bytes(&bytes) else { continue };
                let mut headers = HeaderMap::new();
                headers.append(HEADER, value.clone());
                headers.append(HEADER, value.clone());
                headers.append(PREVIOUS_ATTEMPTS_HEADER, value);
                let _ = parse(&headers, "1");
                seen += 1;
            }
        }
    }
    assert!(seen > 3000, "parse returns, never panics, on {seen} byte strings");
}
