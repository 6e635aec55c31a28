//! Replays every capture in `captures/` through the protocol crate, as the gateway will:
//! host-interface parser → frame decoder (CRC) → reassembler (duplicates) → message decoder,
//! with the line status inventory mapping batch slots to serial numbers, and checks that
//! exactly the expected records come out (set equality, each record once).
//!
//! The expected records (`captures/NAME.expected.jsonl`) are the simulator's ground truth:
//! what its instruments measured, not what a decoder made of the capture.
//! The capture reader below follows `captures/FORMAT.md` on its own (no simulator code).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read};

use protocol::frame::{decode_frame, FrameError};
use protocol::hostif::{HostEvent, HostParser, Message as HostMessage, Mode};
use protocol::message::{Message, MessageError};
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../captures/");

/// One capture record (captures/FORMAT.md).
struct Record {
    from_modem: bool,
    time_ms: u64,
    bytes: Vec<u8>,
}

/// Reads a capture: magic line, `#` comment lines, records `<|> UNIX_MS LEN\n<LEN bytes>\n`.
fn read_capture(path: &str) -> Vec<Record> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut input = std::io::BufReader::new(file);
    let mut line = Vec::new();
    input.read_until(b'\n', &mut line).unwrap();
    assert_eq!(line, b"albatross-capture 1\n", "{path}: magic line");
    let mut out: Vec<Record> = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).unwrap() == 0 {
            return out;
        }
        if line.starts_with(b"#") {
            continue;
        }
        let head =
            std::str::from_utf8(line.strip_suffix(b"\n").expect("header ends in \\n")).unwrap();
        let f: Vec<&str> = head.split(' ').collect();
        assert_eq!(f.len(), 3, "{path}: record header {head:?}");
        let from_modem = match f[0] {
            "<" => true,
            ">" => false,
            d => panic!("{path}: direction {d:?}"),
        };
        let time_ms: u64 = f[1].parse().unwrap();
        let len: usize = f[2].parse().unwrap();
        if let Some(prev) = out.last() {
            assert!(
                time_ms >= prev.time_ms,
                "{path}: time goes back at {head:?}"
            );
        }
        let mut bytes = vec![0u8; len + 1];
        input.read_exact(&mut bytes).unwrap();
        assert_eq!(
            bytes.pop(),
            Some(b'\n'),
            "{path}: record {head:?} not followed by \\n"
        );
        out.push(Record {
            from_modem,
            time_ms,
            bytes,
        });
    }
}

/// A sample at instrument resolution: (serial, time, T 1e-4 °C, C 1e-5 S/m, P 1e-3 dbar, O2 1e-3 ml/l).
type Key = (u32, i64, i64, i64, i64, Option<i64>);

fn expected(name: &str) -> Vec<Key> {
    let path = format!("{DIR}{name}.expected.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixed =
        |v: &serde_json::Value, scale: f64| (v.as_f64().expect("number") * scale).round() as i64;
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["type"], "sbe37");
            let time = v["time"].as_str().unwrap();
            let t = parse_time(time);
            (
                v["serial"].as_str().unwrap().parse().unwrap(),
                t,
                fixed(&v["temperature_c"], 1e4),
                fixed(&v["conductivity_s_m"], 1e5),
                fixed(&v["pressure_dbar"], 1e3),
                v.get("oxygen_ml_l").map(|o| fixed(o, 1e3)),
            )
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ` → Unix seconds.
fn parse_time(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap();
    UtcTime::from_civil(
        n(0, 4) as i32,
        n(5, 7),
        n(8, 10),
        n(11, 13),
        n(14, 16),
        n(17, 19),
        0,
    )
    .unwrap_or_else(|| panic!("time {s:?}"))
    .unix_seconds()
}

/// What the decode path made of a capture.
#[derive(Default, Debug)]
struct Decoded {
    records: Vec<Key>,
    recvim: usize,
    bad_crc: usize,
    other_frame_errors: usize,
    duplicates: u64,
    garbage_events: u64,
    message_errors: usize,
    statuses: usize,
    reads: usize,
}

fn decode(name: &str) -> Decoded {
    let records = read_capture(&format!("{DIR}{name}.cap"));
    let mut parser: HostParser = HostParser::new(Mode::Command);
    let mut reasm: Reassembler<32> = Reassembler::new(ReassemblerConfig::default());
    let mut d = Decoded::default();
    let mut batches: Vec<(u32, protocol::message::CtdSample)> = Vec::new();
    let mut inventory: BTreeMap<u8, u32> = BTreeMap::new();
    for rec in records.iter().filter(|r| r.from_modem) {
        d.reads += 1;
        let now = UtcTime::from_unix_millis(rec.time_ms as i64);
        let mut frames: Vec<Vec<u8>> = Vec::new();
        parser.feed(&rec.bytes, |ev| match ev {
            HostEvent::Message {
                message: HostMessage::RecvIm(m),
                ..
            } => frames.push(m.payload.to_vec()),
            HostEvent::Garbage { .. } => {}
            _ => {}
        });
        for f in frames {
            d.recvim += 1;
            let frame = match decode_frame(&f) {
                Ok(frame) => frame,
                Err(FrameError::BadCrc { .. }) => {
                    d.bad_crc += 1;
                    continue;
                }
                Err(_) => {
                    d.other_frame_errors += 1;
                    continue;
                }
            };
            reasm.push(&frame, now, |ev| {
                if let Event::Message(m) = ev {
                    match Message::decode(m.msg_type, &m.payload) {
                        Ok(Message::CtdBatch(b)) => {
                            batches.extend(b.samples.iter().map(|s| (b.time, *s)))
                        }
                        Ok(Message::LineStatus(s)) => {
                            d.statuses += 1;
                            for e in &s.inventory {
                                inventory.insert(e.slot, e.serial);
                            }
                        }
                        Ok(_) => {}
                        Err(MessageError::Truncated { .. }) | Err(_) => d.message_errors += 1,
                    }
                }
            });
        }
    }
    parser.feed_end(|_| {});
    d.duplicates = reasm.stats().duplicates;
    d.garbage_events = parser.stats().garbage_events;
    for (time, s) in batches {
        let serial = *inventory
            .get(&s.slot)
            .unwrap_or_else(|| panic!("{name}: slot {} not in any inventory", s.slot));
        d.records.push((
            serial,
            i64::from(time),
            i64::from(s.temperature.expect("temperature")),
            i64::from(s.conductivity.expect("conductivity")),
            i64::from(s.pressure.expect("pressure")),
            s.oxygen.map(i64::from),
        ));
    }
    d
}

/// Decodes `name` and checks it gives exactly the expected records, each once.
fn check(name: &str) -> Decoded {
    let d = decode(name);
    let want = expected(name);
    let want_set: BTreeSet<Key> = want.iter().copied().collect();
    assert_eq!(
        want_set.len(),
        want.len(),
        "{name}: expected file repeats a record"
    );
    let got_set: BTreeSet<Key> = d.records.iter().copied().collect();
    assert_eq!(
        got_set.len(),
        d.records.len(),
        "{name}: a record was decoded twice"
    );
    let missing: Vec<_> = want_set.difference(&got_set).collect();
    let extra: Vec<_> = got_set.difference(&want_set).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: missing {missing:?}, unexpected {extra:?}"
    );
    assert_eq!(d.message_errors, 0, "{name}");
    println!(
        "{name}: {}/{} records; {} reads, {} RECVIM, {} bad CRC, {} duplicates, {} garbage events, {} statuses",
        d.records.len(),
        want.len(),
        d.reads,
        d.recvim,
        d.bad_crc,
        d.duplicates,
        d.garbage_events,
        d.statuses
    );
    d
}

#[test]
fn clean_day() {
    let d = check("clean-day");
    assert_eq!(d.records.len(), 8 * 48);
    assert_eq!((d.bad_crc, d.duplicates, d.garbage_events), (0, 0, 0));
}

#[test]
fn lossy_day_with_bit_errors_and_duplicates() {
    let d = check("lossy-day");
    assert_eq!(d.records.len(), 8 * 48);
    assert!(
        d.bad_crc >= 1,
        "the capture has corrupted frames for the CRC to catch"
    );
    assert!(d.duplicates >= 1, "lost acknowledgements give duplicates");
}

#[test]
fn outage_then_selective_repeat_recovery() {
    // A 10 h outage from 08:00: every sample the controller's ring held comes back through
    // selective repeat (the ring holds 1024 frames, so all of them), none twice.
    let d = check("outage-recovery");
    assert_eq!(d.records.len(), 8 * 48);
    let records = read_capture(&format!("{DIR}outage-recovery.cap"));
    let start = records
        .first()
        .map(|r| r.time_ms / 86_400_000 * 86_400_000)
        .unwrap();
    let has_frame = |r: &Record| r.from_modem && r.bytes.windows(7).any(|w| w == b"RECVIM,");
    let arrivals: Vec<u64> = records
        .iter()
        .filter(|r| has_frame(r))
        .map(|r| r.time_ms)
        .collect();
    let silent = arrivals.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        silent >= 6 * 3_600_000,
        "longest time without a frame, {silent} ms, is not an outage of >= 6 h"
    );
    // Samples taken during the outage arrived after it ended.
    let outage_end = start + 18 * 3_600_000;
    assert!(d
        .records
        .iter()
        .any(|r| r.1 * 1000 >= (start + 9 * 3_600_000) as i64 && (r.1 * 1000) < outage_end as i64));
}

#[test]
fn garbage_and_resynchronisation_stress() {
    let d = check("garbage-stress");
    assert_eq!(d.records.len(), 8 * 48);
    assert!(
        d.garbage_events >= 10,
        "garbage events {}",
        d.garbage_events
    );
    assert!(d.duplicates >= 1);
    assert!(d.reads > d.recvim, "split reads and injected lines");
}
