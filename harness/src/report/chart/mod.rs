//! The timeline chart as one standalone SVG: calls served per backend per bucket (a lane each,
//! its fault windows shaded and labelled, the failed calls sent to it in a strip under it),
//! discovery changes and DNS answers as markers on the time axis, failures and timeouts, and
//! latency over time with the timeouts at the deadline. No script, no
//! external resource: it opens in any browser, inside the HTML report or on its own.

mod axis;
mod codes;
mod failures;
mod labels;
mod latency;
mod markers;
mod served;
mod strip;
mod text;

use super::RunReport;
use std::fmt::Write;

pub(crate) use text::escape;

/// The chart's width, in pixels.
const WIDTH: f64 = 960.0;
/// Room for the lane labels.
const LEFT: f64 = 150.0;
const RIGHT: f64 = 24.0;
const LANE: f64 = 40.0;
/// The strip under a lane with the failed calls sent to its backends.
const STRIP: f64 = 16.0;
const LANE_GAP: f64 = 6.0;
/// From one lane's top to the next one's.
const LANE_PITCH: f64 = LANE + STRIP + LANE_GAP;
/// The marker row of discovery changes and DNS answers, over the lanes.
const MARKERS: f64 = 22.0;
const PANEL_GAP: f64 = 46.0;
const FAILURES: f64 = 80.0;
const LATENCY: f64 = 150.0;
/// Backends drawn in a lane of their own; the rest share an "others" lane.
pub const MAX_LANES: usize = 16;

/// Okabe–Ito: told apart by people with any kind of colour blindness.
const COLOURS: [&str; 7] =
    ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F"];
const FAULT: &str = "#d62728";
const TIMED_OUT: &str = "#ff7f0e";

/// Where things go: milliseconds to x, and the panels' tops.
struct Frame {
    span_ms: f64,
}

impl Frame {
    fn x(&self, ms: f64) -> f64 {
        LEFT + (ms / self.span_ms).clamp(0.0, 1.0) * (WIDTH - LEFT - RIGHT)
    }
}

/// The chart of `report` as an SVG document.
pub fn svg(report: &RunReport) -> String {
    let timeline = &report.timeline;
    let bucket = timeline.bucket_ms.max(1) as f64;
    let frame = Frame { span_ms: (timeline.buckets.len() as f64 * bucket).max(1.0) };
    let lanes = served::lanes(report);
    // The title at 20, the failures' legend at 36, then the marker row if any, then the lanes.
    let markers_row = 54.0;
    let served_top = if markers::any(report) { 44.0 + MARKERS } else { 46.0 };
    let rows = lanes.len() + usize::from(served::has_unattributed(report));
    let lanes_bottom = served_top + rows as f64 * LANE_PITCH - LANE_GAP;
    let failures_top = lanes_bottom + LANE_GAP + PANEL_GAP;
    let latency_top = failures_top + FAILURES + PANEL_GAP;
    let axis = latency_top + LATENCY;
    let height = axis + 56.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="jostle-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" role="img" aria-labelledby="chart-title">"#
    );
    let _ = write!(
        out,
        r#"<title id="chart-title">{}: calls per backend, failures and latency over time</title>"#,
        escape(&report.scenario)
    );
    out.push_str(r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    axis::grid(&mut out, &frame, served_top - 8.0, axis);
    served::served(&mut out, report, &lanes, &frame, served_top);
    markers::markers(&mut out, report, &frame, markers_row, lanes_bottom);
    failures::failures(&mut out, report, &frame, failures_top);
    latency::latency(&mut out, report, &frame, latency_top);
    axis::x_axis(&mut out, &frame, axis);
    out.push_str("</svg>");
    out
}
