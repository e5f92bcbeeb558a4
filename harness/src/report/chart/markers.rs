//! Discovery changes and DNS answers on the time axis: a row of markers over the lanes, each
//! with the announced set (or the answer) in its tooltip; a change also draws a line down
//! through the lanes, so that what a backend served reads against what the client was told.

use super::text::{escape, seconds_precise};
use super::{Frame, LEFT, RIGHT, WIDTH};
use crate::report::RunReport;
use std::fmt::Write;

/// Discovery changes' colour.
const CHANGE: &str = "#444444";
/// DNS answers' colour.
const DNS: &str = "#009E73";

/// Whether the chart has a marker row: only when there is a change or a DNS query.
pub(super) fn any(report: &RunReport) -> bool {
    !report.discovery.is_empty() || report.dns_queries.as_ref().is_some_and(|q| !q.is_empty())
}

/// The marker row at `row` (its vertical middle), change lines down to `bottom`.
pub(super) fn markers(out: &mut String, report: &RunReport, frame: &Frame, row: f64, bottom: f64) {
    if !any(report) {
        return;
    }
    let changes = report.discovery.len();
    let queries = report.dns_queries.as_ref().map_or(0, Vec::len);
    let _ = write!(
        out,
        r##"<g id="discovery"><text x="8" y="{:.1}" fill="#111" font-size="11"><tspan fill="{CHANGE}">▼ discovery ({changes})</tspan> <tspan fill="{DNS}">● dns ({queries})</tspan></text><line x1="{LEFT}" y1="{row:.1}" x2="{:.1}" y2="{row:.1}" stroke="#e4e4e4"/>"##,
        row + 4.0,
        WIDTH - RIGHT
    );
    for change in &report.discovery {
        let x = frame.x(change.at_ms);
        let title = escape(&format!(
            "discovery at {}: {} announced",
            seconds_precise(change.at_ms),
            if change.announced.is_empty() {
                "nothing".into()
            } else {
                change.announced.join(", ")
            }
        ));
        let _ = write!(
            out,
            r#"<g class="discovery-change" data-at-ms="{at}"><line x1="{x:.1}" y1="{row:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{CHANGE}" stroke-dasharray="2 3" stroke-opacity="0.7"/><path d="M{:.1},{:.1} l10,0 l-5,9 z" fill="{CHANGE}"><title>{title}</title></path></g>"#,
            x - 5.0,
            row - 5.0,
            at = change.at_ms,
        );
    }
    for query in report.dns_queries.iter().flatten() {
        let x = frame.x(query.at_ms);
        let title = escape(&format!("DNS {query}"));
        let _ = write!(
            out,
            r#"<circle class="dns-query" data-at-ms="{}" cx="{x:.1}" cy="{row:.1}" r="3.5" fill="{DNS}" fill-opacity="0.8"><title>{title}</title></circle>"#,
            query.at_ms
        );
    }
    out.push_str("</g>");
}
