//! The HTML report and its timeline chart: well-formed, one lane per backend with its fault
//! windows, every OK call in exactly one bar, and drawn by a real browser (headless Chromium).

use super::browser;
use super::run::play;
use jostle_harness::report::{
    BackendReport, Bucket, FaultWindowReport, Latency, MAX_LANES, RunReport, Timeline,
};
use roxmltree::{Document, Node};

const SVG: &str = "http://www.w3.org/2000/svg";
const RERUN: &str = "cargo test --test harness chart";

fn class<'a>(node: Node<'a, 'a>, name: &str) -> bool {
    node.attribute("class") == Some(name)
}

/// The count at the start of a bar's tooltip, `backend-1: 12 served, ...`.
fn served_in(bar: Node<'_, '_>) -> u64 {
    let title = bar.first_element_child().and_then(|t| t.text()).unwrap_or_default();
    let count = title.split(": ").nth(1).and_then(|rest| rest.split(' ').next());
    count.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("bar tooltip {title:?}"))
}

#[test]
fn the_html_report_is_well_formed_and_draws_each_backend_its_fault_windows_and_every_call() {
    let report = play("article-restart.toml");
    let page = report.to_html();
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let document = Document::parse_with_options(&page, options)
        .unwrap_or_else(|error| panic!("the HTML report must be well-formed XML: {error}"));
    let svg = document
        .descendants()
        .find(|n| n.has_tag_name((SVG, "svg")))
        .expect("the page must hold the chart as inline SVG in the SVG namespace");
    assert_eq!(svg.attribute("id"), Some("jostle-chart"));
    let lanes: Vec<Node<'_, '_>> = svg.descendants().filter(|n| class(*n, "lane")).collect();
    let names: Vec<&str> = lanes.iter().filter_map(|lane| lane.attribute("data-backend")).collect();
    assert_eq!(names, ["backend-0", "backend-1", "backend-2"], "one lane per backend, in order");

    let bars = svg.descendants().filter(|n| class(*n, "served"));
    let drawn: u64 = bars.map(served_in).sum();
    assert_eq!(drawn, report.calls.ok, "every OK call must be in exactly one bar; {RERUN}");

    let faults: Vec<Node<'_, '_>> = svg.descendants().filter(|n| class(*n, "fault")).collect();
    assert_eq!(faults.len(), report.faults.len(), "each fault window shaded in its lane");
    let restart = faults[0];
    assert_eq!(restart.parent().and_then(|lane| lane.attribute("data-backend")), Some("backend-1"));
    assert_eq!(restart.attribute("data-kind"), Some("restart"));
    // The story: the article's dialer sends nothing to backend-1 once it restarts.
    let x = |node: Node<'_, '_>| node.attribute("x").and_then(|x| x.parse::<f64>().ok()).unwrap();
    let restarted_at = x(restart);
    let late =
        lanes[1].children().filter(|n| class(*n, "served")).filter(|b| x(*b) >= restarted_at);
    assert_eq!(late.count(), 0, "backend-1's bars must all lie before its restart; {RERUN}");

    let failed = svg.descendants().filter(|n| class(*n, "failed")).count();
    let failing = report.timeline.buckets.iter().filter(|b| b.failed > 0).count();
    assert_eq!(failed, failing, "one failure bar per bucket with failures");
    assert!(svg.descendants().any(|n| class(n, "p50")), "the latency panel draws the p50 line");
    assert!(
        svg.descendants().any(|n| class(n, "deadline")),
        "the latency panel marks the deadline"
    );
}

fn backend(index: usize, served: u64) -> BackendReport {
    BackendReport {
        name: format!("backend-{index}"),
        served,
        share: 0.0,
        client_failures: Default::default(),
        failures: Default::default(),
        latency_ms: Latency::default(),
        connections_opened: 1,
    }
}

#[test]
fn past_sixteen_backends_the_rest_share_one_lane_and_no_call_is_lost() {
    let backends = 20;
    let report = RunReport {
        backends: (0..backends).map(|i| backend(i, i as u64 + 1)).collect(),
        faults: vec![FaultWindowReport {
            id: 0,
            backend: "backend-19".into(),
            kind: "refuse".into(),
            start_ms: 0.0,
            end_ms: None,
        }],
        timeline: Timeline {
            bucket_ms: 1,
            end_ms: 1.0,
            deadline_ms: 1000.0,
            buckets: vec![Bucket {
                start_ms: 0,
                served: (1..=backends as u64).collect(),
                p50_ms: Some(0.001),
                p99_ms: Some(0.001),
                max_ms: Some(0.001),
                ..Bucket::default()
            }],
        },
        ..RunReport::default()
    };
    let svg = jostle_harness::report::svg(&report);
    let document = Document::parse(&svg).expect("the standalone SVG must be well-formed");
    let lanes: Vec<Node<'_, '_>> = document.descendants().filter(|n| class(*n, "lane")).collect();
    assert_eq!(lanes.len(), MAX_LANES, "at most {MAX_LANES} lanes");
    assert_eq!(lanes[MAX_LANES - 1].attribute("data-backend"), Some("5 others"));
    let drawn: u64 = document.descendants().filter(|n| class(*n, "served")).map(served_in).sum();
    assert_eq!(drawn, (1..=20).sum::<u64>(), "the others' calls are summed in their lane");
    let others = lanes[MAX_LANES - 1];
    assert!(
        others.children().any(|n| class(n, "fault")),
        "an other backend's fault shades its lane"
    );
}

/// Measures, in the browser, what it drew: boxes of the chart's parts and line lengths.
const PROBE: &str = r#"<script>
const box = e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
const svg = document.getElementById('jostle-chart');
const probe = {
  namespace: svg.namespaceURI,
  svg: box(svg),
  lanes: [...document.querySelectorAll('#served g.lane')].map(g => ({
    backend: g.dataset.backend,
    box: box(g.querySelector('rect.lane-background')),
    bars: [...g.querySelectorAll('rect.served')].filter(b => box(b)[2] > 0 && box(b)[3] > 0).length,
    faults: [...g.querySelectorAll('rect.fault')].map(box),
  })),
  lines: [...svg.querySelectorAll('polyline')].map(p => p.getTotalLength()),
  verdict: document.getElementById('verdict').textContent,
};
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify(probe);
document.body.appendChild(pre);
</script>"#;

#[test]
fn headless_chromium_draws_the_chart_with_a_lane_per_backend_and_the_fault_window() {
    let Some(chromium) = browser::chromium() else { return };
    let report = play("article-restart.toml");
    let probe = browser::measure(&chromium, &report.to_html(), PROBE);

    assert_eq!(probe["namespace"], SVG, "the browser must parse the chart as SVG");
    let number = |value: &serde_json::Value| value.as_f64().expect("a number");
    let svg: Vec<f64> = probe["svg"].as_array().expect("svg box").iter().map(number).collect();
    assert!(svg[2] >= 900.0 && svg[3] >= 400.0, "the chart must be drawn full size: {svg:?}");
    let lanes = probe["lanes"].as_array().expect("lanes");
    assert_eq!(lanes.len(), 3, "a lane per backend: {probe}");
    let mut previous_bottom = 0.0;
    for (index, lane) in lanes.iter().enumerate() {
        let b: Vec<f64> = lane["box"].as_array().expect("lane box").iter().map(number).collect();
        assert!(b[2] > 500.0 && b[3] > 20.0, "lane {index} must be visible: {b:?}");
        assert!(b[1] >= previous_bottom, "lanes must not overlap: {probe}");
        previous_bottom = b[1] + b[3];
    }
    let bars: Vec<u64> = lanes.iter().map(|l| l["bars"].as_u64().expect("bars")).collect();
    assert_eq!(bars[0], 0, "backend-0 served nothing through the article's dialer: {probe}");
    assert!(bars[1] > 0 && bars[2] > 0, "backends 1 and 2 must show bars: {probe}");
    let faults = lanes[1]["faults"].as_array().expect("faults");
    assert_eq!(faults.len(), 1, "backend-1's restart must be shaded in its lane: {probe}");
    let fault: Vec<f64> = faults[0].as_array().expect("fault box").iter().map(number).collect();
    assert!(fault[2] > 50.0, "a 1 s window in a 6 s run must be wide: {fault:?}");
    let lines = probe["lines"].as_array().expect("lines");
    assert!(!lines.is_empty() && lines.iter().all(|l| number(l) > 100.0), "latency lines: {probe}");
    assert_eq!(probe["verdict"], report.verdict(), "the page states the verdict");
}
