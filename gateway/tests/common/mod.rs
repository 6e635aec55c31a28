//! Shared pieces of the gateway's end-to-end tests: the simulated line served on loopback,
//! the gateway binary run against it, and record comparison.
#![allow(dead_code)]

pub mod files;
pub mod live;
pub mod measured;
pub mod mosquitto;
pub mod mosquitto_tls;
pub mod mqtt;
pub mod pty;
pub mod rng;
pub mod store;
pub mod writer;

use firmware_shim::controller::Counters;
use firmware_shim::sim::channel::{ChannelConfig, Outage};
use firmware_shim::sim::engine::SimConfig;
use firmware_shim::sim::serve::{serve, ServeOptions, Speed};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const HOUR_MS: u64 = 3_600_000;

/// The repository's root (the tests' paths are relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `albatross ARGS PATHS...` run from the repository's root.
pub fn albatross_at_root(args: &[&str], paths: &[&Path]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_albatross"));
    c.current_dir(root()).args(args);
    for p in paths {
        c.arg(p);
    }
    c.output().unwrap()
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("albatross-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The lossy scenario of the issue: ≈10 % frame loss in Gilbert–Elliott bursts, lost
/// acknowledgements (duplicates), bit errors, and a 6-hour total outage; instruments sample
/// for one day.
pub fn lossy_scenario(seed: u64) -> SimConfig {
    let start_ms = SimConfig::default().start_ms;
    SimConfig {
        seed,
        channel: ChannelConfig {
            good_loss: 0.05,
            bad_loss: 0.6,
            good_dwell_s: 3.0 * 3600.0,
            bad_dwell_s: 20.0 * 60.0,
            corrupt_rate: 0.01,
            ack_loss: 0.03,
            outages: vec![Outage {
                start_ms: 8 * HOUR_MS,
                duration_ms: 6 * HOUR_MS,
            }],
            ..Default::default()
        },
        sample_until_s: Some((start_ms / 1000 + 86_400) as u32),
        status_interval_s: 6 * 3600,
        ..Default::default()
    }
}

/// Serves `sim` on a loopback TCP port (or a pty) in a thread for `duration_ms` of simulated
/// time; returns the address or pty path, the truth file and the thread, which ends with
/// the line controller's counters.
pub fn start_sim(
    sim: SimConfig,
    speed: f64,
    duration_ms: u64,
    pty: bool,
    dir: &Path,
) -> (String, PathBuf, std::thread::JoinHandle<Counters>) {
    serve_sim(sim, speed, duration_ms, pty, dir, false)
}

/// [`start_sim`], and the simulator also writes every byte it served to the capture
/// `dir/served.cap` (complete once the thread ended).
pub fn start_sim_capturing(
    sim: SimConfig,
    speed: f64,
    duration_ms: u64,
    dir: &Path,
) -> (String, PathBuf, std::thread::JoinHandle<Counters>) {
    serve_sim(sim, speed, duration_ms, false, dir, true)
}

fn serve_sim(
    sim: SimConfig,
    speed: f64,
    duration_ms: u64,
    pty: bool,
    dir: &Path,
    capture: bool,
) -> (String, PathBuf, std::thread::JoinHandle<Counters>) {
    let truth = dir.join("truth.jsonl");
    let opts = ServeOptions {
        tcp: (!pty).then(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        pty,
        speed: Speed::Factor(speed),
        duration_ms: Some(duration_ms),
        wait_for_client: !pty,
        truth: Some(Box::new(std::fs::File::create(&truth).unwrap())),
        capture: capture.then(|| {
            Box::new(std::fs::File::create(dir.join("served.cap")).unwrap())
                as Box<dyn std::io::Write + Send>
        }),
        mii: None,
    };
    let (tx, rx) = mpsc::channel::<String>();
    let handle = std::thread::spawn(move || {
        serve(sim, opts, |line| {
            let _ = tx.send(line.to_owned());
        })
        .unwrap()
    });
    let mut place = None;
    while place.is_none() {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("simulator started");
        if let Some(a) = line.split("tcp://").nth(1) {
            place = a.split_whitespace().next().map(str::to_owned);
        } else if let Some(p) = line.split("pseudo-terminal ").nth(1) {
            place = Some(p.trim().to_owned());
        }
    }
    std::thread::spawn(move || for _ in rx {});
    (place.unwrap_or_default(), truth, handle)
}

/// A configuration for the ALBATROSS line on `transport` (a `[link.tcp]` or `[link.serial]`
/// table body), writing under `dir`, with repair, acknowledgement and probe delays scaled
/// to the simulated clock (1 s of the gateway's clock is an hour of the line's at 3600x).
pub fn config(dir: &Path, transport: &str) -> PathBuf {
    config_with_links(
        dir,
        &format!(
            "[[link]]\nname = \"albatross-modem\"\nplatform = \"albatross\"\ncarries = \"modem\"\n{transport}\n[link.modem]\nrepair_grace_s = 1\nrepair_interval_s = 1\nrepair_retry_s = 3\nack_interval_s = 1\nstatus_probe_after_s = 2\n"
        ),
    )
}

/// The example configuration's station and platforms with `links` (TOML, `[[link]]`
/// tables and any other sections) instead of its links, writing under `dir/data`; written
/// to `dir/albatross.toml`, whose path is returned.
pub fn config_with_links(dir: &Path, links: &str) -> PathBuf {
    let example = include_str!("../../albatross.example.toml");
    let head = example
        .split("# The MII's acoustic modem host interface")
        .next()
        .unwrap();
    let text = format!("{head}\n{links}").replace(
        "data_dir = \"albatross-data\"",
        &format!("data_dir = {:?}", dir.join("data").display().to_string()),
    );
    let path = dir.join("albatross.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Waits (polling) until `done`, or panics after the generous hang guard.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let guard = Instant::now();
    while !done() {
        assert!(
            guard.elapsed() < Duration::from_secs(300),
            "hang guard: {what} never happened"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Starts `albatross run --config PATH`.
pub fn start_gateway(config: &Path, dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["run", "--config"])
        .arg(config)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("gateway.log")).unwrap())
        .spawn()
        .unwrap()
}

/// Sends SIGTERM and waits for a clean exit.
pub fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "gateway exit status {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("gateway did not stop within 10 s of SIGTERM");
}

/// Canonical form of the measured part of a JSON record (sorted keys, numbers as f64):
/// the derived variables and `qc` flags the gateway adds are left out (see
/// [`measured::measured`]), so gateway records compare equal to the truth records.
pub fn canonical(v: &Value) -> String {
    canonical_value(&measured::measured(v))
}

/// Canonical form of any JSON value (sorted keys, numbers as f64).
fn canonical_value(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<_> = o.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k:?}:{}", canonical_value(&o[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Number(n) => format!("{:?}", n.as_f64().unwrap_or(f64::NAN)),
        other => other.to_string(),
    }
}

/// The multiset of JSON-lines records of `text` whose type is `kind`.
pub fn records(text: &str, kind: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(l).unwrap();
        if v["type"] == kind {
            *m.entry(canonical(&v)).or_default() += 1;
        }
    }
    m
}

/// Every `sbe37` record the gateway stored under `dir`'s record files.
pub fn stored_sbe37(dir: &Path) -> BTreeMap<String, usize> {
    let mut all = String::new();
    let root = dir.join("data/records/albatross");
    let Ok(years) = std::fs::read_dir(&root) else {
        return BTreeMap::new();
    };
    for y in years.flatten() {
        for f in std::fs::read_dir(y.path()).unwrap().flatten() {
            if f.file_name().to_string_lossy().starts_with("sbe37_") {
                all.push_str(&std::fs::read_to_string(f.path()).unwrap());
            }
        }
    }
    records(&all, "sbe37")
}

/// Asserts the stored records are exactly the truth, each once.
pub fn assert_complete(dir: &Path, truth: &Path) {
    let want = records(&std::fs::read_to_string(truth).unwrap(), "sbe37");
    let got = stored_sbe37(dir);
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(15).collect();
    assert!(
        missing == 0 && extra == 0 && twice == 0,
        "{} expected, {} stored: {missing} missing, {extra} extra, {twice} twice\ngateway log tail:\n{}",
        want.len(),
        got.len(),
        tail.join("\n")
    );
    assert!(
        want.len() >= 300,
        "the scenario sampled only {} records",
        want.len()
    );
}
