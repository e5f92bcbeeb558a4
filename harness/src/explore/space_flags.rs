//! [`Space::flags`]: a space as the `jostle explore` flags that declare it, each dimension
//! that differs from the default space's; what a finding's origin and a run's replay command
//! carry, so that the command replays the same space.
//!
//! ```
//! use jostle_harness::explore::Space;
//! use std::time::Duration;
//!
//! assert_eq!(Space::default().flags(), "", "the default space needs no flag");
//! let space = Space {
//!     clients: 2..=2,
//!     via: vec!["dns"],
//!     ttl: Duration::ZERO..=Duration::from_millis(500),
//!     ..Space::default()
//! };
//! assert_eq!(space.flags(), " --clients 2..=2 --via dns --ttl 0ms..=500ms");
//! ```

use super::space::Space;
use std::ops::RangeInclusive;
use std::time::Duration;

impl Space {
    /// The `jostle explore` flags of every dimension that differs from [`Space::default`],
    /// each preceded by a space, in a fixed order: `--backends`, `--clients`, `--faults`,
    /// `--changes`, `--kinds`, `--rate`, `--loops`, `--concurrency`, `--methods`, `--latency`,
    /// `--via`, `--ttl`, `--min-ttl`, `--duration`, `--deadline`.
    pub fn flags(&self) -> String {
        let default = Space::default();
        let counts = |r: &RangeInclusive<usize>| format!("{}..={}", r.start(), r.end());
        let ms = |d: &Duration| format!("{}ms", d.as_millis());
        let span = |r: &RangeInclusive<Duration>| format!("{}..={}", ms(r.start()), ms(r.end()));
        let names = |n: &[&str]| n.join(",");
        let mut flags = String::new();
        let mut flag = |name: &str, value: String, default: String| {
            if value != default {
                flags.push_str(&format!(" --{name} {value}"));
            }
        };
        flag("backends", counts(&self.backends), counts(&default.backends));
        flag("clients", counts(&self.clients), counts(&default.clients));
        flag("faults", counts(&self.faults), counts(&default.faults));
        flag("changes", counts(&self.changes), counts(&default.changes));
        flag("kinds", names(&self.kinds), names(&default.kinds));
        let rate = |r: &RangeInclusive<u32>| format!("{}..={}", r.start(), r.end());
        flag("rate", rate(&self.rate), rate(&default.rate));
        flag("loops", names(&self.loops), names(&default.loops));
        flag("concurrency", rate(&self.concurrency), rate(&default.concurrency));
        flag("methods", names(&self.methods), names(&default.methods));
        flag("latency", span(&self.latency), span(&default.latency));
        flag("via", names(&self.via), names(&default.via));
        flag("ttl", span(&self.ttl), span(&default.ttl));
        flag("min-ttl", span(&self.min_ttl), span(&default.min_ttl));
        flag("duration", ms(&self.duration), ms(&default.duration));
        flag("deadline", ms(&self.deadline), ms(&default.deadline));
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Explorer, Space};
    use std::time::Duration;

    #[test]
    fn a_runs_replay_command_carries_the_space_flags_and_the_origin_when_given() {
        let space = Space {
            loops: vec!["closed"],
            methods: vec!["create", "watch"],
            latency: Duration::from_millis(5)..=Duration::from_millis(10),
            ..Space::default()
        };
        let explorer = Explorer::new(space).balancer("round_robin").expect("a built-in");
        assert_eq!(
            explorer.replay(7),
            "jostle explore --balancer round_robin --loops closed --methods create,watch \
             --latency 5ms..=10ms --seeds 7..8",
            "a replay without the space's flags would draw another schedule"
        );
        let explorer = explorer.origin("jostle explore --balancer round_robin --loops closed");
        assert_eq!(
            explorer.replay(7),
            "jostle explore --balancer round_robin --loops closed --seeds 7..8",
            "given an origin, the replay is the origin's command with the seed"
        );
    }
}
