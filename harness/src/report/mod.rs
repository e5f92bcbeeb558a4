//! [`RunReport`]: what a scenario run did, per backend, with the fault windows and every
//! expectation; printed as text ([`std::fmt::Display`]) or serialised as JSON (`--json`). The
//! same file and seed under the paused clock give a byte-identical JSON report.
//!
//! ```
//! use jostle_harness::report::RunReport;
//!
//! let report = RunReport::default();
//! assert!(report.passed);
//! assert!(report.as_expected, "a story expects to pass unless it says `outcome = \"fail\"`");
//! assert!(report.to_json().starts_with("{"));
//! ```

mod chart;
mod html;
mod model;
mod text;
mod timeline;

pub use chart::{MAX_LANES, svg};
pub use model::{
    BackendReport, CallTotals, ExpectationReport, FaultWindowReport, Latency, RunReport,
};
pub use timeline::{Bucket, MAX_BUCKETS, Timeline};
pub(crate) use timeline::{histogram, millis};
