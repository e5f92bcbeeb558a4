//! A fault's `target`: a list of backend indices, or `"all"`.

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use std::fmt;
use toml::Spanned;

/// What a target looks like, for error messages.
pub(super) const EXPECTED: &str = "a list of backend indices like [0, 2], or \"all\"";

/// A target as written, each index with its place for the range check.
#[derive(Debug)]
pub(super) enum RawTarget {
    /// `"all"`.
    All,
    /// `[0, 2]`.
    Indices(Vec<Spanned<i64>>),
}

impl<'de> Deserialize<'de> for RawTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TargetVisitor)
    }
}

struct TargetVisitor;

impl<'de> Visitor<'de> for TargetVisitor {
    type Value = RawTarget;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawTarget, E> {
        if value == "all" {
            Ok(RawTarget::All)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(value), &self))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawTarget, A::Error> {
        let mut indices = Vec::new();
        while let Some(index) = seq.next_element::<Spanned<i64>>()? {
            indices.push(index);
        }
        Ok(RawTarget::Indices(indices))
    }
}
