//! [`Back`]: when a backend became one the balancer should serve again, and how: back from a
//! fault, or added by discovery. Recovery's messages say which.
//!
//! ```
//! use jostle_harness::check::Back;
//! use std::time::Duration;
//!
//! let added = Back::Added(Duration::from_secs(1));
//! assert_eq!(added.at(), Duration::from_secs(1));
//! assert_eq!(format!("backend-2 was {added}"), "backend-2 was added");
//! ```

use std::fmt;
use std::time::Duration;

/// When a backend is to serve again, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    /// Its fault ended, or discovery announced it again, at this time.
    Returned(Duration),
    /// Discovery announced it at this time, not at the start, after any fault of its ended.
    Added(Duration),
}

impl Back {
    /// Since when, from the cluster's start.
    pub fn at(self) -> Duration {
        match self {
            Back::Returned(at) | Back::Added(at) => at,
        }
    }
}

impl fmt::Display for Back {
    /// `back` or `added`, as a message says it: "backend-2 was added".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Back::Returned(_) => "back",
            Back::Added(_) => "added",
        })
    }
}
