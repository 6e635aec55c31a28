//! What the gateway stored, read back by the tests: record files without torn lines, the
//! MQTT spool's duplicates, the raw archive's size, the simulator's progress, the daily
//! MicroCAT files' rows against the truth, temporary files left by an unfinished replace.

use super::files::{col, product_rows};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The newest sample time (unix ms) the simulator has written to its truth file.
pub fn truth_progress_ms(truth: &Path) -> i64 {
    let text = std::fs::read_to_string(truth).unwrap_or_default();
    text.lines()
        .rev()
        .find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let t = v["time"].as_str()?;
            Some(gateway::record::parse_time(t)?.unix_millis())
        })
        .unwrap_or(0)
}

/// Bytes in the gateway's raw archive of the link so far.
pub fn archive_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join("data/raw/albatross-modem"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Every line of every record file parses as one JSON record (no torn or merged lines).
pub fn assert_no_torn_line(dir: &Path) -> usize {
    let mut lines = 0;
    let root = dir.join("data/records");
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{}: torn",
                p.display()
            );
            for l in text.lines() {
                let v: serde_json::Value =
                    serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", p.display()));
                assert!(v["type"].is_string(), "{}: {l}", p.display());
                lines += 1;
            }
        }
    }
    lines
}

/// Records of the MQTT spool (nothing acknowledged: no broker listens), counted by
/// (topic, record time): how many appear more than once.
pub fn spool_duplicates(dir: &Path) -> (usize, usize) {
    let (mut spool, _) = gateway::sinks::mqtt::spool::Spool::open(&dir.join("data/spool")).unwrap();
    let mut seen: BTreeMap<(String, Option<i64>), usize> = BTreeMap::new();
    let mut from = 0;
    loop {
        let entries = spool.read(from, 1024).unwrap();
        let Some(last) = entries.last() else { break };
        from = last.id + 1;
        for e in entries {
            *seen.entry((e.topic, e.record_ms)).or_default() += 1;
        }
    }
    let total = seen.values().sum();
    (total, seen.values().filter(|&&n| n > 1).count())
}

/// Reads every day file of link `link`'s raw archive to its end with the capture reader
/// (`captures/FORMAT.md`), panicking on a torn or corrupt record; returns (records, bytes
/// read from the link: the payload of its `<` records).
pub fn archive_readable(dir: &Path, link: &str) -> (usize, usize) {
    let (records, bytes, error) = read_archive(dir, link);
    if let Some(e) = error {
        panic!("raw archive of {link}: {e}");
    }
    (records, bytes)
}

/// Bytes read from link `link` in its raw archive so far, for polling while the gateway
/// writes it (a record being appended at that moment is not counted).
pub fn archived_bytes(dir: &Path, link: &str) -> usize {
    read_archive(dir, link).1
}

/// (records, bytes of `<` records, the first error) of the capture `data`.
pub fn read_capture(data: &[u8]) -> (usize, usize, Option<String>) {
    let (mut records, mut bytes) = (0, 0);
    let reader = match protocol::capture::CaptureReader::new(data) {
        Ok(r) => r,
        Err(e) => return (0, 0, Some(format!("{e:?}"))),
    };
    for (i, r) in reader.enumerate() {
        match r {
            Ok(r) => {
                records += 1;
                if r.direction == protocol::capture::Direction::FromModem {
                    bytes += r.bytes.len();
                }
            }
            Err(e) => return (records, bytes, Some(format!("record {i}: {e:?}"))),
        }
    }
    (records, bytes, None)
}

/// [`read_capture`] over every day file of link `link`'s raw archive.
fn read_archive(dir: &Path, link: &str) -> (usize, usize, Option<String>) {
    let (mut records, mut bytes) = (0, 0);
    let Ok(days) = std::fs::read_dir(dir.join("data/raw").join(link)) else {
        return (0, 0, None);
    };
    for day in days.flatten() {
        let (r, b, e) = read_capture(&std::fs::read(day.path()).unwrap());
        records += r;
        bytes += b;
        if let Some(e) = e {
            return (
                records,
                bytes,
                Some(format!("{}: {e}", day.path().display())),
            );
        }
    }
    (records, bytes, None)
}

/// Every file under `dir` whose name ends with `.tmp` (a replace that never finished).
pub fn temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".tmp") {
                out.push(p);
            }
        }
    }
    out
}

/// The daily MicroCAT file's column of the record field `temperature_c`.
pub fn temperature_column() -> &'static str {
    let product = gateway::science::PRODUCTS
        .iter()
        .find(|p| p.sensor == "MICROCAT")
        .unwrap();
    product
        .measured_vars()
        .iter()
        .find(|v| v.field == "temperature_c")
        .unwrap()
        .name
}

/// For each MicroCAT of the line: (truth samples, daily-file rows, samples without a row,
/// samples in more than one row).
pub fn daily_rows(dir: &Path, truth: &str) -> Vec<(String, usize, usize, usize, usize)> {
    let files = dir.join("data/erddap");
    let mut out = Vec::new();
    for serial in 3_725_001..=3_725_008 {
        let serial = serial.to_string();
        let want: BTreeMap<String, f64> = truth
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "sbe37" && v["serial"] == serial.as_str())
            .map(|v| {
                (
                    v["time"].as_str().unwrap().to_owned(),
                    v["temperature_c"].as_f64().unwrap(),
                )
            })
            .collect();
        let (header, rows) = product_rows(&files, "albatross", "MICROCAT", &serial);
        let (t, temp) = (col(&header, "time"), col(&header, temperature_column()));
        let mut got: BTreeMap<String, usize> = BTreeMap::new();
        for row in &rows {
            *got.entry(row[t].clone()).or_default() += 1;
            if let Some(w) = want.get(&row[t]) {
                let v: f64 = row[temp].parse().unwrap();
                assert!((v - w).abs() < 1e-9, "{serial} at {}: {v} != {w}", row[t]);
            }
        }
        let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
        let twice = got.values().filter(|&&n| n > 1).count();
        out.push((serial, want.len(), rows.len(), missing, twice));
    }
    out
}
