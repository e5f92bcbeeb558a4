//! [`Scenario`]: the standard battery, each a failure story with the checks it runs.

use std::fmt;

/// One scenario of the battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scenario {
    /// Three healthy backends: distribution, no failures, one connection each.
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

impl Scenario {
    /// Every scenario, in battery order.
    pub const ALL: [Scenario; 9] = [
        Scenario::Healthy,
        Scenario::OneDown,
        Scenario::AllDown,
        Scenario::Restart,
        Scenario::Flapping,
        Scenario::SlowBackend,
        Scenario::HungBackend,
        Scenario::AddRemove,
        Scenario::ConnectionStorm,
    ];

    /// The scenario's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::OneDown => "one-down",
            Scenario::AllDown => "all-down",
            Scenario::Restart => "restart",
            Scenario::Flapping => "flapping",
            Scenario::SlowBackend => "slow-backend",
            Scenario::HungBackend => "hung-backend",
            Scenario::AddRemove => "add-remove",
            Scenario::ConnectionStorm => "connection-storm",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
