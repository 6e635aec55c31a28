//! `albatross status` on the data directory of a real `albatross demo` run (every
//! instrument kind, the raw archive, the MQTT spool): its exit codes and line for fresh,
//! late, stale and missing data, a link gone quiet, a spool that does not drain, and what
//! it cannot read.

#![cfg(feature = "demo")]

mod common;

use common::temp_dir;
use gateway::sinks::mqtt::entry::NewEntry;
use gateway::sinks::mqtt::spool::Spool;
use protocol::time::UtcTime;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `albatross status --config CONFIG [--now NOW]`: (exit code, stdout).
fn status(config: &Path, now: Option<UtcTime>) -> (i32, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_albatross"));
    c.args(["status", "--config"]).arg(config);
    if let Some(t) = now {
        c.args(["--now", &rfc3339(t)]);
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    (out.status.code().unwrap(), stdout.trim_end().to_owned())
}

fn rfc3339(t: UtcTime) -> String {
    let (y, mo, d, h, mi, s, _) = t.to_civil();
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// The example configuration on `data` with an MQTT sink (its spool is checked; nothing
/// connects to the address) and `extra` TOML appended.
fn config(dir: &Path, data: &Path, name: &str, extra: &str) -> PathBuf {
    let example = include_str!("../albatross.example.toml");
    let text = example.replace(
        "data_dir = \"albatross-data\"",
        &format!("data_dir = {:?}", data.display().to_string()),
    );
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("{text}\n[sinks.mqtt]\naddress = \"127.0.0.1:9\"\n{extra}"),
    )
    .unwrap();
    path
}

/// The latest record time of each instrument (platform, serial) in the record files, read
/// here independently of `status`.
fn last_samples(records: &Path) -> Vec<((String, String), i64)> {
    let mut last = std::collections::BTreeMap::new();
    for platform in std::fs::read_dir(records).unwrap().flatten() {
        for year in std::fs::read_dir(platform.path()).unwrap().flatten() {
            for f in std::fs::read_dir(year.path()).unwrap().flatten() {
                for line in std::fs::read_to_string(f.path()).unwrap().lines() {
                    let v: serde_json::Value = serde_json::from_str(line).unwrap();
                    let (Some(serial), Some(t)) = (v["serial"].as_str(), v["time"].as_str()) else {
                        continue;
                    };
                    let t = gateway::record::parse_time(t).unwrap().unix_millis();
                    let key = (
                        platform.file_name().into_string().unwrap(),
                        serial.to_owned(),
                    );
                    let e = last.entry(key).or_insert(t);
                    *e = (*e).max(t);
                }
            }
        }
    }
    last.into_iter().collect()
}

#[test]
fn status_judges_a_demo_data_directory() {
    let dir = temp_dir("status-cli");
    let data = dir.join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["demo", "--seconds", "12", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = config(&dir, &data, "albatross.toml", "");

    // the 13 instruments of the example configuration all sampled
    let last = last_samples(&data.join("records"));
    let serials: Vec<&str> = last.iter().map(|((_, s), _)| s.as_str()).collect();
    for s in [
        "3725001", "3725008", "12345", "3716125", "11402", "379", "1234",
    ] {
        assert!(serials.contains(&s), "{s} has no record: {serials:?}");
    }
    let newest = last.iter().map(|l| l.1).max().unwrap();
    let oldest = last
        .iter()
        .filter(|((_, s), _)| s != "unknown")
        .map(|l| l.1)
        .min()
        .unwrap();
    let at = |ms: i64| Some(UtcTime::from_unix_millis(ms));
    const H: i64 = 3_600_000;

    // fresh: every last sample within the hour (the demo simulates days of 2026-03; the
    // archive's receive times are the wall clock's, later, so the links are fresh)
    let (code, line) = status(&conf, at(newest + 10 * 60_000));
    assert_eq!(code, 0, "{line}");
    assert!(
        line.starts_with("ALBATROSS OK - 13 instruments sampling"),
        "{line}"
    );
    assert!(
        line.contains("5 links receiving; MQTT spool empty"),
        "{line}"
    );
    let age_s = (newest + 10 * 60_000 - oldest) / 1000;
    assert!(
        line.ends_with(&format!(
            "oldest_sample_age={age_s}s spool_depth=0 spool_wait=0s"
        )),
        "{line}"
    );

    // late: over 3 h without a sample
    let (code, line) = status(&conf, at(newest + 4 * H));
    assert_eq!(code, 1, "{line}");
    assert!(
        line.starts_with("ALBATROSS WARNING - last sample over 3.0 h ago: "),
        "{line}"
    );
    assert!(line.contains("albatross MICROCAT 3725001 ("), "{line}");
    assert!(line.contains("mii CTAR 1234 ("), "{line}");

    // stale: over 26 h
    let (code, line) = status(&conf, at(newest + 27 * H));
    assert_eq!(code, 2, "{line}");
    assert!(
        line.starts_with("ALBATROSS CRITICAL - last sample over 26.0 h ago: "),
        "{line}"
    );

    // a configured threshold
    let strict = config(
        &dir,
        &data,
        "strict.toml",
        "[status]\nsample_warning_h = 1\nsample_critical_h = 2\n",
    );
    let (code, line) = status(&strict, at(newest + 3 * H));
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("last sample over 2.0 h ago"), "{line}");

    // missing data: a configured instrument that never sent anything
    let text = std::fs::read_to_string(&conf).unwrap().replace(
        "[[platform.instrument]]\nkind = \"cstar\"",
        "[[platform.instrument]]\nkind = \"optode\"\nserial = \"4242\"\nnominal_depth_m = 2470\n\n[[platform.instrument]]\nkind = \"cstar\"",
    );
    let more = dir.join("more.toml");
    std::fs::write(&more, text).unwrap();
    let (code, line) = status(&more, at(newest + 10 * 60_000));
    assert_eq!(code, 2, "{line}");
    assert!(
        line.starts_with("ALBATROSS CRITICAL - no sample stored from mii OXYGEN 4242"),
        "{line}"
    );

    // the links go quiet: judged 4 h after the wall clock of the run
    let wall = gateway::clock::now().unix_millis();
    let (code, line) = status(&conf, at(wall + 4 * H));
    assert_eq!(code, 2, "{line}");
    for link in [
        "albatross-modem",
        "mii-ctd",
        "mii-aquadopp",
        "mii-optode",
        "mii-cstar",
    ] {
        assert!(
            line.contains(&format!("link {link}: down, nothing received for 4.0 h")),
            "{line}"
        );
    }

    // the spool does not drain: records wait in it (the gateway's own spool, held open as
    // a running gateway holds it) longer than spool_critical_h
    let spool_dir = data.join("spool");
    let (mut spool, _) = Spool::open(&spool_dir).unwrap();
    let entries: Vec<NewEntry<'_>> = (0..5)
        .map(|_| NewEntry {
            topic: "emso/emso-ligure-ouest/albatross/sbe37/3725001/data",
            payload: b"{}",
            record_ms: None,
        })
        .collect();
    spool.append(&entries).unwrap();
    let quick = config(
        &dir,
        &data,
        "quick.toml",
        "[status]\nspool_critical_h = 0.0002\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let files_before: Vec<_> = std::fs::read_dir(&spool_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let (code, line) = status(&quick, None);
    assert_eq!(code, 2, "{line}");
    assert!(
        line.contains("MQTT spool growing: 5 records waiting, the oldest for "),
        "{line}"
    );
    assert!(line.contains("spool_depth=5"), "{line}");
    let files_after: Vec<_> = std::fs::read_dir(&spool_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files_before, files_after, "status changed the spool");
    assert_eq!(spool.depth(), 5);
    drop(spool);

    // what it cannot read is UNKNOWN
    let gone = config(&dir, &dir.join("nowhere"), "gone.toml", "");
    let (code, line) = status(&gone, None);
    assert_eq!(code, 3, "{line}");
    assert!(
        line.starts_with("ALBATROSS UNKNOWN - data directory "),
        "{line}"
    );
    assert!(line.ends_with("nowhere does not exist"), "{line}");
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[station]\nsite = 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["status", "--config"])
        .arg(&broken)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.starts_with("ALBATROSS UNKNOWN - ") && stdout.contains("broken.toml"),
        "{stdout}"
    );
    let (code, line) = status(&dir.join("absent.toml"), None);
    assert_eq!(code, 3, "{line}");

    std::fs::remove_dir_all(&dir).unwrap();
}
