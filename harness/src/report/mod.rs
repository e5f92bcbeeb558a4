//! [`RunReport`]: what a scenario run did, per backend, with the fault windows, every
//! expectation and a [`Timeline`] in time buckets; printed as text ([`std::fmt::Display`]),
//! serialised as JSON ([`RunReport::to_json`], schema in docs/report.schema.json) or drawn as a
//! self-contained HTML page with a timeline chart ([`RunReport::to_html`], [`svg`]). The same
//! file and seed under the paused clock give a byte-identical JSON report.
//!
//! ```
//! use jostle_harness::report::RunReport;
//!
//! let report = RunReport::default();
//! assert!(report.passed);
//! assert!(report.to_json().starts_with("{"));
//! assert!(report.to_html().contains("<svg"));
//! assert!(jostle_harness::report::svg(&report).ends_with("</svg>"));
//! ```

mod attribution;
mod chart;
mod clients;
mod dns;
mod html;
mod model;
mod text;
mod timeline;

pub use attribution::{client_code, sent_by_header};
pub use chart::{MAX_LANES, svg};
pub use clients::ClientReport;
pub use dns::{DiscoveryChangeReport, DnsQueryReport};
pub use model::{
    BACKEND_COLUMNS, BackendReport, CallTotals, ExpectationReport, FaultWindowReport, Latency,
    NotJudgedReport, RunReport,
};
pub(crate) use timeline::millis;
pub(crate) use timeline::quantile_ms;
pub use timeline::{Bucket, MAX_BUCKETS, Timeline};
