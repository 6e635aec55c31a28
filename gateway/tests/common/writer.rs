//! Pieces of the `albatross writer` tests (mqtt_writer.rs, mqtt_failover.rs): the writer
//! process, what it stored, a test publisher doing what the gateway's publisher promises,
//! and a simulated day of records.

use super::mosquitto::Mosquitto;
use super::{lossy_scenario, records, HOUR_MS};
use firmware_shim::sim::engine::Simulation;
use rumqttc::{Client, Connection, Event, LastWill, MqttOptions, Packet, QoS};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The site of the test configuration (`[station] site` of the example).
pub const SITE: &str = "emso-ligure-ouest";

/// A child process, killed if the test fails before stopping it.
pub struct Proc(pub Option<Child>);

impl Proc {
    /// The child, for `stop` or `kill9`.
    pub fn take(mut self) -> Child {
        // only `Drop` empties the option, and it runs after `take`
        self.0.take().unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `albatross writer --config PATH`, logging to `<dir>/<log>` (appending).
pub fn start_writer(config: &Path, dir: &Path, log: &str) -> Proc {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(log))
        .unwrap();
    Proc(Some(
        Command::new(env!("CARGO_BIN_EXE_albatross"))
            .args(["writer", "--config"])
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    ))
}

/// [`start_writer`] for a writer that has no session on the broker yet, waiting (a hang
/// guard of 60 s) until it logged its subscription: a QoS 1 message published before a
/// subscriber's first subscription is queued for nobody, so a test that publishes sooner
/// races the writer's start-up.
pub fn start_writer_subscribed(config: &Path, dir: &Path, log: &str) -> Proc {
    let writer = start_writer(config, dir, log);
    let t0 = Instant::now();
    while !log_text(&dir.join(log)).contains("subscribed (QoS 1)")
        && t0.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    writer
}

/// Every line of the writer's record files under `<dir>/writer` (not the rejected ones).
pub fn writer_lines(dir: &Path) -> Vec<String> {
    fn walk(p: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(p) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "rejected") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|x| x == "jsonl") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(text.lines().map(str::to_owned));
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join("writer"), &mut out);
    out
}

/// The multiset of the writer's `sbe37` records (canonical form).
pub fn writer_sbe37(dir: &Path) -> BTreeMap<String, usize> {
    records(&writer_lines(dir).join("\n"), "sbe37")
}

/// Waits until the writer holds every `want` record (or `limit` passes).
pub fn wait_for(dir: &Path, want: &BTreeMap<String, usize>, limit: Duration) {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        let got = writer_sbe37(dir);
        if want.keys().all(|k| got.contains_key(k)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Asserts that the writer stored exactly `want`, each record once.
pub fn assert_exactly_once(dir: &Path, want: &BTreeMap<String, usize>, log: &str) {
    let got = writer_sbe37(dir);
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    let log = log_text(&dir.join(log));
    let tail: Vec<&str> = log.lines().rev().take(20).collect();
    assert!(
        missing == 0 && extra == 0 && twice == 0,
        "{} expected, {} stored: {missing} missing, {extra} extra, {twice} twice\nwriter log tail:\n{}",
        want.len(),
        got.len(),
        tail.join("\n")
    );
    assert!(want.len() >= 300, "only {} truth records", want.len());
}

/// A log file as plain text (tracing colours its fields even into a file).
pub fn log_text(path: &Path) -> String {
    let raw = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // skip `ESC [ … m`
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A broker for these tests (tests/common/mosquitto.rs makes its directory writable for
/// the `mosquitto` user it drops to).
pub fn start_broker(dir: &Path) -> Mosquitto {
    Mosquitto::start(dir, &[])
}

/// SIGKILL: a crash, nothing flushed or acknowledged on the way out.
pub fn kill9(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// A test publisher doing what the gateway's publisher promises: QoS 1, wait for the
/// PUBACK, publish again after any connection error (so records may arrive twice).
pub struct Publisher {
    client: Client,
    conn: Connection,
}

impl Publisher {
    /// Connects to `broker` (clean session, a last will as the gateway's).
    pub fn connect(broker: &Mosquitto) -> Self {
        let mut o = MqttOptions::new(
            format!("test-gateway-{}", std::process::id()),
            "127.0.0.1",
            broker.port,
        );
        o.set_last_will(LastWill::new(
            format!("emso/{SITE}/gateway/test/online"),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
        let (client, conn) = Client::new(o, 10);
        Publisher { client, conn }
    }

    /// Publishes and waits for the broker's PUBACK, through broker outages: after a
    /// connection error rumqttc parks the publish and drops it on the new (clean) session,
    /// so it is published again on the next CONNACK (the receiver may get it twice).
    pub fn publish(&mut self, topic: &str, payload: &str, retain: bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        self.client
            .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes())
            .unwrap();
        let mut lost = false;
        loop {
            assert!(Instant::now() < deadline, "broker unreachable for 60 s");
            match self.conn.recv_timeout(Duration::from_secs(5)) {
                Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => return,
                Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) if lost => {
                    lost = false;
                    self.client
                        .publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes())
                        .unwrap();
                }
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => {
                    lost = true;
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    /// Publishes one record (a JSON line) on its data topic, as the gateway does.
    pub fn publish_record(&mut self, line: &str) {
        let v: Value = serde_json::from_str(line).unwrap();
        let topic = format!(
            "emso/{SITE}/albatross/{}/{}/data",
            v["type"].as_str().unwrap(),
            v["serial"].as_str().unwrap_or("unknown")
        );
        self.publish(&topic, line, false);
    }
}

/// One simulated day of the ALBATROSS line, computed directly (no link): the truth
/// records, one JSON line each, in sampling order.
pub fn truth_day(seed: u64) -> Vec<String> {
    let cfg = lossy_scenario(seed);
    let end = cfg.start_ms + 25 * HOUR_MS;
    let mut sim = Simulation::new(cfg);
    sim.run_until(end);
    sim.take_truth().iter().map(|t| t.to_json()).collect()
}

/// The multiset of the `sbe37` records of `lines` (canonical form).
pub fn multiset(lines: &[String]) -> BTreeMap<String, usize> {
    records(&lines.join("\n"), "sbe37")
}
