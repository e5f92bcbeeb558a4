//! The control: jostle's round robin, over the same TCP battery, with the same concurrency and
//! the same watch for a stalled machine, passes every check the peers fail.

use super::ROUND_ROBIN;

#[test]
fn jostle_round_robin_passes_the_battery_the_peers_fail_over_tcp() {
    ROUND_ROBIN.battery().assert_passes();
}
