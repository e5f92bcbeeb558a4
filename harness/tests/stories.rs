//! The scenario files the harness's tests write, from one head: [`story_text`] gives a story's
//! name, its backends under round robin and its load, then the rest of the file as written;
//! [`unavailable`] is a backend answering UNAVAILABLE for a while. Mounted at the test crate's
//! root.

/// A story named `name`: `backends` backends under round robin, the `[load]` lines `load` (each
/// ending in a newline), then `rest` (faults, discovery, expectations) as written.
pub(crate) fn story_text(name: &str, backends: usize, load: &str, rest: &str) -> String {
    format!(
        "name = \"{name}\"\n[cluster]\nbackends = {backends}\n[balancer]\n\
         policy = \"round_robin\"\n[load]\n{load}{rest}"
    )
}

/// A `status` fault: backend `backend` answers UNAVAILABLE to every call from `at` (a
/// duration as a file writes it), for `lasting` (to the end when `None`).
pub(crate) fn unavailable(backend: usize, at: &str, lasting: Option<&str>) -> String {
    let lasting = lasting.map_or(String::new(), |lasting| format!("for = \"{lasting}\"\n"));
    format!(
        "[[fault]]\nkind = \"status\"\ntarget = [{backend}]\nat = \"{at}\"\n{lasting}\
         code = \"Unavailable\"\nprobability = 1\n"
    )
}
