//! Deliberately broken balancers, each found by the invariant its flaw breaks, within a stated
//! budget, and shrunk to at most two faults or discovery changes.

use super::sabotage::sabotage;
use super::{assert_shrunk_and_replays, finding};
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel, Balancer, Candidate};
use jostle_harness::channel::{BoxChannel, Target, boxed};
use jostle_harness::explore::{BACKOFF, Explorer, Space};
use jostle_harness::scenario::Custom;

/// The channel of `balancer` over the schedule's target, as a user would build it, with
/// explore's backoff (declared to the explorer: the tolerances follow it).
fn balanced<B: Balancer + 'static>(balancer: B, target: &Target) -> BoxChannel {
    boxed(
        BalancedChannel::builder()
            .balancer(balancer)
            .config(BalanceConfig { backoff: BACKOFF, ..BalanceConfig::default() })
            .seed(target.seed)
            .build(target.changes(), target.connector.clone()),
    )
}

/// The fewest calls in flight, the first on a tie: under a light load every call ties at 0.
#[derive(Debug, Default)]
struct FirstOnTie;

impl Balancer for FirstOnTie {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        (0..ready.len()).min_by_key(|&i| ready[i].in_flight).unwrap_or(0)
    }
}

#[test]
fn a_least_loaded_balancer_taking_the_first_on_a_tie_is_found_unsettled_within_ten_schedules() {
    let rerun = "cargo test --test balancers first_on_a_tie";
    let custom = Custom::new("first-on-tie", |target: &Target| balanced(FirstOnTie, target));
    let found = Explorer::new(Space::default())
        .against("first-on-tie", |target: &Target| balanced(FirstOnTie, target))
        .backoff(BACKOFF)
        .seeds(0..10)
        .run_blocking()
        .unwrap();
    let settled = finding(&found, "settled", rerun);
    assert_shrunk_and_replays(settled, Some(custom), rerun);
}

/// Round robin over the addresses it has seen, in the order it saw them. When the address at
/// its cursor is not ready it serves the first ready one and waits there for it to come back:
/// right through a crash (the backend returns, the cursor moves on), stuck for good once
/// discovery withdraws that address. Only a removal shows it.
#[derive(Debug, Default)]
struct StuckAfterRemoval {
    seen: Vec<http::Uri>,
    cursor: usize,
}

impl Balancer for StuckAfterRemoval {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        for candidate in ready {
            if !self.seen.contains(candidate.address) {
                self.seen.push(candidate.address.clone());
            }
        }
        let wanted = &self.seen[self.cursor % self.seen.len()];
        match ready.iter().position(|c| c.address == wanted) {
            Some(index) => {
                self.cursor += 1;
                index
            }
            None => 0,
        }
    }
}

#[test]
fn a_balancer_stuck_after_a_discovery_removal_is_found_within_forty_schedules() {
    let rerun = "cargo test --test balancers stuck_after_a_discovery_removal";
    let factory = |target: &Target| balanced(StuckAfterRemoval::default(), target);
    let found = Explorer::new(Space::default())
        .against("stuck-after-removal", factory)
        .backoff(BACKOFF)
        .seeds(0..40)
        .run_blocking()
        .unwrap();
    let settled = finding(&found, "settled", rerun);
    assert!(
        settled.shrunk.changes == 1 && settled.shrunk.faults == 0,
        "the flaw needs one withdrawal and nothing else ({rerun}): {:?}\n{}",
        settled.shrunk,
        settled.file
    );
    assert_shrunk_and_replays(settled, Some(Custom::new("stuck-after-removal", factory)), rerun);
}

/// Round robin, every 50th call failed UNAVAILABLE without being sent.
fn sabotaged(target: &Target) -> BoxChannel {
    sabotage(balanced(RoundRobin::new(), target))
}

#[test]
fn a_channel_failing_calls_of_its_own_accord_is_found_on_the_first_schedule() {
    let rerun = "cargo test --test balancers failing_calls_of_its_own_accord";
    let found = Explorer::new(Space::default())
        .against("sabotage", sabotaged)
        .backoff(BACKOFF)
        .seeds(0..1)
        .run_blocking()
        .unwrap();
    let avoidable = finding(&found, "avoidable-failures", rerun);
    assert_eq!(
        (avoidable.shrunk.faults, avoidable.shrunk.changes),
        (0, 0),
        "no fault is needed to show it ({rerun}):\n{}",
        avoidable.file
    );
    assert_shrunk_and_replays(avoidable, Some(Custom::new("sabotage", sabotaged)), rerun);
}

/// Round robin that leaves a task running behind every channel it builds.
fn leaky(target: &Target) -> BoxChannel {
    tokio::spawn(std::future::pending::<()>());
    balanced(RoundRobin::new(), target)
}

#[test]
fn a_balancer_leaving_a_task_behind_is_found_on_the_first_schedule() {
    let rerun = "cargo test --test balancers leaving_a_task_behind";
    let found = Explorer::new(Space::default())
        .against("leaky", leaky)
        .backoff(BACKOFF)
        .seeds(0..1)
        .run_blocking()
        .unwrap();
    let leak = finding(&found, "leak-free", rerun);
    assert_shrunk_and_replays(leak, Some(Custom::new("leaky", leaky)), rerun);
}

/// Round robin that panics once it has seen the ready set shrink: a crash, a refusal or a
/// withdrawal sets it off.
#[derive(Debug, Default)]
struct PanicsOnShrink {
    most: usize,
    next: usize,
}

impl Balancer for PanicsOnShrink {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        assert!(
            ready.len() >= self.most,
            "the ready set shrank from {} to {}",
            self.most,
            ready.len()
        );
        self.most = self.most.max(ready.len());
        self.next = self.next.wrapping_add(1);
        self.next % ready.len()
    }
}

#[test]
fn a_balancer_that_panics_when_a_backend_goes_is_found_and_its_file_panics_again() {
    let rerun = "cargo test --test balancers panics_when_a_backend_goes";
    let factory = |target: &Target| balanced(PanicsOnShrink::default(), target);
    let found = Explorer::new(Space::default())
        .against("panics", factory)
        .backoff(BACKOFF)
        .seeds(0..10)
        .run_blocking()
        .unwrap();
    let panic = finding(&found, "no-panic", rerun);
    assert!(panic.explanation.contains("panicked"), "{}", panic.explanation);
    let events = panic.shrunk.faults + panic.shrunk.changes;
    assert_eq!(events, 1, "one backend going is enough ({rerun}):\n{}", panic.file);
    let story = jostle_harness::scenario::parse(&panic.file, "panic.toml").unwrap();
    let replayed = story.against_custom(Custom::new("panics", factory)).run_blocking();
    assert!(
        matches!(replayed, Err(jostle_harness::Error::Panicked { .. })),
        "the written file panics again ({rerun}): {replayed:?}"
    );
}
