//! Fault injection (issue 15): the data directory's disk fills up in the middle of a run,
//! and space comes back later.
//!
//! `albatross run` serves the simulated ALBATROSS line (the lossy scenario of the other
//! end-to-end tests: bursty frame loss, bit errors, lost acknowledgements, a 6-hour outage)
//! with everything under its data directory on a small tmpfs mounted by this test: the raw
//! archive, the link state, the record files, the daily CSV + NetCDF files and the MQTT
//! spool (towards a port nobody listens on, so the spool keeps every record). Once the line
//! has sampled a few hours, a filler file takes every free byte of the tmpfs; it is removed
//! once the gateway has failed (and retried) its writes several times.
//!
//! Asserted: the log has a clear `No space left on device` error naming a file of the data
//! directory; the gateway neither panics nor exits (it stops cleanly on SIGTERM at the
//! end); once space is back every sample of the simulator's truth is in the record files
//! exactly once and is one row of its daily file, the spool holds no record twice, the raw
//! archive holds every byte the simulator served (those read while the disk was full
//! too), and nothing is half-written: no torn record line, every raw archive file reads to
//! its end, no temporary file is left.
//!
//! Needs root (to mount the tmpfs). Without it the test fails with a clear message when
//! `CI` or `ALBATROSS_REQUIRE_MOUNT` is set (scripts/test-all.sh sets the latter), and
//! otherwise prints a loud `SKIPPED` line and passes.

mod common;
use common::store::{
    archive_readable, assert_no_torn_line, daily_rows, read_capture, spool_duplicates, temporaries,
    truth_progress_ms,
};
use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Size of the data directory's tmpfs: room for the whole run, so that only the filler
/// fills it.
const TMPFS: &str = "size=64m";

/// A tmpfs mounted at a directory, unmounted when dropped (also when the test fails).
struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs of `options` at `dir`; the mount's error text when it cannot.
    fn tmpfs(dir: &Path, options: &str) -> Result<Mount, String> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if out.status.success() {
            Ok(Mount(dir.to_owned()))
        } else {
            Err(format!(
                "mount -t tmpfs -o {options} tmpfs {}: {} {}",
                dir.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // still busy (a failed test left the gateway running): detach it
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// Writes zeros to `path` until the filesystem has no byte left; returns the bytes written.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let mut total = 0u64;
    // big chunks first, then smaller ones: tmpfs allocates whole pages
    for chunk in [1 << 20, 64 << 10, 4 << 10, 512, 1] {
        let buf = vec![0u8; chunk];
        loop {
            match f.write(&buf) {
                Ok(0) => break,
                Ok(n) => total += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => panic!("filling {}: {e}", path.display()),
            }
        }
    }
    total
}

#[test]
fn disk_full_on_the_data_directory_loses_nothing_once_space_returns() {
    let t0 = Instant::now();
    let dir = temp_dir("fault-disk-full");
    let data = dir.join("data");
    let mount = match Mount::tmpfs(&data, TMPFS) {
        Ok(m) => m,
        Err(e) => {
            let required = std::env::var_os("CI").is_some()
                || std::env::var_os("ALBATROSS_REQUIRE_MOUNT").is_some();
            assert!(
                !required,
                "fault_disk_full needs root to mount a tmpfs (CI or ALBATROSS_REQUIRE_MOUNT is set, so this fails instead of skipping): {e}"
            );
            eprintln!("\n=== SKIPPED: needs root to mount a tmpfs (fault_disk_full): {e} ===\n");
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
    };

    let sim = lossy_scenario(15);
    let start_ms = sim.start_ms as i64;
    // 30 simulated hours at 3600x: about 30 s
    let (addr, truth, sim) = start_sim_capturing(sim, 3600.0, 30 * HOUR_MS, &dir);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    let text = std::fs::read_to_string(&config).unwrap()
        + &format!("\n[files]\nenabled = true\n\n[sinks.mqtt]\naddress = \"127.0.0.1:{port}\"\n");
    std::fs::write(&config, text).unwrap();
    let mut gateway = start_gateway(&config, &dir);
    let log = || std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();

    // a few hours into the run, with records stored, the disk fills up
    wait_until("the line sampling its first hours", || {
        truth_progress_ms(&truth) >= start_ms + (4 * HOUR_MS) as i64
    });
    wait_until("records stored before the fault", || {
        !stored_sbe37(&dir).is_empty()
    });
    let filler = data.join("filler");
    let filled = fill(&filler);
    let full_at = truth_progress_ms(&truth);
    // the gateway meets the full disk: its sinks fail and retry, the archive fails
    let failed_writes = || log().matches("sink write failed, will retry").count();
    wait_until(
        "the gateway retrying its sink writes on the full disk",
        || failed_writes() >= 6,
    );
    // and its raw archive meeting it too (once the slack of its file's last page is used)
    wait_until("the raw archive meeting the full disk", || {
        log().contains("raw archive write failed")
    });
    assert!(
        gateway.try_wait().unwrap().is_none(),
        "the gateway exited on the full disk:\n{}",
        log()
    );
    std::fs::remove_file(&filler).unwrap();
    let freed_at = truth_progress_ms(&truth);

    let counters = sim.join().unwrap();
    let truth_text = std::fs::read_to_string(&truth).unwrap();
    let want = records(&truth_text, "sbe37");
    // until every truth sample is in the record files; hang guard: a minute without any
    // new record (the assertions below then say what is missing)
    let (mut seen, mut since) = (0, Instant::now());
    loop {
        let got = stored_sbe37(&dir);
        if want.keys().all(|k| got.contains_key(k)) || since.elapsed() > Duration::from_secs(60) {
            break;
        }
        if got.len() != seen {
            (seen, since) = (got.len(), Instant::now());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        gateway.try_wait().unwrap().is_none(),
        "the gateway exited:\n{}",
        log()
    );
    // the gateway kept running: a clean stop on SIGTERM (exit status 0), after its sinks
    // stored every batch received (the daily files too)
    stop(gateway);

    let log = log();
    let no_space: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("No space left on device"))
        .collect();
    let data_path = data.display().to_string();
    let naming = no_space.iter().find(|l| l.contains(&data_path));
    let archive_failures = log.matches("raw archive write failed").count();
    let state_failures = log.matches("cannot store the link state").count();
    let retries_of = |sink: &str| {
        log.matches(&format!("sink write failed, will retry: {sink}:"))
            .count()
    };
    let (jsonl_retries, files_retries, mqtt_retries) =
        (retries_of("jsonl"), retries_of("files"), retries_of("mqtt"));
    let got = stored_sbe37(&dir);
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    let lines = assert_no_torn_line(&dir);
    let (spooled, spooled_twice) = spool_duplicates(&dir);
    let (archive_records, archive_bytes) = archive_readable(&dir, "albatross-modem");
    let (_, served_bytes, served_error) =
        read_capture(&std::fs::read(dir.join("served.cap")).unwrap());
    assert_eq!(served_error, None, "the simulator's capture");
    let daily = daily_rows(&dir, &truth_text);
    let daily_missing: usize = daily.iter().map(|d| d.3).sum();
    let daily_twice: usize = daily.iter().map(|d| d.4).sum();
    let daily_rows_n: usize = daily.iter().map(|d| d.2).sum();
    let tmps = temporaries(&data);
    eprintln!(
        "fault_disk_full: tmpfs {TMPFS}, filler {filled} bytes from simulated hour {:.1} to {:.1}; {} 'No space left on device' log lines ({} sink retries: jsonl {jsonl_retries}, files {files_retries}, mqtt {mqtt_retries}; {archive_failures} raw-archive writes failed, {state_failures} link-state saves failed); truth {} samples, stored {} ({missing} missing, {twice} twice), {lines} record lines; daily files {daily_rows_n} rows ({daily_missing} missing, {daily_twice} twice); spool {spooled} records ({spooled_twice} twice); raw archive {archive_records} records, {archive_bytes} bytes read from the line of {served_bytes} the simulator served, readable to the end; {} temporary files left; line counters {counters:?}; {:.1} s",
        (full_at - start_ms) as f64 / HOUR_MS as f64,
        (freed_at - start_ms) as f64 / HOUR_MS as f64,
        no_space.len(),
        log.matches("sink write failed, will retry").count(),
        want.len(),
        got.values().sum::<usize>(),
        tmps.len(),
        t0.elapsed().as_secs_f64()
    );
    if let Some(l) = naming {
        eprintln!("fault_disk_full: first error naming a path: {l}");
    }
    assert!(
        naming.is_some(),
        "no 'No space left on device' error naming a path under {data_path}:\n{}",
        no_space.join("\n")
    );
    assert!(!log.contains("panicked"), "the gateway panicked:\n{log}");
    assert_complete(&dir, &truth);
    assert_eq!(daily_missing + daily_twice, 0, "daily files: {daily:?}");
    assert_eq!(
        spooled_twice, 0,
        "records spooled twice ({spooled} spooled)"
    );
    assert!(
        spooled >= got.len(),
        "{spooled} spooled, {} stored",
        got.len()
    );
    assert!(tmps.is_empty(), "temporary files left: {tmps:?}");
    // the raw archive holds every byte read, those read while the disk was full too
    assert_eq!(archive_bytes, served_bytes, "raw archive bytes of the line");
    drop(mount);
    std::fs::remove_dir_all(&dir).unwrap();
}
