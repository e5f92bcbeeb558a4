use super::{KnownDown, connect_delay};
use crate::fault::FaultWindow;
use crate::scenario::{Discovery, DiscoveryChange, Via};
use std::time::Duration;

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn window(backend: usize, kind: &'static str, start: u64, end: Option<u64>) -> FaultWindow {
    FaultWindow {
        id: 1,
        backend: format!("backend-{backend}"),
        kind,
        detail: String::new(),
        start: ms(start),
        end: end.map(ms),
    }
}

fn names(backends: usize) -> Vec<String> {
    (0..backends).map(|index| format!("backend-{index}")).collect()
}

fn change(at: u64, add: &[usize], remove: &[usize]) -> DiscoveryChange {
    DiscoveryChange { at: ms(at), add: add.to_vec(), remove: remove.to_vec() }
}

fn dns() -> Via {
    Via::Dns { ttl: ms(500), min_ttl: None }
}

/// The instants of `at` at which nothing is ready, for one backend announced from the start.
fn ready_at(windows: &[FaultWindow], at: &[u64]) -> Vec<bool> {
    let (discovery, names) = (Discovery::all(1), names(1));
    let known = KnownDown::new(windows, &discovery, &names);
    at.iter().map(|&at| !known.nothing_ready(ms(at))).collect()
}

#[test]
fn a_refusal_or_a_reset_leaves_the_connection_made_before_it_serving() {
    for kind in ["refuse", "reset"] {
        assert_eq!(
            ready_at(&[window(0, kind, 1000, None)], &[999, 1000, 5000]),
            [true, true, true],
            "`{kind}` turns away new connections only: the client's open one still carries calls"
        );
    }
}

#[test]
fn a_crash_breaks_the_connection_and_a_refusal_standing_since_keeps_the_backend_down() {
    let windows = [window(0, "refuse", 1000, Some(4000)), window(0, "restart", 2000, Some(2500))];
    assert_eq!(
        ready_at(&windows, &[1999, 2000, 3999, 4000]),
        [true, false, false, true],
        "down from the crash's instant (its reset reaches a call made then at once) while \
         refused without a gap; up again when the refusal ends"
    );
    // Down 1 s to 1.5 s, then refusing from 1.6 s: the client may have reconnected in between.
    let gap = [window(0, "restart", 1000, Some(1500)), window(0, "refuse", 1600, None)];
    assert_eq!(ready_at(&gap, &[1200, 1550, 1700]), [false, true, true]);
    // Refusing from 1.4 s, before the crash's downtime ended: no gap, down on from the crash.
    let joined = [window(0, "restart", 1000, Some(1500)), window(0, "refuse", 1400, None)];
    assert_eq!(ready_at(&joined, &[1200, 1700, 9000]), [false, false, false]);
}

#[test]
fn after_a_goaway_the_backend_is_down_only_once_the_instant_of_the_goaway_has_passed() {
    let terminate = [window(0, "terminate", 1000, Some(3000))];
    assert_eq!(
        ready_at(&terminate, &[1000, 1001, 2999, 3000]),
        [true, false, false, true],
        "a call handed over at the SIGTERM's instant is sent before the client reads the GOAWAY"
    );
    let drained = [window(0, "refuse", 1000, None), window(0, "drain", 2000, Some(2000))];
    assert_eq!(ready_at(&drained, &[1500, 2000, 2001]), [true, true, false]);
    // A refusal that begins with the drain may come after the client has reconnected.
    let together = [window(0, "refuse", 2000, None), window(0, "drain", 2000, Some(2000))];
    assert_eq!(ready_at(&together, &[2001, 3000]), [true, true]);
}

#[test]
fn a_backend_announced_while_turned_away_is_down_from_its_announcement() {
    let names = names(1);
    let discovery =
        Discovery { initial: vec![], changes: vec![change(1000, &[0], &[])], via: Via::Stream };
    let windows = [window(0, "reset", 1000, Some(2000))];
    let known = KnownDown::new(&windows, &discovery, &names);
    assert!(known.nothing_ready(ms(500)), "nothing announced: nothing is up");
    assert!(known.nothing_ready(ms(1000)) && known.nothing_ready(ms(1999)));
    assert!(!known.nothing_ready(ms(2000)));
    // Through DNS too: no connection can be made before the client hears of it.
    let heard = Discovery { via: dns(), ..discovery };
    assert!(KnownDown::new(&windows, &heard, &names).nothing_ready(ms(1500)));
}

#[test]
fn a_withdrawal_closes_the_connection_through_the_stream_but_not_through_dns() {
    // Backend 0 withdrawn at 1 s and announced again at 2 s, refusing from 1.5 s.
    let names = names(1);
    let changes = vec![change(1000, &[], &[0]), change(2000, &[0], &[])];
    let stream = Discovery { initial: vec![0], changes, via: Via::Stream };
    let windows = [window(0, "refuse", 1500, None)];
    let known = KnownDown::new(&windows, &stream, &names);
    assert!(known.nothing_ready(ms(2500)), "announced again while refused: a new connection");
    let heard = Discovery { via: dns(), ..stream };
    assert!(
        !KnownDown::new(&windows, &heard, &names).nothing_ready(ms(2500)),
        "a DNS client may never have heard of the withdrawal and kept its connection"
    );
}

#[test]
fn a_dns_client_may_still_hold_a_withdrawn_backend_that_is_up() {
    let names = names(2);
    let windows = [window(1, "restart", 500, None)];
    let changes = vec![change(1000, &[], &[0])];
    let stream = Discovery { initial: vec![0, 1], changes, via: Via::Stream };
    assert!(KnownDown::new(&windows, &stream, &names).nothing_ready(ms(1500)));
    let heard = Discovery { via: dns(), ..stream };
    assert!(!KnownDown::new(&windows, &heard, &names).nothing_ready(ms(1500)));
}

#[test]
fn a_connect_held_up_keeps_a_first_attempt_pending_as_long_as_it_lasts() {
    let names = names(1);
    let discovery =
        Discovery { initial: vec![], changes: vec![change(1000, &[0], &[])], via: Via::Stream };
    let mut delayed = window(0, "connect-delay", 1000, Some(2000));
    delayed.detail = "ConnectDelay(300ms)".into();
    let windows = [window(0, "reset", 1000, None), delayed];
    let known = KnownDown::new(&windows, &discovery, &names);
    let down: Vec<bool> =
        [1000, 2299, 2300].iter().map(|&at| known.nothing_ready(ms(at))).collect();
    assert_eq!(down, [false, false, true], "an attempt begun as the delay ends lasts 300 ms more");
    let windows =
        [window(0, "reset", 1000, None), window(0, "blackhole-connect", 1000, Some(1500))];
    let known = KnownDown::new(&windows, &discovery, &names);
    assert!(!known.nothing_ready(ms(1200)) && known.nothing_ready(ms(1500)));
}

#[test]
fn a_connect_delay_is_read_as_the_fault_log_prints_it_and_an_unreadable_one_is_none() {
    assert_eq!(connect_delay("ConnectDelay(300ms)"), Some(ms(300)));
    assert_eq!(connect_delay("ConnectDelay(1.5s)"), Some(ms(1500)));
    assert_eq!(connect_delay("ConnectDelay(2.5µs)"), Some(Duration::from_nanos(2500)));
    assert_eq!(connect_delay("ConnectDelay(7ns)"), Some(Duration::from_nanos(7)));
    assert_eq!(
        connect_delay(&format!("{:?}", crate::fault::Fault::ConnectDelay(ms(42)))),
        Some(ms(42))
    );
    for unreadable in
        ["", "ConnectDelay(300)", "ConnectDelay(3h)", "Delay(300ms)", "ConnectDelay(.s)"]
    {
        assert_eq!(connect_delay(unreadable), None, "{unreadable:?}");
    }
}
