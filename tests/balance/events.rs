//! The `tracing` events a user debugging a failing run sees: an endpoint ejected when its
//! backend crashes and readmitted when it returns, and discovery's additions and removals.

#[path = "../support/capture.rs"]
mod capture;

use super::{balanced, config};
use capture::Events;
use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle::discover;
use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::wait::Within;

#[tokio::test(start_paused = true)]
async fn a_crashed_backend_is_traced_as_ejected_and_its_return_as_readmitted() {
    let (events, _guard) = Events::install();
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let victim = cluster.backend(1).unwrap();
    let address = victim.address().to_string();
    assert!(events.with_message("endpoint ejected").is_empty(), "no ejection while all are up");

    victim.stop(StopMode::Abrupt).await.unwrap();
    channel
        .wait_until(|endpoints| !endpoints[1].ready)
        .bounded("backend-1 to leave the ready set")
        .await;
    let ejected = events.with_message("endpoint ejected");
    assert_eq!(ejected.len(), 1, "a crash must be traced as one ejection: {ejected:?}");
    assert_eq!(ejected[0].field("endpoint"), address, "the ejection must name the endpoint");
    assert!(!ejected[0].field("reason").is_empty(), "an ejection must give its reason");

    victim.start().await.unwrap();
    channel
        .wait_until(|endpoints| endpoints.iter().all(|e| e.ready))
        .bounded("every endpoint to be ready again")
        .await;
    let readmitted = events.with_message("endpoint readmitted");
    assert_eq!(readmitted.len(), 1, "a return must be traced as one readmission: {readmitted:?}");
    assert_eq!(readmitted[0].field("endpoint"), address, "the readmission must name the endpoint");
    let order: Vec<String> = events.all().into_iter().map(|event| event.message).collect();
    let ejected_at = order.iter().position(|m| m == "endpoint ejected");
    let readmitted_at = order.iter().position(|m| m == "endpoint readmitted");
    assert!(ejected_at < readmitted_at, "readmitted must follow ejected: {order:?}");
}

#[tokio::test(start_paused = true)]
async fn discovery_adding_and_removing_an_endpoint_is_traced() {
    let (events, _guard) = Events::install();
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let address = cluster.addresses().remove(0);
    let (changes, endpoints) = discover::channel();
    let channel = BalancedChannel::builder().config(config()).build(endpoints, cluster.connector());

    changes.insert(address.clone());
    channel
        .wait_until(|endpoints| endpoints.iter().any(|e| e.ready))
        .bounded("an endpoint to become ready")
        .await;
    changes.remove(address.clone());
    channel.wait_until(<[_]>::is_empty).bounded("discovery to remove every endpoint").await;

    let traced: Vec<(String, String)> = events
        .all()
        .into_iter()
        .filter(|event| event.message.contains("discovery"))
        .map(|event| (event.message.clone(), event.field("endpoint").to_owned()))
        .collect();
    let expected = [
        ("endpoint added by discovery".to_owned(), address.to_string()),
        ("endpoint removed by discovery".to_owned(), address.to_string()),
    ];
    assert_eq!(traced, expected, "discovery's changes must be traced, naming the endpoint");
}
