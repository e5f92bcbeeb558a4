//! The `tracing` events of fault windows: a user with a subscriber sees each window open and
//! close, with the fault's id, backend and kind.

#[path = "../../../tests/support/capture.rs"]
mod capture;

use capture::Events;
use jostle_harness::fault::{Fault, FaultSet};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_fault_window_is_traced_when_it_opens_and_when_it_closes() {
    let (events, _guard) = Events::install();
    let faults = FaultSet::new(2, "backend-2", 7, Arc::default());
    let id = faults.inject(Fault::delay(Duration::from_millis(50)));
    let opened = events.with_message("fault window opened");
    assert_eq!(opened.len(), 1, "injecting must open one window: {opened:?}");
    assert!(events.with_message("fault window closed").is_empty(), "nothing healed yet");

    tokio::time::sleep(Duration::from_secs(2)).await;
    faults.heal(id);
    let closed = events.with_message("fault window closed");
    assert_eq!(closed.len(), 1, "healing must close the window: {closed:?}");
    for event in [&opened[0], &closed[0]] {
        assert_eq!(event.field("fault"), id.get().to_string(), "names the fault: {event:?}");
        assert_eq!(event.field("backend"), "backend-2", "names the backend: {event:?}");
        assert_eq!(event.field("kind"), "delay", "names the kind: {event:?}");
    }
    assert_eq!(closed[0].field("lasted"), "2s", "the close says how long the window held");

    faults.heal(id);
    assert_eq!(events.with_message("fault window closed").len(), 1, "a second heal closes nothing");
}
