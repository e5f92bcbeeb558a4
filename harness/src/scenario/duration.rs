//! [`Dur`]: a duration as scenario files write it, `250ms` or `2s`: only the documented units,
//! whole milliseconds, at most [`MAX_DURATION`].

use crate::load::limits::{MAX_DURATION, MAX_DURATION_TEXT};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;
use std::time::Duration;

/// What a duration looks like, for error messages.
pub(super) const EXPECTED: &str = "a duration like \"250ms\" or \"2s\"";

/// The units a duration may use, with their length in nanoseconds.
const UNITS: [(&str, u128); 6] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// A duration: numbers each with a unit (`ns`, `us`, `ms`, `s`, `m`, `h`), added (`1s 500ms`),
/// a whole number of milliseconds (tokio's timers fire on whole milliseconds: anything finer
/// would be rounded without a word), at most [`MAX_DURATION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dur(pub(crate) Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DurVisitor)
    }
}

struct DurVisitor;

impl Visitor<'_> for DurVisitor {
    type Value = Dur;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Dur, E> {
        parse(value).map(Dur).map_err(|why| {
            E::custom(format!("bad duration {value:?}, expected {EXPECTED} ({why})"))
        })
    }
}

/// Reads `text`; the error says what is wrong with it.
pub(super) fn parse(text: &str) -> Result<Duration, String> {
    let mut nanos: u128 = 0;
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err("empty; units: ns, us, ms, s, m, h".into());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err("a number and a unit; units: ns, us, ms, s, m, h".into());
        }
        let number: u128 = rest[..digits].parse().map_err(|_| "a number too large".to_owned())?;
        // `300 ms` reads as `300ms`: a space may stand between a number and its unit.
        rest = rest[digits..].trim_start();
        let letters = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..letters];
        let Some((_, length)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(if unit.is_empty() {
                "a number without a unit; units: ns, us, ms, s, m, h".into()
            } else {
                format!("unknown unit `{unit}`; units: ns, us, ms, s, m, h")
            });
        };
        nanos = number.checked_mul(*length).and_then(|n| nanos.checked_add(n)).unwrap_or(u128::MAX);
        rest = rest[letters..].trim_start();
    }
    if nanos > MAX_DURATION.as_nanos() {
        return Err(format!("longer than {MAX_DURATION_TEXT}"));
    }
    if !nanos.is_multiple_of(1_000_000) {
        return Err("not a whole number of milliseconds: jostle's clock counts milliseconds".into());
    }
    let millis = u64::try_from(nanos / 1_000_000).map_err(|_| "a number too large".to_owned())?;
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn documented_units_add_up() {
        let ms = Duration::from_millis;
        for (text, expected) in [
            ("250ms", ms(250)),
            ("2s", ms(2_000)),
            ("1m", ms(60_000)),
            ("1h", ms(3_600_000)),
            ("1s 500ms", ms(1_500)),
            ("2000us", ms(2)),
            ("3000000ns", ms(3)),
            ("0s", ms(0)),
            ("24h", ms(86_400_000)),
            ("300 ms", ms(300)),
            ("1s 500 ms", ms(1_500)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?} is a documented duration");
        }
    }

    #[test]
    fn undocumented_units_bare_numbers_and_sub_millisecond_values_are_refused() {
        for (text, why) in [
            ("1M", "unknown unit `M`"),
            ("1d", "unknown unit `d`"),
            ("1sec", "unknown unit `sec`"),
            ("5", "without a unit"),
            ("", "empty"),
            ("ms", "a number and a unit"),
            ("500us", "whole number of milliseconds"),
            ("1ms 1ns", "whole number of milliseconds"),
            ("25h", "longer than 24h"),
            ("99999999999999999999999999999999999999999h", "too large"),
            ("-1s", "a number and a unit"),
        ] {
            let error = parse(text).expect_err(text);
            assert!(error.contains(why), "{text:?} must be refused as {why:?}, got {error:?}");
        }
    }
}
