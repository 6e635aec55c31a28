//! Golden frames: the hex in `protocol/SPEC.md` §7 is the hex here, byte for byte.
//!
//! Each vector is checked both ways: the example message encodes to exactly these frames,
//! and these frames decode (CRC, header, reassembly, payload) to exactly the example.
//! The same values are packed independently by `protocol/tests/spec_crosscheck.py`.

use protocol::fragment::Fragments;
use protocol::frame::{decode_frame, MessageType};
use protocol::message::*;
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

/// 2026-11-28T12:00:00Z
const POLL: u32 = 1_795_867_200;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sample(slot: u8, t: i32, c: i32, p: i32, o: Option<i32>) -> CtdSample {
    CtdSample {
        slot,
        temperature: Some(t),
        conductivity: Some(c),
        pressure: Some(p),
        oxygen: o,
    }
}

/// The ALBATROSS line's eight MicroCATs at one poll (SPEC.md §7.1).
pub fn ctd_batch() -> Message {
    let samples = [
        sample(0, 135_874, 441_235, 503_417, Some(4_123)),
        sample(1, 134_619, 440_327, 755_902, Some(4_187)),
        sample(2, 133_712, 439_901, 1_008_311, Some(4_201)),
        sample(3, 132_960, 439_710, 1_261_047, None),
        sample(4, 132_457, 439_802, 1_513_775, Some(4_254)),
        sample(5, 131_980, 440_211, 2_018_560, Some(4_262)),
        sample(6, 131_902, 440_905, 2_220_118, None),
        sample(7, 131_876, 441_432, 2_422_904, Some(4_270)),
    ];
    Message::CtdBatch(CtdBatch {
        time: POLL,
        samples: heapless::Vec::from_slice(&samples).unwrap(),
    })
}

/// Line status with its inventory (SPEC.md §7.2).
pub fn line_status() -> Message {
    let kinds = [
        (InstrumentKind::Sbe37CtdOdo, 500),
        (InstrumentKind::Sbe37CtdOdo, 750),
        (InstrumentKind::Sbe37CtdOdo, 1000),
        (InstrumentKind::Sbe37Ctd, 1250),
        (InstrumentKind::Sbe37CtdOdo, 1500),
        (InstrumentKind::Sbe37CtdOdo, 2000),
        (InstrumentKind::Sbe37Ctd, 2200),
        (InstrumentKind::Sbe37CtdOdo, 2400),
    ];
    let inventory = kinds
        .iter()
        .enumerate()
        .map(|(i, &(kind, depth))| InventoryEntry {
            slot: i as u8,
            kind,
            serial: 3_723_401 + i as u32,
            nominal_depth_m: depth,
        })
        .collect::<heapless::Vec<_, 16>>();
    Message::LineStatus(LineStatus {
        clock: POLL + 5,
        battery_mv: 14_412,
        polls: 48,
        instrument_errors: 1,
        frames_sent: 100,
        send_failures: 3,
        ring_dropped: 0,
        ring_oldest_seq: 0,
        next_seq: 104,
        inventory,
    })
}

/// An Aquadopp sample (SPEC.md §7.3).
pub fn aquadopp() -> Message {
    Message::AquadoppSample(AquadoppSample {
        slot: 8,
        coordinate_system: 0,
        velocity_scale_tenth_mm: false,
        time: POLL,
        velocity: [-123, 45, 3],
        amplitude: [120, 118, 121],
        heading: 2345,
        pitch: -12,
        roll: 8,
        pressure: 500_123,
        temperature: 1345,
        battery: 145,
        sound_speed: 15_234,
        error: 0,
        status: 0x30,
    })
}

/// The three downlink messages (SPEC.md §7.4).
pub fn downlink() -> [Message; 3] {
    let ranges = [
        RepeatRange { start: 40, len: 3 },
        RepeatRange {
            start: 4095,
            len: 2,
        },
    ];
    [
        Message::Ack(Ack {
            target: 1,
            through_seq: 101,
        }),
        Message::RepeatRequest(RepeatRequest {
            target: 1,
            ranges: heapless::Vec::from_slice(&ranges).unwrap(),
        }),
        Message::StatusRequest(StatusRequest { target: 1 }),
    ]
}

/// (message, source, first seq, ack wanted, frames in hex)
fn vectors() -> Vec<(Message, u8, u16, bool, Vec<&'static str>)> {
    let [ack, repeat, status_req] = downlink();
    vec![
        (ctd_batch(), 1, 100, true, vec![GOLDEN_CTD_0, GOLDEN_CTD_1]),
        (
            line_status(),
            1,
            102,
            true,
            vec![GOLDEN_STATUS_0, GOLDEN_STATUS_1],
        ),
        (aquadopp(), 1, 103, false, vec![GOLDEN_AQUADOPP]),
        (ack, 0, 7, false, vec![GOLDEN_ACK]),
        (repeat, 0, 8, false, vec![GOLDEN_REPEAT]),
        (status_req, 0, 9, false, vec![GOLDEN_STATUS_REQUEST]),
    ]
}

const GOLDEN_CTD_0: &str = "471006416b0ac24000ff5ac26d77281f562901c5a258d70102ebf3d05c59b42d6cbc3e272106a59562d6b3e4d942000059174d6bf65d010109f58dbad6f22318";
const GOLDEN_CTD_1: &str = "4611065187bd0450a758d1ed7494881d9c00058cead78b2947e250af0301";
const GOLDEN_STATUS_0: &str = "4b1006616b0ac245384c0030000100640003000000006808020038d08901f4120038d08a02ee220038d08b03e8310038d08c04e2420038d08d05dc520038e80e";
const GOLDEN_STATUS_1: &str = "4a110671d08e07d0610038d08f0898720038d09009607b1e";
const GOLDEN_AQUADOPP: &str =
    "4c100671806b0ac240ff85002d00037876790929fff4000807a19b054100913b82003071f8";
const GOLDEN_ACK: &str = "6000007110658140";
const GOLDEN_REPEAT: &str = "640000811202803fff02d6d5";
const GOLDEN_STATUS_REQUEST: &str = "68000091103316";

fn encode_frames(m: &Message, source: u8, seq: u16, ack: bool) -> Vec<Vec<u8>> {
    let mut payload = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut payload).unwrap();
    let mut f = Fragments::new(m.msg_type(), source, ack, seq, &payload[..n], 64).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    while let Some(r) = f.next_frame(&mut buf) {
        let (_, len) = r.unwrap();
        out.push(buf[..len].to_vec());
    }
    out
}

#[test]
fn golden_frames_encode_exactly() {
    for (m, source, seq, ack, hexes) in vectors() {
        let frames = encode_frames(&m, source, seq, ack);
        let got: Vec<String> = frames.iter().map(|f| hex(f)).collect();
        let want: Vec<String> = hexes.iter().map(|h| hex(&unhex(h))).collect();
        assert_eq!(got, want, "{:?}", m.msg_type());
    }
}

#[test]
fn golden_frames_decode_exactly() {
    for (m, source, seq, ack, hexes) in vectors() {
        let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
        let mut done = Vec::new();
        for h in &hexes {
            let bytes = unhex(h);
            let frame = decode_frame(&bytes).unwrap();
            assert_eq!(frame.header.source, source);
            assert_eq!(frame.header.ack_wanted, ack);
            r.push(&frame, UtcTime(0), |e| done.push(e));
        }
        let [Event::Message(a)] = done.as_slice() else {
            panic!("{done:?}")
        };
        assert_eq!(
            (a.seq, a.msg_type, a.frames as usize),
            (seq, m.msg_type(), hexes.len())
        );
        assert_eq!(Message::decode(a.msg_type, &a.payload).unwrap(), m);
    }
}

#[test]
fn spec_md_holds_the_same_hex() {
    let spec = include_str!("../SPEC.md").replace([' ', '\n'], "");
    for (m, _, _, _, hexes) in vectors() {
        for h in hexes {
            assert!(
                spec.contains(&hex(&unhex(h))),
                "{:?} frame {h} missing from SPEC.md",
                m.msg_type()
            );
        }
    }
}

#[test]
fn bytes_on_the_air_per_sample() {
    // 8 instruments, one sample each: 2 frames of 64 + 30 bytes = 94 bytes = 11.75 B/sample
    let frames = encode_frames(&ctd_batch(), 1, 100, true);
    let total: usize = frames.iter().map(Vec::len).sum();
    assert_eq!(total, 94);
    assert!(total as f64 / 8.0 <= 12.0);
    assert_eq!(MessageType::CtdBatch.code(), 1);
}
