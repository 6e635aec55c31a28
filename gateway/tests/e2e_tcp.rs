//! End to end over TCP: the simulated line (≈10 % loss in bursts, duplicates, bit errors,
//! a 6-hour outage) served on loopback into `albatross run`; every sample of the day
//! reaches the record files exactly once, thanks to the gateway's selective repeat; after a
//! restart (even a SIGKILL) the link and the live QC flags continue where they were.

mod common;
use common::*;
use firmware_shim::sim::channel::Outage;

#[test]
fn lossy_day_with_outage_recovers_every_sample() {
    let dir = temp_dir("e2e-tcp");
    // 34 simulated hours at 3600x: about 35 s
    let (addr, truth, sim) = start_sim(lossy_scenario(11), 3600.0, 34 * HOUR_MS, false, &dir);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    // let the last frames through the pipeline
    std::thread::sleep(std::time::Duration::from_secs(2));
    stop(gateway);
    assert_complete(&dir, &truth);
    // every stored record carries its derived variables and QC flags (the example's position)
    let (n, flagged) = measured::check_stored_enriched(&dir, (42.806217, 6.026833));
    assert!(n >= 300 && flagged == 0, "{n} records, {flagged} flagged");
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(
        log.contains("asked node 1 to resend"),
        "the outage needed selective repeat"
    );
    // the raw archive holds the day
    assert!(
        std::fs::read_dir(dir.join("data/raw/albatross-modem"))
            .unwrap()
            .count()
            >= 1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Three days of sampling with loss and two outages, the real gateway on the link and no
/// shore side in the simulator: the controller's 256-frame ring wraps, yet its loss alarm
/// (`ring_dropped`, frames overwritten before the gateway acknowledged them) stays at 0,
/// and every sample of the simulator's truth is stored once.
#[test]
fn multi_day_run_keeps_the_ring_acknowledged_and_loses_nothing() {
    let dir = temp_dir("e2e-multi-day");
    let mut sim = lossy_scenario(17);
    let start_s = sim.start_ms / 1000;
    sim.sample_until_s = Some((start_s + 3 * 86_400) as u32);
    sim.channel.outages = vec![
        Outage {
            start_ms: 20 * HOUR_MS,
            duration_ms: 10 * HOUR_MS,
        },
        Outage {
            start_ms: 50 * HOUR_MS,
            duration_ms: 6 * HOUR_MS,
        },
    ];
    // 84 simulated hours at 7200x: about 42 s; the gateway's 1-s acknowledgement interval
    // is 2 h of the line's clock
    let (addr, truth, sim) = start_sim(sim, 7200.0, 84 * HOUR_MS, false, &dir);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    let gateway = start_gateway(&config, &dir);
    let counters = sim.join().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    stop(gateway);
    assert!(
        counters.ring_overwritten > 50,
        "the ring must wrap for the test to mean anything: {counters:?}"
    );
    assert_eq!(counters.ring_dropped, 0, "{counters:?}");
    assert!(counters.acks >= 10, "{counters:?}");
    assert_complete(&dir, &truth);
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(
        log.contains("acknowledged node 1 through frame"),
        "no ack logged"
    );
    assert!(
        log.contains("asked node 1 to resend"),
        "the outages needed selective repeat"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The gateway is stopped for 5 simulated hours while the line keeps sending; restarted, it
/// resumes from its stored link state, asks for what it missed, and stores every sample.
#[test]
fn frames_sent_while_the_gateway_was_down_are_asked_for_after_restart() {
    let dir = temp_dir("e2e-restart");
    let mut sim = lossy_scenario(13);
    sim.channel.outages.clear();
    let (addr, truth, sim) = start_sim(sim, 3600.0, 30 * HOUR_MS, false, &dir);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    let gateway = start_gateway(&config, &dir);
    std::thread::sleep(std::time::Duration::from_secs(8));
    stop(gateway);
    assert!(
        dir.join("data/state/albatross-modem.seq").exists(),
        "link state stored"
    );
    std::thread::sleep(std::time::Duration::from_secs(5));
    // the second run appends to the same log
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    stop(gateway);
    let log2 = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    std::fs::write(dir.join("gateway.log"), format!("{log}{log2}")).unwrap();
    assert!(
        log2.contains("resuming from the stored link state"),
        "{log2}"
    );
    assert_complete(&dir, &truth);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Flat line with a tolerance wider than any change: in one run every temperature after its
/// instrument's first few is FAIL; a state started afresh would PASS the first ones again.
const FLAT_QC: &str = "
[files.qc.variables.temperature_c]
gross_range = { fail_span = [-5.0, 35.0] }
flat_line = { suspect_threshold_s = 3600.0, fail_threshold_s = 7200.0, tolerance = 50.0 }
";

/// `YYYY-MM-DDTHH:MM:SSZ` of a stored record.
fn parse_time(s: &str) -> protocol::time::UtcTime {
    let n = |r: std::ops::Range<usize>| s.get(r).unwrap().parse::<u32>().unwrap();
    protocol::time::UtcTime::from_civil(
        n(0..4) as i32,
        n(5..7),
        n(8..10),
        n(11..13),
        n(14..16),
        n(17..19),
        0,
    )
    .unwrap()
}

/// The live QC state survives a SIGKILL of the gateway: every record stored by the two runs
/// carries the temperature flag that one enrichment stage fed the same records in the same
/// order gives (the stored sequence, duplicates and late records included). The line status
/// records carry the simulated controller's battery voltage.
#[test]
fn live_qc_flags_continue_across_a_killed_gateway() {
    use gateway::observation::{Observation, PlatformMeta};
    use gateway::pipeline::enrich::Enricher;
    use gateway::record::{Record, Value};
    use serde_json::Value as Json;

    let dir = temp_dir("e2e-qc-restart");
    let mut sim = lossy_scenario(17);
    sim.channel = Default::default();
    let (addr, _truth, sim) = start_sim(sim, 3600.0, 30 * HOUR_MS, false, &dir);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}{FLAT_QC}")).unwrap();
    let mut gateway = start_gateway(&config, &dir);
    std::thread::sleep(std::time::Duration::from_secs(8));
    gateway.kill().unwrap();
    gateway.wait().unwrap();
    let states = dir.join("data/state/qc/albatross");
    assert!(
        std::fs::read_dir(&states).map_or(0, |d| d.count()) >= 8,
        "a QC state per instrument"
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    stop(gateway);
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(log.contains("live QC state restored"), "{log}");

    // one stage over the stored sequence: per instrument, its day files in order
    let cfg = gateway::config::Config::load(&config).unwrap();
    let mut one_run = Enricher::from_config(&cfg);
    let platform = std::sync::Arc::new(PlatformMeta::unconfigured(None));
    let mut files: Vec<_> = std::fs::read_dir(dir.join("data/records/albatross/2026"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("sbe37_")
        })
        .collect();
    files.sort();
    let (mut compared, mut fail) = (0, 0);
    for f in files {
        for line in std::fs::read_to_string(&f).unwrap().lines() {
            let stored: Json = serde_json::from_str(line).unwrap();
            let serial = stored["serial"].as_str().unwrap().to_owned();
            let time = parse_time(stored["time"].as_str().unwrap());
            let mut record = Record::new("sbe37", Some(time), Some(serial));
            for name in ["temperature_c", "conductivity_s_m", "pressure_dbar"] {
                if let Some(x) = stored[name].as_f64() {
                    record.push(name, Value::Float(x));
                }
            }
            let mut o = Observation {
                record,
                platform: platform.clone(),
                instrument: None,
                link: "albatross-modem".into(),
            };
            one_run.enrich(&mut o);
            let want = match o.record.get("qc") {
                Some(Value::Map(m)) => {
                    m.iter()
                        .find(|(k, _)| *k == "temperature_c")
                        .and_then(|(_, v)| match v {
                            Value::Int(i) => Some(i.to_string()),
                            _ => None,
                        })
                }
                _ => None,
            };
            let got = stored["qc"]["temperature_c"].to_string();
            assert_eq!(Some(got.clone()), want, "{}: {line}", f.display());
            compared += 1;
            fail += usize::from(got == "4");
        }
    }
    assert!(compared >= 300, "{compared} records");
    assert!(
        fail >= 250,
        "{fail} of {compared} records FAIL the flat line"
    );
    // the simulated controller reports its lithium pack, not 0 V
    let mut statuses = 0;
    for f in std::fs::read_dir(dir.join("data/records/albatross/2026")).unwrap() {
        let path = f.unwrap().path();
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("line_status_")
        {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let v: Json = serde_json::from_str(line).unwrap();
            let volts = v["battery_v"].as_f64().unwrap();
            assert!((13.0..=14.6).contains(&volts), "{line}");
            statuses += 1;
        }
    }
    assert!(statuses >= 3, "{statuses} line status records");
    std::fs::remove_dir_all(&dir).unwrap();
}
