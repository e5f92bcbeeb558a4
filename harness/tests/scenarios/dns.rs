//! Discovery through DNS (`[discovery] via = "dns"`): jostle's `DnsDiscovery` over the scripted
//! resolver re-resolves when the TTL runs out and after failed connections, and the query log
//! in the report shows when and what it was answered.

use super::run::play;
use jostle::balance::{BalanceConfig, BalancedChannel, policy::RoundRobin};
use jostle_harness::channel::{Target, boxed};
use jostle_harness::load::{Progress, Until};
use jostle_harness::report::{DnsQueryReport, RunReport};
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario, Via};
use std::time::Duration;

const STALE: &str = "stale-dns.toml";

fn load(file: &str) -> Scenario {
    let path = format!("{}/../fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    scenario::load(path).unwrap_or_else(|error| panic!("fixtures/{file} must load: {error}"))
}

fn run(scenario: &Scenario, replay: &str) -> RunReport {
    runner::runtime(scenario)
        .unwrap()
        .block_on(runner::run_with(scenario, replay, &Progress::new()))
        .unwrap_or_else(|error| panic!("{replay} must run: {error}"))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The story's times: its TTL and the client's floor, when backend 0 dies, when the record
/// changes, the load's end.
struct Story {
    ttl: f64,
    min_ttl: f64,
    died: f64,
    changed: f64,
    end: f64,
}

fn story(scenario: &Scenario) -> Story {
    let Via::Dns { ttl, min_ttl } = scenario.discovery().via else {
        panic!("fixtures/{STALE} must discover through DNS");
    };
    let died = scenario.injections()[0].at.expect("the pod dies at a stated time");
    let changed = scenario.discovery().changes[0].at;
    let Until::Elapsed(end) = scenario.load_spec().until else {
        panic!("fixtures/{STALE} must be a load bounded by time");
    };
    Story {
        ttl: millis(ttl),
        min_ttl: millis(min_ttl.unwrap_or(scenario.balancer().re_resolution().min_interval)),
        died: millis(died),
        changed: millis(changed),
        end: millis(end + scenario.warm_up()),
    }
}

fn queries(report: &RunReport) -> &[DnsQueryReport] {
    report.dns_queries.as_deref().expect("a DNS story's report holds its query log")
}

fn has(query: &DnsQueryReport, backend: &str) -> bool {
    query.answer.iter().any(|name| name == backend)
}

fn failed_checks(report: &RunReport) -> Vec<&str> {
    report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect()
}

#[test]
fn a_stale_dns_answer_is_routed_around_and_the_new_pod_is_reached_once_the_record_changes() {
    let report = play(STALE);
    let seed = report.seed;
    assert!(
        report.passed && report.as_expected,
        "a client that re-resolves after failed connections must route around the dead pod \
         and reach the new one (seed {seed}; rerun: jostle run fixtures/{STALE})\n{report}"
    );
}

#[test]
fn the_resolver_is_asked_again_when_the_ttl_runs_out_and_sooner_after_failed_connections() {
    let scenario = load(STALE);
    let story = story(&scenario);
    let report = play(STALE);
    let queries = queries(&report);
    let seed = report.seed;
    let shown: Vec<String> = queries.iter().map(ToString::to_string).collect();
    let context = format!("seed {seed}; queries:\n  {}", shown.join("\n  "));

    // Every answer is the set the timeline announces at the query's moment, with the file's TTL.
    let names: Vec<String> = (0..scenario.backends()).map(|i| format!("backend-{i}")).collect();
    for query in queries {
        let at = Duration::from_secs_f64(query.at_ms / 1000.0);
        let announced: Vec<&String> =
            scenario.discovery().at(at).into_iter().map(|i| &names[i]).collect();
        assert_eq!(
            query.answer.iter().collect::<Vec<_>>(),
            announced,
            "the resolver answers with the set announced at {} ms; {context}",
            query.at_ms
        );
        assert_eq!(query.ttl_ms, story.ttl, "every answer carries the file's TTL; {context}");
    }

    // Before the pod dies nothing fails: the client asks at the start and when each TTL runs out.
    let healthy: Vec<f64> = queries.iter().map(|q| q.at_ms).filter(|&at| at < story.died).collect();
    let first = healthy[0];
    let on_ttl: Vec<f64> = (0..healthy.len()).map(|k| first + k as f64 * story.ttl).collect();
    assert_eq!(healthy, on_ttl, "before any failure, queries come exactly a TTL apart; {context}");
    assert!(healthy.len() >= 2, "the story must show one TTL running out; {context}");

    // After it dies, each failed connection to it asks again, sooner than the TTL but no
    // sooner than the client's floor after the last query, until the answer drops it.
    let dropped = queries
        .iter()
        .position(|q| q.at_ms >= story.died && !has(q, "backend-0"))
        .unwrap_or_else(|| panic!("the client must learn that backend-0 is gone; {context}"));
    let refreshes = &queries[healthy.len()..=dropped];
    assert!(refreshes.len() >= 2, "failed connections must make the client ask again; {context}");
    for pair in queries[healthy.len() - 1..=dropped].windows(2) {
        let gap = pair[1].at_ms - pair[0].at_ms;
        assert!(
            gap >= story.min_ttl && gap < story.ttl,
            "after a failed connection the client asks again sooner than the TTL ({} ms) and \
             no sooner than min_ttl ({} ms): {} ms between {} and {}; {context}",
            story.ttl,
            story.min_ttl,
            gap,
            pair[0],
            pair[1]
        );
    }
    for query in &refreshes[..refreshes.len() - 1] {
        assert!(
            query.at_ms < story.changed && has(query, "backend-0"),
            "until the record changes, DNS still answers with the dead pod: {query}; {context}"
        );
    }

    // The record changes: the next failed connection's query gets the new pod, before the
    // story's settle time is out; with backend-0 gone nothing fails any more, and the next
    // query would come a whole TTL later, after the run.
    let settle =
        millis(scenario.expect().convergence.as_ref().expect("the story converges").settle);
    let new = &queries[dropped];
    assert!(has(new, "backend-3"), "the new answer holds the new pod: {new}; {context}");
    assert!(
        new.at_ms >= story.changed && new.at_ms < story.changed + settle,
        "the client must pick up the change at its first failed connection after it, within \
         the story's settle of {settle} ms: {new}; {context}"
    );
    assert_eq!(dropped, queries.len() - 1, "no failure, no query before the TTL; {context}");
    assert!(new.at_ms + story.ttl > story.end, "the TTL outlasts the run; {context}");
}

/// The story's balancer (round robin, gRPC's default backoff) with `refresh_on_failure`
/// deciding whether failed connections re-resolve.
fn custom(scenario: Scenario, name: &str, refresh_on_failure: bool) -> Scenario {
    let seed = scenario.seed();
    scenario.against(name, move |target: &Target| {
        let config = BalanceConfig { seed: Some(seed), ..BalanceConfig::default() };
        let mut builder = BalancedChannel::builder().balancer(RoundRobin::new()).config(config);
        if refresh_on_failure {
            let refresh = target.refresh().expect("a DNS target can be asked to re-resolve");
            builder = builder.refresh_dns_on_failure(refresh);
        }
        boxed(builder.build(target.changes(), target.connector.clone()))
    })
}

#[test]
fn a_client_that_re_resolves_only_when_the_ttl_runs_out_never_reaches_the_new_pod() {
    let scenario = load(STALE);
    let story = story(&scenario);
    let report = run(&custom(scenario, "ttl-only", false), "ttl-only against stale-dns");
    let seed = report.seed;
    assert_eq!(
        failed_checks(&report),
        ["share", "convergence"],
        "a client deaf to failed connections keeps the stale answer for its whole TTL: the new \
         pod gets no share and the set never converges (seed {seed})\n{report}"
    );
    let times: Vec<f64> = queries(&report).iter().map(|q| q.at_ms).collect();
    let first = times[0];
    let on_ttl: Vec<f64> = (0..times.len()).map(|k| first + k as f64 * story.ttl).collect();
    assert_eq!(
        times, on_ttl,
        "without refresh on failure the client asks only when the TTL runs out (seed {seed})"
    );
    let served = report.backends.iter().find(|b| b.name == "backend-3").map(|b| b.served);
    assert_eq!(served, Some(0), "the new pod is never reached (seed {seed})\n{report}");
}

#[test]
fn a_custom_balancer_given_the_targets_refresh_re_resolves_after_failures_as_jostle_does() {
    let report = run(&custom(load(STALE), "refresh-on-failure", true), "refresh against stale-dns");
    let seed = report.seed;
    assert!(
        report.passed,
        "Target::refresh wired to refresh_dns_on_failure must reach the new pod (seed {seed})\n{report}"
    );
    let died = story(&load(STALE)).died;
    let early = queries(&report).windows(2).filter(|pair| pair[1].at_ms >= died).count();
    assert!(early >= 2, "failed connections must make it ask again (seed {seed})\n{report}");
}

#[test]
fn the_same_dns_story_and_seed_give_byte_identical_reports() {
    let (first, second) = (play(STALE), play(STALE));
    assert_eq!(
        first.to_json(),
        second.to_json(),
        "the same file and seed must give the same JSON, query log included (seed {}; rerun: \
         jostle run fixtures/{STALE} --json a.json twice)",
        first.seed
    );
    assert!(first.to_json().contains("\"dns_queries\": ["), "the JSON holds the query log");
    assert_eq!(first.to_string(), second.to_string(), "and the same text");
}

#[test]
fn a_story_without_dns_has_no_query_log_in_its_report() {
    let report = play("scale-up.toml");
    assert_eq!(report.dns_queries, None, "no DNS, no query log");
    assert!(!report.to_json().contains("dns_queries"), "the JSON leaves the field out");
    assert!(!report.to_string().contains("dns queries"), "so does the text");
}

#[test]
fn a_set_replaces_the_announced_set_as_the_additions_and_withdrawals_it_makes() {
    let text = r#"
name = "set"
[cluster]
backends = 4
[balancer]
policy = "round_robin"
[load]
rate = 10
duration = "3s"
[discovery]
initial = [0, 1]
[[discovery.change]]
at = "1s"
set = [1, 3, 2]
[[discovery.change]]
at = "2s"
set = [0]
"#;
    let scenario = scenario::parse(text, "set.toml").expect("a valid story");
    let discovery = scenario.discovery();
    assert_eq!(discovery.via, Via::Stream, "the discovery stream by default");
    let changes: Vec<_> = discovery.changes.iter().map(|c| (&c.add[..], &c.remove[..])).collect();
    assert_eq!(
        changes,
        [(&[3, 2][..], &[0][..]), (&[0][..], &[1, 2, 3][..])],
        "a set adds what it has that was not announced, in its order, and withdraws the rest"
    );
    let at = |ms| discovery.at(Duration::from_millis(ms));
    assert_eq!(at(999), [0, 1], "before the first change");
    assert_eq!(at(1000), [1, 2, 3], "a change holds from its own time on");
    assert_eq!(at(2500), [0], "the last set");
    assert_eq!(discovery.last(), [0], "and it is the last");
}

#[test]
fn a_set_plays_through_the_discovery_stream_too() {
    let text =
        std::fs::read_to_string(format!("{}/../fixtures/{STALE}", env!("CARGO_MANIFEST_DIR")))
            .expect("the fixture reads");
    let streamed = text.replace("via = \"dns\"\nttl = \"30s\"\n", "via = \"stream\"\n");
    assert_ne!(streamed, text, "the fixture's via and ttl lines are where this test expects");
    let scenario = scenario::parse(&streamed, "streamed.toml").expect("a valid story");
    let report = run(&scenario, "stale-dns through the stream");
    assert!(
        report.passed && report.dns_queries.is_none(),
        "the discovery stream delivers the new set at its time: no stale answer, no query log \
         (seed {})\n{report}",
        report.seed
    );
}

#[test]
fn a_dns_query_log_past_its_limit_keeps_the_first_queries_and_counts_the_rest() {
    // A TTL of 0 (re-resolved at the 100 ms floor) over 150 s: about 1,500 queries.
    let text = r#"
name = "many queries"
seed = 3

[cluster]
backends = 2

[balancer]
policy = "round_robin"

[load]
rate = 1
duration = "150s"

[discovery]
via = "dns"
ttl = "0s"
min_ttl = "100ms"
"#;
    let scenario = scenario::parse(text, "many.toml").unwrap();
    let report = run(&scenario, "many.toml");
    let kept = report.dns_queries.as_deref().expect("a DNS story has a query log").len();
    let limit = jostle_harness::load::limits::MAX_DNS_QUERIES;
    assert_eq!(kept, limit, "the report keeps the first {limit} queries, no more");
    assert!(
        report.dns_queries_dropped > 100,
        "the queries past the limit must be counted, got {}",
        report.dns_queries_dropped
    );
    let made = limit as u64 + report.dns_queries_dropped;
    let line = format!("dns queries: {made} (the first {limit} kept, ");
    assert!(report.to_string().contains(&line), "the text must say how many were not kept");
    assert!(report.to_json().contains("\"dns_queries_dropped\": "), "so must the JSON");
}
