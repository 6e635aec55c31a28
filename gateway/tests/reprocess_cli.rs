//! `albatross reprocess` on a raw archive the simulator wrote in the gateway's layout
//! (`<raw>/albatross-modem/<YYYYMMDD>.cap`): three days of a lossy line whose shore side
//! repairs (frames of one day arrive the next), every truth sample in the files once, the
//! files equal to those of one batch over the whole capture (`albatross replay
//! --files-dir`) whatever the slices, a day range that rebuilds only its days, and clear
//! refusals of bad input. The byte identity with the live gateway's own files is
//! tests/demo_all_kinds.rs (every instrument kind).

mod common;
use common::files::{col, product_rows, snapshot};
use common::*;
use firmware_shim::sim::archive::DayFiles;
use firmware_shim::sim::engine::SimConfig;
use firmware_shim::sim::record;
use protocol::capture::CaptureWriter;
use protocol::modem_link::ModemLinkConfig;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const CONFIG: &str = "gateway/albatross.example.toml";

/// Three days of a lossy line with repair; instruments sample for two.
fn scenario() -> SimConfig {
    let mut c = lossy_scenario(23);
    c.repair = Some(ModemLinkConfig::default());
    c.sample_until_s = Some((c.start_ms / 1000 + 2 * 86_400) as u32 - 1);
    c
}

const DURATION_MS: u64 = 3 * 24 * HOUR_MS;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `albatross reprocess --config CONFIG --raw RAW --out OUT` with `extra` arguments.
fn reprocess(raw: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_albatross"));
    c.current_dir(root())
        .args(["reprocess", "--config", CONFIG, "--raw"])
        .arg(raw)
        .arg("--out")
        .arg(out)
        .args(extra);
    c.output().unwrap()
}

#[test]
fn reprocess_rebuilds_every_day_from_the_archive() {
    let dir = temp_dir("reprocess-cli");
    let raw = dir.join("raw");
    let truth_path = dir.join("truth.jsonl");
    let days = DayFiles::create(raw.join("albatross-modem"), &["a test".to_string()]).unwrap();
    let truth = std::fs::File::create(&truth_path).unwrap();
    let sum = record(scenario(), DURATION_MS, days, truth, true).unwrap();
    assert!(
        sum.repair.is_some_and(|r| r.repair.recovered > 0),
        "repair happened"
    );
    // the same scenario as one capture (same seed, same bytes)
    let one = dir.join("all.cap");
    let w = CaptureWriter::new(std::fs::File::create(&one).unwrap(), &["a test"]).unwrap();
    record(scenario(), DURATION_MS, w, std::io::sink(), true).unwrap();
    let day_files: Vec<_> = std::fs::read_dir(raw.join("albatross-modem"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(day_files.len(), 3);

    // the whole archive
    let out = dir.join("out");
    let o = reprocess(&raw, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(
        text.contains("reprocessed 3 days: 19 day files (788 rows)"),
        "{text}"
    );
    assert!(text.contains("from 3 archive files"), "{text}");
    let files = snapshot(&out);
    // 8 MicroCATs for 2 days, the line status for 3 (the controller reports on after the
    // instruments stop), CSV + NetCDF
    assert_eq!(files.len(), 38);

    // every truth sample once, with its values
    let truth = std::fs::read_to_string(&truth_path).unwrap();
    let mut want: BTreeMap<(String, String), f64> = BTreeMap::new();
    for l in truth.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v["type"] == "sbe37" {
            let key = (
                v["serial"].as_str().unwrap().into(),
                v["time"].as_str().unwrap().into(),
            );
            assert!(want
                .insert(key, v["temperature_c"].as_f64().unwrap())
                .is_none());
        }
    }
    assert_eq!(want.len(), 2 * 48 * 8);
    let mut got: BTreeMap<(String, String), f64> = BTreeMap::new();
    for serial in 3_725_001..=3_725_008 {
        let serial = serial.to_string();
        let (header, rows) = product_rows(&out, "albatross", "MICROCAT", &serial);
        let (time, t) = (col(&header, "time"), col(&header, "temperature"));
        for row in rows {
            let key = (serial.clone(), row[time].clone());
            assert!(
                got.insert(key, row[t].parse().unwrap()).is_none(),
                "{row:?} twice"
            );
        }
    }
    assert_eq!(got, want);

    // the same files as one batch over the one capture, and as slices of one day
    let batch = dir.join("batch");
    let o = albatross_at_root(
        &["replay", "--config", CONFIG, "--files-dir"],
        &[&batch, &one],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(snapshot(&batch) == files, "one batch over the capture");
    let sliced = dir.join("sliced");
    let o = reprocess(&raw, &sliced, &["--slice-days", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(snapshot(&sliced) == files, "one-day slices");

    // a range: over the same files nothing changes; into a fresh directory, only its day
    let second = "2026-03-02";
    let o = reprocess(&raw, &out, &["--from", second, "--to", second]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("reprocessed 1 day: 9 day files"),
        "{}",
        stderr(&o)
    );
    assert!(snapshot(&out) == files, "the range rebuilt the same bytes");
    let fresh = dir.join("fresh");
    let o = reprocess(&raw, &fresh, &["--from", second, "--to", second]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = snapshot(&fresh)
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 18, "{names:?}");
    assert!(names.iter().all(|n| n.contains("20260302")), "{names:?}");

    // a damaged day file: a warning, what came before the damage is used
    let damaged = dir.join("damaged");
    std::fs::create_dir_all(damaged.join("albatross-modem")).unwrap();
    for e in &day_files {
        let mut bytes = std::fs::read(e.path()).unwrap();
        if e.file_name() == "20260303.cap" {
            bytes.truncate(bytes.len() / 2);
            bytes.extend_from_slice(b"< 12 not-a-length\n");
        }
        std::fs::write(damaged.join("albatross-modem").join(e.file_name()), bytes).unwrap();
    }
    let o = reprocess(&damaged, &dir.join("out-damaged"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("20260303.cap: capture damaged, read up to the damage"),
        "{}",
        stderr(&o)
    );

    // bad input: exit 2, a message naming what is wrong
    for (args, says) in [
        (vec!["--from", "2026-02-30"], "not a date"),
        (
            vec!["--from", "2026-03-02", "--to", "2026-03-01"],
            "--from is after --to",
        ),
        (vec!["--slice-days", "0"], "slice-days"),
    ] {
        let o = reprocess(&raw, &dir.join("never"), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let o = reprocess(&dir.join("no-such-dir"), &dir.join("never"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no raw archive there"),
        "{}",
        stderr(&o)
    );
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[station\n").unwrap();
    let o = albatross_at_root(&["reprocess", "--out", "x", "--config"], &[&broken]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("broken.toml"), "{}", stderr(&o));
    assert!(!dir.join("never").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
