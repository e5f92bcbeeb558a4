//! The chart of a bad pod, drawn by headless Chromium: several faults on one backend keep their
//! labels apart, the timeouts show under the pod they were sent to, the discovery change that
//! drops it is on the time axis, and the latency panel counts the timeouts at the deadline.

use super::browser;
use jostle_harness::load::Progress;
use jostle_harness::report::RunReport;
use jostle_harness::runner;
use jostle_harness::scenario::Scenario;

/// backend-1 turns slow past the deadline, fails some calls, is dropped from discovery and
/// exits; round robin never ejects on timeouts, so it keeps sending it calls.
const BAD_POD: &str = r#"
name = "a bad pod: backend-1 slow past the deadline, failing, dropped, exiting"
seed = 5

[cluster]
backends = 3

[balancer]
policy = "round_robin"
timeouts_to_eject = 0

[load]
rate = 100
duration = "6s"
deadline = "300ms"

[discovery]
[[discovery.change]]
at = "4800ms"
set = [0, 2]

[[fault]]
at = "1s"
for = "3s"
target = [1]
kind = "delay"
delay = "400ms"

[[fault]]
at = "1100ms"
for = "2400ms"
target = [1]
kind = "status"
code = "Unavailable"
probability = 0.2
before_delay = true

[[fault]]
at = "1200ms"
for = "1s"
target = [1]
kind = "connect-delay"
delay = "50ms"

[[fault]]
at = "4900ms"
target = [1]
kind = "terminate"
grace = "200ms"
"#;

const RERUN: &str = "cargo test -p jostle-harness --test harness chart_story";

fn bad_pod() -> RunReport {
    let scenario = Scenario::parse(BAD_POD, "bad-pod.toml").expect("the story parses");
    runner::runtime(&scenario)
        .unwrap()
        .block_on(runner::run_with(&scenario, RERUN, &Progress::new()))
        .unwrap_or_else(|error| panic!("the bad pod's story must run: {error}"))
}

/// Reads every fault label's rendered box, the failures under each lane, the discovery markers
/// and the latency panel's timeout crosses.
const PROBE: &str = r#"<script>
const box = e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
const probe = {
  labels: [...document.querySelectorAll('text.fault-label')].map(t => ({
    text: t.firstChild.textContent, backend: t.closest('g.lane').dataset.backend, box: box(t),
  })),
  failedHere: [...document.querySelectorAll('rect.failed-here')].map(r => ({
    backend: r.closest('[data-backend]').dataset.backend, code: r.dataset.code,
    count: Number(r.dataset.count), box: box(r),
  })),
  changes: [...document.querySelectorAll('g.discovery-change')].map(g => ({
    title: g.querySelector('title').textContent, box: box(g.querySelector('path')),
  })),
  timeouts: [...document.querySelectorAll('path.timed-out-calls')]
    .map(p => ({ count: Number(p.dataset.count), box: box(p) })),
};
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify(probe);
document.body.appendChild(pre);
</script>"#;

fn boxed(value: &serde_json::Value) -> [f64; 4] {
    let numbers: Vec<f64> =
        value.as_array().expect("a box").iter().map(|n| n.as_f64().expect("a number")).collect();
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

fn intersect(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}

#[test]
fn a_bad_pods_chart_keeps_its_fault_labels_apart_and_its_timeouts_under_its_lane() {
    let Some(chromium) = browser::chromium() else { return };
    let report = bad_pod();
    let probe = browser::measure(&chromium, &report.to_html(), PROBE);

    let labels = probe["labels"].as_array().expect("labels");
    let on_bad_pod = labels.iter().filter(|l| l["backend"] == "backend-1").count();
    assert_eq!(on_bad_pod, 4, "each of backend-1's four faults gets a label: {probe}");
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(
                !intersect(boxed(&a["box"]), boxed(&b["box"])),
                "no two fault labels may overlap as the browser draws them: {a} and {b}; {RERUN}"
            );
        }
    }

    let drawn = |backend: &str, code: &str| -> u64 {
        let rects = probe["failedHere"].as_array().expect("failures per backend");
        let visible =
            rects.iter().filter(|r| boxed(&r["box"])[2] > 0.0 && boxed(&r["box"])[3] > 0.0);
        visible
            .filter(|r| r["backend"] == backend && r["code"] == code)
            .map(|r| r["count"].as_u64().expect("count"))
            .sum()
    };
    let timeouts = report.calls.timed_out;
    assert!(timeouts > 0, "the story must time calls out: {report}");
    assert_eq!(
        drawn("backend-1", "DeadlineExceeded"),
        timeouts,
        "every timeout was sent to the slow pod and must show under its lane: {report}\n{probe}"
    );
    for backend in ["backend-0", "backend-2", "none"] {
        assert_eq!(
            drawn(backend, "DeadlineExceeded"),
            0,
            "{backend} timed nothing out and its strip must show no timeout: {probe}"
        );
    }
    let failed_here: u64 = ["backend-0", "backend-1", "backend-2", "none"]
        .iter()
        .flat_map(|b| {
            ["DeadlineExceeded", "Unavailable", "Cancelled", "Unknown"].map(|c| drawn(b, c))
        })
        .sum();
    assert_eq!(
        failed_here,
        report.calls.failed + report.calls.timed_out,
        "every failed call is drawn once, under the backend it was sent to or under none: {report}"
    );

    let changes = probe["changes"].as_array().expect("discovery markers");
    assert_eq!(changes.len(), 1, "the discovery change is on the time axis: {probe}");
    let title = changes[0]["title"].as_str().expect("title");
    assert!(
        title.contains("4.800 s") && title.contains("backend-0, backend-2 announced"),
        "the marker's tooltip names the time and the announced set: {title}"
    );

    let crosses = probe["timeouts"].as_array().expect("timeout crosses");
    let crossed: u64 = crosses.iter().map(|c| c["count"].as_u64().expect("count")).sum();
    assert_eq!(crossed, timeouts, "the latency panel draws every timeout at the deadline: {probe}");
    assert!(crosses.iter().all(|c| boxed(&c["box"])[2] >= 6.0), "a cross is visible: {probe}");
}
