//! Tests of `stream_break`.

use super::*;
use http::{HeaderMap, HeaderValue};
use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::Waker;

/// One thing a [`Script`] body does when polled.
enum Step {
    Data(Vec<u8>),
    Trailers(HeaderMap),
    Pending,
    Error,
}

/// An in-memory body that plays its steps in order, then ends; counts how often it is polled.
struct Script {
    steps: VecDeque<Step>,
    polls: Rc<Cell<usize>>,
}

impl Script {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self { steps: steps.into_iter().collect(), polls: Rc::default() }
    }

    fn data(frames: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self::new(frames.into_iter().map(Step::Data))
    }
}

impl Body for Script {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.polls.set(self.polls.get() + 1);
        match self.steps.pop_front() {
            None => Poll::Ready(None),
            Some(Step::Data(data)) => Poll::Ready(Some(Ok(Frame::data(Bytes::from(data))))),
            Some(Step::Trailers(trailers)) => Poll::Ready(Some(Ok(Frame::trailers(trailers)))),
            Some(Step::Pending) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::Error) => Poll::Ready(Some(Err(std::io::Error::other("inner failed")))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty()
    }
}

type Polled = Poll<Option<Result<Frame<Bytes>, BoxError>>>;

fn poll<B: Body<Data = Bytes, Error = BoxError> + Unpin>(body: &mut B) -> Polled {
    Pin::new(body).poll_frame(&mut Context::from_waker(Waker::noop()))
}

/// One gRPC message: uncompressed flag, big-endian length, payload.
fn message(payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).expect("test payloads fit a u32");
    let mut wire = vec![0];
    wire.extend_from_slice(&length.to_be_bytes());
    wire.extend_from_slice(payload);
    wire
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn ok_trailers() -> HeaderMap {
    let mut trailers = HeaderMap::new();
    trailers.insert("grpc-status", HeaderValue::from_static("0"));
    trailers
}

#[track_caller]
fn next_data(body: &mut BreakBody<Script>, rule: &str) -> Bytes {
    match poll(body) {
        Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
            Ok(data) => data,
            Err(frame) => panic!("{rule}: expected data, got {frame:?}"),
        },
        Poll::Ready(Some(Err(error))) => panic!("{rule}: expected data, got error {error}"),
        Poll::Ready(None) => panic!("{rule}: expected data, got the end"),
        Poll::Pending => panic!("{rule}: expected data, got pending"),
    }
}

#[track_caller]
fn expect_break(body: &mut BreakBody<Script>, messages: u32) {
    match poll(body) {
        Poll::Ready(Some(Err(error))) => {
            let broken = error
                .downcast_ref::<StreamBroken>()
                .expect("the break is a typed StreamBroken error");
            assert_eq!(broken.messages, messages, "the break reports how many messages passed");
        }
        Poll::Ready(Some(Ok(frame))) => {
            panic!("no frame passes after {messages} messages, got {frame:?}")
        }
        Poll::Ready(None) => panic!("the stream breaks after {messages} messages, it ended"),
        Poll::Pending => panic!("the break is returned without waiting, got pending"),
    }
}

#[track_caller]
fn expect_end(body: &mut BreakBody<Script>, rule: &str) {
    assert!(matches!(poll(body), Poll::Ready(None)), "{rule}");
}

/// Feeds `wire` in chunks of `size` bytes and returns the data passed before the break.
fn passed_with_chunks(wire: &[u8], size: usize, after: u32) -> Vec<u8> {
    let mut body = BreakBody::new(Script::data(wire.chunks(size).map(<[u8]>::to_vec)), after);
    let mut passed = Vec::new();
    loop {
        match poll(&mut body) {
            Poll::Ready(Some(Ok(frame))) => {
                passed.extend_from_slice(&frame.into_data().expect("only data frames"));
            }
            Poll::Ready(Some(Err(error))) => {
                assert!(error.is::<StreamBroken>(), "only the break fails, got {error}");
                return passed;
            }
            other => panic!("a stream with more messages than {after} breaks, got {other:?}"),
        }
    }
}

#[test]
fn breaks_after_exactly_n_messages_when_each_message_has_its_own_frame() {
    let frames = [message(b"one"), message(b"two"), message(b"three")];
    let mut body = BreakBody::new(Script::data(frames.clone()), 2);

    assert_eq!(next_data(&mut body, "message 1 passes"), frames[0], "frames pass unchanged");
    assert_eq!(next_data(&mut body, "message 2 passes"), frames[1], "frames pass unchanged");
    expect_break(&mut body, 2);
    expect_end(&mut body, "nothing follows the break");
}

#[test]
fn breaks_after_exactly_n_messages_when_messages_share_a_frame() {
    let (one, two, three) = (message(b"one"), message(b"two"), message(b"three"));
    let mut body = BreakBody::new(Script::data([concat(&[&one, &two, &three])]), 2);

    assert_eq!(
        next_data(&mut body, "the shared frame passes up to message 2"),
        concat(&[&one, &two]),
        "a frame holding the end of message N is cut at the end of message N"
    );
    expect_break(&mut body, 2);
    expect_end(&mut body, "nothing follows the break");
}

#[test]
fn cuts_a_frame_that_ends_message_n_and_starts_the_next() {
    let (one, two) = (message(b"first"), message(b"second"));
    let frames = [one[..4].to_vec(), concat(&[&one[4..], &two[..7]]), two[7..].to_vec()];
    let mut body = BreakBody::new(Script::data(frames), 1);

    assert_eq!(next_data(&mut body, "the first piece passes"), one[..4], "data is unchanged");
    assert_eq!(
        next_data(&mut body, "the frame ending message 1 passes"),
        one[4..],
        "the start of message 2 is cut off the frame that ends message 1"
    );
    expect_break(&mut body, 1);
}

#[test]
fn counts_a_message_split_across_frames() {
    let one = message(b"a payload long enough to split in three");
    let frames = [one[..9].to_vec(), one[9..20].to_vec(), one[20..].to_vec(), message(b"x")];
    let mut body = BreakBody::new(Script::data(frames.clone()), 1);

    for (i, frame) in frames[..3].iter().enumerate() {
        assert_eq!(
            &next_data(&mut body, "every piece of message 1 passes"),
            frame,
            "piece {i} of a split message passes unchanged"
        );
    }
    expect_break(&mut body, 1);
}

#[test]
fn counts_a_message_whose_prefix_is_split_across_frames() {
    let (one, two, three) = (message(b"one"), message(b"two"), message(b"three"));
    // Message 2's prefix arrives as 2 bytes, then 1, then 2 with its payload.
    let frames = [concat(&[&one, &two[..2]]), two[2..3].to_vec(), two[3..].to_vec(), three.clone()];
    let mut body = BreakBody::new(Script::data(frames.clone()), 2);

    for (i, frame) in frames[..3].iter().enumerate() {
        assert_eq!(
            &next_data(&mut body, "frames before the end of message 2 pass"),
            frame,
            "frame {i} passes unchanged while its prefix is split"
        );
    }
    expect_break(&mut body, 2);
}

#[test]
fn reads_the_length_prefix_as_big_endian() {
    // 70 000 bytes: a length with non-zero bytes in three positions of the prefix.
    let big = message(&vec![7; 70_000]);
    let wire = concat(&[&big, &message(b"next")]);

    assert_eq!(
        passed_with_chunks(&wire, 4096, 1),
        big,
        "the break falls right after a message whose length needs three bytes"
    );
}

#[test]
fn breaks_at_the_same_byte_for_every_frame_split() {
    let messages = [message(b""), message(b"two"), message(b"three!"), message(b"four")];
    let wire = messages.concat();
    for after in 1..=3 {
        let expected = messages[..after].concat();
        let after = u32::try_from(after).expect("small");
        for size in 1..=wire.len() {
            assert_eq!(
                passed_with_chunks(&wire, size, after),
                expected,
                "exactly {after} messages pass when the stream comes in {size}-byte frames"
            );
        }
    }
}

#[test]
fn counts_empty_messages() {
    let frames = [concat(&[&message(b""), &message(b""), &message(b"x")])];
    let mut body = BreakBody::new(Script::data(frames), 2);

    assert_eq!(
        next_data(&mut body, "two empty messages pass"),
        concat(&[&message(b""), &message(b"")]),
        "a message with a zero length is complete at the end of its prefix"
    );
    expect_break(&mut body, 2);
}

#[test]
fn breaks_before_any_data_when_after_is_zero() {
    let script = Script::data([message(b"one")]);
    let polls = Rc::clone(&script.polls);
    let mut body = BreakBody::new(script, 0);

    assert!(!body.is_end_stream(), "the body is not over before the break is delivered");
    expect_break(&mut body, 0);
    assert_eq!(polls.get(), 0, "with after = 0 the inner body is never polled");
    expect_end(&mut body, "nothing follows the break");
}

#[test]
fn passes_trailers_through_when_the_stream_ends_before_n_messages() {
    let frames = [message(b"one"), message(b"two")];
    let script = Script::new([
        Step::Data(frames[0].clone()),
        Step::Data(frames[1].clone()),
        Step::Trailers(ok_trailers()),
    ]);
    let mut body = BreakBody::new(script, 3);

    assert_eq!(next_data(&mut body, "message 1 passes"), frames[0], "data is unchanged");
    assert_eq!(next_data(&mut body, "message 2 passes"), frames[1], "data is unchanged");
    match poll(&mut body) {
        Poll::Ready(Some(Ok(frame))) => assert_eq!(
            frame.into_trailers().ok(),
            Some(ok_trailers()),
            "trailers before the break pass through unchanged"
        ),
        other => panic!("trailers before the break pass through, got {other:?}"),
    }
    expect_end(&mut body, "a stream with fewer than N messages ends normally");
}

#[test]
fn breaks_instead_of_passing_trailers_when_the_stream_has_exactly_n_messages() {
    let script = Script::new([Step::Data(message(b"one")), Step::Trailers(ok_trailers())]);
    let polls = Rc::clone(&script.polls);
    let mut body = BreakBody::new(script, 1);

    next_data(&mut body, "message 1 passes");
    expect_break(&mut body, 1);
    assert_eq!(polls.get(), 1, "the inner body is not polled for its trailers after message N");
    expect_end(&mut body, "nothing follows the break");
}

#[test]
fn returns_the_break_error_once_then_none() {
    let mut body = BreakBody::new(Script::data([message(b"one"), message(b"two")]), 1);

    next_data(&mut body, "message 1 passes");
    expect_break(&mut body, 1);
    for _ in 0..3 {
        expect_end(&mut body, "after the break every poll returns None");
    }
    assert!(body.is_end_stream(), "the body is over once the break was delivered");
}

#[test]
fn passes_pending_and_inner_errors_through_before_the_break() {
    let script = Script::new([Step::Pending, Step::Data(message(b"one")), Step::Error]);
    let mut body = BreakBody::new(script, 2);

    assert!(poll(&mut body).is_pending(), "a pending inner body makes the break body pending");
    next_data(&mut body, "message 1 passes after the wait");
    match poll(&mut body) {
        Poll::Ready(Some(Err(error))) => {
            assert!(!error.is::<StreamBroken>(), "the inner error is not the break");
            assert_eq!(error.to_string(), "inner failed", "the inner error passes unchanged");
        }
        other => panic!("an inner error before the break passes through, got {other:?}"),
    }
}

#[test]
fn does_not_claim_end_of_stream_before_the_break_is_delivered() {
    // The inner body is over once its last frame is read, but the break is still to come.
    let mut body = BreakBody::new(Script::data([message(b"one")]), 1);

    next_data(&mut body, "message 1 passes");
    assert!(body.inner.is_end_stream(), "the scripted inner body is over");
    assert!(!body.is_end_stream(), "the body is not over before the break is delivered");
    expect_break(&mut body, 1);
    assert!(body.is_end_stream(), "the body is over once the break was delivered");
}

#[test]
fn size_hint_does_not_promise_the_inner_exact_size() {
    let wire = String::from_utf8(concat(&[&message(b"one"), &message(b"two")]))
        .expect("ASCII test messages");
    let length = u64::try_from(wire.len()).expect("small");
    let body = BreakBody::new(wire, 1);

    assert_eq!(body.inner.size_hint().exact(), Some(length), "the inner body knows its size");
    assert_eq!(body.size_hint().exact(), None, "the break may come before the inner's end");
    assert_eq!(body.size_hint().lower(), 0, "the break may come before any data");
    assert_eq!(body.size_hint().upper(), Some(length), "no more than the inner's data passes");
}

#[test]
fn break_error_names_the_message_count() {
    assert_eq!(
        StreamBroken { messages: 3 }.to_string(),
        "stream broken by fault after 3 messages",
        "the message says how many messages passed"
    );
    assert_eq!(
        StreamBroken { messages: 1 }.to_string(),
        "stream broken by fault after 1 message",
        "one message is singular"
    );
}
