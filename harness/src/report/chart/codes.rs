//! Colours of the status codes a client sees, for the failures drawn per backend.

use super::{FAULT, TIMED_OUT};
use std::collections::BTreeMap;

/// The colour of failed calls with the client's code `code`: a timeout orange, as in the
/// failures panel; `UNAVAILABLE` red; the other codes their own colours, and the rarest ones
/// one shared purple.
pub(super) fn colour(code: &str) -> &'static str {
    match code {
        "DeadlineExceeded" => TIMED_OUT,
        "Unavailable" => FAULT,
        "Cancelled" => "#8c564b",
        "Unknown" => "#7f7f7f",
        "Internal" => "#17becf",
        "ResourceExhausted" => "#bcbd22",
        _ => "#9467bd",
    }
}

/// `code` in the words a person reads: `DeadlineExceeded` as `DEADLINE_EXCEEDED`.
pub(super) fn shout(code: &str) -> String {
    let mut out = String::new();
    for (i, c) in code.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// Every code in `tallies`, summed, in code order.
pub(super) fn totals<'a>(
    tallies: impl Iterator<Item = &'a BTreeMap<String, u64>>,
) -> BTreeMap<&'a str, u64> {
    let mut totals = BTreeMap::new();
    for tally in tallies {
        for (code, n) in tally {
            *totals.entry(code.as_str()).or_default() += n;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_grpc_names_them() {
        assert_eq!(shout("DeadlineExceeded"), "DEADLINE_EXCEEDED");
        assert_eq!(shout("Unavailable"), "UNAVAILABLE");
    }
}
