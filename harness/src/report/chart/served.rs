//! The top panel: a lane per backend, a bar per bucket of the calls it served, its fault
//! windows shaded.

use super::text::{escape, seconds_precise};
use super::{COLOURS, FAULT, Frame, LANE, LANE_GAP, LEFT, MAX_LANES, RIGHT, WIDTH};
use crate::report::{Bucket, FaultWindowReport, RunReport};
use std::collections::HashMap;
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
    let tallest = sums.iter().flatten().copied().max().unwrap_or(0);
    let peak = tallest.max(1) as f64;
    let _ = write!(
        out,
        r##"<g id="served"><text x="8" y="{:.1}" font-weight="600" fill="#111">Calls served per backend, per {} ms bucket (tallest bar: {tallest} calls); shaded: fault windows</text>"##,
        top - 14.0,
        timeline.bucket_ms
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
    for (index, ((lane, sums), windows)) in lanes.iter().zip(&sums).zip(&windows).enumerate() {
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
        for window in windows {
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
