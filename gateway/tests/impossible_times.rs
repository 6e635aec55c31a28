//! Impossible instrument times through `albatross run`: the MII MicroCAT's clock is reset
//! (Sea-Bird's 2000 epoch, then the Unix epoch 1970) and corrupted (2100) for a stretch of
//! its real-time lines. Every line is stored; the ones of impossible time undated and
//! flagged (`instrument_time`, `time_qc` 4) in the instrument's `undated` record file; no
//! file anywhere under the data directory is named for a wrong day; the daily files hold
//! exactly the plausible samples; the streaming QC state is not pushed to 2100; the log
//! says what happened, once when the clock goes wrong and once when it is right again.

mod common;
use common::*;
use firmware_shim::sim::mii::sbe37::{line, MiiMicrocat};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DAY_S: u32 = 1_772_323_200; // 2026-03-01T00:00:00Z, in the past of any test machine
const STEP_S: u32 = 300;

/// Every file under `dir`.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The JSON lines of every record file of the MII MicroCAT whose name contains `part`.
fn stored(dir: &Path, part: &str) -> Vec<serde_json::Value> {
    let mut files = Vec::new();
    walk(&dir.join("data/records"), &mut files);
    files
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.contains("3716125") && n.contains(part)
        })
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn reset_and_corrupted_instrument_clocks_are_flagged_never_filed_under_a_wrong_day() {
    let dir = temp_dir("impossible-times");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = config_with_links(
        &dir,
        &format!("[[link]]\nname = \"mii-ctd\"\nplatform = \"mii\"\ncarries = \"sbe37-ascii\"\ninstrument = \"3716125\"\n[link.tcp]\naddress = \"{addr}\"\n\n[files]\nenabled = true\n"),
    );

    // 12 good samples, 4 at the Sea-Bird epoch (a clock reset after a power cycle), 3 at
    // the Unix epoch, 3 in 2100, then 12 good samples again, 5 min apart
    let mut cat = MiiMicrocat::new(2470, 7);
    let mut good = 0..;
    let mut next_good = || DAY_S + STEP_S * good.next().unwrap();
    let mut times: Vec<u32> = (0..12).map(|_| next_good()).collect();
    times.extend((0..4).map(|k| 946_684_800 + 5 + k * STEP_S)); // 2000-01-01
    times.extend((0..3).map(|k| k * STEP_S)); // 1970-01-01
    times.extend((0..3).map(|k| 4_102_444_800 + k * STEP_S)); // 2100-01-01
    times.extend((0..12).map(|_| next_good()));
    let lines: Vec<String> = times.iter().map(|&t| line(&cat.measure(t))).collect();

    let gateway = start_gateway(&config, &dir);
    let (mut conn, _) = listener.accept().unwrap();
    for l in &lines {
        conn.write_all(l.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    conn.flush().unwrap();
    // hang guard only: the gateway stores each batch within a moment
    let guard = Instant::now();
    while stored(&dir, "").len() < lines.len() {
        assert!(
            guard.elapsed() < Duration::from_secs(120),
            "hang guard: {} of {} lines stored",
            stored(&dir, "").len(),
            lines.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    stop(gateway);
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();

    // every line stored once: 24 dated, 10 undated with their instrument's time
    let dated = stored(&dir, "20260301");
    let undated = stored(&dir, "undated");
    assert_eq!(dated.len(), 24, "{log}");
    assert_eq!(undated.len(), 10, "{log}");
    assert_eq!(stored(&dir, "").len(), 34, "no record in a third file");
    let mut instrument_times: Vec<&str> = undated
        .iter()
        .map(|r| {
            assert!(r.get("time").is_none(), "{r}");
            assert_eq!(r["time_qc"], 4, "{r}");
            assert!(r["temperature_c"].is_number(), "the values are kept: {r}");
            r["instrument_time"].as_str().unwrap()
        })
        .collect();
    instrument_times.sort_unstable();
    assert_eq!(instrument_times[0], "1970-01-01T00:00:00Z");
    assert_eq!(instrument_times[3], "2000-01-01T00:00:05Z");
    assert_eq!(instrument_times[9], "2100-01-01T00:10:00Z");

    // no file of any kind named for a day of 1970, 2000 or 2100
    let mut files = Vec::new();
    walk(&dir.join("data"), &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
        .collect();
    for wrong in ["1970", "2000", "2100"] {
        assert!(
            names.iter().all(|n| !n.contains(&format!("/{wrong}/"))
                && !n.contains(&format!("_{wrong}0101"))
                && !n.contains(&format!("{wrong}0101."))),
            "a file for {wrong}: {names:#?}"
        );
    }
    // the daily files hold the 24 plausible samples of the day, and only that day exists
    let daily: Vec<&String> = names
        .iter()
        .filter(|n| n.contains("/erddap/") && n.contains("MICROCAT_"))
        .collect();
    assert!(
        daily.iter().all(|n| n.contains("20260301")),
        "daily files: {daily:#?}"
    );
    let csv = files
        .iter()
        .find(|p| {
            let n = p.display().to_string();
            n.contains("/erddap/") && n.contains("MICROCAT_") && n.ends_with(".csv")
        })
        .expect("the day's MicroCAT CSV");
    let rows = std::fs::read_to_string(csv).unwrap().lines().count() - 1;
    assert_eq!(rows, 24, "{}", csv.display());

    // the records after the corrupted stretch went through the sequence tests: the QC
    // state's newest sample is the last good one, not 2100
    let mut qc_files = Vec::new();
    walk(&dir.join("data"), &mut qc_files);
    let state: Vec<String> = qc_files
        .iter()
        .filter(|p| {
            p.display().to_string().contains("3716125") && p.display().to_string().contains("qc")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let last_good_ms = i64::from(DAY_S + STEP_S * 23) * 1000;
    assert!(
        state.iter().any(|s| s.contains(&last_good_ms.to_string())),
        "QC state of the MicroCAT with newest {last_good_ms}: {state:?}"
    );
    assert!(state.iter().all(|s| !s.contains("4102444")), "{state:?}");

    // the operator is told: once when the clock goes wrong, once when it is right again
    assert_eq!(
        log.matches("its clock is wrong").count(),
        1,
        "one warning for the whole wrong stretch:\n{log}"
    );
    assert!(
        log.contains("before the earliest plausible time 2005-01-01T00:00:00Z"),
        "{log}"
    );
    assert!(log.contains("record times plausible again"), "{log}");
    assert!(
        log.contains("10 records of implausible time undated"),
        "{log}"
    );
    eprintln!(
        "{} lines: {} dated, {} undated and flagged; {} files, none for a wrong day",
        lines.len(),
        dated.len(),
        undated.len(),
        names.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
