//! [`Refusals`]: the streams a backend's HTTP/2 layer refused, read from the frames it writes.
//!
//! A request the HTTP/2 layer will not take (an empty `:authority`, which grpc-go sends for an
//! empty target; a malformed header; a stream past the concurrency limit) never reaches the
//! gRPC service, so no call counter sees it: the layer answers it with `RST_STREAM` on a
//! stream that it never sent response headers on. Watching the frames the server writes finds
//! every such stream and its reason. `NO_ERROR` and `CANCEL` are not refusals (a stream ended
//! early by its own side).
//!
//! ```
//! use jostle_harness::net::{Refusals, reason_name};
//!
//! let mut refusals = Refusals::default();
//! let mut seen = Vec::new();
//! // SETTINGS (empty), then RST_STREAM PROTOCOL_ERROR on stream 1, split across two writes.
//! let frames = [&[0, 0, 0, 4, 0, 0, 0, 0, 0][..], &[0, 0, 4, 3, 0, 0, 0, 0, 1, 0, 0, 0, 1]];
//! let bytes: Vec<u8> = frames.concat();
//! refusals.feed(&bytes[..12], |reason| seen.push(reason));
//! refusals.feed(&bytes[12..], |reason| seen.push(reason));
//! assert_eq!(seen, [1]);
//! assert_eq!(reason_name(1), "PROTOCOL_ERROR");
//! ```

use std::collections::BTreeSet;

/// What refused streams mean, for a report beside their counts.
pub const REFUSED_WHY: &str = "reset by the backend's HTTP/2 layer before any call reached it, \
     so no call counter saw them; PROTOCOL_ERROR is a malformed request, such as the empty \
     :authority grpc-go sends for an empty target";

const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const END_STREAM: u8 = 0x1;
const NO_ERROR: u32 = 0x0;
const CANCEL: u32 = 0x8;

/// The frames one connection's server side wrote so far, as far as refusals go: the streams it
/// answered (sent headers on and not yet ended) and the frame it is in the middle of.
#[derive(Debug, Default)]
pub struct Refusals {
    header: [u8; 9],
    filled: usize,
    left: usize,
    reset: Option<Reset>,
    answered: BTreeSet<u32>,
}

#[derive(Debug)]
struct Reset {
    stream: u32,
    code: [u8; 4],
    got: usize,
}

impl Refusals {
    /// Reads `bytes`, the next the server wrote, and calls `refused` with the reason of each
    /// stream it refused.
    pub fn feed(&mut self, mut bytes: &[u8], mut refused: impl FnMut(u32)) {
        while !bytes.is_empty() {
            if self.left == 0 {
                let take = (9 - self.filled).min(bytes.len());
                self.header[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
                self.filled += take;
                bytes = &bytes[take..];
                if self.filled == 9 {
                    self.filled = 0;
                    self.frame_begins();
                }
                continue;
            }
            let take = self.left.min(bytes.len());
            if let Some(reset) = &mut self.reset {
                let copy = (4 - reset.got).min(take);
                reset.code[reset.got..reset.got + copy].copy_from_slice(&bytes[..copy]);
                reset.got += copy;
            }
            self.left -= take;
            bytes = &bytes[take..];
            if self.left == 0
                && let Some(reset) = self.reset.take()
                && reset.got == 4
            {
                let reason = u32::from_be_bytes(reset.code);
                let answered = self.answered.remove(&reset.stream);
                if !answered && reason != NO_ERROR && reason != CANCEL {
                    refused(reason);
                }
            }
        }
    }

    fn frame_begins(&mut self) {
        let [l0, l1, l2, kind, flags, s0, s1, s2, s3] = self.header;
        self.left = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
        let stream = u32::from_be_bytes([s0 & 0x7f, s1, s2, s3]);
        match kind {
            HEADERS if flags & END_STREAM != 0 => {
                self.answered.remove(&stream);
            }
            HEADERS => {
                self.answered.insert(stream);
            }
            RST_STREAM if self.left == 4 => {
                self.reset = Some(Reset { stream, code: [0; 4], got: 0 });
            }
            _ if flags & END_STREAM != 0 && kind == 0x0 => {
                // DATA with END_STREAM: a gRPC answer ends with trailers, but a plain one may not.
                self.answered.remove(&stream);
            }
            _ => {}
        }
    }
}

/// An HTTP/2 error code's name (RFC 9113, section 7): `PROTOCOL_ERROR`, `REFUSED_STREAM`, ...
pub fn reason_name(code: u32) -> String {
    const NAMES: [&str; 14] = [
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|index| NAMES.get(index))
        .map_or_else(|| format!("0x{code:x}"), |name| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::Refusals;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let length = payload.len().to_be_bytes();
        let mut bytes = vec![length[5], length[6], length[7], kind, flags];
        bytes.extend_from_slice(&stream.to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn a_reset_of_an_answered_stream_or_a_cancel_is_no_refusal() {
        let mut refusals = Refusals::default();
        let mut seen = Vec::new();
        let written = [
            frame(0x1, 0x4, 1, &[0x88]),     // response headers on 1
            frame(0x3, 0, 1, &[0, 0, 0, 2]), // then INTERNAL_ERROR on 1: the call was answered
            frame(0x3, 0, 3, &[0, 0, 0, 8]), // CANCEL on 3
            frame(0x0, 0, 5, &[0; 20]),      // data, skipped whole
            frame(0x3, 0, 7, &[0, 0, 0, 7]), // REFUSED_STREAM on 7: refused
        ]
        .concat();
        for byte in written.chunks(1) {
            refusals.feed(byte, |reason| seen.push(reason));
        }
        assert_eq!(seen, [7], "only a stream reset before any answer, not cancelled, is refused");
    }
}
