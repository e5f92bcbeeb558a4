//! What the soak watches about its own process: resident memory (VmRSS in /proc/self/status)
//! and open file descriptors (the entries of /proc/self/fd), and how much they grew.

use std::time::Duration;

/// One look at the process, `at` into the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sample {
    /// Time since the load started.
    pub(crate) at: Duration,
    /// Calls started so far.
    pub(crate) calls: u64,
    /// Restarts done so far.
    pub(crate) restarts: u64,
    /// Resident memory, KiB.
    pub(crate) rss_kib: u64,
    /// Open file descriptors.
    pub(crate) fds: u64,
}

impl Sample {
    /// The process now.
    pub(crate) fn now(at: Duration, calls: u64, restarts: u64) -> Self {
        Self { at, calls, restarts, rss_kib: resident_kib(), fds: open_fds() }
    }

    /// One line for the log.
    pub(crate) fn line(&self) -> String {
        format!(
            "t={:>5.0}s  calls {:>9}  restarts {:>4}  rss {:>7} KiB  fds {:>3}",
            self.at.as_secs_f64(),
            self.calls,
            self.restarts,
            self.rss_kib,
            self.fds
        )
    }
}

/// Resident memory of this process in KiB; panics if /proc cannot say (the soak cannot judge
/// without it).
pub(crate) fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status readable");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line in /proc/self/status")
}

/// Open file descriptors of this process (the one reading /proc/self/fd included).
pub(crate) fn open_fds() -> u64 {
    let entries = std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd readable");
    entries.count() as u64
}

/// Growth of `value` over `base`, in percent (negative for a shrink).
pub(crate) fn growth_percent(base: u64, value: u64) -> f64 {
    (value as f64 - base as f64) * 100.0 / base as f64
}

/// How one measure moved after the warm-up: its value at the baseline sample, at the end, the
/// highest after the baseline, and the growth of that highest value over the baseline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drift {
    /// At the first sample after the warm-up.
    pub(crate) base: u64,
    /// At the last sample.
    pub(crate) end: u64,
    /// The highest from the baseline on.
    pub(crate) peak: u64,
}

impl Drift {
    /// `measure` of `samples` from the baseline on (the first sample is the baseline).
    pub(crate) fn of(samples: &[Sample], measure: impl Fn(&Sample) -> u64) -> Option<Self> {
        let base = measure(samples.first()?);
        let end = measure(samples.last()?);
        let peak = samples.iter().map(&measure).max()?;
        Some(Self { base, end, peak })
    }

    /// The growth that counts, peak over baseline, in percent.
    pub(crate) fn growth(&self) -> f64 {
        growth_percent(self.base, self.peak)
    }

    /// `base -> end (peak P, +G %)`.
    pub(crate) fn describe(&self, unit: &str) -> String {
        format!(
            "{}{unit} -> {}{unit} (peak {}{unit}, {:+.2} % at the peak, {:+.2} % at the end)",
            self.base,
            self.end,
            self.peak,
            self.growth(),
            growth_percent(self.base, self.end)
        )
    }
}
