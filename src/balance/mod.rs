//! Client-side load balancing for tonic: a pluggable [`Balancer`], built-in policies, and the
//! randomness they draw from.

mod picker;
pub mod policy;
mod random;

pub use picker::{Balancer, Candidate, EndpointId, Outcome};
pub use random::{RandomSource, Scripted, Seeded};
