//! [`BackendLatency`]: a backend's base latency and jitter, with their ranges.

use crate::error::{Error, Result};
use crate::load::limits::{MAX_DURATION, MAX_DURATION_TEXT};
use std::time::Duration;

/// How long a backend takes to answer each call: `base`, give or take up to `jitter`, drawn
/// uniformly per call in whole milliseconds from the cluster's seed.
///
/// Both are whole milliseconds (tokio's timers count milliseconds), `base` at most
/// [`MAX_DURATION`] (24 h) and `jitter` at most `base`; [`BackendLatency::validate`] says so,
/// and the cluster builder checks it when it starts.
///
/// ```
/// use jostle_harness::cluster::BackendLatency;
/// use std::time::Duration;
///
/// let ms = Duration::from_millis;
/// let latency = BackendLatency::new(ms(30), ms(6));
/// assert_eq!(latency.range(), ms(24)..=ms(36));
/// assert!(latency.validate().is_ok());
/// assert!(BackendLatency::new(ms(2), ms(3)).validate().is_err(), "jitter above base");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BackendLatency {
    /// The middle of the range; 0 to 24 h, whole milliseconds.
    pub base: Duration,
    /// The largest deviation from `base`, either way; 0 to `base`, whole milliseconds.
    pub jitter: Duration,
}

impl BackendLatency {
    /// `base`, give or take up to `jitter`.
    pub fn new(base: Duration, jitter: Duration) -> Self {
        Self { base, jitter }
    }

    /// Always `base`.
    pub fn fixed(base: Duration) -> Self {
        Self::new(base, Duration::ZERO)
    }

    /// The shortest and longest latency a call can draw.
    pub fn range(&self) -> std::ops::RangeInclusive<Duration> {
        self.base.saturating_sub(self.jitter)..=self.base.saturating_add(self.jitter)
    }

    /// Whether both are whole milliseconds, `base` at most 24 h and `jitter` at most `base`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the parameter and its range.
    pub fn validate(&self) -> Result<()> {
        let invalid = |parameter, expected: String, got: Duration| {
            Err(Error::InvalidParameter { parameter, expected, got: format!("{got:?}") })
        };
        for (parameter, value) in [("latency base", self.base), ("latency jitter", self.jitter)] {
            if value.subsec_nanos() % 1_000_000 != 0 {
                return invalid(parameter, "a whole number of milliseconds".into(), value);
            }
        }
        if self.base > MAX_DURATION {
            return invalid("latency base", format!("at most {MAX_DURATION_TEXT}"), self.base);
        }
        if self.jitter > self.base {
            let expected = format!("at most the base, {:?}", self.base);
            return invalid("latency jitter", expected, self.jitter);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::BackendLatency;
    use std::time::Duration;

    #[test]
    fn latency_out_of_its_ranges_is_refused_with_the_parameter_named() {
        let ms = Duration::from_millis;
        for (latency, why) in [
            (BackendLatency::new(ms(2), ms(3)), "latency jitter"),
            (BackendLatency::new(Duration::from_micros(10_500), ms(0)), "latency base"),
            (BackendLatency::new(ms(10), Duration::from_micros(1_500)), "latency jitter"),
            (BackendLatency::fixed(Duration::from_secs(24 * 3600 + 1)), "latency base"),
        ] {
            let error = latency.validate().expect_err(why).to_string();
            assert!(error.contains(why), "{latency:?} must be refused for its {why}: {error}");
        }
        assert!(BackendLatency::new(ms(0), ms(0)).validate().is_ok(), "no latency is a latency");
        assert!(BackendLatency::new(ms(5), ms(5)).validate().is_ok(), "jitter may equal base");
    }
}
