//! The acoustic link: frames, messages, fragmentation and reassembly, the framed link mode,
//! the modem host interface in both directions, the whole shore side, and capture files.

use protocol::capture::{CaptureReader, CaptureWriter, Direction};
use protocol::crc::crc16;
use protocol::fragment::Fragments;
use protocol::frame::{
    decode_frame, encode_frame, Frame, Header, MessageType, CRC_LEN, MAX_FRAME_LEN,
};
use protocol::framed::{encode_framed, FramedDecoder, MAX_PAYLOAD, OVERHEAD};
use protocol::hostif::{
    encode_message_to_slice, CommandParser, HostEvent, HostParser, Message as HostMessage, Mode,
    Origin, MAX_BURST_PAYLOAD,
};
use protocol::message::{Message, MAX_MESSAGE_LEN};
use protocol::modem_link::{ModemLink, ModemLinkConfig};
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

use super::chunks;
use crate::seeds;

/// Noon, 1 June 2026: the start time handed to the stateful parsers.
const T0: i64 = 1_780_315_200_000;

/// The golden frames.
pub fn frame_seeds() -> Vec<Vec<u8>> {
    seeds::golden_frames()
}

/// A frame decodes to an error or to a frame that encodes back to exactly its bytes; so
/// does the input with its CRC made right (a coverage-less fuzzer seldom hits a CRC, and
/// the header checks behind it deserve the mutations too).
pub fn frame(data: &[u8]) {
    frame_round_trip(data);
    if data.len() >= CRC_LEN {
        let mut fixed = data.to_vec();
        let body = fixed.len() - CRC_LEN;
        let crc = crc16(&fixed[..body]);
        fixed[body..].copy_from_slice(&crc.to_be_bytes());
        frame_round_trip(&fixed);
    }
}

fn frame_round_trip(data: &[u8]) {
    let Ok(frame) = decode_frame(data) else {
        return;
    };
    let mut out = [0u8; MAX_FRAME_LEN];
    let n = encode_frame(&frame.header, frame.payload, &mut out)
        .unwrap_or_else(|e| panic!("a decoded frame does not encode: {e}"));
    assert_eq!(&out[..n], data, "frame does not round-trip");
}

/// `[type code, payload…]` of the golden messages (fragments reassembled).
pub fn message_seeds() -> Vec<Vec<u8>> {
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let mut out = Vec::new();
    for bytes in seeds::golden_frames() {
        if let Ok(frame) = decode_frame(&bytes) {
            r.push(&frame, UtcTime(T0), |ev| {
                if let Event::Message(m) = ev {
                    let mut seed = vec![m.msg_type.code()];
                    seed.extend_from_slice(&m.payload);
                    out.push(seed);
                }
            });
        }
    }
    out
}

/// `data[0]` picks the message type; a payload decodes to an error or to a message that
/// encodes back to exactly the payload (the encoding is canonical: zero padding, no
/// trailing bytes).
pub fn message(data: &[u8]) {
    let Some((&code, payload)) = data.split_first() else {
        return;
    };
    let Some(msg_type) = MessageType::from_code(code % 16) else {
        return;
    };
    let Ok(message) = Message::decode(msg_type, payload) else {
        return;
    };
    assert_eq!(message.msg_type(), msg_type);
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let n = message
        .encode(&mut out)
        .unwrap_or_else(|e| panic!("a decoded {msg_type:?} does not encode: {e}"));
    assert_eq!(&out[..n], payload, "{msg_type:?} does not round-trip");
}

/// A payload cut into frames (type, source, sequence and MTU drawn from the input) and
/// pushed into a reassembler, in order or reversed, comes back whole, exactly once.
pub fn fragment(data: &[u8]) {
    let [code, flags, s0, s1, mtu, payload @ ..] = data else {
        return;
    };
    let msg_type = MessageType::from_code(code % 16).unwrap_or(MessageType::CtdBatch);
    let source = flags & 0x0f;
    let first_seq = u16::from_be_bytes([*s0, *s1]) % 4096;
    let mtu = 7 + usize::from(*mtu) * 4;
    let payload = &payload[..payload.len().min(MAX_MESSAGE_LEN)];
    let Ok(mut plan) = Fragments::new(msg_type, source, flags & 0x10 != 0, first_seq, payload, mtu)
    else {
        return;
    };
    let mut frames = Vec::new();
    let mut buf = [0u8; MAX_FRAME_LEN];
    while let Some(next) = plan.next_frame(&mut buf) {
        let (header, n) = next.unwrap_or_else(|e| panic!("planned frame fails: {e}"));
        let decoded = decode_frame(&buf[..n]).unwrap_or_else(|e| panic!("own frame: {e}"));
        assert_eq!(decoded.header, header);
        frames.push(buf[..n].to_vec());
    }
    assert_eq!(frames.len(), plan.count());
    if flags & 0x20 != 0 {
        frames.reverse();
    }
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let mut whole = Vec::new();
    for bytes in &frames {
        let frame = decode_frame(bytes).unwrap_or_else(|e| panic!("own frame: {e}"));
        r.push(&frame, UtcTime(T0), |ev| match ev {
            Event::Message(m) => whole.push(m),
            other => panic!("unexpected reassembly event {other:?}"),
        });
    }
    assert_eq!(whole.len(), 1, "message not reassembled exactly once");
    assert_eq!(&whole[0].payload[..], payload);
    assert_eq!(whole[0].msg_type, msg_type);
    assert_eq!((whole[0].source, whole[0].seq), (source, first_seq));
}

/// Framed-mode streams: the golden frames' bytes framed, with garbage between.
pub fn framed_seeds() -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    for f in seeds::golden_frames() {
        let mut out = [0u8; MAX_PAYLOAD + OVERHEAD];
        if let Ok(n) = encode_framed(&f, &mut out) {
            stream.extend_from_slice(&out[..n]);
            stream.extend_from_slice(b"garbage\r\n");
        }
    }
    vec![stream]
}

/// The framed-mode decoder gives the same payloads in chunks as at once, and finds a
/// payload framed by `encode_framed` again.
pub fn framed(data: &[u8]) {
    let run = |pieces: &[&[u8]]| {
        let mut d = FramedDecoder::new();
        let mut got = Vec::new();
        for piece in pieces {
            d.feed(piece, |p| got.push(p.to_vec()));
        }
        got
    };
    assert_eq!(
        run(&[data]),
        run(&chunks(data, 300)),
        "framed: chunking changed the payloads"
    );
    let payload = &data[..data.len().min(MAX_PAYLOAD)];
    let mut out = [0u8; MAX_PAYLOAD + OVERHEAD];
    if let Ok(n) = encode_framed(payload, &mut out) {
        assert_eq!(
            run(&[&out[..n]]),
            vec![payload.to_vec()],
            "framed: no round trip"
        );
    }
}

/// The bytes of one direction of each capture, concatenated.
fn capture_bytes(direction: Direction) -> Vec<Vec<u8>> {
    seeds::files(seeds::CAPTURES)
        .iter()
        .map(|cap| {
            let mut out = Vec::new();
            if let Ok(reader) = CaptureReader::new(cap) {
                for r in reader.flatten() {
                    if r.direction == direction {
                        out.extend_from_slice(r.bytes);
                    }
                }
            }
            out.truncate(seeds::MAX_SEED);
            out
        })
        .collect()
}

/// What the modems said in the captures.
pub fn modem_bytes_seeds() -> Vec<Vec<u8>> {
    capture_bytes(Direction::FromModem)
}

/// What the gateway told the modems in the captures, and typical command lines.
pub fn host_bytes_seeds() -> Vec<Vec<u8>> {
    let mut seeds = capture_bytes(Direction::ToModem);
    seeds.extend(seeds::HOST_COMMANDS.iter().map(|c| c.to_vec()));
    seeds
}

/// The modem → host parser, in both modes, fed in input-dependent chunks: never a panic,
/// and every message it yields, encoded again (`encode_message`), parses back to a
/// message that encodes to the same bytes.
pub fn hostif(data: &[u8]) {
    for mode in [Mode::Command, Mode::Data] {
        let mut p: HostParser = HostParser::new(mode);
        let mut encoded = Vec::new();
        let mut on_event = |ev: HostEvent<'_>| {
            if let HostEvent::Message { origin, message } = ev {
                if let Some(bytes) = encode_host(origin, &message) {
                    encoded.push((origin_mode(origin, mode), bytes));
                }
            }
        };
        for piece in chunks(data, 80) {
            p.feed(piece, &mut on_event);
        }
        p.feed_end(&mut on_event);
        for (mode, bytes) in encoded {
            let mut again = Vec::new();
            let mut p: HostParser = HostParser::new(mode);
            let mut on_event = |ev: HostEvent<'_>| match ev {
                HostEvent::Message { origin, message } => again.push(encode_host(origin, &message)),
                other => panic!("re-encoded message parses to {other:?}"),
            };
            p.feed(&bytes, &mut on_event);
            p.feed_end(&mut on_event);
            assert_eq!(
                again,
                vec![Some(bytes.clone())],
                "host message does not round-trip"
            );
        }
    }
}

/// The bytes `encode_message` gives, when it accepts the message.
fn encode_host(origin: Origin<'_>, message: &HostMessage<'_>) -> Option<Vec<u8>> {
    let mut out = [0u8; 2 * MAX_BURST_PAYLOAD];
    let n = encode_message_to_slice(origin, message, &mut out).ok()?;
    Some(out[..n].to_vec())
}

/// The mode a message framed as `origin` is read back in (command lines need command mode).
fn origin_mode(origin: Origin<'_>, mode: Mode) -> Mode {
    match origin {
        Origin::Line => Mode::Command,
        _ => mode,
    }
}

/// The host → modem parser (the simulator's side), both modes: never a panic.
pub fn hostif_command(data: &[u8]) {
    for mode in [Mode::Command, Mode::Data] {
        let mut p: CommandParser = CommandParser::new(mode);
        for piece in chunks(data, 80) {
            p.feed(piece, |_| {});
        }
        p.feed_end(|_| {});
    }
}

/// Byte strings read as a run of frames for [`reassembly`]: the golden frames' headers.
pub fn reassembly_seeds() -> Vec<Vec<u8>> {
    vec![seeds::golden_frames().concat()]
}

/// Frames built from the input (header fields and payload lengths drawn from it, time
/// stepping by minutes) into a small reassembler: never a panic, and the limits hold.
pub fn reassembly(data: &[u8]) {
    let Some((&limits, mut rest)) = data.split_first() else {
        return;
    };
    let config = ReassemblerConfig {
        max_partials: 1 + usize::from(limits % 8),
        max_bytes: 64 + usize::from(limits) * 8,
        timeout_ms: 60_000 * (1 + i64::from(limits % 16)),
    };
    let mut r: Reassembler<8> = Reassembler::new(config);
    let mut now = T0;
    while let [code, ids, s0, s1, step, tail @ ..] = rest {
        let len = usize::from(*step % 64).min(tail.len());
        let (payload, next) = tail.split_at(len);
        rest = next;
        let Some(msg_type) = MessageType::from_code(code % 16) else {
            continue;
        };
        let seq = u16::from_be_bytes([*s0, *s1]);
        let header = Header {
            msg_type,
            ack_wanted: code & 0x40 != 0,
            more_fragments: code & 0x80 != 0,
            source: ids >> 4,
            fragment_index: ids & 0x0f,
            seq: seq % 4096,
        };
        now += i64::from(step / 64) * 60_000;
        r.push(&Frame { header, payload }, UtcTime(now), |_| {});
        while r.poll_timeout(UtcTime(now)).is_some() {}
        assert!(
            r.partial_count() <= config.max_partials,
            "too many partials"
        );
        assert!(
            r.buffered_bytes() <= config.max_bytes,
            "too many bytes held"
        );
    }
}

/// The whole shore side of the link fed modem output in chunks, time advancing, its
/// transmissions drained: never a panic.
pub fn modem_link(data: &[u8]) {
    let mut link = ModemLink::new(ModemLinkConfig::default());
    let mut now = T0;
    for piece in chunks(data, 120) {
        now += i64::from(piece[0]) * 1_000;
        link.feed(piece, UtcTime(now), |_| {});
        link.handle_time(UtcTime(now), |_| {});
        while link.poll_transmit().is_some() {}
    }
    link.handle_time(UtcTime(now + 7 * 86_400_000), |_| {});
}

/// The recorded captures.
pub fn capture_seeds() -> Vec<Vec<u8>> {
    seeds::files(seeds::CAPTURES)
}

/// A capture reads to records and at most one error; the records read, written again with
/// `CaptureWriter`, read back identical and without error.
pub fn capture(data: &[u8]) {
    let Ok(reader) = CaptureReader::new(data) else {
        return;
    };
    let records: Vec<_> = reader.take_while(Result::is_ok).flatten().collect();
    let mut writer = CaptureWriter::new(Vec::new(), &["fuzz"]).expect("writing to memory");
    for r in &records {
        writer
            .record(r.direction, r.unix_ms, r.bytes)
            .expect("writing to memory");
    }
    let written = writer.finish().expect("writing to memory");
    let again: Result<Vec<_>, _> = CaptureReader::new(&written)
        .unwrap_or_else(|e| panic!("own capture unreadable: {e}"))
        .collect();
    assert_eq!(
        again.as_deref(),
        Ok(&records[..]),
        "capture does not round-trip"
    );
}
