//! The report as a person reads it in a terminal.

use super::{BACKEND_COLUMNS, BackendReport, RunReport};
use std::fmt;

impl RunReport {
    /// The run's verdict in words, against the outcome the story expects.
    pub fn verdict(&self) -> &'static str {
        match (self.expected == "fail", self.passed) {
            (false, true) => "every expectation held",
            (false, false) => "an expectation failed",
            (true, false) if self.as_expected => {
                "an expectation failed, as this story expects: the flaw it shows is there"
            }
            (true, false) => {
                "expectations failed, but not exactly those this story names: not (only) the \
                 flaw it shows"
            }
            (true, true) => {
                "every expectation held, but this story expects a failure: the flaw it shows is \
                 gone"
            }
        }
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} — balancer {}, transport {}, seed {}",
            self.scenario, self.balancer, self.transport, self.seed
        )?;
        let calls = self.calls;
        write!(
            f,
            "calls: {} sent, {} OK, {} failed, {} timed out",
            calls.sent, calls.ok, calls.failed, calls.timed_out
        )?;
        if calls.late > 0 {
            write!(f, " ({} of them completed late at a backend)", calls.late)?;
        }
        writeln!(f)?;
        writeln!(f)?;
        // The backend's name to the left, the numbers to the right, the two failure columns
        // last: the client's codes (padded to the widest) beside the backend's own count.
        const WIDTHS: [usize; 7] = [8, 7, 9, 9, 9, 9, 6];
        let rows: Vec<[String; 10]> = self.backends.iter().map(BackendReport::cells).collect();
        let client_width = rows
            .iter()
            .map(|cells| cells[8].chars().count())
            .chain([BACKEND_COLUMNS[8].chars().count()])
            .max()
            .unwrap_or(0);
        let row = |cells: &[&str]| {
            let mut line = format!("{:<12}", cells[0]);
            for (cell, width) in cells[1..8].iter().zip(WIDTHS) {
                line += &format!(" {cell:>width$}");
            }
            format!("{line}  {:<client_width$}  {}", cells[8], cells[9])
        };
        writeln!(f, "{}", row(&BACKEND_COLUMNS))?;
        for cells in &rows {
            writeln!(f, "{}", row(&cells.each_ref().map(String::as_str)))?;
        }
        if !self.unattributed_failures.is_empty() {
            writeln!(
                f,
                "failed without reaching a backend, client's code: {}",
                super::model::codes_text(&self.unattributed_failures)
            )?;
        }
        if self.arrivals_not_kept > 0 {
            writeln!(
                f,
                "{} calls reached a backend past the {} names each keeps: a failed one no backend \
                 answered counts as reaching none",
                self.arrivals_not_kept,
                crate::record::MAX_CALLS_SEEN
            )?;
        }
        if !self.clients.is_empty() {
            writeln!(f)?;
            writeln!(f, "{}", clients_line(&self.clients))?;
        }
        if !self.faults.is_empty() {
            writeln!(f)?;
            writeln!(f, "faults:")?;
            for window in &self.faults {
                writeln!(f, "  {window}")?;
            }
        }
        if !self.discovery.is_empty() {
            writeln!(f)?;
            writeln!(f, "discovery changes:")?;
            for change in &self.discovery {
                writeln!(f, "  {change}")?;
            }
        }
        if let Some(queries) = &self.dns_queries {
            writeln!(f)?;
            if self.dns_queries_dropped == 0 {
                writeln!(f, "dns queries: {}", queries.len())?;
            } else {
                let made = queries.len() as u64 + self.dns_queries_dropped;
                writeln!(
                    f,
                    "dns queries: {made} (the first {} kept, {} more not kept)",
                    queries.len(),
                    self.dns_queries_dropped
                )?;
            }
            for query in queries {
                writeln!(f, "  {query}")?;
            }
        }
        writeln!(f)?;
        writeln!(f, "expectations:")?;
        if self.expectations.is_empty() {
            writeln!(f, "  none")?;
        }
        for expectation in &self.expectations {
            let verdict = if expectation.passed { "pass" } else { "FAIL" };
            writeln!(
                f,
                "  {verdict} {}: {} ({})",
                expectation.check, expectation.rule, expectation.explanation
            )?;
        }
        for skipped in &self.not_judged {
            writeln!(f, "  not judged {}: {}", skipped.check, skipped.why)?;
        }
        write!(f, "{}", self.verdict())
    }
}

/// Many clients in one line (each one's table is in the JSON): how many, and how unevenly the
/// least and the most lopsided of them spread their calls.
fn clients_line(clients: &[crate::report::ClientReport]) -> String {
    let shares = clients.iter().map(crate::report::ClientReport::largest_share);
    let least = shares.clone().fold(f64::INFINITY, f64::min);
    let most = shares.fold(0.0, f64::max);
    format!(
        "clients: {}, each with its own balancer; the busiest backend of a client served {:.1}% to {:.1}% of its OK calls (per client in the JSON report)",
        clients.len(),
        least * 100.0,
        most * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::RunReport;

    #[test]
    fn calls_past_the_names_a_backend_keeps_are_reported_not_silently_unattributed() {
        let report = RunReport { arrivals_not_kept: 7, ..RunReport::default() };
        let text = report.to_string();
        assert!(
            text.contains("7 calls reached a backend past the 1000000 names each keeps"),
            "a report must say when its attribution is partial: {text}"
        );
        assert!(report.to_json().contains("\"arrivals_not_kept\": 7"), "the JSON must say it too");
        let whole = RunReport::default();
        assert!(
            !whole.to_string().contains("names each keeps")
                && !whole.to_json().contains("not_kept"),
            "a report whose attribution is whole says nothing of it (its bytes are unchanged)"
        );
    }
}
