//! Property tests of the S2C host interface: no panics on any bytes, split invariance,
//! encode → parse identity, and garbage between messages losing no message.

use proptest::prelude::*;
use protocol::hostif::{
    encode_command, encode_message, Command, CommandEncoding, CommandEvent, CommandParser,
    HostEvent, HostParseError, HostParser, ImFlag, ImTiming, LineEnding, LinkQuality, Message,
    Mode, Origin, RecvBurst, RecvIm, RecvIms, RecvPbm, StatusKind, DEFAULT_CAPACITY,
};

/// Owned, comparable host event; adjacent raw data merged (its chunking carries no meaning).
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Msg(String),
    Raw(Vec<u8>),
    Garbage(usize, HostParseError),
}

fn push_ev(out: &mut Vec<Ev>, ev: HostEvent<'_>) {
    match ev {
        HostEvent::RawData(d) => match out.last_mut() {
            Some(Ev::Raw(r)) => r.extend_from_slice(d),
            _ => out.push(Ev::Raw(d.to_vec())),
        },
        HostEvent::Message { origin, message } => {
            out.push(Ev::Msg(format!("{origin:?} {message:?}")))
        }
        HostEvent::Garbage { bytes, error } => out.push(Ev::Garbage(bytes, error)),
    }
}

/// Feeds `data` cut at `cuts` (positions, any order), ends the stream; events and parser.
fn run_host(mode: Mode, data: &[u8], cuts: &[usize]) -> (Vec<Ev>, HostParser) {
    let mut p: HostParser = HostParser::new(mode);
    let mut out = Vec::new();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut last = 0;
    for c in cuts.into_iter().chain([data.len()]) {
        p.feed(&data[last..c], |ev| push_ev(&mut out, ev));
        assert!(p.buffered() <= DEFAULT_CAPACITY);
        last = c;
    }
    p.feed_end(|ev| push_ev(&mut out, ev));
    assert_eq!(p.buffered(), 0);
    (out, p)
}

fn run_cmd(mode: Mode, data: &[u8], cuts: &[usize]) -> Vec<String> {
    let mut p: CommandParser = CommandParser::new(mode);
    let mut out: Vec<String> = Vec::new();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut last = 0;
    let push = |out: &mut Vec<String>, ev: CommandEvent<'_>| match (ev, out.last_mut()) {
        // Merge adjacent raw data, as for the host parser.
        (CommandEvent::RawData(d), Some(prev)) if prev.starts_with("raw ") => {
            prev.push_str(&format!("{d:?}"))
        }
        (CommandEvent::RawData(d), _) => out.push(format!("raw {d:?}")),
        (ev, _) => out.push(format!("{ev:?}")),
    };
    for c in cuts.into_iter().chain([data.len()]) {
        p.feed(&data[last..c], |ev| push(&mut out, ev));
        last = c;
    }
    p.feed_end(|ev| push(&mut out, ev));
    out.into_iter().map(|s| s.replace("][", ", ")).collect()
}

// ---------------------------------------------------------------- message strategies

/// An owned message description, borrowed as a [`Message`] for encoding.
#[derive(Debug, Clone)]
enum Spec {
    RecvIm(Option<u16>, u8, u8, ImFlag, ImTiming, LinkQuality, Vec<u8>),
    RecvIms(Option<u16>, u8, u8, u64, u32, LinkQuality, Vec<u8>),
    RecvPbm(Option<u16>, u8, u8, u32, LinkQuality, Vec<u8>),
    Recv(Option<u16>, u8, u8, u32, u32, LinkQuality, Vec<u8>),
    Dst(u8, u8),
    Cnt(bool, u32, u8),
    ExpiredIms(Option<u8>),
    Ok,
    Busy(String),
    Error(String),
    Status(StatusKind, String),
    Text(Vec<u8>),
}

impl Spec {
    fn msg(&self) -> Message<'_> {
        match self {
            Spec::RecvIm(pid, src, dst, flag, timing, link, p) => Message::RecvIm(RecvIm {
                pid: *pid,
                src: *src,
                dst: *dst,
                flag: *flag,
                timing: *timing,
                link: *link,
                payload: p,
            }),
            Spec::RecvIms(pid, src, dst, ts, dur, link, p) => Message::RecvIms(RecvIms {
                pid: *pid,
                src: *src,
                dst: *dst,
                timestamp_us: *ts,
                duration_us: *dur,
                link: *link,
                payload: p,
            }),
            Spec::RecvPbm(pid, src, dst, dur, link, p) => Message::RecvPbm(RecvPbm {
                pid: *pid,
                src: *src,
                dst: *dst,
                duration_us: *dur,
                link: *link,
                payload: p,
            }),
            Spec::Recv(pid, src, dst, br, pt, link, p) => Message::Recv(RecvBurst {
                pid: *pid,
                src: *src,
                dst: *dst,
                bitrate: *br,
                ptime_us: *pt,
                link: *link,
                payload: p,
            }),
            Spec::Dst(k, dst) => match k % 5 {
                0 => Message::DeliveredIm { dst: *dst },
                1 => Message::FailedIm { dst: *dst },
                2 => Message::CanceledIm { dst: *dst },
                3 => Message::CanceledIms { dst: *dst },
                _ => Message::CanceledPbm { dst: *dst },
            },
            Spec::Cnt(ok, cnt, dst) if *ok => Message::Delivered {
                cnt: *cnt,
                dst: *dst,
            },
            Spec::Cnt(_, cnt, dst) => Message::Failed {
                cnt: *cnt,
                dst: *dst,
            },
            Spec::ExpiredIms(dst) => Message::ExpiredIms { dst: *dst },
            Spec::Ok => Message::Ok,
            Spec::Busy(r) => Message::Busy { reason: r },
            Spec::Error(r) => Message::Error { reason: r },
            Spec::Status(kind, args) => Message::Status { kind: *kind, args },
            Spec::Text(t) => Message::Text(t),
        }
    }
}

fn link() -> impl Strategy<Value = LinkQuality> {
    let vel = prop_oneof![
        -100.0f32..100.0,
        any::<f32>().prop_filter("finite", |v| v.is_finite()),
        Just(0.0f32),
    ];
    (any::<i16>(), any::<u16>(), vel).prop_map(|(rssi, integrity, velocity)| LinkQuality {
        rssi,
        integrity,
        velocity,
    })
}

fn flag() -> impl Strategy<Value = ImFlag> {
    prop_oneof![Just(ImFlag::Ack), Just(ImFlag::NoAck), Just(ImFlag::Force)]
}

fn im_payload() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=64)
}

fn spec() -> impl Strategy<Value = Spec> {
    let timing = prop_oneof![
        (any::<u32>(), any::<u32>())
            .prop_map(|(bitrate, ptime_us)| ImTiming::Fw16 { bitrate, ptime_us }),
        any::<u32>().prop_map(|duration_us| ImTiming::Duration { duration_us }),
    ];
    let pid = prop::option::of(any::<u16>());
    let kinds = prop::sample::select(StatusKind::ALL.to_vec());
    prop_oneof![
        (
            pid.clone(),
            any::<u8>(),
            any::<u8>(),
            flag(),
            timing,
            link(),
            im_payload()
        )
            .prop_map(|(a, b, c, d, e, f, g)| Spec::RecvIm(a, b, c, d, e, f, g)),
        (
            pid.clone(),
            any::<u8>(),
            any::<u8>(),
            any::<u64>(),
            any::<u32>(),
            link(),
            im_payload()
        )
            .prop_map(|(a, b, c, d, e, f, g)| Spec::RecvIms(a, b, c, d, e, f, g)),
        (
            pid.clone(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            link(),
            im_payload()
        )
            .prop_map(|(a, b, c, d, e, f)| Spec::RecvPbm(a, b, c, d, e, f)),
        (
            pid,
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            any::<u32>(),
            link(),
            prop::collection::vec(any::<u8>(), 0..=1024)
        )
            .prop_map(|(a, b, c, d, e, f, g)| Spec::Recv(a, b, c, d, e, f, g)),
        (any::<u8>(), any::<u8>()).prop_map(|(k, d)| Spec::Dst(k, d)),
        (any::<bool>(), any::<u32>(), any::<u8>()).prop_map(|(k, c, d)| Spec::Cnt(k, c, d)),
        prop::option::of(any::<u8>()).prop_map(Spec::ExpiredIms),
        Just(Spec::Ok),
        "[a-z0-9 ._-]{0,20}".prop_map(Spec::Busy),
        "[a-z0-9 ._-]{0,20}".prop_map(Spec::Error),
        (kinds, "[a-z0-9.,-]{0,40}").prop_map(|(k, a)| Spec::Status(k, a)),
        "[a-z][a-z0-9 .]{0,30}".prop_map(|t| Spec::Text(t.into_bytes())),
    ]
}

fn origin() -> impl Strategy<Value = (u8, String)> {
    (0u8..3, "AT[*?!@][A-Z]{1,8}")
}

fn make_origin(o: &(u8, String)) -> Origin<'_> {
    match o.0 {
        0 => Origin::Line,
        1 => Origin::Notification,
        _ => Origin::Reply { command: &o.1 },
    }
}

// ---------------------------------------------------------------- command strategies

#[derive(Debug, Clone)]
enum CmdSpec {
    SendIm(Option<u16>, u8, ImFlag, Vec<u8>),
    SendIms(Option<u16>, u8, Option<u64>, Vec<u8>),
    SendPbm(Option<u16>, u8, Vec<u8>),
    Send(Option<u16>, u8, Vec<u8>),
    Other(String),
}

impl CmdSpec {
    fn cmd(&self) -> Command<'_> {
        match self {
            CmdSpec::SendIm(pid, dst, flag, p) => Command::SendIm {
                pid: *pid,
                dst: *dst,
                flag: *flag,
                payload: p,
            },
            CmdSpec::SendIms(pid, dst, r, p) => Command::SendIms {
                pid: *pid,
                dst: *dst,
                ref_us: *r,
                payload: p,
            },
            CmdSpec::SendPbm(pid, dst, p) => Command::SendPbm {
                pid: *pid,
                dst: *dst,
                payload: p,
            },
            CmdSpec::Send(pid, dst, p) => Command::Send {
                pid: *pid,
                dst: *dst,
                payload: p,
            },
            CmdSpec::Other(s) => Command::Other(s),
        }
    }
}

fn cmd_spec() -> impl Strategy<Value = CmdSpec> {
    let pid = prop::option::of(any::<u16>());
    prop_oneof![
        (pid.clone(), any::<u8>(), flag(), im_payload())
            .prop_map(|(a, b, c, d)| CmdSpec::SendIm(a, b, c, d)),
        (
            pid.clone(),
            any::<u8>(),
            prop::option::of(any::<u64>()),
            im_payload()
        )
            .prop_map(|(a, b, c, d)| CmdSpec::SendIms(a, b, c, d)),
        (pid.clone(), any::<u8>(), im_payload()).prop_map(|(a, b, c)| CmdSpec::SendPbm(a, b, c)),
        (
            pid,
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..=1024)
        )
            .prop_map(|(a, b, c)| CmdSpec::Send(a, b, c)),
        "AT([CO]|[?!@][A-Z]{1,4}[0-9]{0,3})".prop_map(CmdSpec::Other),
    ]
}

fn line_ending() -> impl Strategy<Value = LineEnding> {
    prop_oneof![
        Just(LineEnding::Cr),
        Just(LineEnding::Lf),
        Just(LineEnding::CrLf)
    ]
}

/// Junk that cannot form or start a message: no `+`, CR, LF or upper-case letters, and a
/// leading NUL so that it is never a text line.
fn junk() -> impl Strategy<Value = Vec<u8>> {
    // Forbidden bytes are moved to the upper half (never ASCII), not filtered out.
    let byte = any::<u8>().prop_map(|b| {
        if matches!(b, b'+' | b'\r' | b'\n' | b'A'..=b'Z') {
            b | 0x80
        } else {
            b
        }
    });
    prop::collection::vec(byte, 0..40).prop_map(|mut v| {
        v.insert(0, 0);
        v
    })
}

/// The documented resynchronisation points: a message starting with one of these survives
/// junk glued in front of it.
const RESYNC: &[&[u8]] = &[
    b"+++AT",
    b"RECVIM,",
    b"RECVIMS,",
    b"RECVPBM,",
    b"RECV,",
    b"RECVSTART",
    b"RECVEND,",
    b"RECVFAILED,",
    b"DELIVEREDIM,",
    b"DELIVERED,",
    b"FAILEDIM,",
    b"FAILED,",
    b"CANCELEDIM,",
    b"CANCELEDIMS,",
    b"CANCELEDPBM,",
    b"EXPIREDIMS",
    b"SENDSTART,",
    b"SENDEND,",
    b"USBLLONG,",
    b"USBLANGLES,",
    b"USBLPHYD,",
    b"USBLPHYP,",
    b"BITRATE,",
    b"SRCLEVEL,",
    b"DROPCNT,",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes never panic, never overfill the buffer, and give the same events
    /// whatever the read boundaries.
    #[test]
    fn host_parser_any_bytes(data in prop::collection::vec(any::<u8>(), 0..3000),
                             cuts in prop::collection::vec(any::<usize>(), 0..8),
                             data_mode in any::<bool>()) {
        let mode = if data_mode { Mode::Data } else { Mode::Command };
        let (whole, p) = run_host(mode, &data, &[]);
        let (split, _) = run_host(mode, &data, &cuts);
        prop_assert_eq!(&split, &whole);
        let s = p.stats();
        prop_assert!(s.garbage_bytes + s.raw_bytes <= data.len() as u64);
    }

    /// Messages-looking bytes (keywords, frames, digits, commas) mixed at random.
    #[test]
    fn host_parser_tokens(tokens in prop::collection::vec(prop::sample::select(vec![
            &b"RECVIM,"[..], b"RECV,", b"RECVIMS,", b"RECVPBM,", b"+++AT", b":", b"5", b"1", b"0.03",
            b",", b"ack", b"p0", b"\r\n", b"\r", b"-32", b"OK", b"DELIVEREDIM,", b"hello",
            b"\xff", b"+", b"BUSY ", b"RECVEND,", b"+++AT:", b"12"]), 0..120),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            data_mode in any::<bool>()) {
        let data: Vec<u8> = tokens.concat();
        let mode = if data_mode { Mode::Data } else { Mode::Command };
        let (whole, _) = run_host(mode, &data, &[]);
        let (split, _) = run_host(mode, &data, &cuts);
        prop_assert_eq!(split, whole);
    }

    /// With a small buffer, overlong lines are cut and their tails skipped identically
    /// whatever the read boundaries, and memory stays bounded.
    #[test]
    fn small_buffer_split_invariance(tokens in prop::collection::vec(prop::sample::select(vec![
            &b"RECVIM,"[..], b"+++AT:", b"5", b"0.03", b",", b"ack", b"\r\n", b"OK", b"x",
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", b"\xff", b"DELIVEREDIM,2\r\n",
            b"AT*SENDIM,", b"\n", b"ATO\r"]), 0..150),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            data_mode in any::<bool>()) {
        let data: Vec<u8> = tokens.concat();
        let mode = if data_mode { Mode::Data } else { Mode::Command };
        let run = |cuts: &[usize]| {
            let mut p: HostParser<96> = HostParser::new(mode);
            let mut c: CommandParser<96> = CommandParser::new(mode);
            let mut out = Vec::new();
            let mut cmds = Vec::new();
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
            cuts.sort_unstable();
            let mut last = 0;
            for cut in cuts.into_iter().chain([data.len()]) {
                p.feed(&data[last..cut], |ev| push_ev(&mut out, ev));
                c.feed(&data[last..cut], |ev| cmds.push(format!("{ev:?}")));
                assert!(p.buffered() <= 96 && c.buffered() <= 96);
                last = cut;
            }
            p.feed_end(|ev| push_ev(&mut out, ev));
            c.feed_end(|ev| cmds.push(format!("{ev:?}")));
            (out, p.stats().garbage_bytes, cmds.len())
        };
        let whole = run(&[]);
        let split = run(&cuts);
        prop_assert_eq!(split.0, whole.0);
        prop_assert_eq!(split.1, whole.1);
        if !data_mode {
            prop_assert_eq!(split.2, whole.2);
        }
    }

    #[test]
    fn command_parser_any_bytes(data in prop::collection::vec(any::<u8>(), 0..3000),
                                cuts in prop::collection::vec(any::<usize>(), 0..8),
                                data_mode in any::<bool>()) {
        let mode = if data_mode { Mode::Data } else { Mode::Command };
        prop_assert_eq!(run_cmd(mode, &data, &cuts), run_cmd(mode, &data, &[]));
    }

    #[test]
    fn command_parser_tokens(tokens in prop::collection::vec(prop::sample::select(vec![
            &b"AT*SENDIM,"[..], b"AT*SEND,", b"AT*SENDIMS,", b"+++", b"AT", b"O", b"5", b"1",
            b",", b"ack", b"p0", b"\r\n", b"\r", b"\n", b"hello", b"\xff", b"+"]), 0..120),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
            data_mode in any::<bool>()) {
        let data: Vec<u8> = tokens.concat();
        let mode = if data_mode { Mode::Data } else { Mode::Command };
        prop_assert_eq!(run_cmd(mode, &data, &cuts), run_cmd(mode, &data, &[]));
    }

    /// encode → parse is the identity, in command mode (lines) and in data mode (frames).
    #[test]
    fn message_round_trip(s in spec(), o in origin(), data_mode in any::<bool>(), cut in any::<usize>()) {
        let origin = make_origin(&o);
        let msg = s.msg();
        let mut wire = Vec::new();
        let n = encode_message(origin, &msg, &mut wire).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(n, wire.len());
        let mode = if origin == Origin::Line || !data_mode { Mode::Command } else { Mode::Data };
        let (events, p) = run_host(mode, &wire, &[cut]);
        prop_assert_eq!(events, vec![Ev::Msg(format!("{origin:?} {msg:?}"))]);
        prop_assert_eq!(p.stats().garbage_bytes, 0);
        // The frame's <len> counts the body exactly.
        if origin != Origin::Line {
            let text = String::from_utf8_lossy(&wire);
            let len: usize = text.split(':').nth(1).and_then(|l| l.parse().ok()).unwrap();
            let header = wire.iter().enumerate().filter(|(_, &b)| b == b':').nth(1).unwrap().0 + 1;
            prop_assert_eq!(len, wire.len() - header - 2);
        }
    }

    /// Arbitrary binary text in a data-mode reply body survives too (when it is not itself
    /// another message, which the encoder refuses).
    #[test]
    fn binary_reply_round_trip(body in prop::collection::vec(any::<u8>(), 0..80)) {
        let msg = Message::Text(&body);
        let origin = Origin::Reply { command: "AT?X" };
        let mut wire = Vec::new();
        prop_assume!(encode_message(origin, &msg, &mut wire).is_ok());
        let (events, _) = run_host(Mode::Data, &wire, &[]);
        prop_assert_eq!(events, vec![Ev::Msg(format!("{origin:?} {msg:?}"))]);
    }

    #[test]
    fn command_round_trip(c in cmd_spec(), eol in line_ending(), framed in any::<bool>(),
                          data_mode in any::<bool>(), cut in any::<usize>()) {
        let cmd = c.cmd();
        let enc = CommandEncoding { line_ending: eol, framed };
        let mut wire = Vec::new();
        encode_command(&cmd, enc, &mut wire).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mode = if framed && data_mode { Mode::Data } else { Mode::Command };
        let got = run_cmd(mode, &wire, &[cut]);
        prop_assert_eq!(got, vec![format!("{:?}", CommandEvent::Command { framed, command: cmd })]);
    }

    /// Junk between messages (command mode) loses none of them and is counted exactly.
    /// Junk before a message that is not a resynchronisation point ends in CR LF (a junk line).
    #[test]
    fn junk_between_messages(items in prop::collection::vec((prop::option::of(junk()), spec(), origin()), 1..8),
                             tail in prop::option::of(junk()),
                             cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let mut wire = Vec::new();
        let mut want = Vec::new();
        let mut junk_bytes = 0usize;
        for (j, s, o) in &items {
            let origin = make_origin(o);
            let msg = s.msg();
            let mut m = Vec::new();
            encode_message(origin, &msg, &mut m).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            if let Some(j) = j {
                wire.extend_from_slice(j);
                junk_bytes += j.len();
                if !RESYNC.iter().any(|k| m.starts_with(k)) {
                    wire.extend_from_slice(b"\r\n");
                    junk_bytes += 2;
                }
            }
            wire.extend_from_slice(&m);
            want.push(format!("{origin:?} {msg:?}"));
        }
        if let Some(t) = &tail {
            wire.extend_from_slice(t);
            junk_bytes += t.len();
        }
        let (events, p) = run_host(Mode::Command, &wire, &cuts);
        let got: Vec<String> = events.iter().filter_map(|e| match e {
            Ev::Msg(s) => Some(s.clone()),
            _ => None,
        }).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(p.stats().garbage_bytes, junk_bytes as u64);
        prop_assert!(!events.iter().any(|e| matches!(e, Ev::Raw(_))));
    }

    /// In data mode, bytes between frames are burst data: all frames survive, and the raw
    /// data is exactly the bytes between them.
    #[test]
    fn raw_data_between_frames(items in prop::collection::vec((junk(), spec(), 1u8..3, "AT[*?!@][A-Z]{1,8}"), 1..6),
                               cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        let mut wire = Vec::new();
        let mut want = Vec::new();
        let mut raw = Vec::new();
        for (j, s, k, c) in &items {
            let o = (*k, c.clone());
            let origin = make_origin(&o);
            let msg = s.msg();
            wire.extend_from_slice(j);
            raw.extend_from_slice(j);
            encode_message(origin, &msg, &mut wire).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            want.push(Ev::Msg(format!("{origin:?} {msg:?}")));
        }
        let (events, p) = run_host(Mode::Data, &wire, &cuts);
        let got_raw: Vec<u8> = events.iter().flat_map(|e| match e {
            Ev::Raw(r) => r.clone(),
            _ => Vec::new(),
        }).collect();
        let msgs: Vec<Ev> = events.into_iter().filter(|e| matches!(e, Ev::Msg(_))).collect();
        prop_assert_eq!(msgs, want);
        prop_assert_eq!(got_raw, raw);
        prop_assert_eq!(p.stats().garbage_bytes, 0);
    }
}
