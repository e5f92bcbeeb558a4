//! The middle panel: failed and timed-out calls per bucket, over faint fault windows.

use super::text::seconds_precise;
use super::{FAILURES, FAULT, Frame, LEFT, RIGHT, TIMED_OUT, WIDTH};
use crate::report::RunReport;
use std::fmt::Write;

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

pub(super) fn failures(out: &mut String, report: &RunReport, frame: &Frame, top: f64) {
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
