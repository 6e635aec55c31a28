//! A serial number that arrives over a link never steers a path or a topic, end to end:
//! `albatross run` reads a Nortek Aquadopp link (TCP) whose hardware configuration carries
//! hostile serial numbers (`../../../x`, `/etc/x`, `+/#`, `\..\y`, `..`, `.`, control
//! bytes, `$SYS`, spaces, and two that differ only in a character that is not safe), each
//! followed by three velocity records (real bytes of Aquadopp AQD11402, OOI), with the
//! record files, the daily files, the archive and the MQTT sink (real mosquitto) on.
//!
//! Afterwards every file is under the data directory and nothing else appeared beside it;
//! each record file holds the records of exactly one serial, under its own encoded name
//! (`names::safe_part`), three velocity records each (none collapsed onto another serial's
//! file, where the record files' deduplication would have dropped them); and every topic
//! published has exactly the six levels of the tree, no wildcard, and the encoded serial.
//!
//! What the decoder itself does before the sanitiser: the Nortek serial field is 14 bytes
//! of ASCII; a NUL ends it and every byte outside printable ASCII becomes `?`
//! (`protocol::instruments::nortek::framing::ascii_field`), so two serials that differ only
//! there already arrive as one text. That is a property of the instrument's format.

mod common;
use common::mosquitto::Mosquitto;
use common::mqtt::{subscribe, unsubscribe};
use common::*;
use gateway::names::safe_part;
use protocol::instruments::nortek::framing::checksum;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The real AQD11402 recording: hardware (48 B), head (224 B), user (512 B) configuration,
/// then 42-byte velocity records.
const VELPT: &[u8] = include_bytes!("../../protocol/tests/data/ooi/VELPT_SN_11402_2014-07-02.aqd");

/// 14-byte serial fields (the decoder strips the instrument-type letters in front) and the
/// serial the gateway reads from each.
const HOSTILE: &[(&[u8], &str)] = &[
    (b"AQD../../../x", "../../../x"),
    (b"AQD/etc/x", "/etc/x"),
    (b"AQD+/#", "+/#"),
    (b"AQD+a", "+a"),
    (b"AQD#a", "#a"),
    (b"AQD\\..\\y", "\\..\\y"),
    (b"AQD..", ".."),
    (b"AQD.", "."),
    (b"AQD1\x01\x1b[2J", "1??[2J"),
    (b"AQD$SYS", "$SYS"),
    (b"AQD1 2", "1 2"),
    (b"AQD12\xff", "12?"),
];

/// The hardware configuration of AQD11402 with serial field `serial` (checksum redone).
fn hardware_config(serial: &[u8]) -> Vec<u8> {
    let mut hw = VELPT[..48].to_vec();
    let mut field = [b' '; 14];
    field[..serial.len()].copy_from_slice(serial);
    hw[4..18].copy_from_slice(&field);
    let cs = checksum(&hw[..46]);
    hw[46..48].copy_from_slice(&cs.to_le_bytes());
    hw
}

/// What the instrument link sends: for each hostile serial its configuration, then three
/// velocity records.
fn stream() -> Vec<u8> {
    let mut out = Vec::new();
    for (field, _) in HOSTILE {
        out.extend(hardware_config(field));
        out.extend_from_slice(&VELPT[48..784]);
        out.extend_from_slice(&VELPT[784..784 + 3 * 42]);
    }
    out
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn config(dir: &Path, link: &str, broker: &str) -> PathBuf {
    let example = include_str!("../albatross.example.toml");
    let head = example
        .split("# The MII's acoustic modem host interface")
        .next()
        .unwrap()
        .replace(
            "data_dir = \"albatross-data\"",
            &format!("data_dir = {:?}", dir.join("data").display().to_string()),
        );
    let text = format!(
        "{head}\n[[link]]\nname = \"mii-aquadopp\"\nplatform = \"mii\"\ncarries = \"nortek\"\ninstrument = \"11402\"\n[link.tcp]\naddress = \"{link}\"\n\n[files]\nenabled = true\n\n[sinks.mqtt]\naddress = \"{broker}\"\n"
    );
    let path = dir.join("albatross.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `(kind, serial)` of each velocity or configuration record in `lines` of JSON.
fn serial_of(line: &str) -> (String, Option<String>) {
    let v: Value = serde_json::from_str(line).unwrap();
    (
        v["type"].as_str().unwrap().to_owned(),
        v["serial"].as_str().map(str::to_owned),
    )
}

#[test]
fn hostile_serials_from_the_link_stay_in_their_own_files_and_topics() {
    let dir = temp_dir("hostile-serials");
    let mut broker = Mosquitto::start(&dir, &[]);
    let published = dir.join("published.txt");
    let sub = subscribe(broker.port, "hostile-sub", "#", None, &published);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let link = listener.local_addr().unwrap().to_string();
    let bytes = stream();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.write_all(&bytes).unwrap();
        // keep the connection open until the gateway is stopped
        std::thread::sleep(Duration::from_secs(60));
    });
    drop(server);
    let config = config(&dir, &link, &broker.address());
    let gateway = start_gateway(&config, &dir);
    let velocity_topics = |text: &str| {
        text.lines()
            .filter(|l| l.contains("/aquadopp_velocity/"))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while velocity_topics(&std::fs::read_to_string(&published).unwrap_or_default())
        < 3 * HOSTILE.len()
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(gateway);
    unsubscribe(sub);
    broker.stop();
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();

    // nothing was created beside the data directory (or above it)
    let beside: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = [
        "albatross.toml",
        "data",
        "gateway.log",
        "mosquitto",
        "published.txt",
    ]
    .map(String::from)
    .into();
    assert_eq!(beside, expected, "{log}");
    let data = dir.join("data").canonicalize().unwrap();
    let files = files_under(&data);
    for f in &files {
        assert!(
            f.canonicalize().unwrap().starts_with(&data),
            "{}",
            f.display()
        );
    }

    // each record file holds one serial's records, under that serial's encoded name
    let records = data.join("records");
    let mut velocity: BTreeMap<String, usize> = BTreeMap::new();
    for f in files.iter().filter(|f| f.starts_with(&records)) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).unwrap();
        let serials: BTreeSet<Option<String>> = text.lines().map(|l| serial_of(l).1).collect();
        assert_eq!(serials.len(), 1, "{name} mixes serials {serials:?}");
        let serial = serials.into_iter().next().unwrap().unwrap();
        assert!(
            name.contains(&format!("_{}_", safe_part(&serial))),
            "{name} is not the file of serial {serial:?}"
        );
        for l in text.lines() {
            if serial_of(l).0 == "aquadopp_velocity" {
                *velocity.entry(serial.clone()).or_default() += 1;
            }
        }
    }
    let want: BTreeMap<String, usize> = HOSTILE.iter().map(|(_, s)| (s.to_string(), 3)).collect();
    assert_eq!(velocity, want, "{log}");

    // every topic: <root>/<site>/<platform>/<kind>/<encoded serial>/<data|status>
    let text = std::fs::read_to_string(&published).unwrap();
    let mut topics_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        let (topic, payload) = line.split_once(' ').unwrap();
        assert!(!topic.contains(['+', '#', '\0']), "{topic}");
        let levels: Vec<&str> = topic.split('/').collect();
        if levels.get(2) == Some(&"gateway") {
            continue; // <root>/<site>/gateway/<id>/online
        }
        assert_eq!(levels.len(), 6, "{topic}");
        assert!(levels.iter().all(|l| gateway::names::is_part(l)), "{topic}");
        if levels[5] == "data" {
            let (_, serial) = serial_of(payload);
            let serial = serial.unwrap();
            assert_eq!(levels[4], safe_part(&serial), "{topic}");
            topics_of
                .entry(serial)
                .or_default()
                .insert(topic.to_owned());
        }
    }
    for (_, s) in HOSTILE {
        assert!(topics_of.contains_key(*s), "no topic for {s:?}: {text}");
    }
    // distinct serials, distinct topics
    let all: Vec<&String> = topics_of.values().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len());
    let _ = std::fs::remove_dir_all(&dir);
}
