//! The bottom panel: latency over time on a log scale, with the deadline; the calls that timed
//! out drawn at the deadline as crosses (sized by how many), the calls that failed before it as
//! ticks on the panel's floor, each counted in the legend.

use super::text::seconds_precise;
use super::{FAULT, Frame, LATENCY, LEFT, RIGHT, TIMED_OUT, WIDTH};
use crate::report::{Bucket, RunReport};
use std::fmt::Write;

pub(super) fn latency(out: &mut String, report: &RunReport, frame: &Frame, top: f64) {
    let timeline = &report.timeline;
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
    let timed_out: u64 = timeline.buckets.iter().map(|b| b.timed_out).sum();
    let failed: u64 = timeline.buckets.iter().map(|b| b.failed).sum();
    let _ = write!(
        out,
        r##"<g id="latency"><text x="8" y="{:.1}" font-weight="600" fill="#111">Latency, ms (log scale): <tspan fill="#0072B2">— p50</tspan> <tspan fill="#111">— p99</tspan> of OK calls <tspan fill="#999">● slowest call</tspan> <tspan class="legend-timed-out" fill="{TIMED_OUT}">✕ timed out ({timed_out})</tspan> <tspan class="legend-failed" fill="{FAULT}">▮ failed before it ({failed})</tspan> <tspan fill="{FAULT}">- - deadline</tspan></text><rect x="{LEFT}" y="{top:.1}" width="{:.1}" height="{LATENCY}" fill="#fbfbfb" stroke="#e4e4e4"/>"##,
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
    let most_timed_out = timeline.buckets.iter().map(|b| b.timed_out).max().unwrap_or(0).max(1);
    let most_failed = timeline.buckets.iter().map(|b| b.failed).max().unwrap_or(0).max(1);
    for b in &timeline.buckets {
        let x = frame.x(b.start_ms as f64 + bucket / 2.0);
        let span = format!(
            "started {} to {}",
            seconds_precise(b.start_ms as f64),
            seconds_precise(b.start_ms as f64 + bucket)
        );
        // The slowest call is a timeout's deadline when one timed out: the cross shows it.
        if let (Some(ms), 0) = (b.max_ms, b.timed_out) {
            let _ = write!(
                out,
                r##"<circle class="max" cx="{x:.1}" cy="{:.1}" r="2" fill="#999"><title>slowest call {span}: {ms} ms</title></circle>"##,
                y(ms),
            );
        }
        if b.timed_out > 0 {
            // From 3 px for one call to 7 px for the bucket with the most.
            let r = 3.0 + 4.0 * b.timed_out as f64 / most_timed_out as f64;
            let yy = y(timeline.deadline_ms.max(0.001));
            let _ = write!(
                out,
                r#"<path class="timed-out-calls" data-count="{}" d="M{:.1},{:.1} l{d:.1},{d:.1} m0,-{d:.1} l-{d:.1},{d:.1}" stroke="{TIMED_OUT}" stroke-width="2"><title>{} calls {span} timed out at the {} ms deadline</title></path>"#,
                b.timed_out,
                x - r,
                yy - r,
                b.timed_out,
                timeline.deadline_ms,
                d = 2.0 * r,
            );
        }
        if b.failed > 0 {
            let h = 3.0 + 9.0 * b.failed as f64 / most_failed as f64;
            let _ = write!(
                out,
                r#"<rect class="failed-calls" data-count="{}" x="{:.1}" y="{:.1}" width="3" height="{h:.1}" fill="{FAULT}"><title>{} calls {span} failed before the deadline</title></rect>"#,
                b.failed,
                x - 1.5,
                top + LATENCY - h,
                b.failed
            );
        }
    }
    for (class, colour, pick) in [
        ("p50", "#0072B2", (|b: &Bucket| b.p50_ms) as fn(&Bucket) -> Option<f64>),
        ("p99", "#111111", |b: &Bucket| b.p99_ms),
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
