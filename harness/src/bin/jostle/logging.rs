//! The log of `jostle`: what the library reports through `tracing` (a backend that cannot
//! accept connections, for one) printed on stderr, at the level `RUST_LOG` chooses (`warn`
//! when unset; `RUST_LOG=off` for none, `RUST_LOG=debug` for more), one line each:
//! `WARN cannot accept connections; retrying backend="backend-0" error=Too many open files`.

use std::fmt;
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Installs the log, before any work.
///
/// # Errors
///
/// `RUST_LOG` is not a filter (`error`, `warn`, `jostle_harness=debug`, ...; see
/// tracing-subscriber's `EnvFilter`) or not UTF-8: the message names it and what is wrong.
pub(crate) fn install() -> Result<(), String> {
    let directives = match std::env::var("RUST_LOG") {
        Ok(directives) => directives,
        Err(std::env::VarError::NotPresent) => String::new(),
        Err(std::env::VarError::NotUnicode(raw)) => {
            return Err(format!("error: RUST_LOG is {raw:?}: it must be UTF-8"));
        }
    };
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::WARN.into())
        .parse(&directives)
        .map_err(|error| format!("error: RUST_LOG is {directives:?}: {error}"))?;
    // Only one subscriber per process: a second install (none happens) would keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Line)
        .try_init();
    Ok(())
}

/// One event a line: its level, then its message and fields (tracing-subscriber's own format
/// pads the level to five characters, so a `WARN` line began with a space).
struct Line;

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "{} ", event.metadata().level())?;
        ctx.format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
