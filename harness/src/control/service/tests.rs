//! The control API over gRPC never echoes unbounded input: an error that quotes a huge fault
//! kind, parameter or backend name still reaches the client as the error it is, short.

use crate::cluster::Cluster;
use crate::control::proto::control_client::ControlClient;
use crate::control::proto::{BackendRequest, InjectRequest};
use crate::control::{self, Controller, ECHO_CHARS, MAX_MESSAGE};
use crate::net::Transport;
use std::collections::HashMap;
use std::sync::Arc;
use tonic::Code;

#[tokio::test]
async fn a_100_kb_input_comes_back_as_a_short_invalid_argument_quoting_its_start() {
    let cluster = Cluster::builder().backends(2).transport(Transport::InMemory).start().await;
    let controller = Arc::new(Controller::new(Arc::new(cluster.unwrap())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let shutdown = stop.clone().cancelled_owned();
    let server = tokio::spawn(control::serve(Arc::clone(&controller), listener, shutdown, None));
    let mut client = ControlClient::connect(format!("http://{address}")).await.unwrap();
    let huge = "k".repeat(100_000);
    let kind = InjectRequest { kind: huge.clone(), ..InjectRequest::default() };
    let parameter = InjectRequest {
        kind: "refuse".into(),
        parameters: HashMap::from([(huge.clone(), "1".into())]),
        ..InjectRequest::default()
    };
    let target = InjectRequest {
        kind: "refuse".into(),
        targets: vec![huge.clone()],
        ..InjectRequest::default()
    };
    let refused = [
        ("a fault kind", client.inject(kind).await.unwrap_err()),
        ("a parameter name", client.inject(parameter).await.unwrap_err()),
        ("a target", client.inject(target).await.unwrap_err()),
        ("a backend", client.crash(BackendRequest { backend: huge.clone() }).await.unwrap_err()),
    ];
    for (what, status) in refused {
        assert_eq!(
            status.code(),
            Code::InvalidArgument,
            "a 100 KB {what} must be refused as bad input, not break the client: {status:?}"
        );
        assert!(
            status.message().len() <= MAX_MESSAGE,
            "an error may echo {what} only up to {MAX_MESSAGE} bytes in all: {} bytes",
            status.message().len()
        );
        assert!(
            status.message().contains(&huge[..ECHO_CHARS]),
            "the error still quotes the start of {what}: {}",
            status.message()
        );
    }
    stop.cancel();
    server.await.unwrap().unwrap();
}
