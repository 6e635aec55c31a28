//! The shore writer makes the daily products from the MQTT feed. Two simulated days of
//! both platforms (the line's 8 MicroCATs and Aquadopp over the lossy acoustic channel with
//! its 6 h outage, the MII's MicroCAT, Aquadopp, optode and C-Star) run at 3600x through
//! the gateway's `service::run` with its `[files]` sink and MQTT to a real mosquitto, from
//! which an `albatross writer` process stores the records and makes its own daily files.
//!
//! Twice on the first day the writer is killed (SIGKILL) and the broker stopped and
//! restarted. Then the writer is killed and the broker stays down for a simulated day: the
//! gateway is offline, its spool fills, and when the broker is back it drains a day of
//! records into the restarted writer, late and behind the live ones.
//!
//! Then the writer's daily CSV and NetCDF files are byte-identical to the gateway's, file
//! for file, and every sample of the simulator's truth is one row of them.

mod common;

use common::files::{col, product_rows, snapshot};
use common::live::STREAMS;
use common::mosquitto::Mosquitto;
use common::writer::{kill9, start_writer, start_writer_subscribed};
use common::{temp_dir, HOUR_MS};
use firmware_shim::sim::aquadopp::AquadoppSpec;
use firmware_shim::sim::mii::MiiConfig;
use gateway::science::{product_of_kind, LINE_STATUS};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The daily files under `dir` (CSV and NetCDF only: no `.tmp` of a write in progress).
fn products(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    if !dir.exists() {
        return BTreeMap::new();
    }
    snapshot(dir)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|x| x == "csv" || x == "nc"))
        .collect()
}

/// The times of the truth's samples of (`kind`, `serial`), each once.
fn truth_times(truth: &str, kind: &str, serial: &str) -> BTreeSet<String> {
    truth
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == kind && v["serial"] == serial)
        .filter_map(|v| v["time"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_writers_daily_files_equal_the_gateways_through_kills_and_broker_restarts() {
    let dir = temp_dir("writer-products");
    let mut broker = Mosquitto::start(&dir, &[]);

    // the shore writer: the example's station and platforms, its own directories
    let shore = dir.join("shore");
    std::fs::create_dir_all(&shore).unwrap();
    let writer_files = shore.join("erddap");
    let writer_config = common::mqtt::config_with_mqtt(
        &shore,
        "[link.tcp]\naddress = \"127.0.0.1:9\"\n",
        &broker.address(),
        &format!(
            "\n[writer]\ndir = {:?}\nfiles_dir = {:?}\n",
            shore.join("records").display().to_string(),
            writer_files.display().to_string()
        ),
    );
    let mut writer = start_writer_subscribed(&writer_config, &shore, "writer.log");

    // two simulated days of both platforms
    let start_ms = firmware_shim::sim::engine::SimConfig::default().start_ms;
    let day_ms = 48 * HOUR_MS;
    let line = firmware_shim::sim::engine::SimConfig {
        seed: 18,
        aquadopp: Some(AquadoppSpec::albatross()),
        sample_until_s: Some(((start_ms + day_ms) / 1000) as u32 - 1),
        ..common::lossy_scenario(18)
    };
    let mii = MiiConfig {
        seed: 18,
        ..MiiConfig::default()
    };
    let truth_path = dir.join("truth.jsonl");
    let (ports, sim) = common::live::serve_with_mii(line, mii, day_ms + HOUR_MS, &truth_path);
    let mut config = common::live::live_config(&dir.join("data"), &ports, &broker.address());
    config.files.enabled = true;
    let gateway_files = config.files_dir();
    let (stop_tx, gateway) = common::live::run_gateway(config);

    // 1 s of wall clock is a simulated hour: twice, the writer killed and the broker
    // restarted; then the writer killed and the broker down for a simulated day
    for round in 0..3 {
        std::thread::sleep(Duration::from_secs(4));
        kill9(writer.take());
        broker.stop();
        let away = if round == 2 { 24_000 } else { 500 };
        std::thread::sleep(Duration::from_millis(away));
        broker.restart();
        writer = start_writer(&writer_config, &shore, "writer.log");
        eprintln!("round {round}: writer killed, broker away {away} ms, both restarted");
    }
    sim.join().unwrap();
    let truth = std::fs::read_to_string(&truth_path).unwrap();

    // every truth sample reaches the gateway's files; the writer's become the same bytes
    // (hang guard only)
    let complete = |files: &Path| {
        STREAMS.iter().all(|&(platform, kind, serial)| {
            let Some(product) = product_of_kind(kind) else {
                return false;
            };
            let prefix = format!("{}_{serial}_", product.sensor);
            let Ok(years) = std::fs::read_dir(files.join(platform)) else {
                return false;
            };
            let rows: usize = years
                .flatten()
                .flat_map(|y| std::fs::read_dir(y.path()).into_iter().flatten().flatten())
                .filter(|f| {
                    let n = f.file_name().to_string_lossy().into_owned();
                    n.starts_with(&prefix) && n.ends_with(".csv")
                })
                .map(|f| {
                    let text = std::fs::read_to_string(f.path()).unwrap_or_default();
                    text.lines().count().saturating_sub(1)
                })
                .sum();
            rows == truth_times(&truth, kind, serial).len()
        })
    };
    let t0 = Instant::now();
    while !(complete(&gateway_files) && products(&writer_files) == products(&gateway_files)) {
        assert!(
            t0.elapsed() < Duration::from_secs(180),
            "hang guard: the writer's files never became the gateway's"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    stop_tx.send(true).unwrap();
    gateway.join().unwrap();
    common::stop(writer.take());
    broker.stop();

    // byte for byte, file for file, every product of both platforms
    let (ours, theirs) = (products(&gateway_files), products(&writer_files));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    assert!(
        ours == theirs,
        "the writer's files differ from the gateway's"
    );
    eprintln!(
        "{} files, {} bytes, identical",
        ours.len(),
        ours.values().map(Vec::len).sum::<usize>()
    );
    let sensors: BTreeSet<String> = ours
        .keys()
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .split('_')
                .next()
                .map(str::to_owned)
        })
        .collect();
    let want: BTreeSet<String> = ["AQUADOPP", "CTAR", "LINESTATUS", "MICROCAT", "OXYGEN"]
        .map(String::from)
        .into();
    assert_eq!(sensors, want);
    assert!(
        ours.keys()
            .any(|p| p.ends_with("LINESTATUS_albatross_20260301.nc")),
        "{:?}",
        ours.keys().collect::<Vec<_>>()
    );

    // every truth sample once, in the writer's files
    let mut samples = 0;
    for &(platform, kind, serial) in STREAMS {
        let product = product_of_kind(kind).unwrap();
        let (header, rows) = product_rows(&writer_files, platform, product.sensor, serial);
        let t = col(&header, "time");
        let times: Vec<&str> = rows.iter().map(|r| r[t].as_str()).collect();
        let unique: BTreeSet<String> = times.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            unique.len(),
            times.len(),
            "{platform} {serial}: a row twice"
        );
        assert_eq!(
            unique,
            truth_times(&truth, kind, serial),
            "{platform} {serial}"
        );
        samples += times.len();
    }
    eprintln!("{samples} truth samples, each one row of the writer's files");
    let (_, status) = product_rows(&writer_files, "albatross", LINE_STATUS.sensor, "albatross");
    assert!(!status.is_empty());

    // a shore ERDDAP host: the datasets of the writer's configuration, on the writer's files
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["erddap-config", "--writer", "--config"])
        .arg(&writer_config)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let xml = String::from_utf8(o.stdout).unwrap();
    for platform in ["albatross", "mii"] {
        let file_dir = format!("<fileDir>{}/{platform}/</fileDir>", writer_files.display());
        assert!(xml.contains(&file_dir), "{file_dir} not in:\n{xml}");
    }
    assert!(!xml.contains(&format!("{}/", gateway_files.display())));
    std::fs::remove_dir_all(&dir).unwrap();
}
