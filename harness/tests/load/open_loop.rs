//! The open loop keeps its rate above one call per millisecond (the timer's resolution): the
//! calls it starts are the calls due by then, however the timer groups its wake-ups.

use super::refusing;
use jostle_harness::load::LoadSpec;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn an_open_loop_faster_than_the_timer_starts_exactly_the_calls_its_rate_declares() {
    for (rate, seconds) in [(1_500.0, 1.0), (3_000.0, 1.0), (7_000.0, 0.5), (40_000.0, 0.25)] {
        let duration = Duration::from_secs_f64(seconds);
        let spec = LoadSpec::open(rate, duration);
        let log = jostle_harness::load::drive(refusing(|| tonic::Status::unavailable("no")), &spec)
            .await
            .unwrap();
        let declared = (rate * seconds).ceil() as usize;
        assert_eq!(
            log.calls.len(),
            declared,
            "an open loop of {rate} calls/s for {duration:?} must start {declared} calls"
        );
        for (n, call) in log.calls.iter().enumerate() {
            let due = Duration::from_secs_f64(n as f64 / rate);
            assert!(
                call.start + Duration::from_micros(1) >= due
                    && call.start <= due + Duration::from_millis(1),
                "call {n} of {rate} calls/s is due at {due:?}: it must start then, give or take \
                 the timer's 1 ms, not at {:?}",
                call.start
            );
        }
    }
}
