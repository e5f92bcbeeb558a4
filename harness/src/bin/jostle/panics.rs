//! Panics anywhere in a run, counted: tokio catches a panic in a spawned task and carries on,
//! so a panic hook records each one and the run that saw any fails, naming the first.

use std::panic::PanicHookInfo;
use std::sync::{Mutex, PoisonError};

/// The first panic since the last [`take`], as `at FILE:LINE:COL: message`.
static FIRST: Mutex<Option<String>> = Mutex::new(None);

/// Installs the hook: each panic is said on stderr as one escaped line, and the first kept.
pub(crate) fn record() {
    std::panic::set_hook(Box::new(|info| {
        let panic = describe(info);
        crate::say::error(&format!("error: panic {panic}"));
        FIRST.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(panic);
    }));
}

/// The first panic since the last call, if any.
pub(crate) fn take() -> Option<String> {
    FIRST.lock().unwrap_or_else(PoisonError::into_inner).take()
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    match info.location() {
        Some(at) => format!("at {}:{}:{}: {message}", at.file(), at.line(), at.column()),
        None => message,
    }
}
