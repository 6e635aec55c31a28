//! The MQTT sink over TLS against a real mosquitto whose certificate is signed by a CA made
//! at test time (rcgen): with that CA in `ca_file` every record arrives once; with another
//! CA the gateway refuses the broker, says why in its log, and keeps every record in its
//! spool until the configuration is fixed.

mod common;
use common::mosquitto_tls::{TestCa, TlsMosquitto};
use common::mqtt::*;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// A record's identity: (serial, time).
type Key = (String, String);

fn key(v: &Value) -> Key {
    (v["serial"].to_string(), v["time"].to_string())
}

/// The simulator's `sbe37` records by key.
fn truth_by_key(truth: &Path) -> BTreeMap<Key, Value> {
    std::fs::read_to_string(truth)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "sbe37")
        .map(|v| (key(&v), v))
        .collect()
}

/// Every `sbe37` data message received in `out`, by key (duplicates kept).
fn received_sbe37(out: &Path) -> BTreeMap<Key, Vec<Value>> {
    let mut m: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    let text = std::fs::read_to_string(out).unwrap_or_default();
    for (topic, payload) in text.lines().filter_map(|l| l.split_once(' ')) {
        if !topic.ends_with("/data") {
            continue;
        }
        if let Ok(v) = serde_json::from_str::<Value>(payload) {
            if v["type"] == "sbe37" {
                m.entry(key(&v)).or_default().push(v);
            }
        }
    }
    m
}

/// `got` restricted to the fields the truth record has (the gateway adds derived
/// variables), in canonical form.
fn as_measured(got: &Value, truth: &Value) -> String {
    let fields = truth.as_object().map(|o| o.keys()).into_iter().flatten();
    let projected: serde_json::Map<String, Value> =
        fields.map(|k| (k.clone(), got[k].clone())).collect();
    canonical(&Value::Object(projected))
}

/// Asserts that every truth record arrived exactly once with its measured values, and
/// nothing else.
fn assert_exactly_once(want: &BTreeMap<Key, Value>, got: &BTreeMap<Key, Vec<Value>>, dir: &Path) {
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let twice = got.values().filter(|v| v.len() > 1).count();
    let differing = want
        .iter()
        .filter(|(k, t)| {
            got.get(*k)
                .is_some_and(|g| g.iter().any(|g| as_measured(g, t) != canonical(t)))
        })
        .count();
    assert!(
        [missing, extra, twice, differing] == [0; 4],
        "{} sampled, {} received: {missing} missing, {extra} not in the truth, {twice} more than once, {differing} with other values\n{}",
        want.len(),
        got.len(),
        log_tail(dir)
    );
}

/// Waits until every key of `want` arrived in `out` (or `timeout`).
fn wait_for_keys(
    out: &Path,
    want: &BTreeMap<Key, Value>,
    timeout: Duration,
) -> BTreeMap<Key, Vec<Value>> {
    let t0 = Instant::now();
    loop {
        let got = received_sbe37(out);
        if want.keys().all(|k| got.contains_key(k)) || t0.elapsed() > timeout {
            return got;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Every `…/data` message in `out`, duplicates included.
fn data_messages(out: &Path) -> usize {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.split_once(' ').is_some_and(|(t, _)| t.ends_with("/data")))
        .count()
}

/// `ca_file` pointing at `ca`, for `config_with_mqtt`'s extra lines.
fn ca_line(ca: &Path) -> String {
    format!("ca_file = {:?}", ca.display().to_string())
}

/// Waits until the spool is empty (or 30 s); returns its depth.
fn wait_spool_drained(dir: &Path) -> u64 {
    for _ in 0..120 {
        let d = spool_depth(dir);
        if d == 0 {
            return 0;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    spool_depth(dir)
}

#[test]
fn tls_with_the_right_ca_delivers_every_record_once() {
    let dir = temp_dir("mqtt-tls-ok");
    let ca = TestCa::new("albatross test CA");
    let mut broker = TlsMosquitto::start(&dir, &ca);
    let out = dir.join("received.txt");
    let sub = broker.subscribe("test-sub-tls", "emso/#", &out);

    let (addr, truth, sim) = start_sim(clean_line(31, 12), 3600.0, 14 * HOUR_MS, false, &dir);
    // `localhost`, not 127.0.0.1: the certificate's DNS name must verify
    let config = config_with_mqtt(
        &dir,
        &format!("[link.tcp]\naddress = \"{addr}\""),
        &broker.address(),
        &ca_line(&broker.ca_file),
    );
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    let want = truth_by_key(&truth);
    assert!(
        want.len() >= 150,
        "the simulator sampled {} records",
        want.len()
    );
    let got = wait_for_keys(&out, &want, Duration::from_secs(60));
    assert_eq!(
        wait_spool_drained(&dir),
        0,
        "the spool drains over TLS\n{}",
        log_tail(&dir)
    );
    let online = broker.retained("emso/emso-ligure-ouest/gateway/shore-toulon/online");
    stop(gateway);
    unsubscribe(sub);

    assert_exactly_once(&want, &got, &dir);
    // exactly once: one message per sampled sbe37, and one per record the gateway stored
    assert_eq!(
        received_count(&out, "sbe37"),
        want.len(),
        "sbe37 duplicates"
    );
    let stored = stored_lines(&dir);
    assert_eq!(
        data_messages(&out),
        stored,
        "every stored record of every type arrives once"
    );
    assert_eq!(
        online.as_deref(),
        Some("online"),
        "retained online over TLS"
    );
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(log.contains("connected to the MQTT broker"), "{log}");
    eprintln!(
        "TLS: {} sbe37 sampled and received once; {stored} records of all types stored and received",
        want.len()
    );
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tls_with_another_ca_is_refused_and_the_spool_keeps_everything_until_fixed() {
    let dir = temp_dir("mqtt-tls-bad-ca");
    let ca = TestCa::new("albatross test CA");
    let mut broker = TlsMosquitto::start(&dir, &ca);
    let other = TestCa::new("some other CA").write(&dir.join("other-ca.pem"));
    let out = dir.join("received.txt");
    // the subscriber's persistent session, so that the broker queues for it
    unsubscribe(broker.subscribe("test-sub-tls-bad", "emso/#", &out));

    let (addr, truth, sim) = start_sim(clean_line(32, 12), 3600.0, 14 * HOUR_MS, false, &dir);
    let transport = format!("[link.tcp]\naddress = \"{addr}\"");
    let config = config_with_mqtt(&dir, &transport, &broker.address(), &ca_line(&other));
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    stop(gateway);
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    // rustls' "invalid peer certificate: UnknownIssuer", in an error of the MQTT connection
    let refused = log
        .lines()
        .find(|l| l.contains("mqtt::connection") && (l.contains("ERROR") || l.contains("WARN")))
        .unwrap_or_default();
    assert!(
        refused.contains("certificate") && refused.contains("UnknownIssuer"),
        "a certificate error in the log, not {refused:?}\n{}",
        log_tail(&dir)
    );
    assert!(
        !log.contains("connected to the MQTT broker"),
        "connected with an untrusted certificate\n{}",
        log_tail(&dir)
    );
    // a certificate error says nothing about the MQTT version: no fallback to 3.1.1
    assert!(!log.contains("does not speak MQTT"), "{}", log_tail(&dir));
    eprintln!("the gateway's log says: {refused}");
    let want = truth_by_key(&truth);
    let stored = assert_all_spooled(&dir, want.len());
    assert_eq!(data_messages(&out), 0, "nothing reached the broker");

    // fixed: the right CA; the spool drains to the subscriber
    let sub = broker.subscribe("test-sub-tls-bad", "emso/#", &out);
    let config = config_with_mqtt(
        &dir,
        &transport,
        &broker.address(),
        &ca_line(&broker.ca_file),
    );
    let gateway = start_gateway(&config, &dir);
    let got = wait_for_keys(&out, &want, Duration::from_secs(60));
    assert_eq!(wait_spool_drained(&dir), 0, "{}", log_tail(&dir));
    stop(gateway);
    unsubscribe(sub);
    assert_exactly_once(&want, &got, &dir);
    assert_eq!(
        data_messages(&out),
        stored,
        "every spooled record arrives once"
    );
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
