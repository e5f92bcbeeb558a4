//! A strip under a lane: the calls sent to that lane's backends that failed, per bucket,
//! stacked by the code the client saw, hanging from the lane so that they read as its own.

use super::text::{escape, seconds_precise};
use super::{Frame, LEFT, RIGHT, STRIP, WIDTH, codes};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Where a strip goes and what it is scaled to.
pub(super) struct Strip<'a> {
    /// The lane's name, for the tooltips.
    pub label: &'a str,
    /// Its top edge.
    pub top: f64,
    /// The most failures of any bucket of any strip: a full-height bar.
    pub tallest: u64,
}

impl Strip<'_> {
    /// Draws `buckets` (each bucket's failures by code) on `frame`, buckets `bucket_ms` wide.
    pub(super) fn draw(
        &self,
        out: &mut String,
        buckets: &[BTreeMap<String, u64>],
        frame: &Frame,
        bucket_ms: f64,
    ) {
        let _ = write!(
            out,
            r##"<rect class="lane-failures" x="{LEFT}" y="{:.1}" width="{:.1}" height="{STRIP}" fill="#fdf6f2"/>"##,
            self.top,
            WIDTH - LEFT - RIGHT
        );
        let peak = self.tallest.max(1) as f64;
        let width = (frame.x(bucket_ms) - frame.x(0.0) - 0.6).max(0.6);
        for (index, tally) in buckets.iter().enumerate() {
            let start = index as f64 * bucket_ms;
            let span = format!(
                "calls started {} to {}",
                seconds_precise(start),
                seconds_precise(start + bucket_ms)
            );
            let mut y = self.top;
            for (code, &count) in tally {
                let h = (count as f64 / peak * (STRIP - 2.0)).max(1.0);
                let _ = write!(
                    out,
                    r#"<rect class="failed-here" data-code="{code}" data-count="{count}" x="{:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}" fill="{}"><title>{}: {count} failed {}, {span}</title></rect>"#,
                    frame.x(start),
                    codes::colour(code),
                    escape(self.label),
                    codes::shout(code),
                    code = escape(code),
                );
                y += h;
            }
        }
    }
}
