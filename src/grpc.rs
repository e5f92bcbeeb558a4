//! Small gRPC-over-HTTP/2 facts shared by the balancer and the harness.
//!
//! ```
//! use jostle::grpc;
//!
//! let mut trailers = http::HeaderMap::new();
//! trailers.insert("grpc-status", "14".parse().unwrap());
//! assert_eq!(grpc::status(&trailers), Some(tonic::Code::Unavailable));
//! assert_eq!(grpc::status(&http::HeaderMap::new()), None);
//! ```

use tonic::Code;

/// The status code in a `grpc-status` header (of a trailers-only response, or of trailers).
pub fn status(headers: &http::HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?.parse::<i32>().ok()?;
    Some(Code::from_i32(value))
}
