//! [`sabotage`]: a channel that fails every 50th call with UNAVAILABLE without sending it
//! anywhere, for tests that show `avoidable-failures` catching a channel that fails calls of
//! its own accord (harness/tests/scenarios/invariants.rs, tests/explore/broken.rs).

use crate::wrap::{answer, pass, wrap};
use jostle_harness::channel::BoxChannel;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// `inner`, sabotaged: every 50th call fails with UNAVAILABLE, the others pass.
pub(crate) fn sabotage(inner: BoxChannel) -> BoxChannel {
    let calls = Arc::new(AtomicU64::new(0));
    wrap(inner, move |inner, request| {
        if calls.fetch_add(1, Ordering::Relaxed) % 50 == 49 {
            answer(tonic::Status::unavailable("sabotaged"))
        } else {
            pass(inner, request)
        }
    })
}
