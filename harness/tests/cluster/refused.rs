//! Streams the HTTP/2 layer refuses are counted: a request with an empty `:authority` (what
//! grpc-go sends for an empty target) never reaches the gRPC service, so no call counter sees
//! it; the backend counts it as a refused stream, with its reason, and a well-formed call on
//! the same connection is counted as a call, not a refusal. A raw HTTP/2 client, since no Rust
//! HTTP/2 client can send an empty authority.

use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PROTOCOL_ERROR: u32 = 1;
const BOUND: Duration = Duration::from_secs(10);

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut bytes = vec![length[1], length[2], length[3], kind, flags];
    bytes.extend_from_slice(&stream.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// A CreateOrder request's header block (HPACK, no indexing) with `authority` as written.
fn headers(authority: &str) -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    let path = b"/orders.v1.OrderService/CreateOrder";
    block.extend([0x04, u8::try_from(path.len()).unwrap()]);
    block.extend_from_slice(path);
    block.extend([0x01, u8::try_from(authority.len()).unwrap()]);
    block.extend_from_slice(authority.as_bytes());
    block.extend([0x0f, 0x10, 16]); // content-type (static index 31)
    block.extend_from_slice(b"application/grpc");
    block.extend([0x00, 2]);
    block.extend_from_slice(b"te");
    block.extend([8]);
    block.extend_from_slice(b"trailers");
    block
}

/// Reads frames until one of `kind` on `stream`; hands back its flags and payload.
async fn until(conn: &mut TcpStream, kind: u8, stream: u32) -> (u8, Vec<u8>) {
    loop {
        let mut header = [0_u8; 9];
        conn.read_exact(&mut header).await.expect("the backend keeps the connection open");
        let length =
            usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
        let mut payload = vec![0; length];
        conn.read_exact(&mut payload).await.expect("a whole frame");
        let on = u32::from_be_bytes([header[5] & 0x7f, header[6], header[7], header[8]]);
        if header[3] == kind && on == stream {
            return (header[4], payload);
        }
    }
}

#[tokio::test]
async fn a_stream_with_an_empty_authority_is_counted_refused_with_its_reason() {
    let cluster = Cluster::builder().backends(1).transport(Transport::Tcp).start().await.unwrap();
    let backend = cluster.backend(0).unwrap().clone();
    let port = backend.address().port_u16().unwrap();
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(frame(0x4, 0, 0, &[]));
    // Stream 1: an empty :authority, END_HEADERS and END_STREAM.
    hello.extend(frame(0x1, 0x4 | 0x1, 1, &headers("")));
    conn.write_all(&hello).await.unwrap();
    let (_, reason) = tokio::time::timeout(BOUND, until(&mut conn, 0x3, 1)).await.unwrap();
    assert_eq!(reason, PROTOCOL_ERROR.to_be_bytes(), "h2 refuses an empty :authority");
    let counted = backend.wait_until(|stats| !stats.refused_streams.is_empty());
    let counted = tokio::time::timeout(BOUND, counted).await.expect("the refusal is counted");
    assert_eq!(
        counted.refused_streams.get(&PROTOCOL_ERROR),
        Some(&1),
        "a refused stream must be counted once, by its reason: {counted:?}"
    );
    assert_eq!(counted.total_started(), 0, "no call reached the service");

    // Stream 3: the same call with an authority is answered, and is no refusal.
    let mut call = frame(0x1, 0x4, 3, &headers("backend"));
    call.extend(frame(0x0, 0x1, 3, &[0, 0, 0, 0, 0]));
    conn.write_all(&call).await.unwrap();
    let (flags, _) = tokio::time::timeout(BOUND, until(&mut conn, 0x1, 3)).await.unwrap();
    assert_eq!(flags & 0x4, 0x4, "the backend answers the call with headers");
    let answered = backend
        .wait_until(|stats| stats.rpcs.values().map(|m| m.total_finished()).sum::<u64>() == 1);
    let answered = tokio::time::timeout(BOUND, answered).await.expect("the call is counted");
    assert_eq!(
        answered.refused_streams.get(&PROTOCOL_ERROR),
        Some(&1),
        "an answered call must not count as a refused stream: {answered:?}"
    );
    drop(conn);
    cluster.shutdown().await;
}
