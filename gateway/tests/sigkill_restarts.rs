//! Crash safety of `albatross run`: three simulated days over a lossy line (bursty frame
//! loss, bit errors, lost acknowledgements, two outages) with the gateway SIGKILLed at
//! 20 seeded moments and restarted at once each time; afterwards every sample of the
//! simulator's truth is in the record files exactly once and one row of its daily file
//! (CSV + NetCDF, rewritten atomically: every CSV reads whole and has its NetCDF), no
//! record file is torn, and the MQTT spool holds no record twice.
//!
//! The moments are chosen from the run's progress, not from the wall clock: kill `i` comes
//! once the simulated line has sampled past hour `h_i` (seeded, spread over the run) and
//! the gateway's raw archive has then grown by `b_i` more bytes (seeded, so the kill lands
//! at another point of the gateway's work on a batch each time). A link's checkpoint moves
//! only after the sinks stored a batch, so many kills fall between the two: the restarted
//! gateway decodes those records again, and the record files must not store them twice.

mod common;
use common::rng::Rng;
use common::store::*;
use common::*;
use firmware_shim::sim::channel::Outage;
use std::process::Child;
use std::time::Duration;

const KILLS: usize = 20;
const SEED: u64 = 0x5eed_0015;

#[test]
fn every_sample_is_stored_once_across_twenty_sigkills() {
    let dir = temp_dir("sigkill");
    let mut sim = lossy_scenario(23);
    let start_ms = sim.start_ms as i64;
    sim.sample_until_s = Some((sim.start_ms / 1000 + 3 * 86_400) as u32);
    sim.channel.ack_loss = 0.3;
    sim.channel.outages = vec![
        Outage {
            start_ms: 20 * HOUR_MS,
            duration_ms: 6 * HOUR_MS,
        },
        Outage {
            start_ms: 50 * HOUR_MS,
            duration_ms: 4 * HOUR_MS,
        },
    ];
    // 80 simulated hours at 7200x: about 40 s
    let (addr, truth, sim) = start_sim(sim, 7200.0, 80 * HOUR_MS, false, &dir);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    // the MQTT sink too, towards a port nobody listens on: its spool keeps every record
    let text = std::fs::read_to_string(&config).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let text = text.replacen(
        "[[link]]",
        &format!(
            "[files]\nenabled = true\n\n[sinks.mqtt]\naddress = \"127.0.0.1:{port}\"\n\n[[link]]"
        ),
        1,
    );
    std::fs::write(&config, text).unwrap();

    let mut rng = Rng(SEED);
    // kill moments: simulated hours spread over the three sampled days, one per 3-h slot
    let mut hours: Vec<u64> = (0..KILLS as u64)
        .map(|i| 2 + i * 3 + rng.below(3))
        .collect();
    hours.sort();
    let mut log = String::new();
    let mut gateway: Child = start_gateway(&config, &dir);
    for (i, h) in hours.iter().enumerate() {
        let at = start_ms + (*h * HOUR_MS) as i64;
        wait_until(&format!("simulated hour {h}"), || {
            truth_progress_ms(&truth) >= at
        });
        let more = 200 + rng.below(3000);
        let base = archive_bytes(&dir);
        wait_until(&format!("{more} archive bytes after hour {h}"), || {
            archive_bytes(&dir) >= base + more
        });
        gateway.kill().unwrap();
        gateway.wait().unwrap();
        log.push_str(&std::fs::read_to_string(dir.join("gateway.log")).unwrap());
        eprintln!(
            "kill {} at simulated hour {h} (+{more} archive bytes)",
            i + 1
        );
        gateway = start_gateway(&config, &dir);
    }
    let counters = sim.join().unwrap();
    // let the last frames through the pipeline
    std::thread::sleep(Duration::from_secs(3));
    stop(gateway);
    log.push_str(&std::fs::read_to_string(dir.join("gateway.log")).unwrap());
    std::fs::write(dir.join("gateway.log"), &log).unwrap();
    let resumed = log.matches("resuming from the stored link state").count();
    assert!(
        resumed >= KILLS,
        "{resumed} restarts resumed the link state"
    );

    // the kills must land between a store and its checkpoint for the test to mean anything
    let differing = log.matches("already stored with other content").count();
    let again = log.matches("record already stored (decoded again").count() + differing;
    assert!(again > 0, "no record was decoded again after a kill");
    let lines = assert_no_torn_line(&dir);
    let want = records(&std::fs::read_to_string(&truth).unwrap(), "sbe37");
    let got = stored_sbe37(&dir);
    let twice: usize = got.values().filter(|&&n| n > 1).count();
    let (spooled, spooled_twice) = spool_duplicates(&dir);
    eprintln!(
        "{KILLS} kills; {again} records decoded again and not stored twice ({differing} with other QC flags); {} truth samples, {} stored sbe37 records ({twice} twice), {lines} record lines; spool: {spooled} records ({spooled_twice} twice); line counters {counters:?}",
        want.len(),
        got.values().sum::<usize>()
    );
    assert_complete(&dir, &truth);
    let daily = daily_rows(&dir, &std::fs::read_to_string(&truth).unwrap());
    let daily_missing: usize = daily.iter().map(|d| d.3).sum();
    let daily_twice: usize = daily.iter().map(|d| d.4).sum();
    eprintln!(
        "daily files: {} rows, {daily_missing} samples without a row, {daily_twice} in two",
        daily.iter().map(|d| d.2).sum::<usize>()
    );
    assert_eq!(daily_missing + daily_twice, 0, "daily files: {daily:?}");
    // a kill between a replace's write and its rename leaves `<name>.tmp` beside the file
    // it was to replace (which stays whole); the next replace of that file reuses it
    let left = temporaries(&dir.join("data"));
    eprintln!(
        "{} temporaries of replaces cut by a kill: {left:?}",
        left.len()
    );
    assert_eq!(
        spooled_twice, 0,
        "records spooled twice for MQTT ({spooled} spooled)"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
