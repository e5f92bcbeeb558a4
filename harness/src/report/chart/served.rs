//! The top panel: a lane per backend, a bar per bucket of the calls it served, its fault
//! windows shaded and labelled, and under the bars a strip of the calls sent to it that failed,
//! by the client's code; a last row for the failed calls that reached no backend.

use super::labels::{self, FONT, ROW_HEIGHT};
use super::text::{escape, seconds_precise};
use super::{COLOURS, FAULT, Frame, LANE, LEFT, MAX_LANES, RIGHT, STRIP, WIDTH, codes, strip};
use crate::report::{Bucket, FaultWindowReport, RunReport};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// One lane: its label and which backends it sums.
pub(super) struct Lane {
    label: String,
    backends: Vec<usize>,
}

pub(super) fn lanes(report: &RunReport) -> Vec<Lane> {
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

/// Whether the chart has a row for failed calls that reached no backend: only when there are.
pub(super) fn has_unattributed(report: &RunReport) -> bool {
    report.timeline.buckets.iter().any(|b| !b.unattributed.is_empty())
}

pub(super) fn served(
    out: &mut String,
    report: &RunReport,
    lanes: &[Lane],
    frame: &Frame,
    top: f64,
) {
    let timeline = &report.timeline;
    let bucket = timeline.bucket_ms as f64;
    let sums: Vec<Vec<u64>> = lanes
        .iter()
        .map(|lane| {
            let sum = |b: &Bucket| lane.backends.iter().map(|&i| b.served[i]).sum();
            timeline.buckets.iter().map(sum).collect()
        })
        .collect();
    // Each lane's failures per bucket, by the client's code.
    let failures: Vec<Vec<BTreeMap<String, u64>>> = lanes
        .iter()
        .map(|lane| {
            let sum = |b: &Bucket| {
                let mut codes = BTreeMap::new();
                for tally in lane.backends.iter().filter_map(|&i| b.failures.get(i)) {
                    for (code, n) in tally {
                        *codes.entry(code.clone()).or_default() += n;
                    }
                }
                codes
            };
            timeline.buckets.iter().map(sum).collect()
        })
        .collect();
    let unattributed: Vec<BTreeMap<String, u64>> =
        timeline.buckets.iter().map(|b| b.unattributed.clone()).collect();
    let tallest = sums.iter().flatten().copied().max().unwrap_or(0);
    let peak = tallest.max(1) as f64;
    let failing = failures.iter().chain([&unattributed]).flatten();
    let tallest_failing = failing.map(|codes| codes.values().sum::<u64>()).max().unwrap_or(0);
    let totals = codes::totals(failures.iter().flatten().chain(&unattributed));
    let legend: String = totals
        .iter()
        .map(|(code, n)| {
            format!(
                r#" <tspan fill="{}">■ {} ({n})</tspan>"#,
                codes::colour(code),
                codes::shout(code)
            )
        })
        .collect();
    let _ = write!(
        out,
        r##"<g id="served"><text x="8" y="{:.1}" font-weight="600" fill="#111">Calls served per backend, per {} ms bucket (tallest bar: {tallest} calls); shaded: fault windows</text><text id="failed-here-legend" x="{LEFT}" y="{:.1}" fill="#111" font-size="11">Under each lane, calls sent there that failed, by the client's code (tallest: {tallest_failing}):{legend}</text>"##,
        20.0, timeline.bucket_ms, 36.0
    );
    // Each window to its lane, in one pass: the lanes are the first backends, then the rest.
    let index: HashMap<&str, usize> =
        report.backends.iter().enumerate().map(|(i, b)| (b.name.as_str(), i)).collect();
    let mut windows: Vec<Vec<&FaultWindowReport>> = vec![Vec::new(); lanes.len()];
    for window in &report.faults {
        if let Some(&backend) = index.get(window.backend.as_str()) {
            windows[backend.min(lanes.len() - 1)].push(window);
        }
    }
    let width = (frame.x(bucket) - frame.x(0.0) - 0.6).max(0.6);
    for (index, ((lane, sums), windows)) in lanes.iter().zip(&sums).zip(&windows).enumerate() {
        let y = top + index as f64 * super::LANE_PITCH;
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
        fault_windows(out, windows, frame, y);
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
        let strip = strip::Strip { label: &lane.label, top: y + LANE, tallest: tallest_failing };
        strip.draw(out, &failures[index], frame, bucket);
        out.push_str("</g>");
    }
    if has_unattributed(report) {
        let y = top + lanes.len() as f64 * super::LANE_PITCH;
        let total: u64 = unattributed.iter().flat_map(BTreeMap::values).sum();
        let _ = write!(
            out,
            r##"<g class="no-backend" data-backend="none"><text x="8" y="{:.1}" fill="#111" font-size="11">no backend ({total})<title>{total} failed calls reached no backend</title></text>"##,
            y + STRIP - 4.0
        );
        let strip = strip::Strip { label: "no backend reached", top: y, tallest: tallest_failing };
        strip.draw(out, &unattributed, frame, bucket);
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

/// A lane's fault windows, shaded, each labelled where [`labels::place`] finds room.
fn fault_windows(out: &mut String, windows: &[&FaultWindowReport], frame: &Frame, y: f64) {
    let spans: Vec<(f64, f64)> = windows
        .iter()
        .map(|window| {
            let x1 = frame.x(window.start_ms);
            (x1, frame.x(window.end_ms.unwrap_or(frame.span_ms)).max(x1 + 2.0))
        })
        .collect();
    let boxes: Vec<(f64, f64, &str)> =
        spans.iter().zip(windows).map(|(&(x1, x2), w)| (x1, x2, w.kind.as_str())).collect();
    let placed = labels::place(&boxes);
    for ((window, &(x1, x2)), label) in windows.iter().zip(&spans).zip(placed) {
        let until = window.end_ms.map_or("the end".into(), seconds_precise);
        let tooltip = format!(
            "{} on {} from {} to {until}",
            window.kind,
            window.backend,
            seconds_precise(window.start_ms)
        );
        let _ = write!(
            out,
            r#"<rect class="fault" data-kind="{kind}" x="{x1:.1}" y="{y:.1}" width="{:.1}" height="{LANE}" fill="{FAULT}" fill-opacity="0.16" stroke="{FAULT}" stroke-opacity="0.5"><title>{tooltip}</title></rect>"#,
            x2 - x1,
            kind = escape(&window.kind),
            tooltip = escape(&tooltip),
        );
        if let Some(label) = label {
            let _ = write!(
                out,
                r#"<text class="fault-label" x="{:.1}" y="{:.1}" fill="{FAULT}" font-size="{FONT}">{}<title>{}</title></text>"#,
                label.x,
                y + (label.row + 1) as f64 * ROW_HEIGHT - 3.0,
                escape(&label.text),
                escape(&tooltip)
            );
        }
    }
}
