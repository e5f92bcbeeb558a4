//! The bottom panel: latency over time on a log scale, with the deadline.

use super::text::seconds_precise;
use super::{FAULT, Frame, LATENCY, LEFT, RIGHT, WIDTH};
use crate::report::{Bucket, Timeline};
use std::fmt::Write;

pub(super) fn latency(out: &mut String, timeline: &Timeline, frame: &Frame, top: f64) {
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
