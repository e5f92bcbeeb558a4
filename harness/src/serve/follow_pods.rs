//! [`Fleet::follow`]: a followed fleet given the pods' addresses again; when they changed, each
//! backend whose pod is gone moves to a pod that came, and what was seen is kept for the report
//! ([`Followed`](super::Followed)).

use super::fleet::Fleet;
use super::follow::PodChange;
use super::pod::{Pod, Reading};
use crate::control::proto::HealRequest;
use std::net::SocketAddr;
use std::time::Duration;

/// How long a pod left behind may take to answer a last time (heal, counters, fault log).
const LAST_WORDS: Duration = Duration::from_secs(2);

impl Fleet {
    /// Takes `given`, the pods' control addresses as the source gives them now (in any order),
    /// and follows them: a change of the set is kept ([`PodChange`]); once the source gives one
    /// address per backend again, each backend whose pod is no longer given (in backend order)
    /// moves to an address given anew (in address order): its control client points at the new
    /// pod, whose counters count from now on top of the old pod's. The old pod, if it still
    /// answers, is healed and read a last time (its counts and fault windows kept). A new pod
    /// that cannot be reached is tried again at the next call, the old one kept meanwhile.
    pub async fn follow(&self, given: &[SocketAddr]) {
        let mut given = given.to_vec();
        given.sort_unstable();
        given.dedup();
        let at = self.now();
        let pairs: Vec<(usize, SocketAddr)> = {
            let mut state = self.lock();
            if given != state.resolved {
                let gone = state.resolved.iter().filter(|a| !given.contains(a));
                let came = given.iter().filter(|a| !state.resolved.contains(a));
                let change = PodChange {
                    at,
                    gone: gone.map(ToString::to_string).collect(),
                    came: came.map(ToString::to_string).collect(),
                    given: given.len(),
                };
                tracing::info!(?change, "drive: the pods changed");
                if state.followed.changes.is_empty() {
                    state.followed.unchanged_until = Some(state.unchanged_at);
                }
                state.followed.changes.push(change);
                state.resolved.clone_from(&given);
            } else if state.followed.changes.is_empty() {
                state.unchanged_at = at;
            }
            if given.len() != state.slots.len() {
                return; // mid-change: wait for one address per backend
            }
            let current: Vec<SocketAddr> =
                state.slots.iter().map(|slot| slot.pod.control).collect();
            let gone = (0..current.len()).filter(|&index| !given.contains(&current[index]));
            let came = given.iter().copied().filter(|address| !current.contains(address));
            gone.zip(came).collect()
        };
        for (index, address) in pairs {
            match Pod::connect(index, address, self.token.clone()).await {
                Ok(pod) => self.moved(index, pod).await,
                Err(error) => {
                    tracing::warn!(backend = index, %address, %error, "drive: a new pod cannot be reached yet");
                }
            }
        }
    }

    /// Backend `index` moved to `pod`: the old pod healed and read a last time if it answers.
    async fn moved(&self, index: usize, pod: Pod) {
        let (old, generation) = {
            let state = self.lock();
            (state.slots[index].pod.clone(), state.slots[index].generation)
        };
        let asked = self.now();
        let last_words = tokio::time::timeout(LAST_WORDS, async {
            let mut client = old.client.clone();
            client.heal(HealRequest { id: 0, all: true }).await?;
            let counters = old.counters().await?;
            let windows = old.windows(self.origin).await?;
            Ok::<_, tonic::Status>((counters, windows))
        })
        .await;
        let last = match last_words {
            // Another process at the old pod's address answers: not the old pod's words.
            Ok(Ok((Reading::Own(counters), Reading::Own(windows)))) => {
                Some((asked, counters, windows))
            }
            _ => None,
        };
        // Every step was sent to the old pod until now: the new one holds none.
        self.take_over(index, generation, pod, last, &[]);
    }
}
