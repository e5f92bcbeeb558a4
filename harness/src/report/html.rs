//! The report as one self-contained HTML page (`jostle run --html FILE`): the verdict, the
//! timeline chart (inline SVG), the per-backend table, the fault windows, the discovery changes
//! and DNS queries (when there are any) and every expectation. No script and no external resource; the page is also
//! well-formed XML.

use super::chart::{escape, svg};
use super::{BACKEND_COLUMNS, RunReport};
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#111;max-width:1000px}\
h1{font-size:20px;margin:0 0 4px}p.meta{color:#555;margin:0 0 12px}\
.verdict{display:inline-block;padding:2px 8px;border-radius:4px;font-weight:600}\
.pass{background:#e3f4e8;color:#1b6b35}.fail{background:#fde4e4;color:#9b1c1c}.flaw{background:#fff1cc;color:#7a4d00}\
table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #eee}\
th:first-child,td:first-child{text-align:left}h2{font-size:16px;margin:20px 0 6px}\
ul{padding-left:20px}li{margin:3px 0}code{background:#f4f4f4;padding:1px 4px}";

impl RunReport {
    /// The report as a self-contained HTML page with the timeline chart.
    ///
    /// ```
    /// use jostle_harness::report::RunReport;
    ///
    /// let page = RunReport::default().to_html();
    /// assert!(page.starts_with("<!DOCTYPE html>"));
    /// assert!(page.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" id="jostle-chart""#));
    /// ```
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let title = escape(&self.scenario);
        let _ = write!(
            out,
            r#"<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><title>jostle: {title}</title><style>{STYLE}</style></head><body>
<h1>{title}</h1>
<p class="meta">balancer <code>{}</code> · transport {} · seed {} · {} calls sent, {} OK, {} failed, {} timed out</p>
<p><span id="verdict" class="verdict {}">{}</span></p>
"#,
            escape(&self.balancer),
            escape(&self.transport),
            self.seed,
            self.calls.sent,
            self.calls.ok,
            self.calls.failed,
            self.calls.timed_out,
            match (self.as_expected, self.passed) {
                (false, _) => "fail",
                (true, true) => "pass",
                (true, false) => "flaw",
            },
            self.verdict(),
        );
        out.push_str(&svg(self));
        self.backends_table(&mut out);
        self.faults_list(&mut out);
        self.discovery_list(&mut out);
        self.dns_list(&mut out);
        self.expectations_list(&mut out);
        out.push_str("\n</body></html>\n");
        out
    }

    fn backends_table(&self, out: &mut String) {
        out.push_str("\n<h2>Per backend</h2><table id=\"backends\"><tr>");
        for column in BACKEND_COLUMNS {
            let _ = write!(out, "<th>{}</th>", escape(column));
        }
        out.push_str("</tr>");
        for backend in &self.backends {
            out.push_str("<tr>");
            for cell in backend.cells() {
                let _ = write!(out, "<td>{}</td>", escape(&cell));
            }
            out.push_str("</tr>");
        }
        if !self.unattributed_failures.is_empty() {
            let _ = write!(
                out,
                "<tr class=\"no-backend\"><td>no backend reached</td>{}<td>{}</td><td>-</td></tr>",
                "<td></td>".repeat(BACKEND_COLUMNS.len() - 3),
                escape(&super::model::codes_text(&self.unattributed_failures))
            );
        }
        if self.arrivals_not_kept > 0 {
            let _ = write!(
                out,
                "<tr class=\"not-kept\"><td colspan=\"{}\">{} calls reached a backend past the {} names each keeps: a failed one no backend answered counts as reaching none</td></tr>",
                BACKEND_COLUMNS.len(),
                self.arrivals_not_kept,
                crate::record::MAX_CALLS_SEEN
            );
        }
        out.push_str("</table>");
    }

    fn faults_list(&self, out: &mut String) {
        out.push_str("\n<h2>Fault windows</h2><ul id=\"faults\">");
        if self.faults.is_empty() {
            out.push_str("<li>none</li>");
        }
        for window in &self.faults {
            let _ = write!(out, "<li>{}</li>", escape(&window.to_string()));
        }
        out.push_str("</ul>");
    }

    /// With discovery changes only: when the announced set changed, and to what.
    fn discovery_list(&self, out: &mut String) {
        if self.discovery.is_empty() {
            return;
        }
        out.push_str("\n<h2>Discovery changes</h2><ul id=\"discovery-changes\">");
        for change in &self.discovery {
            let _ = write!(out, "<li>{}</li>", escape(&change.to_string()));
        }
        out.push_str("</ul>");
    }

    /// With DNS discovery only: the client's queries and the answers.
    fn dns_list(&self, out: &mut String) {
        let Some(queries) = &self.dns_queries else { return };
        out.push_str("\n<h2>DNS queries</h2><ul id=\"dns\">");
        if queries.is_empty() {
            out.push_str("<li>none</li>");
        }
        for query in queries {
            let _ = write!(out, "<li>{}</li>", escape(&query.to_string()));
        }
        out.push_str("</ul>");
    }

    fn expectations_list(&self, out: &mut String) {
        out.push_str("\n<h2>Expectations</h2><ul id=\"expectations\">");
        if self.expectations.is_empty() {
            out.push_str("<li>none</li>");
        }
        for expectation in &self.expectations {
            let (class, verdict) =
                if expectation.passed { ("pass", "pass") } else { ("fail", "FAIL") };
            let _ = write!(
                out,
                "<li><span class=\"verdict {class}\">{verdict}</span> <b>{}</b>: {} <br/><small>{}</small></li>",
                escape(&expectation.check),
                escape(&expectation.rule),
                escape(&expectation.explanation)
            );
        }
        for skipped in &self.not_judged {
            let _ = write!(
                out,
                "<li><span class=\"verdict\">not judged</span> <b>{}</b>: {}</li>",
                escape(&skipped.check),
                escape(&skipped.why)
            );
        }
        out.push_str("</ul>");
    }
}
