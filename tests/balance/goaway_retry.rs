//! Transparent retry of a stream left above a GOAWAY's last stream id (RFC 9113 §6.8: not
//! processed, safe to send again; grpc-go retries it): the call was sent, body and all, but
//! the server went away without reading it. With gRPC's profile the call goes to the next pick
//! and succeeds; with jostle's it fails. On both transports.

use super::grpc_profile::{call, ready, serve};
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle::discover;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tonic::Code;

/// An HTTP/2 server, frame by frame, that waits for a whole call (a HEADERS frame, then a DATA
/// frame that ends the stream), answers it with a GOAWAY whose last stream id is 0 (NO_ERROR:
/// the server going away without having processed any stream) and closes the connection.
async fn go_away_unread<T: AsyncRead + AsyncWrite + Unpin>(mut io: T, streams: Arc<AtomicUsize>) {
    const PREFACE: usize = 24;
    let mut preface = [0; PREFACE];
    if io.read_exact(&mut preface).await.is_err() {
        return;
    }
    // The server's SETTINGS (none), then frames until the client's call has come whole.
    if io.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.is_err() {
        return;
    }
    loop {
        let mut header = [0_u8; 9];
        if io.read_exact(&mut header).await.is_err() {
            return;
        }
        let length =
            usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
        let (kind, flags) = (header[3], header[4]);
        let mut payload = vec![0; length];
        if io.read_exact(&mut payload).await.is_err() {
            return;
        }
        const DATA: u8 = 0;
        const END_STREAM: u8 = 1;
        if kind == DATA && flags & END_STREAM != 0 {
            break;
        }
    }
    streams.fetch_add(1, Ordering::SeqCst);
    // GOAWAY: 8 bytes, type 7, stream 0; last stream id 0, error code NO_ERROR.
    let go_away = [0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let _ = io.write_all(&go_away).await;
    let _ = io.shutdown().await;
}

#[derive(Debug, Clone, Copy)]
enum Wire {
    InMemory,
    Tcp,
}

/// A round robin channel over an endpoint that goes away from every call unread and one that
/// answers OK; the streams each saw.
async fn channel(
    wire: Wire,
    config: BalanceConfig,
) -> (BalancedChannel, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (gone, answered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let addresses: Vec<http::Uri> = match wire {
        Wire::InMemory => ["http://going-away.jostle:50051", "http://answering.jostle:50051"]
            .iter()
            .map(|address| address.parse().unwrap())
            .collect(),
        Wire::Tcp => {
            let mut addresses = Vec::new();
            for going_away in [true, false] {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addresses
                    .push(format!("http://{}", listener.local_addr().unwrap()).parse().unwrap());
                let count = Arc::clone(if going_away { &gone } else { &answered });
                tokio::spawn(async move {
                    while let Ok((stream, _)) = listener.accept().await {
                        let count = Arc::clone(&count);
                        if going_away {
                            tokio::spawn(go_away_unread(stream, count));
                        } else {
                            tokio::spawn(serve(stream, false, count));
                        }
                    }
                });
            }
            addresses
        }
    };
    let going_away = addresses[0].clone();
    let (gone_count, answered_count) = (Arc::clone(&gone), Arc::clone(&answered));
    let connector = tower::service_fn(move |uri: http::Uri| {
        let goes_away = uri == going_away;
        let (gone, answered) = (Arc::clone(&gone_count), Arc::clone(&answered_count));
        async move {
            let io: Box<dyn Io> = match wire {
                Wire::InMemory => {
                    let (client, server) = tokio::io::duplex(64 * 1024);
                    if goes_away {
                        tokio::spawn(go_away_unread(server, gone));
                    } else {
                        tokio::spawn(serve(server, false, answered));
                    }
                    Box::new(client)
                }
                Wire::Tcp => {
                    let authority = uri.authority().expect("an authority").as_str().to_owned();
                    Box::new(tokio::net::TcpStream::connect(authority).await?)
                }
            };
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
        }
    });
    let channel = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .config(config)
        .build(discover::fixed(addresses), connector);
    (channel, gone, answered)
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Calls one at a time until the going-away endpoint has seen `calls` calls (at most 20): their
/// codes.
async fn codes_until_gone(
    channel: &BalancedChannel,
    gone: &AtomicUsize,
    calls: usize,
) -> Vec<Code> {
    let mut codes = Vec::new();
    while gone.load(Ordering::SeqCst) < calls && codes.len() < 20 {
        ready(channel, 2).await;
        codes.push(call(channel).await);
    }
    codes
}

async fn retried_and_succeeds(wire: Wire) {
    let (channel, gone, answered) = channel(wire, BalanceConfig::grpc()).await;
    let codes = codes_until_gone(&channel, &gone, 3).await;
    assert_eq!(gone.load(Ordering::SeqCst), 3, "{wire:?}: the going-away endpoint got 3 calls");
    assert!(
        codes.iter().all(|code| *code == Code::Ok),
        "{wire:?}: a stream above the GOAWAY's last stream id was not processed: gRPC's profile \
         sends it to the next pick (RFC 9113 §6.8, grpc-go); got {codes:?}"
    );
    assert_eq!(answered.load(Ordering::SeqCst), codes.len(), "every call answered once");
}

async fn fails_without_transparent_retry(wire: Wire) {
    let (channel, gone, _) = channel(wire, BalanceConfig::default()).await;
    let codes = codes_until_gone(&channel, &gone, 1).await;
    assert_eq!(
        codes.last(),
        Some(&Code::Unavailable),
        "{wire:?}: jostle's profile does not retry: the call the server went away from fails \
         (a transport error); got {codes:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_left_above_a_goaway_is_retried_on_the_next_pick_and_succeeds_in_memory() {
    retried_and_succeeds(Wire::InMemory).await;
}

// Over TCP on the real clock: the paused clock's auto-advance can reach a call's deadline
// while the kernel still holds the bytes the server waits for. Nothing here measures time.
#[tokio::test]
async fn a_call_left_above_a_goaway_is_retried_on_the_next_pick_and_succeeds_over_tcp() {
    retried_and_succeeds(Wire::Tcp).await;
}

#[tokio::test(start_paused = true)]
async fn without_transparent_retry_a_call_left_above_a_goaway_fails_in_memory() {
    fails_without_transparent_retry(Wire::InMemory).await;
}

#[tokio::test]
async fn without_transparent_retry_a_call_left_above_a_goaway_fails_over_tcp() {
    fails_without_transparent_retry(Wire::Tcp).await;
}
