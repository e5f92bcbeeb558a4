//! The exact check of a round-robin sequence.

use std::fmt;

/// Where a round-robin sequence stopped rotating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleBreak {
    /// The position in the sequence (0-based) of the first call that broke the rotation.
    pub at: usize,
    /// The backend the rotation required there: `(previous + 1) % k`. At position 0, where any
    /// backend in `0..k` may start the rotation, the only break is a backend outside `0..k`, and
    /// `expected` is then `0`.
    pub expected: usize,
    /// The backend the call went to.
    pub got: usize,
}

impl fmt::Display for CycleBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at == 0 {
            write!(
                f,
                "round robin broken at call 0: backend {} is not one of the k backends",
                self.got
            )
        } else {
            write!(
                f,
                "round robin broken at call {}: expected backend {}, got backend {}",
                self.at, self.expected, self.got
            )
        }
    }
}

impl std::error::Error for CycleBreak {}

/// Checks that `sequence`, the backend each call went to in order, is an exact rotation over
/// `0..k`: it may start at any backend, and every next call goes to `(previous + 1) % k`.
///
/// An empty sequence is a rotation. With `k = 0` no backend exists, so any call breaks it.
///
/// # Errors
///
/// [`CycleBreak`] at the first call that breaks the rotation.
pub fn exact_cycle(sequence: &[usize], k: usize) -> Result<(), CycleBreak> {
    let Some((&first, rest)) = sequence.split_first() else {
        return Ok(());
    };
    if first >= k {
        return Err(CycleBreak { at: 0, expected: 0, got: first });
    }
    let mut previous = first;
    for (offset, &got) in rest.iter().enumerate() {
        let expected = (previous + 1) % k;
        if got != expected {
            return Err(CycleBreak { at: offset + 1, expected, got });
        }
        previous = got;
    }
    Ok(())
}
