//! The report as a person reads it in a terminal.

use super::RunReport;
use std::fmt;

impl RunReport {
    /// The run's verdict in words, against the outcome the story expects.
    pub fn verdict(&self) -> &'static str {
        match (self.expected == "fail", self.passed) {
            (false, true) => "every expectation held",
            (false, false) => "an expectation failed",
            (true, false) => {
                "an expectation failed, as this story expects: the flaw it shows is there"
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
        writeln!(
            f,
            "calls: {} sent, {} OK, {} failed, {} timed out",
            calls.sent, calls.ok, calls.failed, calls.timed_out
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<12} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>6}  failures at the backend",
            "backend", "served", "share", "p50 ms", "p90 ms", "p99 ms", "max ms", "conns"
        )?;
        for backend in &self.backends {
            let latency = backend.latency_ms;
            writeln!(
                f,
                "{:<12} {:>8} {:>6.1}% {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>6}  {}",
                backend.name,
                backend.served,
                backend.share * 100.0,
                latency.p50,
                latency.p90,
                latency.p99,
                latency.max,
                backend.connections_opened,
                backend.failures_text()
            )?;
        }
        if !self.faults.is_empty() {
            writeln!(f)?;
            writeln!(f, "faults:")?;
            for window in &self.faults {
                let end = window.end_ms.map_or("the end".into(), |end| format!("{end:.0} ms"));
                writeln!(
                    f,
                    "  {} on {} from {:.0} ms to {end}",
                    window.kind, window.backend, window.start_ms
                )?;
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
        write!(f, "{}", self.verdict())
    }
}
