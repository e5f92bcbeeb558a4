//! [`Held`]: a fault step a backend's pod took, with the window the file gives it; when the
//! backend moves to a new pod (replaced, or restarted in place), [`split`] tells the steps the
//! new pod holds from those lost with the old one.

use crate::control::inject::injection;
use crate::control::proto::{FaultWindow, InjectRequest};
use std::collections::BTreeMap;
use std::time::Duration;

/// A fault step a pod took: when (since the fleet's origin), its kind, and until when its
/// window holds as the file writes it (`at` plus `for`; `None`: until healed at the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Held {
    pub(super) at: Duration,
    pub(super) kind: String,
    pub(super) until: Option<Duration>,
}

impl Held {
    /// The step `kind` with `parameters`, taken at `at`.
    pub(super) fn of(at: Duration, kind: &str, parameters: &BTreeMap<String, String>) -> Self {
        let request = InjectRequest {
            kind: kind.to_owned(),
            targets: Vec::new(),
            parameters: parameters.clone().into_iter().collect(),
        };
        // The pod took it, so it reads; the pod's own reader gives its `for`.
        let lasting = injection(&request, &[], 1).ok().and_then(|injection| injection.lasting);
        Self { at, kind: kind.to_owned(), until: lasting.map(|lasting| at + lasting) }
    }
}

/// The steps a backend's old pod took, `held`, split when the backend moves to a new pod: those
/// the new pod holds (taken after `last_read`, the old pod's last reading, and found in the new
/// pod's fault log `windows`, on the fleet's clock: a pod restarted in place took them), and
/// those lost with the old pod (their window held past its last reading). The rest were over.
pub(super) fn split(
    held: Vec<Held>,
    last_read: Duration,
    windows: &[FaultWindow],
) -> (Vec<Held>, Vec<Held>) {
    let last_ms = u64::try_from(last_read.as_millis()).unwrap_or(u64::MAX);
    let mut taken = vec![false; windows.len()];
    let mut kept = Vec::new();
    let mut lost = Vec::new();
    for step in held {
        let found = (step.at >= last_read).then(|| {
            windows.iter().enumerate().position(|(number, window)| {
                !taken[number] && window.kind == step.kind && window.start_ms >= last_ms
            })
        });
        if let Some(Some(number)) = found {
            taken[number] = true;
            kept.push(step);
        } else if step.until.is_none_or(|until| until > last_read) {
            lost.push(step);
        }
    }
    (kept, lost)
}

#[cfg(test)]
mod tests {
    use super::{Held, split};
    use crate::control::proto::FaultWindow;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn held(at: u64, kind: &str, until: Option<u64>) -> Held {
        Held { at: ms(at), kind: kind.into(), until: until.map(ms) }
    }

    #[test]
    fn a_steps_window_is_its_for_as_the_pod_reads_it() {
        let parameters: BTreeMap<String, String> =
            [("delay", "5ms"), ("for", "2s")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(Held::of(ms(500), "delay", &parameters).until, Some(ms(2500)));
        let parameters: BTreeMap<String, String> = [("delay".to_owned(), "5ms".to_owned())].into();
        assert_eq!(Held::of(ms(500), "delay", &parameters).until, None, "no `for`: to the end");
    }

    #[test]
    fn a_window_holding_past_the_old_pods_last_reading_is_lost_an_ended_one_is_not() {
        let steps = vec![
            held(100, "delay", Some(900)),
            held(200, "status", Some(5000)),
            held(300, "refuse", None),
        ];
        let (kept, lost) = split(steps, ms(1000), &[]);
        assert!(kept.is_empty(), "a new pod holds nothing the old one took: {kept:?}");
        let kinds: Vec<&str> = lost.iter().map(|step| step.kind.as_str()).collect();
        assert_eq!(kinds, ["status", "refuse"], "over before the last reading: not lost");
    }

    #[test]
    fn a_step_the_restarted_process_took_after_the_last_reading_is_kept() {
        let window = |kind: &str, start_ms| FaultWindow {
            kind: kind.into(),
            start_ms,
            ..FaultWindow::default()
        };
        let steps = vec![held(1200, "status", None), held(1300, "delay", None)];
        let (kept, lost) = split(steps, ms(1000), &[window("status", 1210)]);
        assert_eq!(kept, [held(1200, "status", None)], "the new process's log shows it");
        assert_eq!(lost, [held(1300, "delay", None)], "taken by the old process, lost with it");
    }
}
