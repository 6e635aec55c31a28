//! The demo shows everything: the simulated ALBATROSS line (8 MicroCATs and an Aquadopp
//! behind the acoustic modem) and the MII node's own instruments (MicroCAT, Aquadopp,
//! optode, C-Star, each on its own loopback port) served for a simulated day at 3600x into
//! the gateway's `service::run` with every link of the example configuration, pointed at
//! the simulator as `albatross demo` points them. Every record of every kind the simulator
//! sent (its truth) is stored in the JSON-lines files exactly once, under its platform, and
//! published over MQTT (a real mosquitto), and every stored record fits its JSON Schema.

mod common;
use common::mosquitto::Mosquitto;
use common::mqtt::{received, subscribe, unsubscribe};
use common::*;
use firmware_shim::sim::aquadopp::AquadoppSpec;
use firmware_shim::sim::mii::MiiConfig;
use firmware_shim::sim::serve::{serve, served, ServeOptions, Served, Speed};
use gateway::config::{Config, SimulatedPorts};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// (platform, record type, serial) of every stream of the example configuration.
const STREAMS: &[(&str, &str, &str)] = &[
    ("albatross", "sbe37", "3725001"),
    ("albatross", "sbe37", "3725002"),
    ("albatross", "sbe37", "3725003"),
    ("albatross", "sbe37", "3725004"),
    ("albatross", "sbe37", "3725005"),
    ("albatross", "sbe37", "3725006"),
    ("albatross", "sbe37", "3725007"),
    ("albatross", "sbe37", "3725008"),
    ("albatross", "aquadopp_velocity", "12345"),
    ("mii", "sbe37", "3716125"),
    ("mii", "aquadopp_velocity", "11402"),
    ("mii", "optode", "379"),
    ("mii", "cstar", "1234"),
];

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
    let opts = ServeOptions {
        tcp: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        pty: false,
        speed: Speed::Factor(3600.0),
        // an hour more for the last poll's frames to cross the channel
        duration_ms: Some(day_ms + HOUR_MS),
        wait_for_client: true,
        truth: Some(Box::new(std::fs::File::create(&truth_path).unwrap())),
        capture: None,
        mii: Some(MiiConfig {
            seed: 41,
            ..MiiConfig::default()
        }),
    };
    let (tx, rx) = mpsc::channel::<String>();
    let sim = std::thread::spawn(move || {
        serve(line, opts, |l| {
            let _ = tx.send(l.to_owned());
        })
        .unwrap()
    });
    let mut ports = SimulatedPorts::default();
    while ports.modem.is_empty() || ports.instruments.len() < 4 {
        let l = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the simulator announces its ports");
        match served(&l) {
            Some(Served::Modem(a)) => ports.modem = a,
            Some(Served::Mii {
                serial, address, ..
            }) => {
                ports.instruments.insert(serial.to_string(), address);
            }
            None => {}
        }
    }
    std::thread::spawn(move || for _ in rx {});

    // the example configuration, every link pointed at the simulator (as `albatross demo`
    // does), the repair delays scaled to the 3600x clock, MQTT to mosquitto
    let text = include_str!("../albatross.example.toml");
    let mut config = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
    config.gateway.data_dir = dir.join("data");
    assert_eq!(config.point_at_simulator(&ports), Vec::<String>::new());
    assert_eq!(config.links.len(), 5);
    for l in &mut config.links {
        l.modem.repair_grace_s = 1;
        l.modem.repair_interval_s = 1;
        l.modem.repair_retry_s = 3;
        l.modem.ack_interval_s = 1;
        l.modem.status_probe_after_s = 2;
    }
    let mqtt = format!("address = \"{}\"\n", broker.address());
    config.sinks.mqtt = Some(toml::from_str(&mqtt).unwrap());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let gateway = std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(gateway::service::run(config, stop_rx))
    });
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
    std::fs::remove_dir_all(&dir).unwrap();
}
