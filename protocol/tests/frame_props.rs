//! Property tests of frames and messages: exact round trips at full instrument resolution,
//! CRC detection of every single-bit error, and no panic on arbitrary bytes.

use proptest::prelude::*;
use protocol::fragment::Fragments;
use protocol::frame::{decode_frame, encode_frame, FrameError, Header, MessageType};
use protocol::message::*;
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

const TYPES: [MessageType; 6] = [
    MessageType::CtdBatch,
    MessageType::LineStatus,
    MessageType::AquadoppSample,
    MessageType::Ack,
    MessageType::RepeatRequest,
    MessageType::StatusRequest,
];

fn value(spec: FieldSpec) -> impl Strategy<Value = Option<i32>> {
    prop_oneof![1 => Just(None), 9 => (spec.min..=spec.max()).prop_map(|v| Some(v as i32))]
}

fn ctd_batch() -> impl Strategy<Value = CtdBatch> {
    let sample = (
        value(TEMPERATURE),
        value(CONDUCTIVITY),
        value(PRESSURE),
        value(OXYGEN),
    );
    (
        any::<u32>(),
        any::<u16>(),
        proptest::collection::vec(sample, 16),
    )
        .prop_map(|(time, mask, vals)| {
            let samples = (0..16u8)
                .filter(|i| mask & (1 << i) != 0)
                .map(|slot| {
                    let (t, c, p, o) = vals[usize::from(slot)];
                    CtdSample {
                        slot,
                        temperature: t,
                        conductivity: c,
                        pressure: p,
                        oxygen: o,
                    }
                })
                .collect();
            CtdBatch { time, samples }
        })
}

fn line_status() -> impl Strategy<Value = LineStatus> {
    let kind = prop_oneof![
        Just(InstrumentKind::Unknown),
        Just(InstrumentKind::Sbe37Ctd),
        Just(InstrumentKind::Sbe37CtdOdo),
        Just(InstrumentKind::Aquadopp)
    ];
    let entry = (0u8..16, kind, any::<u32>(), any::<u16>()).prop_map(
        |(slot, kind, serial, nominal_depth_m)| InventoryEntry {
            slot,
            kind,
            serial,
            nominal_depth_m,
        },
    );
    (
        (
            any::<u32>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
        ),
        (any::<u16>(), any::<u16>(), 0u16..4096, 0u16..4096),
        proptest::collection::vec(entry, 0..=16),
    )
        .prop_map(
            |(
                (clock, battery_mv, polls, instrument_errors, frames_sent),
                (send_failures, ring_dropped, ring_oldest_seq, next_seq),
                inv,
            )| {
                LineStatus {
                    clock,
                    battery_mv,
                    polls,
                    instrument_errors,
                    frames_sent,
                    send_failures,
                    ring_dropped,
                    ring_oldest_seq,
                    next_seq,
                    inventory: inv.into_iter().collect(),
                }
            },
        )
}

fn aquadopp() -> impl Strategy<Value = AquadoppSample> {
    (
        (
            0u8..16,
            0u8..3,
            any::<bool>(),
            any::<u32>(),
            any::<[i16; 3]>(),
            any::<[u8; 3]>(),
        ),
        (
            any::<u16>(),
            any::<i16>(),
            any::<i16>(),
            0u32..(1 << 24),
            any::<i16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
        ),
    )
        .prop_map(
            |(
                (slot, coordinate_system, scale, time, velocity, amplitude),
                (heading, pitch, roll, pressure, temperature, battery, sound_speed, error, status),
            )| {
                AquadoppSample {
                    slot,
                    coordinate_system,
                    velocity_scale_tenth_mm: scale,
                    time,
                    velocity,
                    amplitude,
                    heading,
                    pitch,
                    roll,
                    pressure,
                    temperature,
                    battery,
                    sound_speed,
                    error,
                    status,
                }
            },
        )
}

fn downlink() -> impl Strategy<Value = Message> {
    let range = (0u16..4096, 1u8..=255).prop_map(|(start, len)| RepeatRange { start, len });
    prop_oneof![
        (0u8..16, 0u16..4096).prop_map(|(target, through_seq)| Message::Ack(Ack {
            target,
            through_seq
        })),
        (0u8..16, proptest::collection::vec(range, 1..=15)).prop_map(|(target, r)| {
            Message::RepeatRequest(RepeatRequest {
                target,
                ranges: r.into_iter().collect(),
            })
        }),
        (0u8..16).prop_map(|target| Message::StatusRequest(StatusRequest { target })),
    ]
}

fn any_message() -> impl Strategy<Value = Message> {
    prop_oneof![
        ctd_batch().prop_map(Message::CtdBatch),
        line_status().prop_map(Message::LineStatus),
        aquadopp().prop_map(Message::AquadoppSample),
        downlink(),
    ]
}

/// Message → fragments at `mtu` → (shuffled) reassembly → decode.
fn through_the_link(m: &Message, mtu: usize, seq: u16, order: &[usize]) -> Message {
    let mut payload = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut payload).unwrap();
    let mut f = Fragments::new(m.msg_type(), 1, true, seq, &payload[..n], mtu).unwrap();
    let mut frames = Vec::new();
    let mut buf = [0u8; 1024];
    while let Some(r) = f.next_frame(&mut buf) {
        let (_, len) = r.unwrap();
        assert!(len <= mtu);
        frames.push(buf[..len].to_vec());
    }
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let mut out = Vec::new();
    let idx: Vec<usize> = if order.is_empty() {
        (0..frames.len()).collect()
    } else {
        order
            .iter()
            .copied()
            .filter(|&i| i < frames.len())
            .collect()
    };
    // every fragment once, in the given order, then a duplicate of the first
    for &i in idx.iter().chain(idx.first()) {
        r.push(&decode_frame(&frames[i]).unwrap(), UtcTime(0), |e| {
            out.push(e)
        });
    }
    let msgs: Vec<_> = out
        .into_iter()
        .filter_map(|e| {
            if let Event::Message(a) = e {
                Some(a)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(msgs.len(), 1);
    Message::decode(msgs[0].msg_type, &msgs[0].payload).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any in-range sample at full instrument resolution comes back exactly.
    #[test]
    fn ctd_batch_round_trip(b in ctd_batch(), seq in 0u16..4096) {
        let m = Message::CtdBatch(b);
        prop_assert_eq!(through_the_link(&m, 64, seq, &[]), m.clone());
        prop_assert_eq!(through_the_link(&m, 32, seq, &[]), m);
    }

    /// Every message type round-trips through fragmentation and out-of-order reassembly.
    #[test]
    fn every_message_round_trips(
        m in any_message(),
        mtu in prop_oneof![Just(32usize), Just(64), Just(1024)],
        seq in 0u16..4096,
        order in Just((0..16).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        prop_assert_eq!(through_the_link(&m, mtu, seq, &order), m);
    }

    /// A single flipped bit anywhere in a frame is always rejected by the CRC.
    #[test]
    fn single_bit_flip_is_rejected(
        ty in 0usize..6,
        header in (any::<bool>(), any::<bool>(), 0u8..16, 0u8..16, 0u16..4096),
        payload in proptest::collection::vec(any::<u8>(), 0..58),
        bit in any::<usize>(),
    ) {
        let (ack_wanted, more_fragments, source, fragment_index, seq) = header;
        let h = Header { msg_type: TYPES[ty], ack_wanted, more_fragments, source, fragment_index, seq };
        let mut buf = [0u8; 64];
        let n = encode_frame(&h, &payload, &mut buf).unwrap();
        prop_assert_eq!(decode_frame(&buf[..n]).unwrap().header, h);
        let bit = bit % (n * 8);
        buf[bit / 8] ^= 0x80 >> (bit % 8);
        let r = decode_frame(&buf[..n]);
        prop_assert!(matches!(r, Err(FrameError::BadCrc { .. })), "flipped bit {} gave {:?}", bit, r);
    }

    /// Arbitrary bytes never panic the frame decoder or any payload decoder.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1100)) {
        let _ = decode_frame(&bytes);
        for ty in TYPES {
            let _ = Message::decode(ty, &bytes);
        }
    }

    /// Arbitrary bytes behind a valid header and CRC never panic either (they reach the
    /// payload decoders through the reassembler).
    #[test]
    fn arbitrary_payloads_in_valid_frames_never_panic(
        ty in 0usize..6,
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let h = Header { msg_type: TYPES[ty], ack_wanted: false, more_fragments: false, source: 1, fragment_index: 0, seq: 0 };
        let mut buf = [0u8; 256];
        let n = encode_frame(&h, &payload, &mut buf).unwrap();
        let f = decode_frame(&buf[..n]).unwrap();
        let _ = Message::decode(f.header.msg_type, f.payload);
    }
}
