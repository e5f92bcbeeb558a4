//! The balancer under test, built as a channel to the scenario's cluster.

use crate::channel::{BoxChannel, Target, boxed};
use crate::dial::{FallbackDialer, RoundRobinDialer};
use crate::error::{Error, Result};
use crate::scenario::{BalancerChoice, NeedsFactory, Scenario};
use jostle::balance::{BalanceConfig, BalancedChannel};
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};

/// How long a built-in jostle policy may take to connect to every announced backend before
/// the load starts anyway (no virtual time in memory; a few milliseconds on TCP).
const CONNECT_BOUND: Duration = Duration::from_secs(5);

/// The channel under test, its random choices drawn from `seed` (the scenario's for client 0).
/// A built-in jostle policy is ready (connected to every backend
/// announced at the start, within [`CONNECT_BOUND`]) when this returns; any other balancer
/// gets the scenario's `warm_up` from the runner.
pub(super) async fn channel(scenario: &Scenario, target: &Target, seed: u64) -> Result<BoxChannel> {
    Ok(match scenario.balancer() {
        BalancerChoice::Jostle { config, .. } => {
            let policy =
                scenario.balancer().policy(seed).ok_or_else(|| Error::InvalidParameter {
                    parameter: "balancer",
                    expected: "a jostle policy".into(),
                    got: scenario.balancer().name().into(),
                })?;
            let config = BalanceConfig { seed: Some(seed), ..(**config).clone() };
            let mut builder = BalancedChannel::builder().boxed_balancer(policy).config(config);
            if let Some(refresh) = target.refresh() {
                // DNS discovery: re-resolve after every failed connection, as well as every TTL.
                builder = builder.refresh_dns_on_failure(refresh);
            }
            let balanced =
                builder.try_build(target.changes(), target.connector.clone()).map_err(|error| {
                    Error::InvalidParameter {
                        parameter: "balancer",
                        expected: "a valid balancer configuration".into(),
                        got: error.to_string(),
                    }
                })?;
            let announced = scenario.discovery().initial.len();
            let ready = balanced
                .wait_until(|endpoints| endpoints.iter().filter(|e| e.ready).count() == announced);
            let _ = tokio::time::timeout(CONNECT_BOUND, ready).await;
            boxed(balanced)
        }
        // Parsing and the overrides keep it on TCP (BalancerChoice::runs_on).
        BalancerChoice::TonicBalanceList => {
            boxed(Channel::balance_list(target.addresses.iter().cloned().map(Endpoint::from)))
        }
        BalancerChoice::RoundRobinDialer => {
            boxed(dialed(RoundRobinDialer::new(target.addresses.clone(), target.connector.clone())))
        }
        BalancerChoice::FallbackDialer => {
            boxed(dialed(FallbackDialer::new(target.addresses.clone(), target.connector.clone())))
        }
        BalancerChoice::Custom(custom) => {
            custom.factory().make(target).await.map_err(|error| Error::Factory {
                balancer: custom.name().to_owned(),
                message: crate::error_chain(error.as_ref()),
            })?
        }
        BalancerChoice::Own(name) => return Err(needs_factory(NeedsFactory(name.clone()))),
    })
}

/// A story whose balancer no run can build (the user's own, named by a file without its
/// factory): the error saying how to play it; `None` for any other.
pub(super) fn unbuildable(scenario: &Scenario) -> Option<Error> {
    scenario.balancer().needs_factory().map(needs_factory)
}

fn needs_factory(why: NeedsFactory) -> Error {
    Error::InvalidParameter {
        parameter: "balancer",
        expected: "a balancer the run can build".into(),
        got: why.to_string(),
    }
}

/// A tonic channel whose connector is `dialer`; the endpoint's own address is ignored, the
/// dialer picks the real one, as in the article.
fn dialed<D>(dialer: D) -> Channel
where
    D: tower::Service<
            http::Uri,
            Response = hyper_util::rt::TokioIo<crate::net::ClientStream>,
            Error = std::io::Error,
        >,
    D: Send + 'static,
    D::Future: Send,
{
    Endpoint::from_static("http://orders.jostle").connect_with_connector_lazy(dialer)
}
