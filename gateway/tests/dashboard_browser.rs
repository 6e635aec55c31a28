//! The live dashboard in a real browser. The simulated line (8 MicroCATs and an Aquadopp
//! behind the acoustic modem) and the MII node's instruments run at 3600x into the
//! gateway's `service::run` on the example configuration with `[http]`, QC tests that
//! flag some points, and MQTT to a real mosquitto, from which an `albatross writer` with
//! `[writer] http_listen` stores the records.
//!
//! gateway/tests/python/check_dashboard.py opens each dashboard in headless Chromium
//! (Debian's chromium and chromium-driver, selenium from the test venv), waits until every
//! instrument has a panel with data, then until every panel's values change, with the
//! page never reloaded, and saves a screenshot. This test asserts on what the page showed:
//! every instrument's panel and its latest values, plots drawn with flagged points marked,
//! the links' health (frames per second, CRC errors, duplicates, repair requests), the
//! line controller's battery and ring buffer; on the writer's page the same instruments
//! from the broker and no links. Without the venv or Chromium it skips, unless
//! ALBATROSS_REQUIRE_PYTHON=1 (the README's test command), where it fails.

mod common;

use common::mosquitto::{free_port, Mosquitto};
use common::writer::start_writer_subscribed;
use common::{root, temp_dir, HOUR_MS};
use firmware_shim::sim::aquadopp::AquadoppSpec;
use firmware_shim::sim::mii::MiiConfig;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every instrument panel the example configuration gives.
const PANELS: [&str; 13] = [
    "albatross_AQUADOPP_12345",
    "albatross_MICROCAT_3725001",
    "albatross_MICROCAT_3725002",
    "albatross_MICROCAT_3725003",
    "albatross_MICROCAT_3725004",
    "albatross_MICROCAT_3725005",
    "albatross_MICROCAT_3725006",
    "albatross_MICROCAT_3725007",
    "albatross_MICROCAT_3725008",
    "mii_AQUADOPP_11402",
    "mii_CTAR_1234",
    "mii_MICROCAT_3716125",
    "mii_OXYGEN_379",
];

/// The line's deeper MicroCATs read below 13.5 °C: with this test on `temperature_c`,
/// their temperatures are suspect (QC 3), on both dashboards.
const SUSPECT_BELOW_13_5: &str =
    "gross_range = { fail_span = [-5.0, 35.0], suspect_span = [13.5, 14.5] }";

/// The Python interpreter of the test venv, when it and Chromium are there.
fn browser_tools() -> Option<PathBuf> {
    let python = root().join(".venv/bin/python");
    let found = python.exists()
        && Path::new("/usr/bin/chromium").exists()
        && Path::new("/usr/bin/chromedriver").exists();
    if !found {
        assert!(
            std::env::var("ALBATROSS_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "ALBATROSS_REQUIRE_PYTHON=1 but .venv, /usr/bin/chromium or /usr/bin/chromedriver is missing"
        );
        eprintln!("SKIPPED: the dashboard browser test needs .venv (selenium), chromium and chromium-driver (scripts/test-all.sh installs them)");
        return None;
    }
    Some(python)
}

/// Runs the browser check on `url`, saving the screenshot at `shot`: its JSON report.
fn look(python: &Path, url: &str, shot: &Path) -> Value {
    let out = Command::new(python)
        .arg(root().join("gateway/tests/python/check_dashboard.py"))
        .arg(url)
        .arg(shot)
        .arg(PANELS.len().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check_dashboard.py on {url}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The latest value of `var` on a panel, as the page shows it ("13.8566 degree_C").
fn latest(panel: &Value, var: &str) -> Option<f64> {
    let row = panel["latest"].as_array()?.iter().find(|r| r[0] == var)?;
    row[1].as_str()?.split(' ').next()?.parse().ok()
}

/// What both pages must show of the instruments: every panel, live, with plots.
fn assert_instruments(report: &Value, page: &str) {
    let (first, last) = (&report["first"], &report["last"]);
    assert_eq!(last["conn"], "live", "{page}");
    assert_eq!(
        last["marker"], "loaded once",
        "{page}: the page was reloaded"
    );
    assert_eq!(last["navigations"], 1, "{page}");
    assert!(num(&last["updates"]) > num(&first["updates"]), "{page}");
    let panels = last["panels"].as_array().unwrap();
    let ids: BTreeSet<&str> = panels.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, PANELS.into_iter().collect(), "{page}");
    for p in panels {
        let id = p["id"].as_str().unwrap();
        let before = first["panels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap();
        assert!(
            num(&p["records"]) > num(&before["records"]),
            "{page} {id}: no new records shown"
        );
        assert!(!p["latest"].as_array().unwrap().is_empty(), "{page} {id}");
        assert!(
            p["age"].as_str().unwrap().contains("received"),
            "{page} {id}"
        );
        let canvases = p["canvases"].as_array().unwrap();
        assert!(!canvases.is_empty(), "{page} {id}: no plot");
        for c in canvases {
            // the Sbe37 without oxygen sensor has no oxygen values to plot
            let no_sensor = id.ends_with("3725004") || id.ends_with("3725007");
            if no_sensor && c["var"] == "oxygen" {
                assert_eq!(c["points"], 0, "{page} {id}");
                continue;
            }
            assert!(num(&c["points"]) > 1.0, "{page} {id} {c}");
            // a 3 x 3 px mark per point (a flagged one covered by its colour) and the lines
            // between them, overlapping when dense
            let drawn = num(&c["series_px"]) + num(&c["qc3_px"]) + num(&c["qc4_px"]);
            assert!(drawn > 30.0, "{page} {id}: nothing drawn: {c}");
        }
    }
    let ctd = panels
        .iter()
        .find(|p| p["id"] == "albatross_MICROCAT_3725001")
        .unwrap();
    assert!(ctd["title"].as_str().unwrap().contains("500 m"));
    let t = latest(ctd, "temperature").expect("temperature shown");
    assert!((12.0..15.0).contains(&t), "{t}");
    let s = latest(ctd, "salinity").expect("salinity (derived) shown");
    assert!((37.5..39.5).contains(&s), "{s}");
    // the QC tests of the run flag points, and the page marks them
    let flagged: f64 = panels.iter().map(|p| num(&p["flagged"])).sum();
    let marked: f64 = panels
        .iter()
        .flat_map(|p| p["canvases"].as_array().unwrap())
        .map(|c| num(&c["qc3_px"]) + num(&c["qc4_px"]))
        .sum();
    assert!(flagged > 0.0, "{page}: no flagged points");
    assert!(marked > 0.0, "{page}: flagged points not marked");
    // the line controller's status: battery and ring buffer
    let status = last["status"].as_array().unwrap();
    assert_eq!(status.len(), 1, "{page}");
    let card = status[0].as_str().unwrap();
    assert!(card.contains("Controller Battery Voltage"), "{card}");
    assert!(
        card.contains("Oldest Frame Sequence Number In The Ring"),
        "{card}"
    );
}

/// The screenshot is a PNG of the browser window, mostly drawn.
fn assert_screenshot(path: &Path) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.width, 1600, "{}", path.display());
    assert!(info.height >= 900, "{}", path.display());
    let step = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let background = px
        .chunks(step)
        .filter(|c| c[..3] == [0xf4, 0xf6, 0xf8] || c[..3] == [0xff, 0xff, 0xff])
        .count();
    let all = px.len() / step;
    assert!(background < all * 95 / 100, "{}: blank", path.display());
}

#[test]
fn the_dashboards_of_gateway_and_writer_show_the_line_live_in_a_browser() {
    let Some(python) = browser_tools() else {
        return;
    };
    let dir = temp_dir("dashboard-browser");
    let broker = Mosquitto::start(&dir, &[]);

    // the writer first, subscribed before anything is published
    let writer_port = free_port();
    let writer_dir = dir.join("writer-side");
    std::fs::create_dir_all(&writer_dir).unwrap();
    let writer_config = common::mqtt::config_with_mqtt(
        &writer_dir,
        "[link.tcp]\naddress = \"127.0.0.1:9\"\n",
        &broker.address(),
        &format!(
            "\n[writer]\ndir = {:?}\nhttp_listen = \"127.0.0.1:{writer_port}\"\n\
             [files.qc.variables.temperature_c]\n{SUSPECT_BELOW_13_5}\n",
            writer_dir.join("writer").display().to_string()
        ),
    );
    let writer = start_writer_subscribed(&writer_config, &writer_dir, "writer.log");

    // three simulated days at 3600x (72 s): both pages are looked at while the line runs
    let start_ms = firmware_shim::sim::engine::SimConfig::default().start_ms;
    let days_ms = 72 * HOUR_MS;
    let line = firmware_shim::sim::engine::SimConfig {
        seed: 43,
        aquadopp: Some(AquadoppSpec::albatross()),
        sample_until_s: Some(((start_ms + days_ms) / 1000) as u32 - 1),
        ..Default::default()
    };
    let mii = MiiConfig {
        seed: 43,
        ..MiiConfig::default()
    };
    let (ports, sim) =
        common::live::serve_with_mii(line, mii, days_ms + HOUR_MS, &dir.join("truth.jsonl"));
    let mut config = common::live::live_config(&dir.join("data"), &ports, &broker.address());
    let mut qc = common::live::products_qc();
    let suspect: gateway::qc::VariableTests = toml::from_str(SUSPECT_BELOW_13_5).unwrap();
    qc.variables.insert("temperature_c".into(), suspect);
    config.files.qc = qc;
    let port = free_port();
    config.http = Some(toml::from_str(&format!("listen = \"127.0.0.1:{port}\"\n")).unwrap());
    let (stop_tx, gateway) = common::live::run_gateway(config);

    let shot = dir.join("dashboard.png");
    let report = look(&python, &format!("http://127.0.0.1:{port}/"), &shot);
    eprintln!("gateway dashboard screenshot: {}", shot.display());
    assert_instruments(&report, "gateway");
    assert_screenshot(&shot);
    // the links' health, every link of the configuration
    let links = report["last"]["links"].as_array().unwrap();
    let names: BTreeSet<&str> = links.iter().map(|l| l[0].as_str().unwrap()).collect();
    let want: BTreeSet<&str> = [
        "albatross-modem",
        "mii-aquadopp",
        "mii-cstar",
        "mii-ctd",
        "mii-optode",
    ]
    .into();
    assert_eq!(names, want);
    let modem = links.iter().find(|l| l[0] == "albatross-modem").unwrap();
    // link, last bytes, bytes, frames/s, frames, CRC errors, duplicates, repair requests,
    // frames lost, garbage bytes, records
    let cell = |k: usize| -> f64 { modem[k].as_str().unwrap().parse().unwrap() };
    assert!(cell(3) > 0.0, "frames per second: {modem}");
    assert!(cell(4) > 0.0, "frames: {modem}");
    for k in [5, 6, 7, 8, 9] {
        assert!(cell(k) >= 0.0, "{modem}");
    }

    let writer_shot = dir.join("dashboard-writer.png");
    let report = look(
        &python,
        &format!("http://127.0.0.1:{writer_port}/"),
        &writer_shot,
    );
    assert_instruments(&report, "writer");
    assert!(report["last"]["links"].as_array().unwrap().is_empty());
    assert_screenshot(&writer_shot);

    stop_tx.send(true).unwrap();
    let _ = gateway.join();
    // the simulator's thread ends with its three days; the test does not wait for it
    drop(sim);
    common::stop(writer.take());
    drop(broker);
}
