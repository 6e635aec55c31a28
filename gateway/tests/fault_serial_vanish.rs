//! Fault injection (issue 15): the serial port of the MII MicroCAT vanishes while the
//! instrument is sending, stays away, and comes back at the same path.
//!
//! The instrument is the simulator's MII SBE 37-SMP-ODO (`firmware_shim::sim::mii::sbe37`:
//! its real-time `OutputFormat=1` lines), written by this test one line per tick to a TCP
//! server; socat bridges that server to a real pseudo-terminal at a fixed path, which
//! `albatross run` reads as the `[link.serial]` of the example configuration's `mii-ctd`
//! link. Then, while the instrument keeps sending:
//!
//! 1. the instrument is cut in the middle of a line (the first half of a line reaches the
//!    gateway, the rest never comes) and socat is SIGKILLed: the pty disappears;
//! 2. the port stays away until the gateway has failed to reopen it several times (every
//!    line the instrument sends meanwhile reaches nobody: they are counted as lost);
//! 3. socat makes the pty again at the same path; once the gateway has reopened it, the
//!    instrument's lines reach it again.
//!
//! Asserted: the gateway logs the failure naming the port, keeps running (a clean exit on
//! SIGTERM at the end), reopens the port, and every line sent while the port was up is
//! stored exactly once in the record files; no line sent while it was gone (nor the cut
//! one) is stored, and nothing else is.
//!
//! Which lines count as "sent while the port was up" is decided without the wall clock: a
//! line is written to the bridge only while the test holds a connection it knows the
//! gateway reads (before the cut, after the gateway logged the reopen), and the cut is made
//! only once the raw archive shows that every byte written so far was read.

mod common;
use common::pty::{socat, wait_for};
use common::store::archived_bytes;
use common::*;
use firmware_shim::sim::mii::sbe37::{line, MiiMicrocat};
use firmware_shim::sim::truth::TruthRecord;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The MII MicroCAT of the example configuration.
const SERIAL: u32 = 3_716_125;
/// Simulated seconds between two samples (the instrument's clock, printed in its lines).
const INTERVAL_S: u32 = 60;
/// Wall-clock time between two lines written: the instrument's pace in the test.
const TICK: Duration = Duration::from_millis(20);
/// Lines sent before the port vanishes, and after it returned.
const BEFORE: usize = 150;
const AFTER: usize = 150;
/// Failed reopen attempts the gateway logs before the port comes back.
const FAILED_REOPENS: usize = 3;

/// What the instrument thread and the test share.
#[derive(Default)]
struct Instrument {
    /// The connection to the bridge, while the port is up (`None`: the line is lost).
    port: Option<TcpStream>,
    /// Lines generated so far (index = sample number).
    next: usize,
    /// Truth records (JSON) of the lines written to the port, and of those lost.
    sent: Vec<String>,
    lost: Vec<String>,
    /// Bytes written to the port in all.
    bytes: usize,
    /// Stop sending.
    done: bool,
}

/// The MicroCAT: one line per tick, to the port when it is up.
fn run_instrument(shared: Arc<Mutex<Instrument>>, start_s: u32) {
    let mut cat = MiiMicrocat::new(2470, 15);
    loop {
        std::thread::sleep(TICK);
        let mut s = shared.lock().unwrap();
        if s.done {
            return;
        }
        let k = s.next;
        s.next += 1;
        let m = cat.measure(start_s + k as u32 * INTERVAL_S);
        let text = line(&m);
        let truth = TruthRecord::from_measured(SERIAL, &m).to_json();
        let written = match s.port.as_mut() {
            Some(p) => p.write_all(text.as_bytes()).is_ok(),
            None => false,
        };
        if written {
            s.bytes += text.len();
            s.sent.push(truth);
        } else {
            s.lost.push(truth);
        }
    }
}

/// Accepts the bridge's connection (socat connects at once); hang guard only.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let mut conn = None;
    wait_until("socat connecting to the instrument", || {
        conn = listener.accept().ok().map(|(c, _)| c);
        conn.is_some()
    });
    let c = conn.unwrap();
    c.set_nonblocking(false).unwrap();
    c
}

/// Every record the gateway stored in the MII MicroCAT's record files.
fn stored(dir: &Path) -> BTreeMap<String, usize> {
    let mut all = String::new();
    if let Ok(years) = std::fs::read_dir(dir.join("data/records/mii")) {
        for y in years.flatten() {
            for f in std::fs::read_dir(y.path()).unwrap().flatten() {
                if f.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("sbe37_{SERIAL}_"))
                {
                    all.push_str(&std::fs::read_to_string(f.path()).unwrap());
                }
            }
        }
    }
    records(&all, "sbe37")
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default()
}

#[test]
fn serial_port_vanishing_while_the_instrument_sends_loses_only_what_nobody_received() {
    let t0 = Instant::now();
    let dir = temp_dir("fault-serial-vanish");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let pty = dir.join("ttyMII-ctd");
    let mut bridge = socat(&pty, &addr);
    let conn = accept(&listener);
    wait_for(&pty);
    let config = config_with_links(
        &dir,
        &format!(
            "[[link]]\nname = \"mii-ctd\"\nplatform = \"mii\"\ncarries = \"sbe37-ascii\"\ninstrument = \"{SERIAL}\"\n[link.serial]\npath = {:?}\nbaud = 9600\n",
            pty.display().to_string()
        ),
    );
    let gateway = start_gateway(&config, &dir);
    wait_until("the gateway opening the serial port", || {
        log(&dir).contains("serial port open")
    });

    // 2026-03-01T00:00:00Z, the simulator's start
    let start_s = (firmware_shim::sim::engine::SimConfig::default().start_ms / 1000) as u32;
    let shared = Arc::new(Mutex::new(Instrument {
        port: Some(conn),
        ..Default::default()
    }));
    let instrument = {
        let s = shared.clone();
        std::thread::spawn(move || run_instrument(s, start_s))
    };
    wait_until("the lines before the fault", || {
        shared.lock().unwrap().sent.len() >= BEFORE
    });

    // the fault: from here the instrument's lines reach nobody
    let (mut conn, written) = {
        let mut s = shared.lock().unwrap();
        (s.port.take().unwrap(), s.bytes)
    };
    // every byte written so far has been read by the gateway (its raw archive holds it)
    wait_until("the gateway reading every line sent so far", || {
        archived_bytes(&dir, "mii-ctd") >= written
    });
    // the instrument is cut in the middle of a line: its first half reaches the gateway
    let cut = {
        let mut cat = MiiMicrocat::new(2470, 99);
        line(&cat.measure(start_s - INTERVAL_S))
    };
    let half = &cut.as_bytes()[..cut.len() / 2];
    conn.write_all(half).unwrap();
    wait_until("the gateway reading the cut line", || {
        archived_bytes(&dir, "mii-ctd") >= written + half.len()
    });
    let failures_before = log(&dir).matches("link failed; retrying").count();
    let log_before = log(&dir).len();
    bridge.kill().unwrap();
    bridge.wait().unwrap();
    drop(conn);
    assert!(!pty.exists(), "the pty link is gone while socat is down");
    wait_until("the gateway failing to reopen the vanished port", || {
        log(&dir).matches("link failed; retrying").count() >= failures_before + FAILED_REOPENS
    });

    // the port returns at the same path; the lines reach the gateway once it reopened it
    let opens = log(&dir).matches("serial port open").count();
    let mut bridge = socat(&pty, &addr);
    let conn = accept(&listener);
    wait_for(&pty);
    wait_until("the gateway reopening the serial port", || {
        log(&dir).matches("serial port open").count() > opens
    });
    let sent_before_return = {
        let mut s = shared.lock().unwrap();
        s.port = Some(conn);
        s.sent.len()
    };
    wait_until("the lines after the fault", || {
        shared.lock().unwrap().sent.len() >= sent_before_return + AFTER
    });
    let (sent, lost) = {
        let mut s = shared.lock().unwrap();
        s.done = true;
        (s.sent.clone(), s.lost.clone())
    };
    instrument.join().unwrap();
    let want = records(&(sent.join("\n") + "\n"), "sbe37");
    // records are stored in the order of their lines: the last one means all are through
    let last = records(&format!("{}\n", sent[sent.len() - 1]), "sbe37");
    let last = last.keys().next().unwrap();
    wait_until("the last line sent stored", || {
        stored(&dir).contains_key(last)
    });
    // the gateway is still running: it stops cleanly on SIGTERM (exit status 0)
    stop(gateway);
    let _ = bridge.kill();
    let _ = bridge.wait();

    let log = log(&dir);
    let got = stored(&dir);
    let lost_set = records(&(lost.join("\n") + "\n"), "sbe37");
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    let lost_stored = lost_set.keys().filter(|k| got.contains_key(*k)).count();
    let extra = got
        .keys()
        .filter(|k| !want.contains_key(*k) && !lost_set.contains_key(*k))
        .count();
    let failures = log.matches("link failed; retrying").count() - failures_before;
    let opened = log.matches("serial port open").count();
    let cut_dropped = log.matches("bytes of an unfinished sbe37").count();
    eprintln!(
        "fault_serial_vanish: 1 port vanishing (socat SIGKILLed after a line cut in half), {failures} failed reopen attempts logged, port opened {opened} times, {cut_dropped} cut line dropped at the reopen; lines sent while up {}, stored {}, missing {missing}, duplicated {twice}; lines sent while gone (lost) {} (+1 cut), of which stored {lost_stored}; other records stored {extra}; {:.1} s",
        sent.len(),
        got.values().sum::<usize>(),
        lost.len(),
        t0.elapsed().as_secs_f64()
    );
    let error_line = log
        .lines()
        .find(|l| l.contains("link failed; retrying") && l.contains(&*pty.to_string_lossy()));
    // what the gateway said when the port vanished (the first warning of the link after it)
    let vanished = log
        .get(log_before..)
        .and_then(|rest| rest.lines().find(|l| l.contains("WARN gateway::links")))
        .unwrap_or_default();
    eprintln!("fault_serial_vanish: when the port vanished: {vanished}");
    if let Some(l) = error_line {
        eprintln!("fault_serial_vanish: first error naming the port: {l}");
    }
    assert!(
        error_line.is_some(),
        "no error naming the vanished port {}:\n{log}",
        pty.display()
    );
    assert!(
        vanished.contains(&*pty.to_string_lossy()),
        "the warning when the port vanished names it:\n{log}"
    );
    assert!(opened >= 2, "the gateway reopened the port:\n{log}");
    assert_eq!(
        cut_dropped, 1,
        "the cut line is dropped at the reopen:\n{log}"
    );
    assert!(!lost.is_empty(), "no line was sent while the port was gone");
    assert!(
        missing == 0 && twice == 0 && lost_stored == 0 && extra == 0,
        "{} sent while up, {} stored: {missing} missing, {twice} twice, {lost_stored} of the lost stored, {extra} other\n{log}",
        want.len(),
        got.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
