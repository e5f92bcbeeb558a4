//! [`Dur`]: a duration as scenario files write it, `250ms` or `2s` (humantime).

use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;
use std::time::Duration;

/// What a duration looks like, for error messages.
pub(super) const EXPECTED: &str = "a duration like \"250ms\" or \"2s\"";

/// A duration read with [`humantime::parse_duration`]: a number and a unit (`ns`, `us`, `ms`,
/// `s`, `m`, `h`), several of them added (`1s 500ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Dur(pub(super) Duration);

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
        humantime::parse_duration(value).map(Dur).map_err(|_| {
            E::custom(format!(
                "bad duration \"{value}\", expected {EXPECTED} (a number and a unit: ns, us, ms, s, m, h)"
            ))
        })
    }
}
