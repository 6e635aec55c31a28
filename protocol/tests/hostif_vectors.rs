//! The verbatim host-interface lines of acoustic-link.md §2, parsed field by field, plus
//! split-at-every-byte and typed-error checks.

use protocol::hostif::{
    Command, CommandEvent, CommandParser, HostEvent, HostParseError, HostParser, ImFlag, ImTiming,
    Message, Mode, Origin, StatusKind,
};

/// An owned, comparable copy of a host event; consecutive raw data is merged because its
/// chunking is not meaningful.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Msg(String),
    Raw(Vec<u8>),
    Garbage(usize, HostParseError),
}

fn push_ev(out: &mut Vec<Ev>, ev: HostEvent<'_>) {
    match ev {
        HostEvent::RawData(d) => {
            if let Some(Ev::Raw(r)) = out.last_mut() {
                r.extend_from_slice(d);
            } else {
                out.push(Ev::Raw(d.to_vec()));
            }
        }
        HostEvent::Message { origin, message } => {
            out.push(Ev::Msg(format!("{origin:?} {message:?}")))
        }
        HostEvent::Garbage { bytes, error } => out.push(Ev::Garbage(bytes, error)),
    }
}

/// Feeds `chunks` in order, then ends the stream.
fn run(mode: Mode, chunks: &[&[u8]]) -> Vec<Ev> {
    let mut p: HostParser = HostParser::new(mode);
    let mut out = Vec::new();
    for c in chunks {
        p.feed(c, |ev| push_ev(&mut out, ev));
    }
    p.feed_end(|ev| push_ev(&mut out, ev));
    out
}

/// Parses `input` in one go and returns the single message it must contain.
fn one<R>(mode: Mode, input: &[u8], check: impl FnOnce(Origin<'_>, Message<'_>) -> R) -> R {
    let mut p: HostParser = HostParser::new(mode);
    assert_eq!(p.push(input), input.len());
    let r = match p.poll() {
        Some(HostEvent::Message { origin, message }) => check(origin, message),
        other => panic!("expected a message from {input:?}, got {other:?}"),
    };
    assert_eq!(p.poll(), None);
    assert_eq!(p.finish(), None);
    assert_eq!(p.stats().garbage_bytes, 0);
    r
}

/// Payloads that must pass intact: text, and binary with CR LF, `+++`, NUL, 0xFF, commas.
fn payloads(len: usize) -> Vec<Vec<u8>> {
    let text: Vec<u8> = b"abcdefghijklmnopqrstuvwxyz0123456789"
        .iter()
        .cycle()
        .take(len)
        .copied()
        .collect();
    let nasty: Vec<u8> = b"\r\n+++AT:0:\r\n\x00\xff,RECVIM,\r"
        .iter()
        .cycle()
        .take(len)
        .copied()
        .collect();
    vec![text, nasty]
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = format!("+++AT:{}:", body.len()).into_bytes();
    v.extend_from_slice(body);
    v.extend_from_slice(b"\r\n");
    v
}

#[test]
fn reply_mode_query() {
    // `+++AT?MODE:2:AT` (reply, dmac2 README log)
    one(Mode::Data, b"+++AT?MODE:2:AT\r\n", |o, m| {
        assert_eq!(o, Origin::Reply { command: "AT?MODE" });
        assert_eq!(m, Message::Text(b"AT"));
    });
}

#[test]
fn reply_sendim_ok() {
    // `+++AT*SENDIM:2:OK` (its reply)
    one(Mode::Data, b"+++AT*SENDIM:2:OK\r\n", |o, m| {
        assert_eq!(
            o,
            Origin::Reply {
                command: "AT*SENDIM"
            }
        );
        assert_eq!(m, Message::Ok);
    });
    // A reply frame is also recognised while the parser is in command mode.
    one(Mode::Command, b"+++AT*SENDIM:2:OK\r\n", |o, m| {
        assert_eq!(
            o,
            Origin::Reply {
                command: "AT*SENDIM"
            }
        );
        assert_eq!(m, Message::Ok);
    });
}

#[test]
fn recvim_37_and_34_data_mode() {
    // `+++AT:37:RECVIM,5,1,2,ack,312,14,11,0.03,<5 bytes>`: 32 header bytes + 5.
    for payload in payloads(5) {
        let mut body = b"RECVIM,5,1,2,ack,312,14,11,0.03,".to_vec();
        assert_eq!(body.len(), 32);
        body.extend_from_slice(&payload);
        let mut input = b"+++AT:37:".to_vec();
        input.extend_from_slice(&body);
        input.extend_from_slice(b"\r\n");
        one(Mode::Data, &input, |o, m| {
            assert_eq!(o, Origin::Notification);
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!((r.pid, r.src, r.dst, r.flag), (None, 1, 2, ImFlag::Ack));
            assert_eq!(r.timing, ImTiming::Duration { duration_us: 312 });
            assert_eq!(
                (r.link.rssi, r.link.integrity, r.link.velocity),
                (14, 11, 0.03)
            );
            assert_eq!(r.payload, &payload[..]);
        });
    }
    // `+++AT:34:RECVIM,2,1,2,ack,312,14,11,0.03,36`
    one(
        Mode::Data,
        b"+++AT:34:RECVIM,2,1,2,ack,312,14,11,0.03,36\r\n",
        |_, m| {
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!(r.payload, b"36");
            assert_eq!((r.src, r.dst, r.link.velocity), (1, 2, 0.03));
        },
    );
}

#[test]
fn recvim_with_pid_61() {
    // `+++AT:61:RECVIM,p0,18,2,3,ack,340015,-32,133,0.0534,<18 bytes>`: 43 + 18.
    for payload in payloads(18) {
        let mut input = b"+++AT:61:RECVIM,p0,18,2,3,ack,340015,-32,133,0.0534,".to_vec();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n");
        one(Mode::Data, &input, |o, m| {
            assert_eq!(o, Origin::Notification);
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!((r.pid, r.src, r.dst, r.flag), (Some(0), 2, 3, ImFlag::Ack));
            assert_eq!(
                r.timing,
                ImTiming::Duration {
                    duration_us: 340_015
                }
            );
            assert_eq!(r.link.rssi, -32);
            assert_eq!(r.link.integrity, 133);
            assert_eq!(r.link.velocity, 0.0534);
            assert_eq!(r.payload, &payload[..]);
        });
    }
}

#[test]
fn usbllong_118() {
    let input = b"+++AT:118:USBLLONG,455.600823,455.346033,1,1.2601,0.9197,-0.3958,1.2601,0.9197,-0.3958,0.0000,-0.0000,0.0000,1073,-37,146,0.0022\r\n";
    one(Mode::Data, input, |o, m| {
        assert_eq!(o, Origin::Notification);
        let Message::Status { kind, args } = m else {
            panic!("{m:?}")
        };
        assert_eq!(kind, StatusKind::UsblLong);
        assert_eq!(args.split(',').count(), 16);
        assert_eq!(args.split(',').next(), Some("455.600823"));
        assert_eq!(args.split(',').next_back(), Some("0.0022"));
    });
}

#[test]
fn raw_data_then_frame() {
    // `12345++++AT:5:12345\r\n`: data bytes ending in '+', then a frame.
    let ev = run(Mode::Data, &[b"12345++++AT:5:12345\r\n"]);
    assert_eq!(
        ev,
        vec![
            Ev::Raw(b"12345+".to_vec()),
            Ev::Msg(format!(
                "{:?} {:?}",
                Origin::Notification,
                Message::Text(b"12345")
            )),
        ]
    );
}

#[test]
fn recvim_command_mode_and_firmware_layouts() {
    // Command-mode example `RECVIM,5,1,2,ack,312,14,11,0.03,<5 bytes>\r\n`.
    for payload in payloads(5) {
        let mut input = b"RECVIM,5,1,2,ack,312,14,11,0.03,".to_vec();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n");
        one(Mode::Command, &input, |o, m| {
            assert_eq!(o, Origin::Line);
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!(r.timing, ImTiming::Duration { duration_us: 312 });
            assert_eq!(r.payload, &payload[..]);
        });
    }
    // Firmware 1.6: len, src, dst, flag, bitrate, rssi, integrity, ptime, velocity, data.
    for payload in payloads(7) {
        let mut input = b"RECVIM,7,3,1,noack,976,-41,120,4310000,0.5,".to_vec();
        input.extend_from_slice(&payload);
        input.extend_from_slice(b"\r\n");
        one(Mode::Command, &input, |_, m| {
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!((r.src, r.dst, r.flag), (3, 1, ImFlag::NoAck));
            assert_eq!(
                r.timing,
                ImTiming::Fw16 {
                    bitrate: 976,
                    ptime_us: 4_310_000
                }
            );
            assert_eq!(
                (r.link.rssi, r.link.integrity, r.link.velocity),
                (-41, 120, 0.5)
            );
            assert_eq!(r.payload, &payload[..]);
        });
    }
    // Later layout whose velocity prints as an integer: the 1.6 reading has no valid
    // velocity field, the later one passes.
    one(
        Mode::Command,
        b"RECVIM,5,1,2,ack,312,14,11,0,hello\r\n",
        |_, m| {
            let Message::RecvIm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!(r.timing, ImTiming::Duration { duration_us: 312 });
            assert_eq!(r.link.velocity, 0.0);
            assert_eq!(r.payload, b"hello");
        },
    );
}

#[test]
fn other_receive_notifications() {
    // RECVIMS: len, src, dst, timestamp, dur, rssi, int, vel, data.
    one(
        Mode::Command,
        b"RECVIMS,3,2,1,1234567890,340015,-50,150,0.01,a\r\n\r\n",
        |_, m| {
            let Message::RecvIms(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!(
                (r.src, r.dst, r.timestamp_us, r.duration_us),
                (2, 1, 1_234_567_890, 340_015)
            );
            assert_eq!(
                (r.link.rssi, r.link.integrity, r.link.velocity),
                (-50, 150, 0.01)
            );
            assert_eq!(r.payload, b"a\r\n");
        },
    );
    // RECVPBM: len, src, dst, dur, rssi, int, vel, data.
    one(
        Mode::Command,
        b"RECVPBM,p7,2,4,5,1000,-60,90,-0.2,\xff\x00\r\n",
        |_, m| {
            let Message::RecvPbm(r) = m else {
                panic!("{m:?}")
            };
            assert_eq!((r.pid, r.src, r.dst, r.duration_us), (Some(7), 4, 5, 1000));
            assert_eq!(r.link.velocity, -0.2);
            assert_eq!(r.payload, b"\xff\x00");
        },
    );
    // RECV (burst): len, src, dst, bitrate, rssi, int, ptime, vel, data, up to 1024 bytes.
    let payload: Vec<u8> = (0..1024u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut input = b"RECV,1024,2,1,6000,-45,180,4300000,0.0000,".to_vec();
    input.extend_from_slice(&payload);
    input.extend_from_slice(b"\r\n");
    one(Mode::Command, &input, |_, m| {
        let Message::Recv(r) = m else { panic!("{m:?}") };
        assert_eq!(
            (r.src, r.dst, r.bitrate, r.ptime_us),
            (2, 1, 6000, 4_300_000)
        );
        assert_eq!((r.link.rssi, r.link.integrity), (-45, 180));
        assert_eq!(r.payload, &payload[..]);
    });
    // …and framed in data mode (body 1024 + header).
    let body = &input[..input.len() - 2];
    one(Mode::Data, &frame(body), |_, m| {
        let Message::Recv(r) = m else { panic!("{m:?}") };
        assert_eq!(r.payload, &payload[..]);
    });
}

#[test]
fn status_and_delivery_lines() {
    let cases: Vec<(&[u8], Message<'static>)> = vec![
        (b"DELIVEREDIM,2", Message::DeliveredIm { dst: 2 }),
        (b"FAILEDIM,2", Message::FailedIm { dst: 2 }),
        (b"CANCELEDIM,2", Message::CanceledIm { dst: 2 }),
        (b"DELIVERED,120,3", Message::Delivered { cnt: 120, dst: 3 }),
        (b"FAILED,120,3", Message::Failed { cnt: 120, dst: 3 }),
        (b"EXPIREDIMS,4", Message::ExpiredIms { dst: Some(4) }),
        (b"EXPIREDIMS", Message::ExpiredIms { dst: None }),
        (b"CANCELEDIMS,4", Message::CanceledIms { dst: 4 }),
        (b"CANCELEDPBM,4", Message::CanceledPbm { dst: 4 }),
        (b"OK", Message::Ok),
        (b"ERROR EFAULT", Message::Error { reason: "EFAULT" }),
        (b"ERROR OVERLOAD", Message::Error { reason: "OVERLOAD" }),
        (
            b"BUSY BACKOFF STATE",
            Message::Busy {
                reason: "BACKOFF STATE",
            },
        ),
        (
            b"RECVSTART",
            Message::Status {
                kind: StatusKind::RecvStart,
                args: "",
            },
        ),
        (
            b"RECVEND,3349740869,182272,-40,120,0.1000",
            Message::Status {
                kind: StatusKind::RecvEnd,
                args: "3349740869,182272,-40,120,0.1000",
            },
        ),
        (
            b"RECVFAILED,-0.03,-50,40",
            Message::Status {
                kind: StatusKind::RecvFailed,
                args: "-0.03,-50,40",
            },
        ),
        (
            b"SENDSTART,2,im,340015,0",
            Message::Status {
                kind: StatusKind::SendStart,
                args: "2,im,340015,0",
            },
        ),
        (
            b"SENDEND,2,im,1234,340015",
            Message::Status {
                kind: StatusKind::SendEnd,
                args: "2,im,1234,340015",
            },
        ),
        (
            b"BITRATE,local,976",
            Message::Status {
                kind: StatusKind::Bitrate,
                args: "local,976",
            },
        ),
        (
            b"SRCLEVEL,3",
            Message::Status {
                kind: StatusKind::SrcLevel,
                args: "3",
            },
        ),
        (
            b"DROPCNT,0",
            Message::Status {
                kind: StatusKind::DropCnt,
                args: "0",
            },
        ),
        (
            b"PHYON",
            Message::Status {
                kind: StatusKind::PhyOn,
                args: "",
            },
        ),
        (
            b"PHYOFF",
            Message::Status {
                kind: StatusKind::PhyOff,
                args: "",
            },
        ),
        (
            b"OFFLINE CONNECTION FAILED",
            Message::Text(b"OFFLINE CONNECTION FAILED"),
        ),
    ];
    for (line, want) in cases {
        let mut input = line.to_vec();
        input.extend_from_slice(b"\r\n");
        one(Mode::Command, &input, |o, m| {
            assert_eq!(o, Origin::Line);
            assert_eq!(m, want, "{}", String::from_utf8_lossy(line));
        });
        one(Mode::Data, &frame(line), |o, m| {
            assert_eq!(o, Origin::Notification);
            assert_eq!(m, want);
        });
    }
}

/// Every test vector of §2 as one stream, with async lines between; fed split at every byte
/// position (two reads) and one byte at a time, it gives the same events as one read.
#[test]
fn split_at_every_byte_gives_same_events() {
    let mut cmd_stream = Vec::new();
    cmd_stream.extend_from_slice(b"RECVIM,5,1,2,ack,312,14,11,0.03,\r\n+\x00+\r\n");
    cmd_stream.extend_from_slice(b"RECVEND,3349740869,182272,-40,120,0.1000\r\n");
    cmd_stream.extend_from_slice(b"+++AT*SENDIM:2:OK\r\n");
    cmd_stream
        .extend_from_slice(b"\x01\xffjunkRECVIM,7,3,1,noack,976,-41,120,4310000,0.5,+++AT\r\n\r\n");
    cmd_stream.extend_from_slice(b"OFFLINE CONNECTION FAILED\r\nERROR OVERLOAD\r\n");
    cmd_stream.extend_from_slice(b"RECVIM,5,1,2,ack,3"); // truncated …
    cmd_stream.extend_from_slice(
        b"DELIVEREDIM,2\r\nBUSY x\r\n\r\n\x00\r\nRECVIMS,1,2,1,5,6,-1,2,0.0,z\r\n",
    );
    cmd_stream.extend_from_slice(b"+++AT:2:OK\r\n");

    let mut data_stream = Vec::new();
    data_stream.extend_from_slice(b"12345++++AT:5:12345\r\n");
    data_stream.extend_from_slice(b"+++AT?MODE:2:AT\r\n");
    data_stream.extend_from_slice(b"+++AT:37:RECVIM,5,1,2,ack,312,14,11,0.03,\r\n+++\r\n");
    data_stream.extend_from_slice(b"raw burst + bytes ++");
    data_stream.extend_from_slice(
        b"+++AT:61:RECVIM,p0,18,2,3,ack,340015,-32,133,0.0534,0123456789abcdefgh\r\n",
    );
    data_stream.extend_from_slice(b"+++AT:9:bad length\r\n"); // bad frame: garbage
    data_stream.extend_from_slice(b"+++AT:118:USBLLONG,455.600823,455.346033,1,1.2601,0.9197,-0.3958,1.2601,0.9197,-0.3958,0.0000,-0.0000,0.0000,1073,-37,146,0.0022\r\n");
    data_stream.extend_from_slice(b"tail+");

    // (mode, stream, messages, garbage events) expected from one read.
    let cases = [
        (Mode::Command, &cmd_stream, 10, 3),
        (Mode::Data, &data_stream, 5, 1),
    ];
    for (mode, stream, n_msg, n_garbage) in cases {
        let whole = run(mode, &[stream]);
        let messages = whole.iter().filter(|e| matches!(e, Ev::Msg(_))).count();
        let garbage = whole
            .iter()
            .filter(|e| matches!(e, Ev::Garbage(..)))
            .count();
        assert_eq!((messages, garbage), (n_msg, n_garbage), "{whole:#?}");
        for i in 0..=stream.len() {
            let (a, b) = stream.split_at(i);
            assert_eq!(run(mode, &[a, b]), whole, "split at {i}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(run(mode, &bytes), whole, "byte by byte");
    }
}

#[test]
fn junk_glued_to_recvim_keeps_the_recvim() {
    let ev = run(
        Mode::Command,
        &[b"\x01\xffjunkRECVIM,2,1,2,ack,312,14,11,0.03,hi\r\nOK\r\n"],
    );
    assert_eq!(ev.len(), 3, "{ev:#?}");
    assert_eq!(ev[0], Ev::Garbage(6, HostParseError::Junk));
    assert!(matches!(&ev[1], Ev::Msg(s) if s.contains("RecvIm") && s.contains("[104, 105]")));
    assert!(matches!(&ev[2], Ev::Msg(s) if s.ends_with(" Ok")));
}

#[test]
fn typed_errors_name_the_fault() {
    let cases: Vec<(&[u8], HostParseError)> = vec![
        (
            b"RECVIM,5,1,2,yes,312,14,11,0.03,hello\r\n",
            HostParseError::BadFlag { message: "RECVIM" },
        ),
        (
            b"RECVIM,99,1,2,ack,312,14,11,0.03,x\r\n",
            HostParseError::LengthTooLarge {
                message: "RECVIM",
                len: 99,
                max: 64,
            },
        ),
        (
            b"RECVIM,5,1,2,ack,312,x14,11,0.03,hello\r\n",
            HostParseError::NotANumber {
                message: "RECVIM",
                field: "rssi",
            },
        ),
        (
            b"RECVIM,5,1,300,ack,312,14,11,0.03,hello\r\n",
            HostParseError::OutOfRange {
                message: "RECVIM",
                field: "dst",
            },
        ),
        (
            b"RECV,3,1,2,6000,-45,180,4300000,0.0,abcd\r\n",
            HostParseError::NoLineEndAfterPayload {
                message: "RECV",
                len: 3,
            },
        ),
        (
            b"DELIVEREDIM,300\r\n",
            HostParseError::OutOfRange {
                message: "DELIVEREDIM",
                field: "dst",
            },
        ),
        (
            b"DELIVERED,5\r\n",
            HostParseError::MissingField {
                message: "DELIVERED",
                field: "dst",
            },
        ),
        (
            b"FAILEDIM,1,2\r\n",
            HostParseError::ExtraField {
                message: "FAILEDIM",
            },
        ),
        (
            b"+++AT:5:1234567\r\n",
            HostParseError::FrameMissingCrLf { len: 5 },
        ),
        (b"+++AT:x:\r\n", HostParseError::BadFrameLength),
        (
            b"+++AT:99999:\r\n",
            HostParseError::FrameTooLarge { len: 99999 },
        ),
        (
            b"+++AT:34:RECVIM,5,1,2,ack,312,14,11,0.03,hi\r\n",
            HostParseError::FrameLengthMismatch {
                message: "RECVIM",
                len: 5,
            },
        ),
        (b"\x00\x01\r\n", HostParseError::NotText),
        (
            b"RECVIM,5,1,2,ack,312,14,11,0.03,he",
            HostParseError::Truncated,
        ),
    ];
    for (input, want) in cases {
        let ev = run(Mode::Command, &[input]);
        assert_eq!(
            ev.first(),
            Some(&Ev::Garbage(input.len(), want)),
            "{}",
            String::from_utf8_lossy(input)
        );
        let text = want.to_string();
        assert!(!text.is_empty());
    }
    assert_eq!(
        HostParseError::NotANumber {
            message: "RECVIM",
            field: "rssi"
        }
        .to_string(),
        "RECVIM: field `rssi` is not a number"
    );
}

#[test]
fn runaway_line_is_discarded_and_counted() {
    let mut p: HostParser = HostParser::new(Mode::Command);
    let mut events = Vec::new();
    let junk = vec![b'x'; 5000];
    p.feed(&junk, |ev| push_ev(&mut events, ev));
    assert!(p.buffered() <= protocol::hostif::DEFAULT_CAPACITY);
    p.feed(b"\r\nOK\r\n", |ev| push_ev(&mut events, ev));
    p.feed_end(|ev| push_ev(&mut events, ev));
    let garbage: usize = events
        .iter()
        .map(|e| match e {
            Ev::Garbage(n, HostParseError::Overlong) => *n,
            Ev::Garbage(_, e) => panic!("unexpected {e:?}"),
            _ => 0,
        })
        .sum();
    assert_eq!(garbage, 5002);
    assert_eq!(p.stats().garbage_bytes, 5002);
    assert!(matches!(events.last(), Some(Ev::Msg(s)) if s.ends_with(" Ok")));
}

fn commands(mode: Mode, input: &[u8]) -> Vec<String> {
    let mut p: CommandParser = CommandParser::new(mode);
    let mut out = Vec::new();
    p.feed(input, |ev| out.push(format!("{ev:?}")));
    p.feed_end(|ev| out.push(format!("{ev:?}")));
    out
}

#[test]
fn host_commands() {
    // `+++AT*SENDIM,8,1,ack,test1234` (host command, data mode), with a line end.
    let mut p: CommandParser = CommandParser::new(Mode::Data);
    p.push(b"+++AT*SENDIM,8,1,ack,test1234\n");
    assert_eq!(
        p.poll(),
        Some(CommandEvent::Command {
            framed: true,
            command: Command::SendIm {
                pid: None,
                dst: 1,
                flag: ImFlag::Ack,
                payload: b"test1234"
            },
        })
    );
    assert_eq!(p.poll(), None);

    // Command mode, each line ending; binary payload by length.
    for eol in [&b"\n"[..], b"\r", b"\r\n"] {
        let mut input = Vec::new();
        for c in [&b"ATC"[..], b"ATO", b"AT?X", b"AT!RI3", b"AT@ZX1", b"AT?AL"] {
            input.extend_from_slice(c);
            input.extend_from_slice(eol);
        }
        input.extend_from_slice(b"AT*SENDIM,p3,6,2,noack,\r\n\x00\xff+,");
        input.extend_from_slice(eol);
        input.extend_from_slice(b"AT*SENDIMS,2,9,,ok");
        input.extend_from_slice(eol);
        input.extend_from_slice(b"AT*SENDIMS,2,9,1000000,ok");
        input.extend_from_slice(eol);
        input.extend_from_slice(b"AT*SENDPBM,1,9,z");
        input.extend_from_slice(eol);
        input.extend_from_slice(b"AT*SEND,3,9,a\nb");
        input.extend_from_slice(eol);
        let whole = commands(Mode::Command, &input);
        let want: Vec<String> = [
            Command::Other("ATC"),
            Command::Other("ATO"),
            Command::Other("AT?X"),
            Command::Other("AT!RI3"),
            Command::Other("AT@ZX1"),
            Command::Other("AT?AL"),
            Command::SendIm {
                pid: Some(3),
                dst: 2,
                flag: ImFlag::NoAck,
                payload: b"\r\n\x00\xff+,",
            },
            Command::SendIms {
                pid: None,
                dst: 9,
                ref_us: None,
                payload: b"ok",
            },
            Command::SendIms {
                pid: None,
                dst: 9,
                ref_us: Some(1_000_000),
                payload: b"ok",
            },
            Command::SendPbm {
                pid: None,
                dst: 9,
                payload: b"z",
            },
            Command::Send {
                pid: None,
                dst: 9,
                payload: b"a\nb",
            },
        ]
        .iter()
        .map(|c| {
            format!(
                "{:?}",
                CommandEvent::Command {
                    framed: false,
                    command: *c
                }
            )
        })
        .collect();
        assert_eq!(whole, want);
        for i in 0..=input.len() {
            let mut p: CommandParser = CommandParser::new(Mode::Command);
            let mut out = Vec::new();
            p.feed(&input[..i], |ev| out.push(format!("{ev:?}")));
            p.feed(&input[i..], |ev| out.push(format!("{ev:?}")));
            p.feed_end(|ev| out.push(format!("{ev:?}")));
            assert_eq!(out, whole, "split at {i}");
        }
    }
}

#[test]
fn host_command_errors_and_raw_data() {
    let ev = commands(Mode::Command, b"hello\nAT*SENDIM,65,1,ack,x\nATO\n");
    assert_eq!(ev.len(), 3);
    assert!(ev[0].contains("NotACommand"));
    assert!(ev[1].contains("LengthTooLarge") && ev[1].contains("max: 64"));
    assert!(ev[2].contains("Other(\"ATO\")"));
    let ev = commands(Mode::Data, b"burst bytes++++ATC\nmore");
    assert_eq!(
        ev,
        vec![
            format!("{:?}", CommandEvent::RawData(b"burst bytes+")),
            format!(
                "{:?}",
                CommandEvent::Command {
                    framed: true,
                    command: Command::Other("ATC")
                }
            ),
            format!("{:?}", CommandEvent::RawData(b"more")),
        ]
    );
}
