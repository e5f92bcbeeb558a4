//! The client's own count of where its calls went: jostle's round robin, wrapped to count every
//! call it routed by the address of the endpoint that answered it and how it ended.

use jostle::balance::policy::RoundRobin;
use jostle::balance::{Balancer, Candidate, EndpointId, Outcome};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use tonic::Code;

/// Calls by endpoint address (`10.213.10.10:50051`), answered OK or not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Calls answered OK, by address.
    pub(crate) ok: BTreeMap<String, u64>,
    /// Calls that failed, by address and code (`10.213.10.10:50051 Unavailable`).
    pub(crate) failed: BTreeMap<String, u64>,
}

/// A handle on the counts of a [`Tallied`] balancer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally(Arc<Mutex<Counts>>);

impl Tally {
    /// Round robin, counting into this tally.
    pub(crate) fn round_robin(&self) -> Tallied {
        Tallied { inner: RoundRobin::new(), addresses: BTreeMap::new(), tally: self.clone() }
    }

    /// The counts so far.
    pub(crate) fn counts(&self) -> Counts {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Round robin that counts each routed call into its [`Tally`].
#[derive(Debug)]
pub(crate) struct Tallied {
    inner: RoundRobin,
    /// The address of every endpoint picked (ids are never reused for another address).
    addresses: BTreeMap<EndpointId, String>,
    tally: Tally,
}

impl Balancer for Tallied {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let index = self.inner.pick(ready);
        if let Some(candidate) = ready.get(index) {
            let authority =
                candidate.address.authority().map_or_else(String::new, |a| a.to_string());
            self.addresses.insert(candidate.id, authority);
        }
        index
    }

    fn observe(&mut self, endpoint: EndpointId, outcome: &Outcome) {
        self.inner.observe(endpoint, outcome);
        let address = self.addresses.get(&endpoint).cloned().unwrap_or_default();
        let mut counts = self.tally.0.lock().unwrap_or_else(PoisonError::into_inner);
        if outcome.code == Code::Ok {
            *counts.ok.entry(address).or_default() += 1;
        } else {
            let key = format!("{address} {:?}", outcome.code);
            *counts.failed.entry(key).or_default() += 1;
        }
    }

    fn forget(&mut self, endpoint: EndpointId) {
        self.inner.forget(endpoint);
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}
