//! Fault injection (issue 15): floods at line rate on the modem link of `albatross run`,
//! and the gateway's memory stays under a documented bound that does not depend on the
//! flood's length.
//!
//! The test is the modem: it serves the host interface on a loopback TCP port, the real
//! binary connects to it (a `[link.tcp]` modem link, with the record files, the daily files
//! and an MQTT spool towards a port nobody listens on), and the test writes, as fast as the
//! socket takes them, one flood kind for a bounded number of bytes:
//!
//! - **fragments**: fragments of distinct messages that never complete, from every source
//!   id 0–15, each a CRC-valid frame in a well-formed `RECVIM` line (the reassembler
//!   holds at most 32 and evicts the oldest for every new one);
//! - **duplicates**: the same valid frames (the two fragments of each MicroCAT batch of a
//!   simulated day) repeated over and over;
//! - **garbage**: random bytes, `RECVIM` lines cut short and followed by random bytes,
//!   `+++AT` data-mode frames that never end, lines of up to 1 MiB without a line end,
//!   well-formed `RECVIM` lines whose frame has a wrong CRC, `BUSY`/`ERROR`/status lines.
//!
//! Then a short stretch of real traffic (the simulated line's host output for a few hours:
//! line status and MicroCAT batches) must still be decoded, and every record stored once
//! (for the duplicates, the flooded day's records once each too). The raw archive must hold
//! every byte sent, in order. Meanwhile a thread samples `VmRSS` of the gateway from
//! `/proc/<pid>/status`; its `VmHWM` (the kernel's peak) must stay under [`BOUND_MIB`], for
//! two flood lengths, and the longer flood's peak must not be higher than the shorter one's
//! by more than [`GROWTH_SLACK_MIB`].
//!
//! Figures: `cargo test -p gateway --test fault_flood -- --nocapture --test-threads 1`
//! prints one `flood …` line per run (`bench/flood_memory.sh` tabulates them); lengths are
//! `ALBATROSS_FLOOD_MB` (default `4,20` in the test command, to keep it short;
//! BENCHMARKS.md's figures are of `10,50`). No wall-clock limit: only generous hang guards.

mod common;
use common::rng::Rng;
use common::*;
use firmware_shim::sim::modem::{encode_for_host, recvim, HostFraming};
use firmware_shim::sim::{SimConfig, Simulation};
use protocol::capture::{CaptureReader, Direction};
use protocol::frame::{decode_frame, encode_frame, Header, MessageType};
use protocol::hostif::{HostEvent, HostParser, Message as HostMessage, Mode};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

/// Peak RSS (`VmHWM`) allowed to `albatross run` during any flood, MiB. Measured
/// (BENCHMARKS.md, "Memory under a flood"): 13–14 MiB at connection and a peak of 14–16 MiB
/// whatever the kind and length of the flood; the bound is 4× that, so that allocator and
/// thread-pool noise on a loaded machine never fails the test, while a buffer growing with
/// the flood (20 MiB of input) does.
const BOUND_MIB: u64 = 64;

/// How much higher the peak of the longer flood may be than the shorter one's (MiB): a
/// queue growing with the input would add megabytes per megabyte of flood.
const GROWTH_SLACK_MIB: u64 = 4;

/// Hang guard: no step of a run waits longer than this (generous: a debug build on a
/// shared 2-core machine takes a minute or two for the longest flood).
const HANG_GUARD: Duration = Duration::from_secs(900);

/// The flood kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fragments,
    Duplicates,
    Garbage,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Fragments => "fragments",
            Kind::Duplicates => "duplicates",
            Kind::Garbage => "garbage",
        }
    }
}

/// FNV-1a over a byte stream: the bytes sent and the archive's bytes compared in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The `RECVIM` line (command mode) the MII modem writes for `frame`, from the line's
/// modem (address 2) to the MII's (address 1).
fn recvim_line(frame: &[u8], salt: u64) -> Vec<u8> {
    encode_for_host(
        HostFraming::Line,
        &recvim(2, 1, frame, 40_000, false, salt),
        None,
    )
}

/// The frame bytes of every `RECVIM` line in `host`.
fn frames_of(host: &[u8]) -> Vec<Vec<u8>> {
    let mut p: HostParser = HostParser::new(Mode::Command);
    let mut out = Vec::new();
    p.feed(host, |ev| {
        if let HostEvent::Message {
            message: HostMessage::RecvIm(m),
            ..
        } = ev
        {
            out.push(m.payload.to_vec());
        }
    });
    out
}

/// Real traffic: `hours` of the simulated line (8 MicroCATs polled every 30 min, line
/// status at the start, clean channel) starting `start_ms`: its host output and the
/// `sbe37` records it sampled.
fn simulated(start_ms: u64, hours: u64) -> (Vec<u8>, BTreeMap<String, usize>) {
    let cfg = SimConfig {
        seed: 15,
        start_ms,
        sample_until_s: Some((start_ms / 1000 + hours * 3600 - 60) as u32),
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(cfg);
    sim.run_until(start_ms + hours * HOUR_MS);
    let host: Vec<u8> = sim
        .take_host_output()
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    let truth: String = sim
        .take_truth()
        .iter()
        .map(|t| format!("{}\n", t.to_json()))
        .collect();
    (host, records(&truth, "sbe37"))
}

/// A frame of `msg_type` from `source` with sequence number `seq`.
fn frame(
    msg_type: MessageType,
    source: u8,
    seq: u16,
    index: u8,
    more: bool,
    payload: &[u8],
) -> Vec<u8> {
    let header = Header {
        msg_type,
        ack_wanted: false,
        more_fragments: more,
        source,
        fragment_index: index,
        seq,
    };
    let mut out = [0u8; 64];
    let n = encode_frame(&header, payload, &mut out).unwrap();
    out[..n].to_vec()
}

/// Produces the flood's bytes, a piece at a time.
enum Gen {
    /// Fragments of never-completed messages, round robin over the sources; per source a
    /// message counter.
    Fragments {
        rng: Rng,
        next: u64,
        messages: [u64; 16],
    },
    /// The same lines again and again.
    Duplicates { lines: Vec<Vec<u8>>, next: usize },
    /// Garbage of every shape.
    Garbage { rng: Rng, lines: Vec<Vec<u8>> },
}

const TYPES: [MessageType; 3] = [
    MessageType::CtdBatch,
    MessageType::LineStatus,
    MessageType::AquadoppSample,
];

impl Gen {
    fn piece(&mut self, out: &mut Vec<u8>) {
        match self {
            Gen::Fragments {
                rng,
                next,
                messages,
            } => {
                let source = (*next % 16) as u8;
                *next += 1;
                let m = messages[usize::from(source)];
                messages[usize::from(source)] += 1;
                // distinct messages 16 sequence numbers apart, one fragment each (index
                // 0–14, more to come): no frame of a lap repeats another. The real traffic
                // of node 1 that follows starts at sequence number 0: node 1's flood keeps
                // to the half of the sequence space behind it (2112–4095), so that those
                // numbers are new after the flood, as a line's next frames would be
                let (base, laps) = if source == 1 { (2112, 124) } else { (0, 256) };
                let index = (m % 15) as u8;
                let seq = base + (m % laps) as u16 * 16 + u16::from(index);
                let mut payload = Vec::with_capacity(58);
                rng.bytes(58, &mut payload);
                let f = frame(TYPES[(m % 3) as usize], source, seq, index, true, &payload);
                out.extend_from_slice(&recvim_line(&f, m));
            }
            Gen::Duplicates { lines, next } => {
                out.extend_from_slice(&lines[*next % lines.len()]);
                *next += 1;
            }
            Gen::Garbage { rng, lines } => match rng.below(7) {
                // random bytes, line ends and `+` included
                0 => {
                    let n = 1 + rng.below(4096) as usize;
                    rng.bytes(n, out);
                }
                // a real `RECVIM` line cut inside its header fields, then random bytes
                1 => {
                    let line = &lines[rng.below(lines.len() as u64) as usize];
                    let cut = 7 + rng.below(20) as usize;
                    out.extend_from_slice(&line[..cut.min(line.len())]);
                    let n = rng.below(200) as usize;
                    rng.bytes(n, out);
                }
                // a data-mode frame announcing up to 99 999 bytes that never come
                2 => {
                    out.extend_from_slice(format!("+++AT:{}:", rng.below(100_000)).as_bytes());
                    let n = rng.below(64) as usize;
                    rng.bytes(n, out);
                }
                // a long line without a line end (64 KiB to 1 MiB of text)
                3 => {
                    let n = (64 << 10) + rng.below(960 << 10) as usize;
                    let pattern = b"SRCLEVEL,3,RECVIM,64,2,1,ack,40000,-40,120,0.00,";
                    out.extend(pattern.iter().cycle().take(n));
                }
                // a well-formed `RECVIM` line whose frame's CRC is wrong
                4 => {
                    let (mut payload, n) = (Vec::new(), rng.below(58) as usize);
                    rng.bytes(n, &mut payload);
                    let source = rng.below(16) as u8;
                    let seq = rng.below(4096) as u16;
                    let mut f = frame(MessageType::CtdBatch, source, seq, 0, false, &payload);
                    let last = f.len() - 1;
                    f[last] ^= 0x5a;
                    out.extend_from_slice(&recvim_line(&f, seq.into()));
                }
                // modem status and error lines
                5 => {
                    const LINES: [&str; 6] = [
                        "BUSY DELIVERING\r\n",
                        "ERROR OVERLOAD\r\n",
                        "RECVFAILED,-12.5,-61,37\r\n",
                        "SRCLEVEL,3\r\n",
                        "DELIVEREDIM,2\r\n",
                        "FAILEDIM,2\r\n",
                    ];
                    out.extend_from_slice(LINES[rng.below(6) as usize].as_bytes());
                }
                // printable junk lines, empty lines
                _ => {
                    let n = rng.below(300) as usize;
                    out.extend((0..n).map(|_| b' ' + rng.below(95) as u8));
                    out.extend_from_slice(b"\r\n\r\n");
                }
            },
        }
    }
}

/// `VmRSS` and `VmHWM` of process `pid`, KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Bytes read from the modem in the link's raw archive, and their FNV-1a.
fn archived(dir: &Path) -> (u64, Fnv) {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("data/raw/albatross-modem"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let (mut n, mut h) = (0u64, Fnv::new());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        for r in CaptureReader::new(&data).unwrap() {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            if r.direction == Direction::FromModem {
                n += r.bytes.len() as u64;
                h.add(r.bytes);
            }
        }
    }
    (n, h)
}

/// What one run measured.
struct Figures {
    kind: Kind,
    flood_bytes: u64,
    total_bytes: u64,
    baseline_kib: u64,
    peak_rss_kib: u64,
    hwm_kib: u64,
    records: usize,
    downlink_bytes: usize,
    seconds: f64,
}

/// Starts `albatross run` on a link served here, floods it with `kind` for `mib` MiB,
/// sends real traffic, checks the archive and the records, and returns the figures.
fn run(kind: Kind, mib: u64) -> Figures {
    let started = Instant::now();
    let dir = temp_dir(&format!("flood-{}-{mib}", kind.name()));
    let start_ms = SimConfig::default().start_ms;
    // the real traffic after the flood: 5 hours of the line (line status, 10 polls)
    let (real, mut want) = simulated(start_ms, 5);
    let mut generator = match kind {
        Kind::Fragments => Gen::Fragments {
            rng: Rng(0xf1a9_0001),
            next: 0,
            messages: [0; 16],
        },
        Kind::Duplicates => {
            // the day before, its MicroCAT batches (2 frames each) moved to sequence
            // numbers 3968–4095 of node 1 (behind the real traffic's 0…): each stored once
            let (host, day_before) = simulated(start_ms - 86_400_000, 24);
            want.extend(day_before);
            let mut lines = Vec::new();
            for f in frames_of(&host) {
                let fr = decode_frame(&f).unwrap();
                if fr.header.msg_type != MessageType::CtdBatch {
                    continue;
                }
                let h = fr.header;
                let seq = 3968 + h.seq;
                assert!(seq < 4096, "the day's frames fit behind the real traffic");
                let f = frame(
                    h.msg_type,
                    h.source,
                    seq,
                    h.fragment_index,
                    h.more_fragments,
                    fr.payload,
                );
                lines.push(recvim_line(&f, seq.into()));
            }
            assert!(lines.len() >= 80, "{} duplicated frames", lines.len());
            Gen::Duplicates { lines, next: 0 }
        }
        Kind::Garbage => Gen::Garbage {
            rng: Rng(0x6a7b_a6e0),
            lines: frames_of(&real)
                .iter()
                .enumerate()
                .map(|(i, f)| recvim_line(f, i as u64))
                .collect(),
        },
    };

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = config(&dir, &format!("[link.tcp]\naddress = \"{addr}\""));
    // the MQTT sink too, towards a port nobody listens on: its spool keeps every record
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[[link]]",
        &format!("[sinks.mqtt]\naddress = \"127.0.0.1:{port}\"\n\n[[link]]"),
        1,
    );
    std::fs::write(&config, text).unwrap();
    let gateway = start_gateway(&config, &dir);
    let pid = gateway.id();

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(listener.accept().map(|(s, _)| s));
    });
    let mut stream: TcpStream = rx
        .recv_timeout(HANG_GUARD)
        .expect("hang guard: the gateway never connected")
        .unwrap();
    // what the gateway writes to the modem (repeat requests, acknowledgements, probes)
    let mut downlink_rd = stream.try_clone().unwrap();
    let downlink = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = downlink_rd.read_to_end(&mut all);
        all.len()
    });
    let baseline_kib = memory_kib(pid)
        .expect("the gateway's /proc/<pid>/status (this test needs Linux)")
        .0;
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                if let Some((rss, _)) = memory_kib(pid) {
                    peak = peak.max(rss);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        })
    };

    let (mut sent, mut hash) = (0u64, Fnv::new());
    let mut send = |bytes: &[u8]| {
        stream.write_all(bytes).unwrap();
        sent += bytes.len() as u64;
        hash.add(bytes);
    };
    let mut chunk = Vec::with_capacity(1 << 20);
    let mut flood_bytes = 0;
    while flood_bytes < mib * MIB {
        chunk.clear();
        while chunk.len() < 64 << 10 {
            generator.piece(&mut chunk);
        }
        send(&chunk);
        flood_bytes += chunk.len() as u64;
    }
    // whatever the flood left half-parsed ends like any modem line: the parser's 1280
    // bytes overflow, then a line end
    let mut end = vec![b'x'; 2048];
    end.extend_from_slice(b"\r\n");
    send(&end);
    flood_bytes += end.len() as u64;
    send(&real);

    // every byte archived, then every record stored
    let guard = Instant::now();
    let want_n: usize = want.values().sum();
    let mut got = BTreeMap::new();
    loop {
        assert!(
            guard.elapsed() < HANG_GUARD,
            "hang guard: {} of {want_n} records stored",
            got.values().sum::<usize>()
        );
        got = stored_sbe37(&dir);
        if got.values().sum::<usize>() >= want_n {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let guard = Instant::now();
    let mut archive = archived(&dir);
    while archive.0 < sent {
        assert!(
            guard.elapsed() < HANG_GUARD,
            "hang guard: {} of {sent} bytes archived",
            archive.0
        );
        std::thread::sleep(Duration::from_millis(200));
        archive = archived(&dir);
    }
    sampling.store(false, Ordering::Relaxed);
    let peak_rss_kib = sampler.join().unwrap();
    let hwm_kib = memory_kib(pid).expect("the gateway's /proc/<pid>/status").1;
    stop(gateway);
    let downlink_bytes = downlink.join().unwrap();

    assert_eq!(
        archive,
        (sent, hash),
        "the raw archive holds every byte sent, in order"
    );
    let got = stored_sbe37(&dir);
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    assert!(
        missing == 0 && extra == 0 && twice == 0,
        "{} {mib} MiB: {want_n} records expected: {missing} missing, {extra} extra, {twice} twice",
        kind.name()
    );
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    let stats = log
        .lines()
        .rev()
        .find(|l| l.contains("stopped:"))
        .unwrap_or("")
        .to_owned();
    eprintln!("{} {mib} MiB: gateway {stats}", kind.name());
    std::fs::remove_dir_all(&dir).unwrap();
    Figures {
        kind,
        flood_bytes,
        total_bytes: sent,
        baseline_kib,
        peak_rss_kib,
        hwm_kib,
        records: want_n,
        downlink_bytes,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The flood lengths, MiB (`ALBATROSS_FLOOD_MB`, default `4,20`).
fn lengths() -> Vec<u64> {
    let text = std::env::var("ALBATROSS_FLOOD_MB").unwrap_or_else(|_| "4,20".into());
    let v: Vec<u64> = text.split(',').map(|s| s.trim().parse().unwrap()).collect();
    assert!(
        v.len() >= 2,
        "ALBATROSS_FLOOD_MB needs two lengths at least: {text}"
    );
    v
}

/// Runs `kind` at every length, prints the figures, checks the bound and that the peak
/// does not grow with the length.
fn flood(kind: Kind) {
    let figures: Vec<Figures> = lengths().into_iter().map(|mib| run(kind, mib)).collect();
    for f in &figures {
        eprintln!(
            "flood kind={} flood_bytes={} total_bytes={} baseline_rss_kib={} peak_rss_kib={} vm_hwm_kib={} bound_kib={} records={} downlink_bytes={} seconds={:.1}",
            f.kind.name(),
            f.flood_bytes,
            f.total_bytes,
            f.baseline_kib,
            f.peak_rss_kib,
            f.hwm_kib,
            BOUND_MIB << 10,
            f.records,
            f.downlink_bytes,
            f.seconds
        );
    }
    for f in &figures {
        assert!(
            f.hwm_kib < BOUND_MIB << 10,
            "{} flood of {} bytes: peak RSS {} KiB over the bound of {BOUND_MIB} MiB",
            f.kind.name(),
            f.flood_bytes,
            f.hwm_kib
        );
    }
    let shortest = &figures[0];
    for f in &figures[1..] {
        assert!(
            f.hwm_kib <= shortest.hwm_kib + (GROWTH_SLACK_MIB << 10),
            "{}: the peak grows with the flood: {} KiB after {} bytes, {} KiB after {}",
            kind.name(),
            shortest.hwm_kib,
            shortest.flood_bytes,
            f.hwm_kib,
            f.flood_bytes
        );
    }
}

#[test]
fn a_flood_of_fragments_keeps_memory_bounded() {
    flood(Kind::Fragments);
}

#[test]
fn a_flood_of_duplicate_frames_keeps_memory_bounded() {
    flood(Kind::Duplicates);
}

#[test]
fn a_flood_of_garbage_keeps_memory_bounded() {
    flood(Kind::Garbage);
}
