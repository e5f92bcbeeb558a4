//! [`Factory`]: what makes the balancer under test from a scenario's [`Target`], synchronously
//! (a closure returning the channel) or asynchronously (a builder that must be awaited, such
//! as ginepro's `LoadBalancedChannel::builder(..).channel().await`).
//!
//! ```
//! use jostle::balance::{BalancedChannel, policy::RoundRobin};
//! use jostle_harness::channel::{Factory, Target, boxed};
//!
//! // The closure every door takes (`Scenario::against`, `Suite::new`, `Explorer::against`)…
//! let _sync = Factory::from(|target: &Target| {
//!     boxed(BalancedChannel::builder()
//!         .balancer(RoundRobin::new())
//!         .build(target.changes(), target.connector.clone()))
//! });
//! // …or a future: take what it needs from the target, then build in `async move`. An error
//! // fails the run with its message.
//! let _awaited = Factory::future(|target: &Target| {
//!     let (changes, connector) = (target.changes(), target.connector.clone());
//!     async move {
//!         let channel = BalancedChannel::builder()
//!             .balancer(RoundRobin::new())
//!             .try_build(changes, connector)?;
//!         Ok::<_, jostle::balance::ConfigError>(boxed(channel))
//!     }
//! });
//! ```

use super::{BoxChannel, BoxError, Target};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The channel a factory is making.
type Making = Pin<Box<dyn Future<Output = Result<BoxChannel, BoxError>> + Send>>;

/// Makes the channel under test for a scenario's cluster: the user's own balancer, as a
/// scenario, the conformance battery or explore plays it. Cheap to clone (shared).
#[derive(Clone)]
pub struct Factory(Arc<dyn Fn(&Target) -> Making + Send + Sync>);

impl Factory {
    /// A factory that returns the channel at once (what `From` makes of a closure).
    pub fn sync(make: impl Fn(&Target) -> BoxChannel + Send + Sync + 'static) -> Self {
        Self(Arc::new(move |target| {
            let channel = make(target);
            Box::pin(std::future::ready(Ok(channel)))
        }))
    }

    /// A factory that may fail at once: its error fails the run, with its message
    /// (`tonic_balance::balance_list_for`, on a target it cannot dial).
    pub fn fallible<E: Into<BoxError>>(
        make: impl Fn(&Target) -> Result<BoxChannel, E> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(move |target| {
            let made = make(target).map_err(Into::into);
            Box::pin(std::future::ready(made))
        }))
    }

    /// A factory whose channel is built by a future: `make` takes what it needs from the
    /// target (its discovery stream, addresses, connector, seed) and returns the future that
    /// builds the channel; the run awaits it before its load starts. Its error fails the run,
    /// with its message.
    pub fn future<F, E>(make: impl Fn(&Target) -> F + Send + Sync + 'static) -> Self
    where
        F: Future<Output = Result<BoxChannel, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self(Arc::new(move |target| {
            let making = make(target);
            Box::pin(async move { making.await.map_err(Into::into) })
        }))
    }

    /// The channel for `target`, or the factory's error.
    ///
    /// # Errors
    ///
    /// The factory's own error.
    pub async fn make(&self, target: &Target) -> Result<BoxChannel, BoxError> {
        (self.0)(target).await
    }

    /// Whether `self` and `other` are the same factory (not merely an equal one).
    pub fn same(&self, other: &Factory) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<F> From<F> for Factory
where
    F: Fn(&Target) -> BoxChannel + Send + Sync + 'static,
{
    fn from(make: F) -> Self {
        Factory::sync(make)
    }
}

impl fmt::Debug for Factory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Factory").finish_non_exhaustive()
    }
}
