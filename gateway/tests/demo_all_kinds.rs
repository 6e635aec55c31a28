//! The demo shows everything: the simulated ALBATROSS line (8 MicroCATs and an Aquadopp
//! behind the acoustic modem) and the MII node's own instruments (MicroCAT, Aquadopp,
//! optode, C-Star, each on its own loopback port) served for a simulated day at 3600x into
//! the gateway's `service::run` with every link of the example configuration, pointed at
//! the simulator as `albatross demo` points them. Every record of every kind the simulator
//! sent (its truth) is stored in the JSON-lines files exactly once, under its platform, and
//! published over MQTT (a real mosquitto), and every stored record fits its JSON Schema.
//!
//! The same run writes the daily products (issue 14): for every instrument one CSV +
//! NetCDF per UTC day (MICROCAT_, AQUADOPP_, OXYGEN_, CTAR_) and the line status
//! (LINESTATUS_albatross_), with spike, rate-of-change and flat-line tests configured on
//! top of the default gross ranges. Every truth sample is one row of its product, with its
//! values; the derived variables are those of the values (current speed and direction,
//! the optode's µmol/kg from the σθ of the MII MicroCAT's row of the same time); and
//! gateway/tests/python/check_daily_files.py passes on the files: compliance-checker
//! cf:1.6 and acdd:1.3, the EMSO v1.0.7 check, NetCDF = CSV, and every per-test flag
//! equal to ioos_qc's on the same series.

mod common;
use common::files::{col, product_rows};
use common::live::STREAMS;
use common::mosquitto::Mosquitto;
use common::mqtt::{received, subscribe, unsubscribe};
use common::*;
use firmware_shim::sim::aquadopp::AquadoppSpec;
use firmware_shim::sim::mii::MiiConfig;
use gateway::config::Config;
use gateway::science::{Product, LINE_STATUS, PRODUCTS};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

/// Every JSON line of the record files of `platform` named `<kind>_<serial>_*.jsonl`.
fn stored_text(dir: &Path, platform: &str, kind: &str, serial: &str) -> String {
    let prefix = format!("{kind}_{serial}_");
    let mut all = String::new();
    let Ok(years) = std::fs::read_dir(dir.join("data/records").join(platform)) else {
        return all;
    };
    for y in years.flatten() {
        for f in std::fs::read_dir(y.path()).unwrap().flatten() {
            if f.file_name().to_string_lossy().starts_with(&prefix) {
                all.push_str(&std::fs::read_to_string(f.path()).unwrap());
            }
        }
    }
    all
}

/// The truth records of one stream, canonical, with their counts.
fn truth_of(truth: &str, kind: &str, serial: &str) -> BTreeMap<String, usize> {
    let lines: String = truth
        .lines()
        .filter(|l| l.contains(&format!("\"serial\":\"{serial}\"")))
        .map(|l| format!("{l}\n"))
        .collect();
    records(&lines, kind)
}

/// What differs between the stored records of each stream and the truth; empty when every
/// truth record is stored exactly once and nothing else is.
fn differences(dir: &Path, truth: &str) -> Vec<String> {
    let mut out = Vec::new();
    for &(platform, kind, serial) in STREAMS {
        let want = truth_of(truth, kind, serial);
        let got = records(&stored_text(dir, platform, kind, serial), kind);
        if want.is_empty() || got != want {
            let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
            let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
            out.push(format!(
                "{platform} {kind} {serial}: {} sent, {} stored, {missing} missing, {extra} not sent",
                want.values().sum::<usize>(),
                got.values().sum::<usize>()
            ));
        }
    }
    out
}

#[test]
fn a_simulated_day_stores_and_publishes_every_kind_of_record_once() {
    let dir = temp_dir("demo-all-kinds");
    let mut broker = Mosquitto::start(&dir, &[]);
    let out = dir.join("received.txt");
    let sub = subscribe(broker.port, "test-sub-all-kinds", "emso/#", None, &out);

    // the demo's simulator: the line with its Aquadopp (lossless here: loss and repair
    // are the other end-to-end tests' subject), the MII's instruments on their ports
    let start_ms = firmware_shim::sim::engine::SimConfig::default().start_ms;
    let day_ms = 24 * HOUR_MS;
    let line = firmware_shim::sim::engine::SimConfig {
        seed: 41,
        aquadopp: Some(AquadoppSpec::albatross()),
        sample_until_s: Some(((start_ms + day_ms) / 1000) as u32 - 1),
        ..Default::default()
    };
    let truth_path = dir.join("truth.jsonl");
    let mii = MiiConfig {
        seed: 41,
        ..MiiConfig::default()
    };
    // an hour more for the last poll's frames to cross the channel
    let (ports, sim) = common::live::serve_with_mii(line, mii, day_ms + HOUR_MS, &truth_path);

    // the example configuration, every link pointed at the simulator (as `albatross demo`
    // does), the repair delays scaled to the 3600x clock, MQTT to mosquitto
    let mut config = common::live::live_config(&dir.join("data"), &ports, &broker.address());
    assert_eq!(config.links.len(), 5);
    config.files.enabled = true;
    config.files.qc = common::live::products_qc();
    let files_dir = config.files_dir();
    let replay_config = config.clone();
    let (stop_tx, gateway) = common::live::run_gateway(config);
    let counters = sim.join().unwrap();
    let truth = std::fs::read_to_string(&truth_path).unwrap();

    // wait (hang guard only) until every stream is stored, then stop the gateway
    let t0 = Instant::now();
    let mut diff = differences(&dir, &truth);
    while !diff.is_empty() && t0.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(250));
        diff = differences(&dir, &truth);
    }
    stop_tx.send(true).unwrap();
    let written = gateway.join().unwrap();
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    assert_eq!(counters.serial_errors, 0, "{counters:?}");
    assert_eq!(counters.aquadopp_samples, 48, "{counters:?}");

    // a day of each: 48 samples of each MicroCAT and 48 Aquadopp records of the line; at
    // least 288 MicroCAT, 144 Aquadopp, 288 optode and 1440 C-Star samples of the MII (which
    // go on through the extra hour)
    let count = |kind: &str, serial: &str| truth_of(&truth, kind, serial).values().sum::<usize>();
    for serial in 3_725_001..=3_725_008 {
        assert_eq!(count("sbe37", &serial.to_string()), 48, "{serial}");
    }
    assert_eq!(count("aquadopp_velocity", "12345"), 48);
    assert!(count("sbe37", "3716125") >= 288);
    assert!(count("aquadopp_velocity", "11402") >= 144);
    assert!(count("optode", "379") >= 288);
    assert!(count("cstar", "1234") >= 1440);

    // every stored record fits its JSON Schema
    let schemas = common::files::schemas();
    let mut checked = 0;
    for &(platform, kind, serial) in STREAMS {
        for l in stored_text(&dir, platform, kind, serial).lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let errors: Vec<String> = schemas[kind]
                .iter_errors(&v)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{l}: {errors:?}");
            checked += 1;
        }
    }
    assert!(
        written >= checked as u64,
        "{written} written, {checked} stored"
    );

    // and every one was published (the subscriber collapses duplicates; the C-Star's
    // identical samples are one message form)
    let t0 = Instant::now();
    let missing_on_mqtt = || -> Vec<String> {
        let mut m = Vec::new();
        for kind in ["sbe37", "aquadopp_velocity", "optode", "cstar"] {
            let want: BTreeSet<String> = records(&truth, kind).into_keys().collect();
            let got = received(&out, kind);
            let missing = want.difference(&got).count();
            if missing > 0 {
                m.push(format!(
                    "{kind}: {} sent, {missing} not published",
                    want.len()
                ));
            }
        }
        m
    };
    let mut missing = missing_on_mqtt();
    while !missing.is_empty() && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(250));
        missing = missing_on_mqtt();
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let topics: BTreeSet<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(t, _)| t.to_owned()))
        .filter(|t| t.ends_with("/data"))
        .collect();
    for &(platform, _, serial) in STREAMS {
        assert!(
            topics
                .iter()
                .any(|t| t.contains(&format!("/{platform}/")) && t.contains(&format!("/{serial}/"))),
            "no topic for {platform} {serial}: {topics:?}"
        );
    }
    unsubscribe(sub);
    broker.stop();

    check_products(&files_dir, &truth);
    check_with_python(&files_dir);
    reprocessed_files_are_the_same(&replay_config, &files_dir, &dir.join("replayed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The product of record `kind`.
fn product_of(kind: &str) -> &'static Product {
    PRODUCTS
        .iter()
        .copied()
        .find(|p| p.record_kinds.contains(&kind))
        .unwrap()
}

fn num(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| cell.parse().unwrap())
}

/// The number a truth field holds (`element` of a list; a product number given as text).
fn truth_value(v: &serde_json::Value, field: &str, element: Option<usize>) -> Option<f64> {
    let f = v.get(field)?;
    match element {
        Some(i) => f.get(i)?.as_f64(),
        None => f.as_f64().or_else(|| f.as_str()?.parse().ok()),
    }
}

/// Every truth sample is one row of its product's daily files, with its values; derived
/// variables follow from them; the line status has its files.
fn check_products(files: &Path, truth: &str) {
    let mut sigma_theta_mii: BTreeMap<String, f64> = BTreeMap::new();
    let mut checked = 0;
    for &(platform, kind, serial) in STREAMS {
        let product = product_of(kind);
        let (header, rows) = product_rows(files, platform, product.sensor, serial);
        assert_eq!(
            header[col(&header, product.serial_column)],
            product.serial_column
        );
        let mut want: Vec<serde_json::Value> = truth
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == kind && v["serial"] == serial)
            .collect();
        want.sort_by(|a, b| a["time"].as_str().cmp(&b["time"].as_str()));
        want.dedup();
        assert_eq!(
            rows.len(),
            want.len(),
            "{platform} {serial}: one row per sample"
        );
        let t = col(&header, "time");
        for (w, row) in want.iter().zip(&rows) {
            assert_eq!(Some(row[t].as_str()), w["time"].as_str(), "{serial}");
            assert_eq!(row[5], serial);
            for spec in product.measured_vars() {
                let got = num(&row[col(&header, spec.name)]);
                let expected = truth_value(w, spec.field, spec.element)
                    .and_then(|x| gateway::science::round(x, spec.decimals));
                assert_eq!(got, expected, "{serial} {} at {}", spec.name, row[t]);
                checked += 1;
            }
        }
        match product.sensor {
            "AQUADOPP" => {
                for row in &rows {
                    let e = num(&row[col(&header, "X_East")]).unwrap();
                    let n = num(&row[col(&header, "Y_North")]).unwrap();
                    let speed = num(&row[col(&header, "Speed")]).unwrap();
                    assert!((speed - e.hypot(n)).abs() <= 5e-5, "{speed} {e} {n}");
                    let d = num(&row[col(&header, "Direction")]).unwrap();
                    let want = e.atan2(n).to_degrees().rem_euclid(360.0);
                    let diff = (d - want).abs();
                    assert!(diff <= 0.005 || diff >= 359.995, "{d} {want}");
                    assert!(num(&row[col(&header, "depth")]).unwrap() > 2000.0);
                }
            }
            "MICROCAT" if platform == "mii" => {
                for row in &rows {
                    let st = num(&row[col(&header, "sigma_theta")]).unwrap();
                    sigma_theta_mii.insert(row[t].clone(), st);
                }
            }
            _ => {}
        }
        if product.sensor == "OXYGEN" {
            // the MII MicroCAT of the same poll gives σθ (its rows come first in STREAMS)
            let mut with = 0;
            for row in &rows {
                let o2 = num(&row[col(&header, "Oxygen")]).unwrap();
                let per_kg = num(&row[col(&header, "Oxygen_umol_kg")]);
                if let (Some(k), Some(st)) = (per_kg, sigma_theta_mii.get(&row[t])) {
                    let want = gateway::science::round(o2 * 1000.0 / (1000.0 + st), 3);
                    assert_eq!(Some(k), want, "{}", row[t]);
                    with += 1;
                }
            }
            assert!(
                with * 10 >= rows.len() * 9,
                "{with} of {} rows with umol/kg",
                rows.len()
            );
        }
    }
    assert!(checked > 10_000, "{checked} values compared");
    // the line status: the controller's status messages of the day
    let (header, rows) = product_rows(files, "albatross", LINE_STATUS.sensor, "albatross");
    assert!(!rows.is_empty());
    for row in &rows {
        let v = num(&row[col(&header, "battery_voltage")]).unwrap();
        assert!((12.0..=15.0).contains(&v), "battery {v} V");
        assert_eq!(
            row[col(&header, "battery_voltage_QC")],
            "1",
            "battery in range"
        );
    }
}

/// Every link's raw archive reprocessed (`albatross reprocess`: the live decoders, one per
/// link across its day files) into a fresh directory gives daily files byte-identical to
/// those written live.
fn reprocessed_files_are_the_same(config: &Config, live: &Path, replayed: &Path) {
    let summary = gateway::reprocess::reprocess(
        config,
        &config.archive_dir(),
        replayed,
        &gateway::reprocess::Options::default(),
        &|_| {},
    )
    .unwrap();
    assert!(summary.damaged.is_empty(), "{:?}", summary.damaged);
    assert_eq!(summary.links.len(), 5, "{summary:?}");
    assert_eq!(summary.bad_bytes, 0, "{summary:?}");
    assert!(summary.days >= 2 && summary.rows >= 2000, "{summary:?}");
    let files = |root: &Path| -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
        out
    };
    let (a, b) = (files(live), files(replayed));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        assert!(
            b[name] == *bytes,
            "{name}: replayed bytes differ from the live ones"
        );
    }
    assert!(a.len() >= 38, "{} files", a.len());
}

/// gateway/tests/python/check_daily_files.py on the products (skipped without ./.venv
/// unless ALBATROSS_REQUIRE_PYTHON=1, as the other Python cross-checks).
fn check_with_python(files: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("ALBATROSS_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "ALBATROSS_REQUIRE_PYTHON=1 but {} is missing",
            python.display()
        );
        eprintln!("skipped the Python checks: no {}", python.display());
        return;
    }
    let out = std::process::Command::new(python)
        .arg(root.join("gateway/tests/python/check_daily_files.py"))
        .arg(files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "check_daily_files.py failed");
    for prefix in ["MICROCAT_", "AQUADOPP_", "OXYGEN_", "CTAR_", "LINESTATUS_"] {
        assert!(
            text.lines()
                .any(|l| l.contains(prefix) && l.contains("cf:1.6")),
            "{prefix}: no compliance line"
        );
    }
    let series: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("ioos_qc: ")?.split(' ').next()?.parse().ok())
        .unwrap();
    assert!(
        series >= 30,
        "{series} per-test flag series compared with ioos_qc"
    );
}
