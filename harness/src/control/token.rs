//! [`Token`]: the shared secret that a control API listening beyond loopback requires of every
//! call, as `authorization: Bearer <token>`, compared in constant time.
//!
//! ```
//! use jostle_harness::control::Token;
//!
//! let token = Token::new("correct-horse-battery-staple")?;
//! let mut call = tonic::Request::new(());
//! assert_eq!(token.check(&call).unwrap_err().code(), tonic::Code::Unauthenticated);
//! call.metadata_mut().insert("authorization", token.header());
//! assert!(token.check(&call).is_ok());
//! assert!(Token::new("short").is_err(), "at least 16 characters");
//! # Ok::<(), jostle_harness::Error>(())
//! ```

use crate::error::{Error, Result};
use std::fmt;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tonic::metadata::AsciiMetadataValue;
use tonic::{Request, Status};

/// The environment variable `jostle serve` and `jostle ctl` read the token from when no
/// `--token` is given (so that it stays out of `ps`).
pub const TOKEN_ENV: &str = "JOSTLE_CONTROL_TOKEN";
/// The fewest characters a token may have.
pub const MIN_TOKEN: usize = 16;
/// The most characters a token may have.
pub const MAX_TOKEN: usize = 1024;

/// A control API's token: 16 to 1024 visible ASCII characters. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// `text` as a token.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when it is shorter than [`MIN_TOKEN`], longer than
    /// [`MAX_TOKEN`], or has a character that is not visible ASCII (a space, a control
    /// character, anything beyond ASCII): it must fit an HTTP header as it is.
    pub fn new(text: &str) -> Result<Self> {
        let length = text.chars().count();
        let visible = text.bytes().all(|b| b.is_ascii_graphic());
        if !(MIN_TOKEN..=MAX_TOKEN).contains(&length) || !visible {
            return Err(Error::InvalidParameter {
                parameter: "token",
                expected: format!("{MIN_TOKEN} to {MAX_TOKEN} visible ASCII characters (no space)"),
                got: format!(
                    "{length} characters{}",
                    if visible { "" } else { ", not all visible ASCII" }
                ),
            });
        }
        Ok(Self(text.into()))
    }

    /// The token a command was given: `flag` (its `--token`), else the [`TOKEN_ENV`]
    /// environment variable, else none.
    ///
    /// # Errors
    ///
    /// As [`Token::new`], for the token given.
    pub fn given(flag: Option<&str>) -> Result<Option<Self>> {
        let from_env = || std::env::var(TOKEN_ENV).ok();
        flag.map(str::to_owned).or_else(from_env).map(|text| Self::new(&text)).transpose()
    }

    /// The `authorization` header value a client sends: `Bearer <token>`.
    pub fn header(&self) -> AsciiMetadataValue {
        // Visible ASCII only, checked by `new`: always a valid header value.
        format!("Bearer {}", self.0).parse().unwrap_or_else(|_| AsciiMetadataValue::from_static(""))
    }

    /// Whether `request` carries this token; `UNAUTHENTICATED` saying what is missing or
    /// wrong otherwise. The comparison takes the same time wherever the tokens differ.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` when the header is missing, not `Bearer <token>`, or another token.
    pub fn check<T>(&self, request: &Request<T>) -> std::result::Result<(), Status> {
        let Some(value) = request.metadata().get("authorization") else {
            return Err(Status::unauthenticated(
                "no token: this control API requires `authorization: Bearer <token>` (jostle ctl --token, or JOSTLE_CONTROL_TOKEN)",
            ));
        };
        let Some(given) = value.as_bytes().strip_prefix(b"Bearer ") else {
            return Err(Status::unauthenticated(
                "the authorization header is not `Bearer <token>`",
            ));
        };
        if bool::from(given.ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(Status::unauthenticated("wrong token"))
        }
    }
}
