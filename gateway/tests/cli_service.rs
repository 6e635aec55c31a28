//! The service subcommands through the real binary: `replay` on every capture, `run` with
//! broken configurations (exit 2, file:line: field), and `demo` producing records.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn albatross(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn replay_gives_exactly_the_expected_records_of_every_capture() {
    let captures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures");
    for name in [
        "clean-day",
        "lossy-day",
        "outage-recovery",
        "garbage-stress",
    ] {
        let cap = captures.join(format!("{name}.cap"));
        let out = albatross(&["replay", cap.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = records(&String::from_utf8_lossy(&out.stdout), "sbe37");
        let want = records(
            &std::fs::read_to_string(captures.join(format!("{name}.expected.jsonl"))).unwrap(),
            "sbe37",
        );
        assert_eq!(got, want, "{name}");
        assert_eq!(got.values().sum::<usize>(), 384, "{name}");
        // no configuration, so no position: QC flags but no derived variables
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v["type"] == "sbe37" {
                assert_eq!(measured::check_enriched(&v, None), 1, "{name}: {line}");
            }
        }
    }
}

/// With the example configuration (platform positions), `albatross replay` prints every
/// MicroCAT record with its derived variables (TEOS-10 of its measured fields) and QC
/// flags after the measured fields, which are exactly the truth's.
#[test]
fn replay_with_the_example_configuration_adds_derived_variables_and_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cap = root.join("captures/clean-day.cap");
    let config = root.join("gateway/albatross.example.toml");
    let out = albatross(&[
        "replay",
        cap.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = records(
        &std::fs::read_to_string(root.join("captures/clean-day.expected.jsonl")).unwrap(),
        "sbe37",
    );
    assert_eq!(records(&stdout, "sbe37"), want);
    let (mut n, mut with_oxygen) = (0, 0);
    for line in stdout.lines().filter(|l| l.contains(r#""type":"sbe37""#)) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        // the example's platforms are at 42.806217 N 6.026833 E
        assert_eq!(
            measured::check_enriched(&v, Some((42.806217, 6.026833))),
            1,
            "{line}"
        );
        // key order: measured, derived, qc last
        let keys = [
            "pressure_dbar",
            "oxygen_ml_l",
            "salinity_psu",
            "depth_m",
            "potential_temperature_c",
            "sigma_theta_kg_m3",
            "oxygen_saturation_pct",
            "qc",
        ];
        let at: Vec<usize> = keys
            .iter()
            .filter_map(|k| line.find(&format!("\"{k}\":")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
        let oxygen = line.contains("oxygen_ml_l");
        assert_eq!(at.len(), if oxygen { 8 } else { 6 }, "{line}");
        with_oxygen += usize::from(oxygen);
        assert!(line.ends_with(r#""aggregate":1}}"#), "{line}");
        n += 1;
    }
    assert_eq!((n, with_oxygen), (384, 288));
}

#[test]
fn replay_of_a_missing_or_foreign_file_exits_2() {
    let out = albatross(&["replay", "/nonexistent.cap"]);
    assert_eq!(out.status.code(), Some(2));
    let out = albatross(&["replay", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(out.status.code(), Some(2));
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures/README.md");
    let out = albatross(&["replay", readme.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an albatross capture"));
}

#[test]
fn run_refuses_a_broken_configuration_naming_file_line_and_field() {
    let dir = temp_dir("cli-config");
    let example = include_str!("../albatross.example.toml");
    let cases = [
        (
            "unknown-field",
            example.replacen(
                "nominal_depth_m = 750",
                "nominal_depth_m = 750\ndepht = 3",
                1,
            ),
            "depht",
        ),
        (
            "bad-type",
            example.replacen("baud = 9600", "baud = \"fast\"", 1),
            "baud",
        ),
        (
            "duplicate-serial",
            example.replacen("serial = \"3725002\"", "serial = \"3725001\"", 1),
            "instrument.serial",
        ),
    ];
    for (name, text, field) in cases {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, &text).unwrap();
        let out = albatross(&["run", "--config", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        let line = text.lines().position(|l| {
            l.contains(match name {
                "unknown-field" => "depht",
                "bad-type" => "\"fast\"",
                _ => "zzz",
            })
        });
        assert!(
            err.contains(&format!("{}:", path.display())),
            "{name}: {err}"
        );
        assert!(err.contains(&format!("field `{field}`")), "{name}: {err}");
        if let Some(l) = line {
            assert!(
                err.contains(&format!(":{}:", l + 1)),
                "{name}: line {} not in {err}",
                l + 1
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "demo")]
#[test]
fn demo_produces_records_within_a_minute() {
    let dir = temp_dir("cli-demo");
    let data = dir.join("albatross-data");
    let out = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["demo", "--seconds", "20", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("mqtt://127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("mosquitto_sub -h 127.0.0.1"), "{stdout}");
    assert!(stdout.contains("tcp://127.0.0.1:"), "{stdout}");
    let mut text = String::new();
    for year in std::fs::read_dir(data.join("records/albatross"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(year.path()).unwrap().flatten() {
            text.push_str(&std::fs::read_to_string(f.path()).unwrap());
        }
    }
    let n = records(&text, "sbe37").values().sum::<usize>();
    assert!(
        n >= 8,
        "the demo stored {n} MicroCAT records in 20 s:\n{stdout}"
    );
    // every stored line is whole JSON after the SIGTERM-like stop
    assert!(text
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(data.join("raw/albatross-modem").is_dir());
    // every sink ran: the embedded broker acknowledged records, the daily files exist
    let acked = std::fs::read_to_string(data.join("spool/acked")).unwrap_or_default();
    let below: u64 = acked
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(below >= 8, "MQTT acknowledged {below} records");
    let nc = std::fs::read_dir(data.join("erddap/albatross"))
        .unwrap()
        .flatten()
        .flat_map(|y| std::fs::read_dir(y.path()).unwrap().flatten())
        .filter(|f| f.file_name().to_string_lossy().ends_with(".nc"))
        .count();
    assert!(nc >= 1, "no daily NetCDF file");
    std::fs::remove_dir_all(&dir).unwrap();
}
