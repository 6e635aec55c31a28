//! `/metrics` and `/healthz` of a running gateway (`albatross demo`: the simulated line and
//! MII instruments, the embedded broker): the Prometheus text names every link and
//! instrument, its counters grow while the line runs, they agree with what was stored, and
//! the official Python client's parser reads the whole text.

#![cfg(feature = "demo")]

mod common;

use common::{root, temp_dir, wait_until};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// `GET path` on `addr`: (status line, headers, body).
fn get(addr: &str, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_owned(), headers.to_lowercase(), body.to_owned())
}

/// The samples of an exposition text, `name{labels}` → value, each line checked against
/// the format (comments are `# HELP` / `# TYPE`, a sample is a name, labels, a number).
fn samples(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with("# HELP albatross_") || line.starts_with("# TYPE albatross_") {
            continue;
        }
        let (key, value) = line.rsplit_once(' ').unwrap();
        assert!(key.starts_with("albatross_"), "{line}");
        assert!(!key.contains('{') || key.ends_with('}'), "{line}");
        let v: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        assert!(out.insert(key.to_owned(), v).is_none(), "twice: {line}");
    }
    out
}

#[test]
fn metrics_and_health_of_a_running_gateway() {
    let dir = temp_dir("metrics-http");
    let data = dir.join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["demo", "--seconds", "25", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("demo.log")).unwrap())
        .spawn()
        .unwrap();
    let mut banner = BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    let mut line = String::new();
    while addr.is_none() && banner.read_line(&mut line).unwrap() > 0 {
        addr = line
            .trim()
            .strip_prefix("metrics: http://")
            .and_then(|r| r.split_once("/metrics"))
            .map(|(a, _)| a.to_owned());
        line.clear();
    }
    let addr = addr.expect("the demo's banner names the metrics address");
    std::thread::spawn(move || for _ in banner.lines() {});

    wait_until("the health endpoint answers", || {
        TcpStream::connect(&addr).is_ok()
    });
    let (status, _, body) = get(&addr, "/healthz");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, "ok\n");
    let (status, _, _) = get(&addr, "/nothing");
    assert!(status.starts_with("HTTP/1.1 404"), "{status}");

    // the live dashboard (tests/dashboard_browser.rs opens it in a browser): the page, its
    // script, its state, and its event stream
    let (status, headers, body) = get(&addr, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-type: text/html"), "{headers}");
    assert!(body.contains("<script src=\"/dashboard.js\">"), "{body}");
    let (status, headers, body) = get(&addr, "/dashboard.js");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("content-type: text/javascript"),
        "{headers}"
    );
    assert!(body.contains("new EventSource(\"/api/events\")"));
    let state: serde_json::Value = serde_json::from_str(&get(&addr, "/api/state").2).unwrap();
    assert_eq!(state["source"], "gateway");
    // 13 instruments and the line controller
    assert_eq!(state["panels"].as_array().unwrap().len(), 14, "{state}");
    let mut events = TcpStream::connect(&addr).unwrap();
    write!(
        events,
        "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("event: update\ndata: {") {
        let n = events.read(&mut buf).unwrap();
        assert!(n > 0, "the event stream ended");
        seen.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&seen).to_lowercase();
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    drop(events);

    let serials = [
        "3725001", "3725008", "12345", "3716125", "11402", "379", "1234",
    ];
    let scrape = || {
        // polled by wait_until: a scrape every 50 ms at most
        std::thread::sleep(std::time::Duration::from_millis(50));
        samples(&get(&addr, "/metrics").2)
    };
    let records_of = |m: &BTreeMap<String, f64>, serial: &str| -> f64 {
        m.iter()
            .filter(|(k, _)| {
                k.starts_with("albatross_records_total{")
                    && k.contains(&format!("serial=\"{serial}\""))
            })
            .map(|(_, v)| v)
            .sum()
    };
    wait_until("every instrument has stored records", || {
        let m = scrape();
        serials.iter().all(|s| records_of(&m, s) > 0.0)
    });
    let first = scrape();
    let (status, headers, text) = get(&addr, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
        "{headers}"
    );
    for link in [
        "albatross-modem",
        "mii-ctd",
        "mii-aquadopp",
        "mii-optode",
        "mii-cstar",
    ] {
        let key = format!("albatross_link_bytes_total{{link=\"{link}\"}}");
        assert!(
            first.get(&key).is_some_and(|&b| b > 0.0),
            "{key} in\n{text}"
        );
        let key = format!("albatross_link_last_received_timestamp_seconds{{link=\"{link}\"}}");
        assert!(first.contains_key(&key), "{key} in\n{text}");
    }
    for kind in [
        "bad_frame",
        "duplicate",
        "garbage_bytes",
        "frame_lost",
        "timed_out",
    ] {
        let key =
            format!("albatross_link_errors_total{{link=\"albatross-modem\",kind=\"{kind}\"}}");
        assert!(first.contains_key(&key), "{key} in\n{text}");
    }
    for name in ["frames", "messages", "repair_requests", "status_requests"] {
        let key = format!("albatross_link_{name}_total{{link=\"albatross-modem\"}}");
        assert!(first.contains_key(&key), "{key} in\n{text}");
    }
    let last = "albatross_last_sample_timestamp_seconds{platform=\"albatross\",kind=\"sbe37\",serial=\"3725001\"}";
    // the demo's line samples 2026-03-01 from midnight
    assert!(
        first.get(last).is_some_and(|&t| t >= 1_772_323_200.0),
        "{last} in\n{text}"
    );
    assert!(first.contains_key("albatross_spool_depth"), "{text}");
    wait_until("the publisher is connected", || {
        scrape().get("albatross_mqtt_connected") == Some(&1.0)
    });

    // live: the counters grow without a restart
    let frames = "albatross_link_frames_total{link=\"albatross-modem\"}";
    wait_until("more frames arrive", || {
        scrape().get(frames) > first.get(frames)
    });
    let later = scrape();
    assert!(
        later.get(last) > first.get(last),
        "the last sample time moves on"
    );
    assert!(later["albatross_mqtt_published_total"] > 0.0);

    // the official client's parser reads every family
    let python = root().join(".venv/bin/python");
    if python.exists() {
        let mut p = Command::new(&python)
            .args([
                "-c",
                "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as f\n\
                 fams = list(f(sys.stdin.read()))\n\
                 print(len(fams), sum(len(x.samples) for x in fams))",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        p.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = p.wait_with_output().unwrap();
        let counts = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "prometheus_client refused the text:\n{text}"
        );
        let n_families = text.lines().filter(|l| l.starts_with("# TYPE")).count();
        let n_samples = text.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(counts.trim(), format!("{n_families} {n_samples}"), "{text}");
    } else {
        assert!(
            std::env::var("ALBATROSS_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "ALBATROSS_REQUIRE_PYTHON=1 but {} is missing",
            python.display()
        );
        eprintln!("prometheus_client check skipped: no {}", python.display());
    }

    // after the run: what the metrics counted was stored
    let status = child.wait().unwrap();
    assert!(status.success());
    let mut stored = 0;
    for year in std::fs::read_dir(data.join("records/albatross"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(year.path()).unwrap().flatten() {
            if f.file_name()
                .to_string_lossy()
                .starts_with("sbe37_3725001_")
            {
                stored += std::fs::read_to_string(f.path()).unwrap().lines().count();
            }
        }
    }
    let key = "albatross_records_total{platform=\"albatross\",kind=\"sbe37\",serial=\"3725001\"}";
    assert!(
        later[key] > 0.0 && later[key] <= stored as f64,
        "counted {} of {stored} stored",
        later[key]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
