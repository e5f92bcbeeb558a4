//! Headless Chromium for the chart tests: renders a page with a probe script that writes what
//! the browser drew (boxes, lengths) into the DOM as JSON, and reads it back.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium, from `JOSTLE_CHROMIUM` or the PATH; `None` (the test then passes, saying so)
/// only when `JOSTLE_REQUIRE_CHROMIUM` is not set.
pub(crate) fn chromium() -> Option<PathBuf> {
    let found = find();
    if found.is_none() {
        assert!(
            std::env::var_os("JOSTLE_REQUIRE_CHROMIUM").is_none(),
            "JOSTLE_REQUIRE_CHROMIUM is set but no chromium is on the PATH (.ci/run installs it)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: no chromium on the PATH (apt-get install chromium; .ci/run does)");
        }
    }
    found
}

fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JOSTLE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Renders `page` with `probe` (a `<script>` that appends `<pre id="probe">JSON</pre>` to the
/// body) in headless Chromium and gives the probe's JSON.
pub(crate) fn measure(chromium: &Path, page: &str, probe: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.html");
    std::fs::write(&file, page.replace("</body>", &format!("{probe}</body>"))).expect("page");
    let dom = dump_dom(chromium, &file, &dir.path().join("profile"));
    drop(dir);
    let json = dom
        .split_once(r#"<pre id="probe">"#)
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| json.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("the probe must run in the page; Chromium printed:\n{dom}"));
    serde_json::from_str(&json).expect("probe JSON")
}

/// Runs Chromium headless on `page` and returns the DOM it ends with; at most a minute.
fn dump_dom(chromium: &Path, page: &Path, profile: &Path) -> String {
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        .args(["--no-first-run", "--disable-background-networking", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", chromium.display()));
    // Read the DOM while Chromium writes it: a page larger than the pipe's buffer would
    // otherwise block Chromium on its write while this waits for it to exit.
    let mut stdout = child.stdout.take().expect("chromium's stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut dom);
        dom
    });
    let started = Instant::now();
    while child.try_wait().expect("chromium's status").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("headless Chromium must render the report within a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().expect("the reader of chromium's output");
    String::from_utf8_lossy(&dom).into_owned()
}
