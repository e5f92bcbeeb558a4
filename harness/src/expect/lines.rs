//! [`ExpectLines`]: the `[expect]` lines rules write back, with the keys two rules share
//! written once.

/// `[expect]` lines as the rules write them back ([`Rule::write`](super::Rule::write)), and the
/// keys two rules share that are written already: the failure rates' window
/// (`failure_rate_from`, `failure_rate_until`) belongs to `max_failure_rate` and
/// `min_failure_rate` both, and is written once, by the first rule that has it.
///
/// ```
/// use jostle_harness::expect::ExpectLines;
///
/// const WINDOW: &[&str] = &["failure_rate_from"];
/// let mut lines = ExpectLines::new("[expect]\n");
/// for rate in ["max_failure_rate = 0.5\n", "min_failure_rate = 0.1\n"] {
///     lines.push_str(rate);
///     lines.once(WINDOW, |text| text.push_str("failure_rate_from = \"1000ms\"\n"));
/// }
/// let written = "[expect]\nmax_failure_rate = 0.5\nfailure_rate_from = \"1000ms\"\nmin_failure_rate = 0.1\n";
/// assert_eq!(lines.into_string(), written);
/// ```
#[derive(Debug, Default)]
pub struct ExpectLines {
    text: String,
    shared: Vec<&'static [&'static str]>,
}

impl ExpectLines {
    /// Lines that start with `text`.
    pub fn new(text: &str) -> Self {
        Self { text: text.to_owned(), shared: Vec::new() }
    }

    /// Appends `lines`.
    pub fn push_str(&mut self, lines: &str) {
        self.text.push_str(lines);
    }

    /// Appends what `write` writes of the shared `keys`, unless a rule wrote them already.
    pub fn once(&mut self, keys: &'static [&'static str], write: impl FnOnce(&mut String)) {
        if !self.shared.contains(&keys) {
            self.shared.push(keys);
            write(&mut self.text);
        }
    }

    /// The lines written.
    pub fn into_string(self) -> String {
        self.text
    }
}
