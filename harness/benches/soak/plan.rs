//! What a soak run is asked for: how long, at least how many calls, how many restarts; read
//! from the command line (`-- SECONDS CALLS RESTARTS`), the acceptance figures by default.

use std::time::Duration;

/// How to call the soak.
pub(crate) const USAGE: &str = "usage: cargo bench -p jostle-harness --bench soak [-- SECONDS [CALLS [RESTARTS]]] \
(defaults 600 1000000 100; each a whole number above zero)";

/// Growth of resident memory or open fds after the warm-up at which the soak fails, percent.
pub(crate) const MAX_GROWTH_PERCENT: f64 = 5.0;

/// The pace is this much above `calls / duration`, so that the run makes its calls with room
/// to spare.
const PACE_MARGIN: f64 = 1.2;

/// A soak run's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// How long the load runs.
    pub(crate) duration: Duration,
    /// Calls the run must make at least.
    pub(crate) calls: u64,
    /// Restarts, spread evenly over the run.
    pub(crate) restarts: u64,
}

impl Plan {
    /// The figures from the bench's arguments: up to three whole numbers, in order; cargo's own
    /// `--bench` flag is ignored. Anything else is an error naming it.
    pub(crate) fn from_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut numbers = Vec::new();
        for arg in args.filter(|arg| arg != "--bench") {
            match arg.parse::<u64>() {
                Ok(number) if number > 0 => numbers.push(number),
                _ => return Err(format!("expected a whole number above zero, got `{arg}`")),
            }
        }
        if numbers.len() > 3 {
            return Err(format!("expected at most 3 numbers, got {}", numbers.len()));
        }
        let figure = |index: usize, default: u64| numbers.get(index).copied().unwrap_or(default);
        Ok(Self {
            duration: Duration::from_secs(figure(0, 600)),
            calls: figure(1, 1_000_000),
            restarts: figure(2, 100),
        })
    }

    /// Calls a second the load aims at.
    pub(crate) fn per_second(&self) -> f64 {
        PACE_MARGIN * self.calls as f64 / self.duration.as_secs_f64()
    }

    /// When restart `index` (from 0) happens, from the start of the load.
    pub(crate) fn restart_at(&self, index: u64) -> Duration {
        self.duration.mul_f64((index + 1) as f64 / (self.restarts + 1) as f64)
    }

    /// The first tenth of the run, whose samples are not judged.
    pub(crate) fn warm_up(&self) -> Duration {
        self.duration / 10
    }

    /// What the run will do, in one line.
    pub(crate) fn describe(&self, workers: u32) -> String {
        format!(
            "soak: {} s over TCP, 3 backends, BalancedChannel round robin, {:.0} calls/s at most {workers} in flight (at least {} calls), {} restarts every {:.1} s, warm-up {} s",
            self.duration.as_secs(),
            self.per_second(),
            self.calls,
            self.restarts,
            self.restart_at(0).as_secs_f64(),
            self.warm_up().as_secs()
        )
    }
}
