//! A backend's pod restarted in place ([`Fleet::restarted`]), and what every move to a new pod
//! does to the backend's slot ([`Fleet::take_over`]): the old pod's counts carried to its last
//! reading, its fault windows kept if it answered a last time, the fault steps it held lost
//! with it (noted as steps no pod took), and the move kept for the report.

use super::fleet::Fleet;
use super::follow::{Missed, Moved};
use super::held::split;
use super::pod::{Pod, Reading, plus};
use crate::control::proto::{Counters, FaultWindow};
use std::time::Duration;

/// What a pod left behind said a last time: when it was asked, its counters, its windows.
pub(super) type LastWords = (Duration, Counters, Vec<FaultWindow>);

impl Fleet {
    /// Backend `index`'s pod answered as another process (generation `generation` of its
    /// slot): restarted in place, its counters and clock started again. The backend moves to
    /// the new process as to a new pod at the same address; the old process said nothing more.
    /// If the new one cannot be reached yet, the next reading tries again. Returns the new
    /// process's fault windows (on the fleet's clock) when it took over and they were read.
    pub(super) async fn restarted(
        &self,
        index: usize,
        generation: u64,
    ) -> Option<Vec<FaultWindow>> {
        let address = {
            let state = self.lock();
            let slot = &state.slots[index];
            if slot.generation != generation {
                return None; // moved meanwhile
            }
            slot.pod.control
        };
        tracing::warn!(backend = index, %address, "drive: a pod restarted in place");
        match Pod::connect(index, address, self.token.clone()).await {
            Ok(pod) => {
                let windows = match pod.windows(self.origin).await {
                    Ok(Reading::Own(windows)) => Some(windows),
                    _ => None,
                };
                self.take_over(index, generation, pod, None, windows.as_deref().unwrap_or(&[]));
                windows
            }
            Err(error) => {
                tracing::warn!(backend = index, %address, %error, "drive: a restarted pod cannot be reached yet");
                None
            }
        }
    }

    /// Backend `index` (its slot at generation `generation`) moves to `pod`, whose fault log
    /// (on the fleet's clock) is `windows`; `last` is what the old pod said a last time, if it
    /// answered.
    pub(super) fn take_over(
        &self,
        index: usize,
        generation: u64,
        pod: Pod,
        last: Option<LastWords>,
        windows: &[FaultWindow],
    ) {
        let first_read = self.now();
        let mut state = self.lock();
        let state = &mut *state;
        let slot = &mut state.slots[index];
        if slot.generation != generation {
            return; // moved meanwhile: that move counted the old pod
        }
        let answered = last.is_some();
        if let Some((asked, counters, old_windows)) = last {
            slot.last = plus(&slot.carried, &counters);
            slot.last_read = asked;
            state.retired.extend(old_windows);
        }
        let moved = Moved {
            backend: index,
            at: first_read,
            from: slot.pod.control.to_string(),
            to: pod.control.to_string(),
            last_read: slot.last_read,
            first_read,
            answered,
        };
        tracing::info!(?moved, "drive: a backend moved to a new pod");
        let (kept, lost) = split(std::mem::take(&mut slot.held), slot.last_read, windows);
        state.followed.missed.extend(lost.into_iter().map(|step| Missed {
            backend: index,
            at: first_read,
            kind: step.kind,
            injected_at: Some(step.at),
        }));
        slot.held = kept;
        slot.carried = slot.last.clone();
        slot.pod = pod;
        slot.generation += 1;
        slot.last_read = first_read;
        slot.silent = false;
        state.followed.moved.push(moved);
    }
}
