use jostle_harness::net::Transport;
use jostle_harness::story::{StoryConfig, run_story};
use rstest::rstest;
use std::time::Duration;
use tonic::Code;

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn the_round_robin_dialer_sends_everything_to_one_backend_until_it_crashes(
    #[case] transport: Transport,
) {
    if transport == Transport::InMemory {
        tokio::time::pause();
    }
    let config = StoryConfig {
        transport,
        calls: 300,
        restart_at: 150,
        down_for: Duration::from_millis(50),
        seed: 0,
    };
    let report = run_story(config).await.unwrap();
    let rerun =
        format!("rerun: cargo run --bin jostle -- story --transport {transport} --down-for 50ms");
    let line = |name: &str| report.backend(name).unwrap().stats.clone();

    // The dialer's counter is bumped before use: its first connection goes to backend-1.
    let first = line("backend-1");
    assert_eq!(
        first.ok("CreateOrder"),
        150,
        "calls 0..150 go over the first connection\n{report}\n{rerun}"
    );
    assert_eq!(
        first.finished("CreateOrder", Code::Cancelled),
        1,
        "the crash cancels the held call\n{report}"
    );
    assert_eq!(first.connections_accepted, 1, "one connection until the crash\n{report}");

    // After the crash the channel redials once, and the dialer's counter moves on to backend-2.
    let second = line("backend-2");
    assert_eq!(
        second.ok("CreateOrder"),
        149,
        "calls 151..300 follow the redial\n{report}\n{rerun}"
    );
    assert_eq!(second.connections_accepted, 1, "the redial is one connection\n{report}");

    let never = line("backend-0");
    assert_eq!(never.total_started(), 0, "the dialer never reached backend-0\n{report}");
    assert_eq!(never.connections_accepted, 0);

    assert_eq!(report.failures.len(), 1, "exactly the in-flight call fails\n{report}");
    assert_eq!(report.failures[0].call, 150);
    assert_eq!(report.failures[0].code, Code::Unknown, "a reset connection is Unknown\n{report}");
    assert_eq!(report.client_ok(), 299);
    assert_eq!(
        report.restarted,
        Some(("backend-1".to_owned(), 0)),
        "the dialer never returns to the restarted backend while its connection works\n{report}"
    );
    assert_eq!(report.served.get("backend-1"), Some(&150), "client and backend agree\n{report}");
    assert_eq!(report.served.get("backend-2"), Some(&149), "client and backend agree\n{report}");
}
