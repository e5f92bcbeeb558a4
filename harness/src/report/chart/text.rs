//! Text in the chart: times and escaped names.

pub(super) fn seconds(ms: f64) -> String {
    if ms >= 1000.0 || ms == 0.0 { format!("{}s", ms / 1000.0) } else { format!("{ms}ms") }
}

pub(super) fn seconds_precise(ms: f64) -> String {
    format!("{:.3} s", ms / 1000.0)
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
