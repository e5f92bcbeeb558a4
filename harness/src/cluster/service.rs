//! [`ServiceFactory`]: what each backend of a cluster serves, made anew at every start.

use std::sync::Arc;
use tonic::service::Routes;

/// Makes a backend's service from its name; called again at every restart, so a restarted
/// backend starts fresh, as a restarted process does.
#[derive(Clone)]
pub struct ServiceFactory(Arc<dyn Fn(&str) -> Routes + Send + Sync>);

impl ServiceFactory {
    /// A factory calling `make` with each backend's name.
    pub fn new(make: impl Fn(&str) -> Routes + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }

    /// The service for backend `name`.
    pub fn make(&self, name: &str) -> Routes {
        (self.0)(name)
    }
}

impl std::fmt::Debug for ServiceFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceFactory")
    }
}
