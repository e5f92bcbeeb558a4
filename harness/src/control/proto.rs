//! The `jostle.control.v1` protocol, generated from `proto/control.proto` by build.rs.
//!
//! ```
//! use jostle_harness::control::proto::{HealRequest, control_client::ControlClient};
//!
//! let every_fault = HealRequest { id: 0, all: true };
//! assert!(every_fault.all);
//! # let _ = std::marker::PhantomData::<ControlClient<tonic::transport::Channel>>;
//! ```
#![allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
#![allow(missing_debug_implementations, rustdoc::invalid_html_tags, rustdoc::bare_urls)]

tonic::include_proto!("jostle.control.v1");
