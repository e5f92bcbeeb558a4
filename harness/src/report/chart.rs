//! The timeline chart as one standalone SVG: calls served per backend per bucket (a lane each,
//! its fault windows shaded), failures and timeouts, and latency over time. No script, no
//! external resource: it opens in any browser, inside the HTML report or on its own.

use super::{RunReport, Timeline};
use std::fmt::Write;

/// The chart's width, in pixels.
const WIDTH: f64 = 960.0;
/// Room for the lane labels.
const LEFT: f64 = 150.0;
const RIGHT: f64 = 24.0;
const LANE: f64 = 40.0;
const LANE_GAP: f64 = 6.0;
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

/// One lane: its label and which backends it sums.
struct Lane {
    label: String,
    backends: Vec<usize>,
}

fn lanes(report: &RunReport) -> Vec<Lane> {
    let n = report.backends.len();
    let own = if n > MAX_LANES { MAX_LANES - 1 } else { n };
    let mut lanes: Vec<Lane> = report.backends[..own]
        .iter()
        .enumerate()
        .map(|(i, backend)| Lane { label: backend.name.clone(), backends: vec![i] })
        .collect();
    if own < n {
        lanes.push(Lane { label: format!("{} others", n - own), backends: (own..n).collect() });
    }
    lanes
}

/// The chart of `report` as an SVG document.
pub fn svg(report: &RunReport) -> String {
    let timeline = &report.timeline;
    let bucket = timeline.bucket_ms.max(1) as f64;
    let frame = Frame { span_ms: (timeline.buckets.len() as f64 * bucket).max(1.0) };
    let lanes = lanes(report);
    let served_top = 34.0;
    let failures_top = served_top + lanes.len() as f64 * (LANE + LANE_GAP) + PANEL_GAP;
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
    grid(&mut out, &frame, served_top - 8.0, axis);
    served(&mut out, report, &lanes, &frame, served_top);
    failures(&mut out, report, &frame, failures_top);
    latency(&mut out, timeline, &frame, latency_top);
    x_axis(&mut out, &frame, axis);
    out.push_str("</svg>");
    out
}

/// Vertical lines at round seconds, through every panel, and their labels.
fn grid(out: &mut String, frame: &Frame, top: f64, bottom: f64) {
    let step = tick_step(frame.span_ms);
    let mut ms = 0.0;
    while ms <= frame.span_ms + 0.5 {
        let x = frame.x(ms);
        let _ = write!(
            out,
            r##"<line class="grid" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#e4e4e4"/>"##
        );
        ms += step;
    }
}

fn x_axis(out: &mut String, frame: &Frame, y: f64) {
    let _ = write!(
        out,
        r##"<g id="x-axis"><line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#555"/>"##,
        WIDTH - RIGHT
    );
    let step = tick_step(frame.span_ms);
    let mut ms = 0.0;
    while ms <= frame.span_ms + 0.5 {
        let x = frame.x(ms);
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            y + 16.0,
            seconds(ms)
        );
        ms += step;
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">time since the cluster started (calls by when they started)</text></g>"##,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        y + 36.0
    );
}

fn served(out: &mut String, report: &RunReport, lanes: &[Lane], frame: &Frame, top: f64) {
    let timeline = &report.timeline;
    let bucket = timeline.bucket_ms as f64;
    let sums: Vec<Vec<u64>> = lanes
        .iter()
        .map(|lane| {
            let sum = |b: &super::Bucket| lane.backends.iter().map(|&i| b.served[i]).sum();
            timeline.buckets.iter().map(sum).collect()
        })
        .collect();
    let tallest = sums.iter().flatten().copied().max().unwrap_or(0);
    let peak = tallest.max(1) as f64;
    let _ = write!(
        out,
        r##"<g id="served"><text x="8" y="{:.1}" font-weight="600" fill="#111">Calls served per backend, per {} ms bucket (tallest bar: {tallest} calls); shaded: fault windows</text>"##,
        top - 14.0,
        timeline.bucket_ms
    );
    for (index, (lane, sums)) in lanes.iter().zip(&sums).enumerate() {
        let y = top + index as f64 * (LANE + LANE_GAP);
        let colour = COLOURS[index % COLOURS.len()];
        let total: u64 = lane.backends.iter().map(|&i| report.backends[i].served).sum();
        let _ = write!(
            out,
            r##"<g class="lane" data-backend="{0}"><rect class="lane-background" x="{LEFT}" y="{y:.1}" width="{1:.1}" height="{LANE}" fill="#f7f7f7"/><text x="8" y="{2:.1}" fill="#111">{0}</text><text x="8" y="{3:.1}" fill="#666" font-size="11">{total} served</text>"##,
            escape(&lane.label),
            WIDTH - LEFT - RIGHT,
            y + 16.0,
            y + 31.0
        );
        for window in &report.faults {
            let Some(backend) = report.backends.iter().position(|b| b.name == window.backend)
            else {
                continue;
            };
            if !lane.backends.contains(&backend) {
                continue;
            }
            let x1 = frame.x(window.start_ms);
            let x2 = frame.x(window.end_ms.unwrap_or(frame.span_ms)).max(x1 + 2.0);
            let until = window.end_ms.map_or("the end".into(), seconds_precise);
            let _ = write!(
                out,
                r#"<rect class="fault" data-kind="{kind}" x="{x1:.1}" y="{y:.1}" width="{:.1}" height="{LANE}" fill="{FAULT}" fill-opacity="0.16" stroke="{FAULT}" stroke-opacity="0.5"><title>{kind} on {backend} from {} to {until}</title></rect>"#,
                x2 - x1,
                seconds_precise(window.start_ms),
                kind = escape(&window.kind),
                backend = escape(&window.backend),
            );
            if x2 - x1 > 44.0 {
                let _ = write!(
                    out,
                    r#"<text class="fault-label" x="{:.1}" y="{:.1}" fill="{FAULT}" font-size="10">{}</text>"#,
                    x1 + 3.0,
                    y + 11.0,
                    escape(&window.kind)
                );
            }
        }
        let width = (frame.x(bucket) - frame.x(0.0) - 0.6).max(0.6);
        for (bucket_index, &count) in sums.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let start = bucket_index as f64 * bucket;
            let h = (count as f64 / peak * (LANE - 4.0)).max(1.0);
            let _ = write!(
                out,
                r#"<rect class="served" x="{:.1}" y="{:.1}" width="{width:.1}" height="{h:.1}" fill="{colour}"><title>{}: {count} served, calls started {} to {}</title></rect>"#,
                frame.x(start),
                y + LANE - h,
                escape(&lane.label),
                seconds_precise(start),
                seconds_precise(start + bucket)
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

/// Every fault window as a faint band over a whole panel.
fn bands(out: &mut String, report: &RunReport, frame: &Frame, top: f64, height: f64) {
    for window in &report.faults {
        let x1 = frame.x(window.start_ms);
        let x2 = frame.x(window.end_ms.unwrap_or(frame.span_ms)).max(x1 + 2.0);
        let _ = write!(
            out,
            r#"<rect class="fault-band" x="{x1:.1}" y="{top:.1}" width="{:.1}" height="{height}" fill="{FAULT}" fill-opacity="0.07"/>"#,
            x2 - x1
        );
    }
}

fn failures(out: &mut String, report: &RunReport, frame: &Frame, top: f64) {
    let timeline = &report.timeline;
    let bucket = timeline.bucket_ms as f64;
    let tallest = timeline.buckets.iter().map(|b| b.failed + b.timed_out).max().unwrap_or(0);
    let peak = tallest.max(1) as f64;
    let failed: u64 = timeline.buckets.iter().map(|b| b.failed).sum();
    let timed_out: u64 = timeline.buckets.iter().map(|b| b.timed_out).sum();
    let _ = write!(
        out,
        r##"<g id="failures"><text x="8" y="{:.1}" font-weight="600" fill="#111">Failures: <tspan fill="{FAULT}">■ failed ({failed})</tspan> <tspan fill="{TIMED_OUT}">■ timed out ({timed_out})</tspan> per bucket (tallest: {tallest})</text><rect x="{LEFT}" y="{top:.1}" width="{:.1}" height="{FAILURES}" fill="#fbfbfb" stroke="#e4e4e4"/>"##,
        top - 14.0,
        WIDTH - LEFT - RIGHT
    );
    bands(out, report, frame, top, FAILURES);
    let width = (frame.x(bucket) - frame.x(0.0) - 0.6).max(0.6);
    let bottom = top + FAILURES;
    for b in &timeline.buckets {
        let x = frame.x(b.start_ms as f64);
        let failed_h = b.failed as f64 / peak * (FAILURES - 4.0);
        let timed_h = b.timed_out as f64 / peak * (FAILURES - 4.0);
        let span = format!(
            "calls started {} to {}",
            seconds_precise(b.start_ms as f64),
            seconds_precise(b.start_ms as f64 + bucket)
        );
        if b.failed > 0 {
            let _ = write!(
                out,
                r#"<rect class="failed" x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{FAULT}"><title>{} failed, {span}</title></rect>"#,
                bottom - failed_h.max(1.0),
                failed_h.max(1.0),
                b.failed
            );
        }
        if b.timed_out > 0 {
            let _ = write!(
                out,
                r#"<rect class="timed-out" x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{TIMED_OUT}"><title>{} timed out, {span}</title></rect>"#,
                bottom - failed_h - timed_h.max(1.0),
                timed_h.max(1.0),
                b.timed_out
            );
        }
    }
    out.push_str("</g>");
}

fn latency(out: &mut String, timeline: &Timeline, frame: &Frame, top: f64) {
    // Log scale: a paused in-memory call takes a microsecond, a delayed one hundreds of ms.
    let highest = timeline
        .buckets
        .iter()
        .filter_map(|b| b.max_ms)
        .fold(timeline.deadline_ms, f64::max)
        .max(0.01);
    let lowest = timeline.buckets.iter().filter_map(|b| b.p50_ms).fold(highest, f64::min);
    // A decade of room under the lowest line, so that it does not sit on the frame.
    let low = (lowest.max(0.001).log10() - 0.3).floor();
    let high = highest.log10().ceil().max(-2.0);
    let high = if high <= low { low + 1.0 } else { high };
    // Zero (a call that took no virtual time) sits on the lowest line.
    let y = |ms: f64| top + LATENCY - (ms.log10().max(low) - low) / (high - low) * LATENCY;
    let _ = write!(
        out,
        r##"<g id="latency"><text x="8" y="{:.1}" font-weight="600" fill="#111">Latency of OK calls, ms (log scale): <tspan fill="#0072B2">— p50</tspan> <tspan fill="#111">— p99</tspan> <tspan fill="#999">● slowest call, any outcome</tspan> <tspan fill="{FAULT}">- - deadline</tspan></text><rect x="{LEFT}" y="{top:.1}" width="{:.1}" height="{LATENCY}" fill="#fbfbfb" stroke="#e4e4e4"/>"##,
        top - 14.0,
        WIDTH - LEFT - RIGHT
    );
    let mut decade = low;
    while decade <= high + 0.01 {
        let ms = 10_f64.powf(decade);
        let yy = y(ms);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e4e4e4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#666" font-size="11">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            decade_label(decade)
        );
        decade += 1.0;
    }
    if timeline.deadline_ms > 0.0 {
        let yy = y(timeline.deadline_ms);
        let _ = write!(
            out,
            r#"<line class="deadline" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="{FAULT}" stroke-dasharray="6 4"><title>deadline {} ms</title></line>"#,
            WIDTH - RIGHT,
            timeline.deadline_ms
        );
    }
    let bucket = timeline.bucket_ms as f64;
    for b in &timeline.buckets {
        if let Some(ms) = b.max_ms {
            let _ = write!(
                out,
                r##"<circle class="max" cx="{:.1}" cy="{:.1}" r="2" fill="#999"><title>slowest call started {} to {}: {ms} ms</title></circle>"##,
                frame.x(b.start_ms as f64 + bucket / 2.0),
                y(ms),
                seconds_precise(b.start_ms as f64),
                seconds_precise(b.start_ms as f64 + bucket)
            );
        }
    }
    for (class, colour, pick) in [
        ("p50", "#0072B2", (|b: &super::Bucket| b.p50_ms) as fn(&super::Bucket) -> Option<f64>),
        ("p99", "#111111", |b: &super::Bucket| b.p99_ms),
    ] {
        // A line per run of buckets with OK calls: a gap where none succeeded.
        let mut points: Vec<String> = Vec::new();
        let flush = |points: &mut Vec<String>, out: &mut String| {
            if !points.is_empty() {
                let _ = write!(
                    out,
                    r#"<polyline class="{class}" points="{}" fill="none" stroke="{colour}" stroke-width="1.6" stroke-linejoin="round"/>"#,
                    points.join(" ")
                );
                points.clear();
            }
        };
        for b in &timeline.buckets {
            match pick(b) {
                Some(ms) => {
                    let x = frame.x(b.start_ms as f64 + bucket / 2.0);
                    points.push(format!("{x:.1},{:.1}", y(ms)));
                }
                None => flush(&mut points, out),
            }
        }
        flush(&mut points, out);
    }
    out.push_str("</g>");
}

/// A round step between time ticks: at most 12 ticks.
fn tick_step(span_ms: f64) -> f64 {
    let mut scale = 1.0;
    loop {
        for step in [1.0, 2.0, 5.0] {
            if span_ms / (step * scale) <= 12.0 {
                return step * scale;
            }
        }
        scale *= 10.0;
    }
}

fn seconds(ms: f64) -> String {
    if ms >= 1000.0 || ms == 0.0 { format!("{}s", ms / 1000.0) } else { format!("{ms}ms") }
}

fn seconds_precise(ms: f64) -> String {
    format!("{:.3} s", ms / 1000.0)
}

/// 10 to the power `decade`, written plainly: `1000`, `1`, `0.001`.
fn decade_label(decade: f64) -> String {
    let mut places = 0;
    let mut power = decade;
    while power < -0.5 {
        places += 1;
        power += 1.0;
    }
    format!("{:.places$}", 10_f64.powf(decade))
}

/// Text and attribute values, escaped for XML and HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
