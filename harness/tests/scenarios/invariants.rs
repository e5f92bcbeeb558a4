//! The two expectations explore judges every schedule by, on whole runs: `avoidable_failures`
//! (a call fails only while it meets a fault) and `settled` (once faults and discovery are
//! quiet, every announced backend is back to its share, and no other serves). Round robin holds
//! both through a restart and a discovery change; the article's round-robin dialer does not
//! settle back to an even spread; a channel that fails calls of its own accord is caught.
//!
//! Rerun: `cargo test -p jostle-harness --test harness invariants`.

use super::sabotage::sabotage;
use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle_harness::channel::{Target, boxed};
use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::scenario::{self, Scenario};

/// A restart of backend 1 and the withdrawal of backend 3 (added half-way), judged by the two.
const STORY: &str = r#"
name = "a restart and a withdrawal, judged by explore's invariants"
seed = 11

[cluster]
backends = 4

[balancer]
policy = "round_robin"
backoff = { initial = "100ms", max = "1s" }

[load]
rate = 200
duration = "6s"
deadline = "500ms"
warm_up = "100ms"

[discovery]
initial = [0, 1, 2]

[[discovery.change]]
at = "1s"
add = [3]

[[discovery.change]]
at = "2500ms"
remove = [3]

[[fault]]
at = "1500ms"
target = [1]
kind = "restart"
down_for = "1s"

[expect]
avoidable_failures = { grace = "1500ms" }
settled = { after = "1500ms", at_least = 0.5, at_most = 2.0 }
"#;

fn story() -> Scenario {
    scenario::parse(STORY, "invariants.toml").expect("the story parses")
}

fn check<'a>(report: &'a RunReport, name: &str) -> &'a ExpectationReport {
    report
        .expectations
        .iter()
        .find(|e| e.check == name)
        .unwrap_or_else(|| panic!("the run must judge `{name}`:\n{report}"))
}

#[test]
fn round_robin_holds_both_through_a_restart_and_a_withdrawal() {
    let report = story().run_blocking().expect("the story runs");
    assert!(
        report.passed,
        "round robin fails no call it could have served and settles back to even (seed 11; \
         rerun: cargo test -p jostle-harness --test harness invariants):\n{report}"
    );
    let settled = check(&report, "settled");
    assert!(
        !settled.explanation.contains("not judged"),
        "3.5 s of 200 calls/s over 3 backends is enough to judge the shares: {}",
        settled.explanation
    );
}

#[test]
fn the_article_dialer_does_not_settle_back_to_even() {
    let report = story().with_balancer("round_robin_dialer").unwrap().run_blocking().unwrap();
    let settled = check(&report, "settled");
    assert!(
        !settled.passed && settled.explanation.contains("outside 0.5 to 2"),
        "the dialer does not spread its calls over the announced backends once all is quiet: \
         the settled check must name the backend out of bounds (seed 11):\n{report}"
    );
}

#[test]
fn a_channel_failing_calls_with_every_backend_healthy_is_caught() {
    let sabotaged = story().against("sabotage", |target: &Target| {
        let channel = BalancedChannel::builder()
            .balancer(RoundRobin::new())
            .seed(target.seed)
            .build(target.changes(), target.connector.clone());
        sabotage(boxed(channel))
    });
    let report = sabotaged.run_blocking().unwrap();
    let avoidable = check(&report, "avoidable-failures");
    assert!(
        !avoidable.passed && avoidable.explanation.contains("met no fault"),
        "calls failed at 0-1.5 s and from 4 s on, with every backend healthy: avoidable \
         (seed 11):\n{report}"
    );
}
