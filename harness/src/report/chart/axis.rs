//! The time axis: round ticks, grid lines through every panel.

use super::text::seconds;
use super::{Frame, LEFT, RIGHT, WIDTH};
use std::fmt::Write;

/// Vertical lines at round seconds, through every panel, and their labels.
pub(super) fn grid(out: &mut String, frame: &Frame, top: f64, bottom: f64) {
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

pub(super) fn x_axis(out: &mut String, frame: &Frame, y: f64) {
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
