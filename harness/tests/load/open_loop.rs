//! The open loop keeps its rate above one call per millisecond (the timer's resolution): the
//! calls it starts are the calls due by then, however the timer groups its wake-ups.

use super::refusing;
use jostle_harness::load::LoadSpec;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn an_open_loop_faster_than_the_timer_starts_exactly_the_calls_its_rate_declares() {
    for (rate, millis) in [(1_500_u32, 1_000_u64), (3_000, 1_000), (7_000, 500), (40_000, 250)] {
        let duration = Duration::from_millis(millis);
        let spec = LoadSpec::open(f64::from(rate), duration);
        let log = jostle_harness::load::drive(refusing(|| tonic::Status::unavailable("no")), &spec)
            .await
            .unwrap();
        let declared = usize::try_from(u64::from(rate) * millis / 1_000).unwrap();
        assert_eq!(
            log.calls.len(),
            declared,
            "an open loop of {rate} calls/s for {duration:?} must start {declared} calls"
        );
        for (n, call) in log.calls.iter().enumerate() {
            let due = Duration::from_secs_f64(n as f64 / f64::from(rate));
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
