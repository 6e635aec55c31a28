//! MQTT pieces of the end-to-end tests: a configuration with `[sinks.mqtt]`, a
//! `mosquitto_sub` subscriber with a persistent session, and what it received.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `super::config` plus a `[sinks.mqtt]` table (`extra` is more `key = value` lines).
pub fn config_with_mqtt(dir: &Path, transport: &str, address: &str, extra: &str) -> PathBuf {
    let path = super::config(dir, transport);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!(
        "\n[sinks.mqtt]\naddress = \"{address}\"\n{extra}\n"
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// A `mosquitto_sub` on `topic` at QoS 1 with client id `id` and a persistent session,
/// writing `topic payload` lines to `out` (appending).
pub fn subscribe(
    port: u16,
    id: &str,
    topic: &str,
    user: Option<(&str, &str)>,
    out: &Path,
) -> Child {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .unwrap();
    let mut cmd = Command::new("mosquitto_sub");
    cmd.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-q",
        "1",
        "-c",
        "-i",
        id,
        "-v",
        "-t",
        topic,
    ]);
    if let Some((u, p)) = user {
        cmd.args(["-u", u, "-P", p]);
    }
    let child = cmd
        .stdout(file)
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto_sub is installed");
    // let it connect and subscribe before anything is published
    std::thread::sleep(Duration::from_millis(500));
    child
}

/// Kills a subscriber.
pub fn unsubscribe(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Canonical forms of the `kind` records received in `out` (duplicates collapse).
pub fn received(out: &Path, kind: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(t, _)| t.ends_with("/data"))
        .filter_map(|(_, p)| serde_json::from_str::<Value>(p).ok())
        .filter(|v| v["type"] == kind)
        .map(|v| super::canonical(&v))
        .collect()
}

/// Number of `kind` data messages in `out`, duplicates included.
pub fn received_count(out: &Path, kind: &str) -> usize {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    text.lines()
        .filter(|l| l.contains("/data ") && l.contains(&format!("\"type\":\"{kind}\"")))
        .count()
}

/// Waits until `out` holds every record of `want` (or `timeout`); returns what it holds.
pub fn wait_for(
    out: &Path,
    kind: &str,
    want: &BTreeSet<String>,
    timeout: Duration,
) -> BTreeSet<String> {
    let t0 = Instant::now();
    loop {
        let got = received(out, kind);
        if want.is_subset(&got) || t0.elapsed() > timeout {
            return got;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Every record line of the JSON-lines files under `dir/data/records`.
pub fn stored_lines(dir: &Path) -> usize {
    fn walk(p: &Path, n: &mut usize) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, n);
                } else if path.extension().is_some_and(|x| x == "jsonl") {
                    *n += std::fs::read_to_string(&path)
                        .unwrap_or_default()
                        .lines()
                        .count();
                }
            }
        }
    }
    let mut n = 0;
    walk(&dir.join("data/records"), &mut n);
    n
}

/// One retained message on `topic` (waits up to 3 s).
pub fn retained(port: u16, topic: &str, user: Option<(&str, &str)>) -> Option<String> {
    let mut cmd = Command::new("mosquitto_sub");
    cmd.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-C",
        "1",
        "-W",
        "3",
        "-t",
        topic,
    ]);
    if let Some((u, p)) = user {
        cmd.args(["-u", u, "-P", p]);
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A clean line (no loss) sampling for `hours` simulated hours from the simulator's start.
pub fn clean_line(seed: u64, hours: u64) -> firmware_shim::sim::engine::SimConfig {
    use firmware_shim::sim::engine::SimConfig;
    let start_ms = SimConfig::default().start_ms;
    SimConfig {
        seed,
        channel: firmware_shim::sim::channel::ChannelConfig::default(),
        sample_until_s: Some((start_ms / 1000 + hours * 3600) as u32),
        ..Default::default()
    }
}

/// The simulator's `sbe37` truth records (canonical form) in the truth file `truth`.
pub fn truth_sbe37(truth: &Path) -> BTreeSet<String> {
    super::records(&std::fs::read_to_string(truth).unwrap(), "sbe37")
        .into_keys()
        .collect()
}

/// The last 20 lines of the gateway's log in `dir`.
pub fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Records in the gateway's MQTT spool (`dir/data/spool`) not yet acknowledged by a broker.
pub fn spool_depth(dir: &Path) -> u64 {
    let (_, rec) = gateway::sinks::mqtt::spool::Spool::open(&dir.join("data/spool")).unwrap();
    rec.unacked
}

/// Asserts that the simulator sampled at least 150 sbe37 records (`sampled`), that the
/// gateway in `dir` stored every one of them, and that every stored record is still in its
/// spool (no broker acknowledged any); returns the number of stored records.
pub fn assert_all_spooled(dir: &Path, sampled: usize) -> usize {
    assert!(sampled >= 150, "the simulator sampled {sampled} records");
    let stored = stored_lines(dir);
    assert!(stored >= sampled, "{stored} stored, {sampled} sampled");
    assert_eq!(
        spool_depth(dir) as usize,
        stored,
        "every record is spooled\n{}",
        log_tail(dir)
    );
    stored
}
