//! A `tracing` subscriber that keeps jostle's events in memory, for tests that check what a
//! user with a subscriber would see. Install it for one test with [`Events::install`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{DefaultGuard, Interest};
use tracing::{Event, Metadata, Subscriber};

/// One event: its message and its other fields, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Captured {
    pub(crate) message: String,
    pub(crate) fields: BTreeMap<String, String>,
}

impl Captured {
    /// The field `name`, or `""` if the event has none.
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// The events captured so far, shared with the subscriber.
#[derive(Debug, Clone, Default)]
pub(crate) struct Events(Arc<Mutex<Vec<Captured>>>);

impl Events {
    /// Starts capturing the events of jostle's crates on this thread (the current-thread runtime
    /// of a `#[tokio::test]` and every task it runs) until the guard is dropped.
    pub(crate) fn install() -> (Self, DefaultGuard) {
        let events = Self::default();
        let guard = tracing::subscriber::set_default(events.clone());
        (events, guard)
    }

    /// Every event captured so far, in order.
    pub(crate) fn all(&self) -> Vec<Captured> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The events whose message is `message`, in order.
    pub(crate) fn with_message(&self, message: &str) -> Vec<Captured> {
        self.all().into_iter().filter(|event| event.message == message).collect()
    }
}

impl Subscriber for Events {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) { Interest::always() } else { Interest::never() }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("jostle")
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut captured = Captured::default();
        event.record(&mut captured);
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(captured);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

impl Visit for Captured {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_text(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_text(field, format!("{value:?}"));
    }
}

impl Captured {
    fn record_text(&mut self, field: &Field, text: String) {
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().to_owned(), text);
        }
    }
}
