//! The `orders.v1` protocol, generated from `proto/orders.proto` by build.rs (protox, no protoc).
//!
//! ```
//! use jostle_harness::proto::order_service_client::OrderServiceClient;
//! use jostle_harness::proto::GetOrderRequest;
//!
//! let request = GetOrderRequest { id: "backend-0-1".into() };
//! assert_eq!(request.id, "backend-0-1");
//! # let _ = std::marker::PhantomData::<OrderServiceClient<tonic::transport::Channel>>;
//! ```
#![allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
#![allow(missing_debug_implementations, rustdoc::invalid_html_tags, rustdoc::bare_urls)]

tonic::include_proto!("orders.v1");

/// The encoded file descriptor set of `proto/orders.proto` and its imports (written by build.rs
/// with protox), as server reflection serves it.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/orders_descriptor.bin"));
