//! Outlier detection as in gRPC proposal A50 ("gRPC xDS Outlier Detection Support"): a pure,
//! clock-injected state machine that ejects endpoints whose recent calls fail unlike the
//! others, and returns them after an ejection time that grows each time they are ejected again.
//!
//! Callers [`record`](OutlierDetector::record) each call's result against its endpoint, and
//! call [`tick`](OutlierDetector::tick) once per [`interval`](OutlierConfig::interval) with the
//! current time and a random source. Each tick looks only at the calls of the interval that
//! just ended, runs up to two ejection algorithms, and returns endpoints whose ejection time is
//! up. Nothing here reads a clock, spawns or sleeps, so under tokio's paused clock a caller
//! passes `tokio::time::Instant::now().into_std()` and every outcome is exact.
//!
//! # Parameters and their defaults
//!
//! | field | default | meaning |
//! |---|---|---|
//! | [`interval`](OutlierConfig::interval) | 10 s | time between ticks (the caller's timer) |
//! | [`base_ejection_time`](OutlierConfig::base_ejection_time) | 30 s | ejection time per ejection multiplier |
//! | [`max_ejection_time`](OutlierConfig::max_ejection_time) | 300 s | cap, or `base_ejection_time` if larger |
//! | [`max_ejection_percent`](OutlierConfig::max_ejection_percent) | 10 | % of endpoints ejected at once, at least one |
//! | [`success_rate`](OutlierConfig::success_rate) | on | [`SuccessRateEjection`], `None` turns it off |
//! | ↳ [`stdev_factor`](SuccessRateEjection::stdev_factor) | 1900 | thousandths: 1900 is 1.9 standard deviations |
//! | ↳ [`enforcement_percentage`](SuccessRateEjection::enforcement_percentage) | 100 | % chance an outlier is ejected |
//! | ↳ [`minimum_hosts`](SuccessRateEjection::minimum_hosts) | 5 | endpoints with enough volume to judge any |
//! | ↳ [`request_volume`](SuccessRateEjection::request_volume) | 100 | calls in the interval to be judged |
//! | [`failure_percentage`](OutlierConfig::failure_percentage) | off | [`FailurePercentageEjection`], `None` is off |
//! | ↳ [`threshold`](FailurePercentageEjection::threshold) | 85 | failure % an endpoint must exceed |
//! | ↳ [`enforcement_percentage`](FailurePercentageEjection::enforcement_percentage) | 0 | % chance an outlier is ejected |
//! | ↳ [`minimum_hosts`](FailurePercentageEjection::minimum_hosts) | 5 | endpoints with enough volume to judge any |
//! | ↳ [`request_volume`](FailurePercentageEjection::request_volume) | 50 | calls in the interval to be judged |
//!
//! [`OutlierConfig::default`] is what xDS makes of an empty Envoy `OutlierDetection` message:
//! success rate on (Envoy's `enforcing_success_rate` defaults to 100), failure percentage off
//! (`enforcing_failure_percentage` defaults to 0). The failure-percentage enforcement default
//! of 0 is grpc-go's and Envoy's; A50's proto comment says 100, so set it explicitly.
//!
//! # One tick, in grpc-go's order
//!
//! 1. Every endpoint's call counter swaps buckets: the calls since the last tick become the
//!    interval under judgement, and counting starts again from zero.
//! 2. Success rate, if configured: among endpoints with at least `request_volume` calls, if
//!    there are at least `minimum_hosts`, take the mean and the population standard deviation
//!    of their success rates; each one below `mean - stdev * stdev_factor / 1000` is an outlier.
//! 3. Failure percentage, if configured: among endpoints with at least `request_volume` calls,
//!    if there are at least `minimum_hosts`, each one whose failure percentage is strictly
//!    above `threshold` is an outlier.
//! 4. Every endpoint not ejected has its ejection multiplier decreased by one (down to 0);
//!    every ejected one whose `ejection time` has strictly passed since it was ejected returns.
//!
//! In steps 2 and 3, endpoints are visited in key order. Before each, if the ejected endpoints
//! are already at least `max_ejection_percent` of all endpoints, the step stops. For each
//! outlier, `random(100)` is drawn once; the outlier is ejected if the draw is below
//! `enforcement_percentage`. Ejecting stamps the tick's time and adds one to the multiplier, and
//! `ejection time = min(base_ejection_time * multiplier, max(base_ejection_time,
//! max_ejection_time))`.
//!
//! Where this differs from grpc-go: endpoints are visited in key order (grpc-go: Go's random
//! map order), and an endpoint that is already ejected is not ejected again and draws no coin
//! (grpc-go would re-stamp it and count it twice toward `max_ejection_percent`; Envoy skips it).
//! Like grpc-go, and unlike A50's text, failure percentage's `minimum_hosts` counts only
//! endpoints with enough volume, and the `max_ejection_percent` check stops at equality.
mod config;
mod detector;

pub use config::{FailurePercentageEjection, OutlierConfig, OutlierError, SuccessRateEjection};
pub use detector::{EjectionReason, OutlierDetector, OutlierEvent};

#[cfg(test)]
use {config::MAX_DURATION, detector::Bucket};

#[cfg(test)]
mod tests;
