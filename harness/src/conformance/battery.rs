//! [`Battery`]: the standard battery, nine failure stories, each a scenario file in
//! fixtures/battery/ that a user can read, copy and change (`jostle list` shows them). The
//! suite plays exactly those files: one source for each story.

use crate::scenario::{self, Scenario};
use std::fmt;

/// One scenario of the battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Battery {
    /// Three healthy backends: distribution, no failures, no call past its deadline.
    Healthy,
    /// One backend crashes for good at 1 s.
    OneDown,
    /// Every backend crashes at 1 s: no call may outlive its deadline.
    AllDown,
    /// One backend crashes at 1 s and is back at 2 s.
    Restart,
    /// One backend crashes every second for 300 ms.
    Flapping,
    /// One backend answers 200 ms late.
    SlowBackend,
    /// One backend never answers.
    HungBackend,
    /// Discovery adds a backend at 1 s and removes one at 2.5 s.
    AddRemove,
    /// 1,000 calls one at a time: connections must be reused.
    ConnectionStorm,
}

impl Battery {
    /// Every scenario, in battery order.
    pub const ALL: [Battery; 9] = [
        Battery::Healthy,
        Battery::OneDown,
        Battery::AllDown,
        Battery::Restart,
        Battery::Flapping,
        Battery::SlowBackend,
        Battery::HungBackend,
        Battery::AddRemove,
        Battery::ConnectionStorm,
    ];

    /// The scenario's name in reports, and its file's name (`fixtures/battery/NAME.toml`).
    pub fn name(self) -> &'static str {
        match self {
            Battery::Healthy => "healthy",
            Battery::OneDown => "one-down",
            Battery::AllDown => "all-down",
            Battery::Restart => "restart",
            Battery::Flapping => "flapping",
            Battery::SlowBackend => "slow-backend",
            Battery::HungBackend => "hung-backend",
            Battery::AddRemove => "add-remove",
            Battery::ConnectionStorm => "connection-storm",
        }
    }

    /// The file's path from the workspace root.
    pub fn path(self) -> String {
        format!("fixtures/battery/{}.toml", self.name())
    }

    /// The scenario file's text, as built into the harness.
    pub fn text(self) -> &'static str {
        match self {
            Battery::Healthy => include_str!("../../fixtures/battery/healthy.toml"),
            Battery::OneDown => include_str!("../../fixtures/battery/one-down.toml"),
            Battery::AllDown => include_str!("../../fixtures/battery/all-down.toml"),
            Battery::Restart => include_str!("../../fixtures/battery/restart.toml"),
            Battery::Flapping => include_str!("../../fixtures/battery/flapping.toml"),
            Battery::SlowBackend => include_str!("../../fixtures/battery/slow-backend.toml"),
            Battery::HungBackend => include_str!("../../fixtures/battery/hung-backend.toml"),
            Battery::AddRemove => include_str!("../../fixtures/battery/add-remove.toml"),
            Battery::ConnectionStorm => {
                include_str!("../../fixtures/battery/connection-storm.toml")
            }
        }
    }

    /// The scenario, parsed from [`Battery::text`].
    ///
    /// ```
    /// use jostle_harness::conformance::Battery;
    ///
    /// for battery in Battery::ALL {
    ///     let scenario = battery.scenario();
    ///     assert_eq!(scenario.backends(), 3, "{battery}");
    ///     assert!(scenario.expect().asks("leak-free"), "{battery}: every battery scenario checks leaks");
    /// }
    /// ```
    pub fn scenario(self) -> Scenario {
        scenario::parse(self.text(), &self.path())
            .unwrap_or_else(|error| panic!("the built-in battery file is valid: {error}"))
    }
}

impl fmt::Display for Battery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Battery;
    use crate::conformance::Suite;
    use crate::net::Transport;
    use jostle::balance::policy::RoundRobin;

    #[test]
    fn the_built_in_battery_is_the_files_in_fixtures_battery() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/battery");
        let mut on_disk: Vec<String> = std::fs::read_dir(folder)
            .expect("fixtures/battery/ exists")
            .map(|entry| entry.expect("readable").file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> =
            Battery::ALL.iter().map(|battery| format!("{}.toml", battery.name())).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in, "one file per battery scenario, and no other");
        for battery in Battery::ALL {
            let path = format!("{}/{}.toml", folder, battery.name());
            let text = std::fs::read_to_string(&path).expect("readable battery file");
            assert_eq!(text, battery.text(), "{path}: the suite plays exactly this file");
        }
    }

    #[test]
    fn the_suite_plays_each_file_with_its_seed_transport_and_balancer() {
        let suite = Suite::for_balancer("mine", RoundRobin::new).seed(5).transport(Transport::Tcp);
        for battery in Battery::ALL {
            let file = battery.scenario();
            let played = suite.scenario(battery).expect("the battery runs on tcp");
            assert_eq!(played.seed(), 5, "{battery}: the suite's seed");
            assert_eq!(played.transport(), Transport::Tcp, "{battery}: the suite's transport");
            assert_eq!(played.balancer().name(), "mine", "{battery}: the suite's balancer");
            assert_eq!(played.injections(), file.injections(), "{battery}: the file's faults");
            assert_eq!(played.discovery(), file.discovery(), "{battery}: the file's discovery");
            if battery == Battery::SlowBackend {
                assert!(
                    !played.expect().asks("max-share"),
                    "a suite that does not claim load awareness leaves out the largest share"
                );
            } else if battery != Battery::Healthy {
                assert_eq!(played.expect(), file.expect(), "{battery}: the file's expectations");
            }
        }
    }

    #[test]
    fn a_load_aware_suite_plays_the_slow_backend_file_with_its_largest_share() {
        let suite = Suite::for_balancer("mine", RoundRobin::new).load_aware();
        let played = suite.scenario(Battery::SlowBackend).expect("the battery runs in memory");
        let file = Battery::SlowBackend.scenario();
        assert_eq!(played.expect(), file.expect(), "a load-aware suite checks all of the file");
        assert_eq!(
            played.expect().get::<crate::expect::MaxShares>().map_or(0, |bounds| bounds.0.len()),
            1,
            "the slow-backend file bounds the slow backend's share"
        );
    }
}
