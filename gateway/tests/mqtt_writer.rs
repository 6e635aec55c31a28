//! `albatross writer` against a real mosquitto (tests/common/mosquitto.rs):
//!
//! - (a) a simulated day reaches the writer complete: every truth record stored, once;
//! - (b) the broker is stopped in the middle of a run and restarted (and the writer is killed
//!   with SIGKILL and restarted): every record arrives, each stored exactly once;
//! - a record delivered several times is stored once;
//! - every stored line and every payload seen on the broker validates against its JSON
//!   Schema in docs/schema/.
//!
//! Each test exists twice: with records published by the test itself (rumqttc, as the
//! gateway's publisher does: same topics, same payloads, QoS 1, re-sends after reconnects),
//! and end to end with the simulated line, `albatross run` publishing over `[sinks.mqtt]`
//! and the writer storing.

mod common;
use common::mosquitto::Mosquitto;
use common::writer::*;
use common::*;

use rumqttc::{Client, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- configuration, processes

/// The test configuration (the gateway's, from `common::config`) with `[sinks.mqtt]` on
/// `broker` and a `[writer]` section; `transport` is the gateway's modem link.
fn mqtt_config(dir: &Path, transport: &str, broker: &str) -> PathBuf {
    let path = config(dir, transport);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!(
        "\n[sinks.mqtt]\naddress = \"{broker}\"\n\n[writer]\ndir = {:?}\n",
        dir.join("writer").display().to_string()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

// ---------------------------------------------------------------- JSON Schemas

/// The JSON Schemas of docs/schema, by name (`sbe37`, …, `status`, `online`).
fn schemas() -> HashMap<String, jsonschema::Validator> {
    let out = common::files::schemas();
    for k in [
        "sbe37",
        "line_status",
        "aquadopp_velocity",
        "optode",
        "cstar",
        "status",
        "online",
    ] {
        assert!(out.contains_key(k), "docs/schema/{k}.schema.json missing");
    }
    out
}

/// Validates one record (a stored line or a data payload) against the schema of its type.
fn check_record(schemas: &HashMap<String, jsonschema::Validator>, text: &str, context: &str) {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{context}: {e}: {text}"));
    let kind = v["type"].as_str().unwrap_or_default();
    let schema = schemas
        .get(kind)
        .unwrap_or_else(|| panic!("{context}: no schema for record type `{kind}`"));
    let errors: Vec<String> = schema.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{context}: {text}: {errors:?}");
}

/// Validates every payload seen on the broker (data, status, online) and every stored line;
/// returns how many of each kind were checked.
fn check_all(
    schemas: &HashMap<String, jsonschema::Validator>,
    seen: &[(String, Vec<u8>)],
    dir: &Path,
) -> BTreeMap<&'static str, usize> {
    let mut n = BTreeMap::new();
    for (topic, payload) in seen {
        let text = String::from_utf8(payload.clone()).unwrap();
        if topic.ends_with("/data") {
            check_record(schemas, &text, topic);
            *n.entry("data payloads").or_default() += 1;
        } else if topic.ends_with("/status") {
            if text.is_empty() {
                continue; // a retained message being cleared
            }
            let v: Value = serde_json::from_str(&text).unwrap();
            let errors: Vec<String> = schemas["status"]
                .iter_errors(&v)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{topic}: {text}: {errors:?}");
            *n.entry("status payloads").or_default() += 1;
        } else if topic.ends_with("/online") {
            let v = Value::String(text.clone());
            assert!(schemas["online"].is_valid(&v), "{topic}: {text:?}");
            *n.entry("online payloads").or_default() += 1;
        } else {
            panic!("unexpected topic {topic}");
        }
    }
    for line in writer_lines(dir) {
        check_record(schemas, &line, "stored line");
        *n.entry("stored lines").or_default() += 1;
    }
    n
}

// ---------------------------------------------------------------- MQTT clients of the test

/// A subscriber to `emso/#` that keeps every (topic, payload) it sees (QoS 1, clean
/// session: it is an observer, not the writer).
/// (topic, payload) of every message seen on the broker.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn observe(broker: &Mosquitto) -> Seen {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut o = MqttOptions::new(
        format!("observer-{}", std::process::id()),
        "127.0.0.1",
        broker.port,
    );
    o.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut conn) = Client::new(o, 100);
    let s = seen.clone();
    std::thread::spawn(move || {
        for ev in conn.iter() {
            match ev {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    let _ = client.try_subscribe("emso/#", QoS::AtLeastOnce);
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    s.lock()
                        .unwrap()
                        .push((p.topic.clone(), p.payload.to_vec()));
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    });
    seen
}

/// A few payloads of the other message kinds, as the gateway publishes them.
fn publish_extras(p: &mut Publisher) {
    p.publish(&format!("emso/{SITE}/gateway/test/online"), "online", true);
    p.publish(
        &format!("emso/{SITE}/albatross/sbe37/3725001/status"),
        r#"{"last_record_time":"2026-03-01T00:00:00Z","records_published":1,"since":"2026-03-01T00:00:00Z"}"#,
        true,
    );
    p.publish_record(r#"{"type":"line_status","time":"2026-03-01T06:00:00Z","battery_v":12.345,"polls":12,"instrument_errors":0,"frames_sent":40,"send_failures":0,"ring_dropped":0,"ring_oldest_seq":1,"next_seq":41,"instruments":8}"#);
}

// ---------------------------------------------------------------- (a) and duplicates

#[test]
fn simulated_day_reaches_the_writer_complete_self_published() {
    let dir = temp_dir("mqtt-writer-a");
    let mut broker = start_broker(&dir);
    let config = mqtt_config(
        &dir,
        "[link.tcp]\naddress = \"127.0.0.1:9\"",
        &broker.address(),
    );
    let seen = observe(&broker);
    let writer = start_writer_subscribed(&config, &dir, "writer.log");
    let truth = truth_day(21);
    let want = multiset(&truth);
    let mut p = Publisher::connect(&broker);
    publish_extras(&mut p);
    for (i, line) in truth.iter().enumerate() {
        p.publish_record(line);
        // every 10th record twice, as a gateway re-sending after a reconnect would
        if i % 10 == 0 {
            p.publish_record(line);
        }
    }
    // the same record with its keys in another order is still the same record
    let first: Value = serde_json::from_str(&truth[0]).unwrap();
    let mut reordered = serde_json::Map::new();
    for k in ["temperature_c", "serial", "time", "type"] {
        reordered.insert(k.to_owned(), first[k].clone());
    }
    for (k, v) in first.as_object().unwrap() {
        reordered.entry(k.clone()).or_insert(v.clone());
    }
    p.publish_record(&Value::Object(reordered).to_string());
    wait_for(&dir, &want, Duration::from_secs(30));
    stop(writer.take());
    assert_exactly_once(&dir, &want, "writer.log");
    // the writer's own counters agree: every duplicate recognised
    let log = log_text(&dir.join("writer.log"));
    let dups = truth.len().div_ceil(10) + 1;
    assert!(
        log.contains(&format!("duplicates={dups}")),
        "expected {dups} duplicates in the writer's summary:\n{log}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let n = check_all(&schemas(), &seen.lock().unwrap(), &dir);
    eprintln!(
        "{} truth records; validated against docs/schema: {n:?}",
        want.len()
    );
    assert!(n["stored lines"] == truth.len() + 1, "{n:?}");
    assert!(n["data payloads"] >= truth.len() + dups, "{n:?}");
    assert!(
        n["status payloads"] >= 1 && n["online payloads"] >= 1,
        "{n:?}"
    );
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- (b)

/// Broker restarts and writer kills of (b), each.
const ROUNDS: usize = 3;

#[test]
fn broker_restart_and_writer_crash_lose_nothing_self_published() {
    let dir = temp_dir("mqtt-writer-b");
    let mut broker = start_broker(&dir);
    let config = mqtt_config(
        &dir,
        "[link.tcp]\naddress = \"127.0.0.1:9\"",
        &broker.address(),
    );
    let seen = observe(&broker);
    let mut writer = start_writer_subscribed(&config, &dir, "writer.log");
    let truth = truth_day(22);
    let want = multiset(&truth);
    let mut p = Publisher::connect(&broker);
    publish_extras(&mut p);
    // three rounds, each: records flow, the broker goes away with messages still queued
    // for (or in flight to) the writer and comes back, more records, then the writer is
    // SIGKILLed while records keep coming (20 of them published again: duplicates across
    // its restart) and restarted
    let part = truth.len() / 6;
    for round in 0..ROUNDS {
        let (a, b, c) = (
            2 * round * part,
            (2 * round + 1) * part,
            (2 * round + 2) * part,
        );
        for line in &truth[a..b] {
            p.publish_record(line);
        }
        broker.stop();
        std::thread::sleep(Duration::from_secs(2));
        broker.restart();
        for line in &truth[b..c] {
            p.publish_record(line);
        }
        // the same writer process reconnects to the restarted broker and resumes its session
        let so_far = multiset(&truth[..c]);
        wait_for(&dir, &so_far, Duration::from_secs(60));
        assert!(
            so_far.keys().all(|k| writer_sbe37(&dir).contains_key(k)),
            "round {round}: the writer did not get everything after the broker restart"
        );
        // the writer crashes; the broker queues for its persistent session meanwhile
        kill9(writer.take());
        let end = if round + 1 == ROUNDS {
            truth.len()
        } else {
            c + part / 2
        };
        for line in &truth[c - 20..end] {
            p.publish_record(line);
        }
        let sessions = log_text(&dir.join("writer.log"))
            .matches("subscribed (QoS 1)")
            .count();
        writer = start_writer(&config, &dir, "writer.log");
        // the next broker restart comes after the restarted writer is back on its session
        let guard = std::time::Instant::now();
        while log_text(&dir.join("writer.log"))
            .matches("subscribed (QoS 1)")
            .count()
            == sessions
        {
            assert!(
                guard.elapsed() < Duration::from_secs(60),
                "hang guard: writer restart"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("round {round}: broker restarted, writer killed and restarted");
    }
    wait_for(&dir, &want, Duration::from_secs(60));
    stop(writer.take());
    assert_exactly_once(&dir, &want, "writer.log");
    let log = log_text(&dir.join("writer.log"));
    assert!(log.contains("broker connection lost"), "{log}");
    assert!(
        log.matches("the broker kept our session").count() >= 2 * ROUNDS,
        "the persistent session must survive every broker restart and writer crash:\n{log}"
    );
    // mosquitto speaks MQTT 5: the writer used it (session expiry set, or the session
    // would not have survived)
    assert!(
        log.lines()
            .filter(|l| l.contains("connected"))
            .all(|l| !l.contains("mqtt=") || l.contains("mqtt=5")),
        "{log}"
    );
    assert!(log.contains("mqtt=5"), "{log}");
    std::thread::sleep(Duration::from_millis(300));
    let n = check_all(&schemas(), &seen.lock().unwrap(), &dir);
    eprintln!(
        "{} truth records; validated against docs/schema: {n:?}",
        want.len()
    );
    assert!(n["stored lines"] == truth.len() + 1, "{n:?}");
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- end to end with the gateway

/// Runs the simulated lossy day into `albatross run` publishing to mosquitto, with the
/// writer subscribed; with `outage`, the broker is stopped for 5 s in the middle of it.
fn gateway_day(name: &str, seed: u64, outage: bool) {
    let dir = temp_dir(name);
    let mut broker = start_broker(&dir);
    let seen = observe(&broker);
    // 34 simulated hours at 3600x: about 35 s
    let (addr, truth, sim) = start_sim(lossy_scenario(seed), 3600.0, 34 * HOUR_MS, false, &dir);
    let config = mqtt_config(
        &dir,
        &format!("[link.tcp]\naddress = \"{addr}\""),
        &broker.address(),
    );
    let writer = start_writer_subscribed(&config, &dir, "writer.log");
    let gateway = Proc(Some(start_gateway(&config, &dir)));
    if outage {
        std::thread::sleep(Duration::from_secs(12));
        broker.stop();
        std::thread::sleep(Duration::from_secs(5));
        broker.restart();
    }
    sim.join().unwrap();
    let want = records(&std::fs::read_to_string(&truth).unwrap(), "sbe37");
    // a hang guard only: after the broker restart, reconnect back-offs on a loaded machine
    // can take well over 30 s
    wait_for(&dir, &want, Duration::from_secs(180));
    stop(gateway.take());
    std::thread::sleep(Duration::from_millis(500));
    stop(writer.take());
    assert_exactly_once(&dir, &want, "writer.log");
    // the gateway's own files agree
    assert_complete(&dir, &truth);
    std::thread::sleep(Duration::from_millis(300));
    let n = check_all(&schemas(), &seen.lock().unwrap(), &dir);
    eprintln!(
        "{} truth records; validated against docs/schema: {n:?}",
        want.len()
    );
    assert!(n["online payloads"] >= 1, "{n:?}");
    assert!(n["status payloads"] >= 1, "{n:?}");
    if outage {
        let log = log_text(&dir.join("writer.log"));
        assert!(log.contains("broker connection lost"), "{log}");
    }
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn simulated_day_reaches_the_writer_complete_through_the_gateway() {
    gateway_day("mqtt-writer-e2e-a", 31, false);
}

#[test]
fn broker_restart_mid_run_through_the_gateway() {
    gateway_day("mqtt-writer-e2e-b", 32, true);
}

// ---------------------------------------------------------------- shared subscription

/// Two writers in one MQTT 5 shared-subscription group (`share_group = "writers"`) split
/// the day between them: together they hold every record, none is stored by both, and
/// each stored part of it.
#[test]
fn two_writers_share_the_load_with_a_shared_subscription() {
    let dir = temp_dir("mqtt-writer-share");
    let mut broker = start_broker(&dir);
    let mut writers = Vec::new();
    let mut dirs = Vec::new();
    for i in 1..=2 {
        let d = dir.join(format!("w{i}"));
        std::fs::create_dir_all(&d).unwrap();
        let path = config(&d, "[link.tcp]\naddress = \"127.0.0.1:9\"");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!(
            "\n[sinks.mqtt]\naddress = \"{}\"\n\n[writer]\ndir = {:?}\nclient_id = \"writer-{i}\"\nshare_group = \"writers\"\n",
            broker.address(),
            d.join("writer").display().to_string()
        ));
        std::fs::write(&path, text).unwrap();
        writers.push(start_writer(&path, &d, "writer.log"));
        dirs.push(d);
    }
    // both members subscribed before anything is published (no session queues for a
    // group that does not exist yet)
    let t0 = Instant::now();
    while !dirs
        .iter()
        .all(|d| log_text(&d.join("writer.log")).contains("subscribed (QoS 1)"))
        && t0.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let truth = truth_day(23);
    let want = multiset(&truth);
    let mut p = Publisher::connect(&broker);
    for line in &truth {
        p.publish_record(line);
    }
    let t0 = Instant::now();
    let union = || {
        let mut u: BTreeMap<String, usize> = BTreeMap::new();
        for d in &dirs {
            for (k, n) in writer_sbe37(d) {
                *u.entry(k).or_default() += n;
            }
        }
        u
    };
    while !want.keys().all(|k| union().contains_key(k)) && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
    }
    for w in writers {
        stop(w.take());
    }
    let parts: Vec<usize> = dirs.iter().map(|d| writer_sbe37(d).len()).collect();
    let got = union();
    let logs: Vec<String> = dirs
        .iter()
        .map(|d| log_text(&d.join("writer.log")))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the group together holds the day: parts {parts:?}\n{}",
        logs.join("\n")
    );
    assert!(
        got.values().all(|&n| n == 1),
        "a record stored by both members"
    );
    assert!(
        parts.iter().all(|&n| n > 0),
        "each member stored part of the day: {parts:?}"
    );
    for log in &logs {
        assert!(log.contains("$share/writers/emso/"), "{log}");
        assert!(log.contains("mqtt=5"), "{log}");
    }
    eprintln!("{} records split {parts:?} between two writers", want.len());
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
