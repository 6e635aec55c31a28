//! `albatross ingest` on the real recovered files of the repository (protocol/tests/data:
//! the SBE 37-SM `.hex` upload with its Sea-Bird `.cnv`, the OOI Aquadopp `.aqd`, the MHKiT
//! AWAC `.wpr`, the OOI optode log): delayed-mode daily products with `data_mode` D and
//! their own ids and ERDDAP datasets, the values of the upload as Sea-Bird's own processing
//! gives them; and the real-time versus delayed-mode report against a live run of the same
//! period, in which the MII's MicroCAT sent the upload's samples as its real-time output.

mod common;
use common::files::{col, product_rows, snapshot};
use common::*;
use firmware_shim::sim::mii::{sbe37::memory_samples, MiiConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const CONFIG: &str = "gateway/albatross.example.toml";
const HEX: &str = "protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.hex";
const CNV: &str = "protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.cnv";
const AQD: &str = "protocol/tests/data/ooi/VELPT_SN_11402_2014-07-02.aqd";
const WPR: &str = "protocol/tests/data/mhkit/H-AWAC_test01.wpr";
const OPTODE: &str = "protocol/tests/data/ooi/20150330.dosta1.head600.log";

/// `albatross ingest --config CONFIG --out OUT --real-time RT --json JSON FILES...`.
fn ingest(config: &Path, out: &Path, rt: &Path, json: &Path, files: &[&Path]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_albatross"));
    c.current_dir(root())
        .args(["ingest", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .arg("--real-time")
        .arg(rt)
        .arg("--json")
        .arg(json);
    for f in files {
        c.arg(f);
    }
    c.output().unwrap()
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The NetCDF global attribute `name` of `path`, as text.
fn global(path: &Path, name: &str) -> String {
    let file = netcdf3::FileReader::open(path).unwrap();
    file.data_set().get_global_attr_as_string(name).unwrap()
}

/// The scans of the `.cnv` (T, C, P, salinity), in file order.
fn cnv_rows() -> Vec<[f64; 4]> {
    std::fs::read_to_string(root().join(CNV))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('*') && !l.starts_with('#'))
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.parse().unwrap()
}

#[test]
fn the_real_recovered_files_become_delayed_mode_products() {
    let dir = temp_dir("ingest-real");
    let (dm, rt, json) = (dir.join("dm"), dir.join("rt"), dir.join("report.json"));
    let files: Vec<PathBuf> = [HEX, AQD, WPR, OPTODE]
        .iter()
        .map(|f| root().join(f))
        .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let o = ingest(Path::new(CONFIG), &dm, &rt, &json, &refs);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");

    // the MicroCAT: every scan once, with the values of Sea-Bird's own processing: T as
    // the .cnv prints it, C and P within one unit of its last decimal (the coefficients'
    // rounding), salinity (TEOS-10's PSS-78) within 1e-4
    let (header, rows) = product_rows(&dm, "mii", "MICROCAT", "3716125");
    let cnv = cnv_rows();
    assert_eq!(rows.len(), 5502);
    assert_eq!(cnv.len(), 5502);
    let mut underived = 0;
    for (row, want) in rows.iter().zip(&cnv) {
        assert_eq!(num(&row[col(&header, "temperature")]), want[0], "{row:?}");
        for (k, name, unit) in [(1, "conductivity", 1e-6), (2, "pressure", 1e-3)] {
            let got = num(&row[col(&header, name)]);
            assert!((got - want[k]).abs() <= unit * 1.0001, "{name} {row:?}");
        }
        // pressures far below zero (the instrument on deck) fail the gross range: no
        // derived variables then
        let s = &row[col(&header, "salinity")];
        if s.is_empty() {
            assert_eq!(row[col(&header, "pressure_QC")], "4", "{row:?}");
            underived += 1;
            continue;
        }
        let s = num(s);
        assert!(
            (s - want[3]).abs() <= 1.0001e-4,
            "salinity {s} vs {}",
            want[3]
        );
        assert_eq!(
            row[col(&header, "oxygen")],
            "",
            "an SBE 37-SM has no oxygen"
        );
    }
    assert!(underived < 500, "{underived} rows without salinity");
    // 7 UTC days, each file delayed mode with its own id
    let day = dm.join("mii/2017/MICROCAT_3716125_20171112.nc");
    assert_eq!(global(&day, "data_mode"), "D");
    assert_eq!(
        global(&day, "id"),
        "emso-ligure-ouest_mii_MICROCAT_3716125_dm_20171112"
    );
    assert!(global(&day, "processing_level").starts_with("Delayed mode"));
    assert!(global(&day, "summary").starts_with("Delayed-mode measurements"));

    // the Aquadopp's 50 velocity records, the optode's lines; what has no product is named
    let (_, aqd) = product_rows(&dm, "mii", "AQUADOPP", "11402");
    assert_eq!(aqd.len(), 50);
    let (_, optode) = product_rows(&dm, "mii", "OXYGEN", "379");
    assert_eq!(optode.len(), 587);
    let r = report(&json);
    let files = r["files"].as_array().unwrap();
    assert_eq!(files[0]["format"], "sbe37-hex");
    assert_eq!(files[0]["samples"], 5502);
    assert_eq!(files[1]["format"], "nortek");
    assert_eq!(files[1]["samples"], 50);
    assert_eq!(files[1]["no_product"]["aquadopp_diagnostics"], 20);
    assert_eq!(files[2]["samples"], 0);
    assert_eq!(files[2]["no_product"]["awac_profile"], 9);
    assert_eq!(files[3]["format"], "optode");
    assert_eq!(r["rows"], 5502 + 50 + 587);
    assert!(
        stderr.contains("9 awac_profile records: no daily product"),
        "{stderr}"
    );
    // no real-time files: nothing overlaps, and the report says so
    let instruments = r["instruments"].as_array().unwrap();
    assert_eq!(instruments.len(), 3);
    assert!(instruments.iter().all(|i| i["overlap"].is_null()));

    // ingesting again changes nothing
    let before = snapshot(&dm);
    let o = ingest(Path::new(CONFIG), &dm, &rt, &json, &refs);
    assert!(o.status.success());
    assert_eq!(snapshot(&dm), before);

    // ERDDAP: the delayed-mode datasets beside the real-time ones, on their own files
    let o = albatross_at_root(&["erddap-config", "--config", CONFIG, "--delayed"], &[&dm]);
    assert!(o.status.success());
    let xml = String::from_utf8(o.stdout).unwrap();
    assert!(xml.contains("datasetID=\"emso_ligure_ouest_mii_MICROCAT\""));
    let dm_entry = xml
        .split("<dataset ")
        .find(|d| d.contains("datasetID=\"emso_ligure_ouest_mii_MICROCAT_dm\""))
        .expect("the delayed-mode MicroCAT dataset");
    assert!(dm_entry.contains(&format!("<fileDir>{}/mii/</fileDir>", dm.display())));
    assert!(dm_entry.contains("<att name=\"real_time\">false</att>"));
    assert!(!xml.contains("LINESTATUS_dm"));

    // bad input: a file that is no instrument's is named, the others still ingested
    let junk = dir.join("junk.bin");
    std::fs::write(&junk, b"\x00\x01 not an instrument file \xff\n").unwrap();
    let o = ingest(
        Path::new(CONFIG),
        &dir.join("dm2"),
        &rt,
        &json,
        &[&junk, &root().join(AQD)],
    );
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("junk.bin: format not recognised"),
        "{stderr}"
    );
    assert_eq!(
        product_rows(&dir.join("dm2"), "mii", "AQUADOPP", "11402")
            .1
            .len(),
        50
    );
    let o = ingest(Path::new("no-such.toml"), &dm, &rt, &json, &refs);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The upload's text without the scans whose time is in `[from, to)` (Unix s): a gap in
/// the instrument's memory.
fn with_memory_gap(hex: &str, from: u32, to: u32) -> String {
    let samples = memory_samples(hex).unwrap();
    let end = hex.find("*END*").unwrap();
    let (head, scans) = hex.split_at(end);
    let mut lines = scans.lines();
    let mut out = format!("{head}{}\r\n", lines.next().unwrap());
    let scans: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(scans.len(), samples.len());
    for (line, s) in scans.iter().zip(&samples) {
        if !(from..to).contains(&s.time_s) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out
}

#[test]
fn the_report_compares_memory_with_a_live_run_of_the_same_period() {
    let dir = temp_dir("ingest-live");
    let hex = std::fs::read_to_string(root().join(HEX)).unwrap();
    let memory = memory_samples(&hex).unwrap();
    // 12 h of 2017-11-12, the MII MicroCAT sending the upload's samples as it stored them
    let start_ms: u64 = 1_510_444_800_000;
    let run_ms = 12 * HOUR_MS;
    let line = firmware_shim::sim::engine::SimConfig {
        seed: 7,
        start_ms,
        sample_until_s: Some(((start_ms + run_ms) / 1000) as u32 - 1),
        ..Default::default()
    };
    let truth_path = dir.join("truth.jsonl");
    let mii = MiiConfig {
        seed: 7,
        sbe37_memory: Some(memory.clone()),
        ..MiiConfig::default()
    };
    let (ports, sim) = common::live::serve_with_mii(line, mii, run_ms, &truth_path);
    let mut config = common::live::example_config(&dir.join("data"), &ports);
    config.sinks.mqtt = None;
    config.files.enabled = true;
    let rt = config.files_dir();
    let (stop_tx, gateway) = common::live::run_gateway(config);
    sim.join().unwrap();
    let sent = std::fs::read_to_string(&truth_path)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"serial\":\"3716125\""))
        .count();
    let live_rows = || {
        std::fs::read_dir(rt.join("mii/2017"))
            .map(|d| {
                d.flatten()
                    .filter(|f| f.file_name().to_string_lossy().starts_with("MICROCAT_"))
                    .filter(|f| f.file_name().to_string_lossy().ends_with(".csv"))
                    .map(|f| std::fs::read_to_string(f.path()).unwrap().lines().count() - 1)
                    .sum::<usize>()
            })
            .unwrap_or(0)
    };
    // hang guard only: until every sample sent is in the real-time files
    let t0 = Instant::now();
    while live_rows() < sent && t0.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(250));
    }
    stop_tx.send(true).unwrap();
    gateway.join().unwrap();
    let (header, live) = product_rows(&rt, "mii", "MICROCAT", "3716125");
    let in_run = memory
        .iter()
        .filter(|m| {
            let t = u64::from(m.time_s) * 1000;
            t >= start_ms && t + 3000 <= start_ms + run_ms
        })
        .count();
    assert_eq!(live.len(), sent);
    assert!(
        sent >= in_run && in_run > 400,
        "{sent} sent, {in_run} in the run"
    );

    // the recovered memory lost two hours (03:00 to 05:00) of the run
    let (gap_from, gap_to) = (
        (start_ms / 1000) as u32 + 3 * 3600,
        (start_ms / 1000) as u32 + 5 * 3600,
    );
    let upload = dir.join("recovered.hex");
    std::fs::write(&upload, with_memory_gap(&hex, gap_from, gap_to)).unwrap();
    let (dm, json) = (dir.join("dm"), dir.join("report.json"));
    let o = ingest(Path::new(CONFIG), &dm, &rt, &json, &[&upload]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();

    let t = |row: &Vec<String>| row[col(&header, "time")].clone();
    let times: Vec<String> = live.iter().map(t).collect();
    let in_gap = |time: &str| {
        let ts = gateway::dailyfiles::csv::parse_time(time)
            .unwrap()
            .unix_millis()
            / 1000;
        (i64::from(gap_from)..i64::from(gap_to)).contains(&ts)
    };
    let lost = times.iter().filter(|x| in_gap(x)).count();
    assert!(lost > 50, "{lost}");
    let r = report(&json);
    let c = r["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["serial"] == "3716125")
        .unwrap()
        .clone();
    assert_eq!(
        c["overlap"],
        serde_json::json!([times[0], times[times.len() - 1]]),
        "{c}"
    );
    assert_eq!(c["real_time_samples"], live.len());
    assert_eq!(c["matched"], live.len() - lost);
    assert_eq!(c["real_time_only"], lost);
    assert_eq!(c["delayed_only"], 0);
    let var = |name: &str| {
        c["variables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    // T and P go over the line at the memory's resolution; C at 1e-5 S/m of its 1e-6
    for name in ["temperature", "pressure"] {
        assert_eq!(var(name)["pairs"], live.len() - lost, "{name}");
        assert_eq!(var(name)["max_abs"], 0.0, "{name}");
    }
    let cond = var("conductivity");
    let max = cond["max_abs"].as_f64().unwrap();
    assert!(max > 0.0 && max <= 5.0000001e-6, "{cond}");
    assert!(cond["mean"].as_f64().unwrap().abs() < 2e-6, "{cond}");
    let salinity = var("salinity")["max_abs"].as_f64().unwrap();
    assert!(salinity > 0.0 && salinity < 1e-3, "{salinity}");
    assert_eq!(var("oxygen")["pairs"], 0);
    assert!(
        text.contains(&format!(
            "{} matched, {lost} real-time only, 0 delayed-mode only",
            live.len() - lost
        )),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
