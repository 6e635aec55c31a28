//! The daily products of the MII's Aquadopp and optode made from real recorded bytes
//! (protocol/tests/data/ooi, provenance in its PROVENANCE.md): the OOI VELPT Aquadopp
//! file (AQD 11402) and the OOI DOSTA optode log (4831 serial 379), decoded as
//! `albatross decode` does, attributed to the example configuration's MII instruments of
//! the same serials, and written by the daily-file writer. The files hold exactly the
//! decoded values (and the derived speed, direction and depth), and pass
//! gateway/tests/python/check_daily_files.py (compliance-checker cf:1.6 and acdd:1.3, the
//! EMSO v1.0.7 check, NetCDF = CSV, per-test flags = ioos_qc).

use gateway::config::Config;
use gateway::dailyfiles::{DailyWriter, StationInfo};
use gateway::decode::{decode, Format};
use gateway::observation::{Observation, PlatformMeta};
use gateway::record::Record;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn records(path: &str, format: Format) -> Vec<Record> {
    let data = std::fs::read(root().join("protocol/tests/data").join(path)).unwrap();
    let mut out = Vec::new();
    decode(format, &data, &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    out
}

/// The MII's observations of `records`, attributed to its instrument `serial`.
fn observations(config: &Config, serial: &str, records: Vec<Record>) -> Vec<Observation> {
    let p = config.platform("mii").unwrap();
    let platform = Arc::new(PlatformMeta::from_config(config, p));
    let instrument = platform.by_serial(serial).cloned();
    assert!(instrument.is_some(), "{serial} is an MII instrument");
    records
        .into_iter()
        .map(|record| Observation {
            record,
            platform: platform.clone(),
            instrument: instrument.clone(),
            link: Arc::from("test"),
        })
        .collect()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("albatross-products-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// (header, rows) of a CSV.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Equal as the files' decimals keep them (the records carry the decoder's binary floats).
fn near(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (a, b) => a.is_none() && b.is_none(),
    }
}

fn cell(header: &[String], row: &[String], name: &str) -> Option<f64> {
    let i = header.iter().position(|h| h == name).unwrap();
    let c = &row[i];
    (!c.is_empty()).then(|| c.parse().unwrap())
}

#[test]
fn aquadopp_and_optode_products_from_real_bytes() {
    let config = Config::load(&root().join("gateway/albatross.example.toml")).unwrap();
    let aqd = records("ooi/VELPT_SN_11402_2014-07-02.aqd", Format::Nortek);
    let velocity: Vec<Record> = aqd
        .iter()
        .filter(|r| r.kind == "aquadopp_velocity")
        .cloned()
        .collect();
    assert_eq!(velocity.len(), 50, "the file's 50 velocity records");
    let optode = records("ooi/20150330.dosta1.head600.log", Format::Optode);
    assert!(optode.len() > 500, "{}", optode.len());
    let mut obs = observations(&config, "11402", aqd.clone());
    obs.extend(observations(&config, "379", optode.clone()));
    let dir = tmp("real");
    let writer = DailyWriter::new(&dir, config.files.qc.clone());
    let report = writer
        .write_observations(&StationInfo::from(&config), &obs, true)
        .unwrap();
    let names: Vec<String> = report
        .days
        .iter()
        .map(|d| d.csv.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("AQUADOPP_11402_") || n.starts_with("OXYGEN_379_")),
        "{names:?}"
    );
    // every velocity record is a row, with its values and the derived ones
    let aqd_days: Vec<_> = report
        .days
        .iter()
        .filter(|d| d.csv.to_string_lossy().contains("AQUADOPP_"))
        .collect();
    assert_eq!(aqd_days.iter().map(|d| d.rows).sum::<usize>(), 50);
    let mut rows = Vec::new();
    for d in &aqd_days {
        let (header, r) = csv(&d.csv);
        assert_eq!(
            &header[..22],
            [
                "stationname",
                "latitude",
                "longitude",
                "time",
                "sensor_theoric_depth",
                "sensor_serial_number",
                "X_East",
                "Y_North",
                "Z_up",
                "Amplitude_X",
                "Amplitude_Y",
                "Amplitude_Z",
                "Battery",
                "SoundSpeed",
                "Heading",
                "Pitch",
                "Roll",
                "Pressure",
                "Temperature",
                "Speed",
                "Direction",
                "depth"
            ]
        );
        rows.extend(r.into_iter().map(|row| (header.clone(), row)));
    }
    for (record, (header, row)) in velocity.iter().zip(&rows) {
        assert_eq!(row[3], record.time.unwrap().to_string());
        let get = |f: &str| record.get(f).and_then(|v| v.as_f64());
        let list = |f: &str, i: usize| match record.get(f) {
            Some(gateway::record::Value::List(v)) => v[i].as_f64(),
            _ => None,
        };
        let enu = matches!(record.get("coordinate_system"), Some(gateway::record::Value::Text(t)) if t == "ENU");
        for (col, want) in [
            ("Amplitude_X", list("amplitude", 0)),
            ("Amplitude_Z", list("amplitude", 2)),
            ("Battery", get("battery_v")),
            ("SoundSpeed", get("sound_speed_m_s")),
            ("Heading", get("heading_deg")),
            ("Pitch", get("pitch_deg")),
            ("Roll", get("roll_deg")),
            ("Pressure", get("pressure_dbar")),
            ("Temperature", get("temperature_c")),
        ] {
            assert!(
                near(cell(header, row, col), want),
                "{col} at {}: {:?} {want:?}",
                row[3],
                cell(header, row, col)
            );
        }
        if enu {
            let (e, n) = (
                list("velocity_m_s", 0).unwrap(),
                list("velocity_m_s", 1).unwrap(),
            );
            assert!(near(cell(header, row, "X_East"), Some(e)));
            let speed = cell(header, row, "Speed").unwrap();
            assert!((speed - e.hypot(n)).abs() < 1e-4, "{speed}");
            let dir = cell(header, row, "Direction").unwrap();
            let want = e.atan2(n).to_degrees().rem_euclid(360.0);
            assert!(
                (dir - want).abs() < 0.01 || (dir - want).abs() > 359.99,
                "{dir} {want}"
            );
        } else {
            assert_eq!(
                cell(header, row, "X_East"),
                None,
                "no east velocity from a non-ENU record"
            );
        }
        let depth = cell(header, row, "depth").unwrap();
        assert!(
            depth > 0.0 && depth < get("pressure_dbar").unwrap() * 1.0,
            "{depth}"
        );
    }
    // the optode: every sample, as decoded; no MicroCAT record of that day, so no umol/kg
    let opt_days: Vec<_> = report
        .days
        .iter()
        .filter(|d| d.csv.to_string_lossy().contains("OXYGEN_"))
        .collect();
    let samples: Vec<&Record> = optode.iter().filter(|r| r.kind == "optode").collect();
    assert_eq!(
        opt_days.iter().map(|d| d.rows).sum::<usize>(),
        samples.len()
    );
    let (header, r) = csv(&opt_days[0].csv);
    assert_eq!(
        &header[..11],
        [
            "stationname",
            "latitude",
            "longitude",
            "time",
            "sensor_theoric_depth",
            "Optode_Serial",
            "Optode_Type",
            "Oxygen",
            "Saturation",
            "Temperature",
            "Oxygen_umol_kg"
        ]
    );
    for (record, row) in samples.iter().zip(&r) {
        assert_eq!(row[5], "379");
        assert_eq!(cell(&header, row, "Optode_Type"), Some(4831.0));
        let get = |f: &str| {
            record
                .get(f)
                .and_then(|v| v.as_f64())
                .map(|x| (x * 1000.0).round() / 1000.0)
        };
        assert!(
            near(cell(&header, row, "Oxygen"), get("oxygen_umol_l")),
            "Oxygen"
        );
        assert_eq!(
            cell(&header, row, "Saturation"),
            get("oxygen_saturation_pct")
        );
        assert!(
            near(cell(&header, row, "Temperature"), get("temperature_c")),
            "Temperature"
        );
        assert_eq!(cell(&header, row, "Oxygen_umol_kg"), None);
    }
    check_with_python(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// gateway/tests/python/check_daily_files.py on `dir` (skipped without ./.venv unless
/// ALBATROSS_REQUIRE_PYTHON=1, as the other Python cross-checks).
fn check_with_python(dir: &Path) {
    let python = root().join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("ALBATROSS_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "ALBATROSS_REQUIRE_PYTHON=1 but {} is missing",
            python.display()
        );
        eprintln!("skipped the Python checks: no {}", python.display());
        return;
    }
    let out = std::process::Command::new(python)
        .arg(root().join("gateway/tests/python/check_daily_files.py"))
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "check_daily_files.py failed");
    assert!(text.contains("AQUADOPP_11402_") && text.contains("OXYGEN_379_"));
}
