//! [`Within`]: every wait in a test is bounded, and one that runs out fails naming what it
//! waited for, instead of hanging the test run.
//!
//! ```
//! use jostle_harness::wait::Within;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let ready = async { 7 };
//! assert_eq!(ready.within(Duration::from_secs(1), "the answer").await, 7);
//!
//! let never = std::future::pending::<()>().within(Duration::from_secs(1), "a miracle");
//! let gave_up = tokio::spawn(never).await.unwrap_err().into_panic();
//! assert_eq!(
//!     gave_up.downcast_ref::<String>().unwrap(),
//!     "gave up after 1s waiting for a miracle"
//! );
//! # }
//! ```
//!
//! Under the paused clock the bound is virtual: a wait that can never end fails at once, after
//! tokio has advanced the clock to the bound.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Timeout;

/// How long a test waits for a condition unless it says otherwise: far more than any wait in
/// jostle's tests takes (virtual milliseconds to a few virtual seconds in memory, milliseconds
/// on TCP), short enough that a regression fails the test within the minute.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// A future that gives up after a time limit.
pub trait Within: Future + Sized {
    /// Waits for `self` at most `limit`; past it, panics with `gave up after LIMIT waiting for
    /// WHAT`.
    fn within(self, limit: Duration, what: impl Into<String>) -> Bounded<Self> {
        Bounded { inner: tokio::time::timeout(limit, self), limit, what: what.into() }
    }

    /// [`Within::within`] the [`WAIT_LIMIT`].
    fn bounded(self, what: impl Into<String>) -> Bounded<Self> {
        self.within(WAIT_LIMIT, what)
    }
}

impl<F: Future> Within for F {}

pin_project! {
    /// The future [`Within::within`] returns.
    #[must_use = "a wait does nothing unless awaited"]
    #[derive(Debug)]
    pub struct Bounded<F> {
        #[pin]
        inner: Timeout<F>,
        limit: Duration,
        what: String,
    }
}

impl<F: Future> Future for Bounded<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.inner.poll(cx) {
            Poll::Ready(Ok(output)) => Poll::Ready(output),
            Poll::Ready(Err(_)) => panic!(
                "gave up after {} waiting for {}",
                humantime::format_duration(*this.limit),
                this.what
            ),
            Poll::Pending => Poll::Pending,
        }
    }
}
