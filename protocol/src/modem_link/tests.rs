extern crate std;
use super::*;
use crate::fragment::Fragments;
use crate::hostif::{
    encode_message_to_slice, CommandEvent, CommandParser, ImTiming, Origin, RecvIm,
};
use crate::message::{CtdBatch, CtdSample, MAX_MESSAGE_LEN};
use std::vec::Vec;

const MIN: i64 = 60_000;

fn t(ms: i64) -> UtcTime {
    UtcTime(1_800_000_000_000 + ms)
}

fn batch(time: u32) -> Message {
    let samples = (0..8u8)
        .map(|slot| CtdSample {
            slot,
            temperature: Some(130_000 + i32::from(slot)),
            conductivity: Some(440_000),
            pressure: Some(500_000),
            oxygen: None,
        })
        .collect();
    Message::CtdBatch(CtdBatch { time, samples })
}

/// The frames of one batch, starting at `seq`.
fn frames(m: &Message, seq: u16) -> Vec<Vec<u8>> {
    let mut payload = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut payload).unwrap();
    let mut f = Fragments::new(m.msg_type(), 1, true, seq, &payload[..n], 64).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    while let Some(r) = f.next_frame(&mut buf) {
        out.push(buf[..r.unwrap().1].to_vec());
    }
    out
}

/// A frame as the MII modem hands it to the host: `RECVIM,…` from modem address 7.
fn recvim(frame: &[u8]) -> Vec<u8> {
    let m = HostMessage::RecvIm(RecvIm {
        pid: None,
        src: 7,
        dst: 1,
        flag: ImFlag::Ack,
        timing: ImTiming::Duration {
            duration_us: 340_015,
        },
        link: LinkQuality {
            rssi: -32,
            integrity: 133,
            velocity: 0.05,
        },
        payload: frame,
    });
    let mut out = [0u8; 200];
    let n = encode_message_to_slice(Origin::Line, &m, &mut out).unwrap();
    out[..n].to_vec()
}

fn feed(link: &mut ModemLink, bytes: &[u8], now: UtcTime) -> Vec<LinkEvent> {
    let mut ev = Vec::new();
    link.feed(bytes, now, |e| ev.push(e));
    ev
}

fn batches(ev: &[LinkEvent]) -> Vec<u32> {
    ev.iter()
        .filter_map(|e| match e {
            LinkEvent::Message {
                message: Message::CtdBatch(b),
                ..
            } => Some(b.time),
            _ => None,
        })
        .collect()
}

/// Parses the link's downlink output back into the request it carries.
fn downlink_request(bytes: &[u8]) -> (u8, RepeatRequest) {
    let mut p: CommandParser = CommandParser::new(Mode::Command);
    let mut got = None;
    p.feed(bytes, |e| {
        if let CommandEvent::Command {
            command: Command::SendIm {
                dst, flag, payload, ..
            },
            ..
        } = e
        {
            assert_eq!(flag, ImFlag::Ack);
            let f = decode_frame(payload).unwrap();
            assert_eq!(f.header.source, GATEWAY_SOURCE);
            let Message::RepeatRequest(r) = Message::decode(f.header.msg_type, f.payload).unwrap()
            else {
                panic!()
            };
            got = Some((dst, r));
        }
    });
    got.unwrap()
}

#[test]
fn lost_frames_are_requested_and_recovered() {
    let mut link = ModemLink::new(ModemLinkConfig::default());
    let all: Vec<Vec<Vec<u8>>> = (0..6)
        .map(|k| frames(&batch(1000 + k), (k * 2) as u16))
        .collect();
    let mut got = Vec::new();
    let mut requested = 0;
    for (k, fr) in all.iter().enumerate() {
        for (i, f) in fr.iter().enumerate() {
            if (k, i) == (2, 1) || k == 3 {
                continue; // lost on the channel
            }
            let ev = feed(&mut link, &recvim(f), t(k as i64 * 30 * MIN));
            requested += ev
                .iter()
                .filter(|e| matches!(e, LinkEvent::RepeatRequested { .. }))
                .count();
            got.extend(batches(&ev));
        }
    }
    assert_eq!(got, [1000, 1001, 1004, 1005]);
    // the gap (seq 5–7) was seen at the 4th poll; its request went out with the 5th,
    // once the 10-minute grace period had passed
    assert_eq!(requested, 1);
    let cmd = link.poll_transmit().expect("a repeat request").to_vec();
    assert!(link.poll_transmit().is_none());
    let (dst, req) = downlink_request(&cmd);
    assert_eq!(dst, 7, "sent to the modem address the frames came from");
    assert_eq!(req.seqs().collect::<Vec<_>>(), [5, 6, 7]);
    // nothing more until the modem reports delivery
    link.handle_time(t(6 * 30 * MIN), |_| {});
    assert!(link.poll_transmit().is_none());
    feed(&mut link, b"DELIVEREDIM,7\r\n", t(6 * 30 * MIN));
    // the controller resends; a duplicate of an old frame is dropped
    let mut late = Vec::new();
    for f in [&all[2][1], &all[3][0], &all[3][1], &all[0][0]] {
        late.extend(batches(&feed(&mut link, &recvim(f), t(6 * 30 * MIN + 1))));
    }
    late.sort();
    assert_eq!(late, [1002, 1003]);
    assert_eq!(link.repair().missing(1), 0);
    assert_eq!(link.reassembler().stats().duplicates, 1);
}

#[test]
fn garbage_and_bad_frames_are_reported_not_fatal() {
    let mut link = ModemLink::new(ModemLinkConfig::default());
    let fr = frames(&batch(5), 0);
    let mut corrupt = fr[0].clone();
    corrupt[10] ^= 1;
    let mut stream = b"\x00\xffjunk".to_vec();
    stream.extend(recvim(&corrupt));
    stream.extend(b"BUSY BACKOFF\r\n");
    stream.extend(recvim(&fr[0]));
    stream.extend(recvim(&fr[1]));
    let ev = feed(&mut link, &stream, t(0));
    assert_eq!(batches(&ev), [5]);
    assert!(ev.iter().any(|e| matches!(
        e,
        LinkEvent::BadFrame {
            error: FrameError::BadCrc { .. },
            ..
        }
    )));
    assert!(ev.iter().any(|e| matches!(e, LinkEvent::Garbage { .. })));
    assert!(ev
        .iter()
        .any(|e| matches!(e, LinkEvent::ModemError { busy: true })));
    assert_eq!(link.stats().bad_frames, 1);
}

/// The message of the link's one pending downlink command, and where it goes.
fn downlink_message(link: &mut ModemLink) -> Option<(u8, Message)> {
    let bytes = link.poll_transmit()?.to_vec();
    let mut p: CommandParser = CommandParser::new(Mode::Command);
    let mut got = None;
    p.feed(&bytes, |e| {
        if let CommandEvent::Command {
            command: Command::SendIm { dst, payload, .. },
            ..
        } = e
        {
            let f = decode_frame(payload).unwrap();
            got = Some((dst, Message::decode(f.header.msg_type, f.payload).unwrap()));
        }
    });
    got
}

#[test]
fn acknowledges_the_gap_free_run_and_stops_at_a_gap_or_a_held_fragment() {
    let h = 60 * MIN;
    let mut link = ModemLink::new(ModemLinkConfig::default());
    // polls every 30 min, two frames each: 0-1, 2-3, … ; frame 5 lost, frame 8 arrives but
    // its message's second frame (9) does not
    for k in 0..5u16 {
        for (i, f) in frames(&batch(1000 + u32::from(k)), k * 2)
            .iter()
            .enumerate()
        {
            let seq = k * 2 + i as u16;
            if seq == 5 || seq == 9 {
                continue;
            }
            feed(&mut link, &recvim(f), t(i64::from(k) * 30 * MIN));
        }
    }
    assert_eq!(
        link.gap_free_through(1),
        Some(3),
        "frame 5 is missing, and frame 4 waits for it in the reassembler"
    );
    // the repeat request comes first; its delivery and the resent frame close the gap
    let (dst, msg) = downlink_message(&mut link).expect("repeat request after the grace");
    assert_eq!(dst, 7);
    assert!(matches!(msg, Message::RepeatRequest(_)), "{msg:?}");
    feed(&mut link, b"DELIVEREDIM,7\r\n", t(2 * h + 1));
    let resent = frames(&batch(1002), 4);
    feed(&mut link, &recvim(&resent[1]), t(2 * h + 2));
    assert_eq!(
        link.gap_free_through(1),
        Some(7),
        "frame 8 waits for frame 9 in the reassembler"
    );
    // quiet since 2 h: at 5 h a status request, not yet an acknowledgement (the first is
    // due 6 h after node 1 was first heard)
    link.handle_time(t(5 * h), |_| {});
    let (_, msg) = downlink_message(&mut link).expect("a status request");
    assert!(matches!(msg, Message::StatusRequest(_)), "{msg:?}");
    feed(&mut link, b"DELIVEREDIM,7\r\n", t(5 * h + 1));
    assert!(link.poll_transmit().is_none());
    let mut events = Vec::new();
    link.handle_time(t(6 * h), |e| events.push(e));
    let (dst, msg) = downlink_message(&mut link).expect("an acknowledgement");
    assert_eq!(dst, 7);
    let want = Ack {
        target: 1,
        through_seq: 7,
    };
    assert_eq!(msg, Message::Ack(want));
    assert!(events.contains(&LinkEvent::Acknowledged { ack: want }));
    assert_eq!(link.feedback().acked_through(1), None, "not delivered yet");
    feed(&mut link, b"DELIVEREDIM,7\r\n", t(6 * h + 1));
    assert_eq!(link.feedback().acked_through(1), Some(7));
}

#[test]
fn a_quiet_line_is_probed_and_no_deadline_is_due_while_a_command_is_out() {
    let mut link = ModemLink::new(ModemLinkConfig::default());
    for f in frames(&batch(1000), 0) {
        feed(&mut link, &recvim(&f), t(0));
    }
    // quiet for 2 h: a status request; until its report only its timeout is a deadline
    assert_eq!(link.next_deadline(), Some(t(120 * MIN)));
    let mut events = Vec::new();
    link.handle_time(t(120 * MIN), |e| events.push(e));
    assert_eq!(events, [LinkEvent::StatusRequested { source: 1 }]);
    let (_, msg) = downlink_message(&mut link).expect("a status request");
    assert_eq!(
        msg,
        Message::StatusRequest(crate::message::StatusRequest { target: 1 })
    );
    let report_timeout = ModemLinkConfig::default().delivery_timeout_ms;
    assert_eq!(
        link.next_deadline(),
        Some(t(120 * MIN + report_timeout)),
        "the acknowledgement due at 6 h waits for the report"
    );
    feed(&mut link, b"FAILEDIM,7\r\n", t(121 * MIN));
    // still quiet: asked again 2 h after the first probe
    assert_eq!(link.next_deadline(), Some(t(240 * MIN)));
    assert_eq!(link.feedback().stats().probes, 1);
}

#[test]
fn the_link_clock_removes_steps_back_and_keeps_steps_forward() {
    let mut c = LinkClock::default();
    assert_eq!(c.link_time(t(0)), t(0));
    assert_eq!(c.link_time(t(10 * MIN)), t(10 * MIN));
    // the host clock is set back an hour: no time passed for the link
    assert_eq!(c.link_time(t(-50 * MIN)), t(10 * MIN));
    assert_eq!(c.link_time(t(-49 * MIN)), t(11 * MIN));
    assert_eq!(c.steps_back_ms(), 60 * MIN);
    assert_eq!(c.host_time(t(15 * MIN)), t(-45 * MIN));
    // forward: time passed
    assert_eq!(c.link_time(t(1000 * MIN)), t(1060 * MIN));
    // 2100, then a reset RTC at 1970, then right again: one timeline, no time lost
    let mut c = LinkClock::default();
    let y2100 = UtcTime(4_102_444_800_000);
    c.link_time(y2100);
    assert_eq!(c.link_time(UtcTime(0)), y2100);
    assert_eq!(c.link_time(UtcTime(1000)), UtcTime(y2100.0 + 1000));
    // absurd times saturate, never overflow
    let mut c = LinkClock::default();
    c.link_time(UtcTime(i64::MAX));
    c.link_time(UtcTime(i64::MIN));
    c.link_time(UtcTime(i64::MAX));
}

#[test]
fn a_host_clock_set_back_a_year_does_not_silence_the_downlink() {
    let mut link = ModemLink::new(ModemLinkConfig::default());
    // a batch arrives, arming the acknowledgement and probe timers
    for f in frames(&batch(1), 0) {
        feed(&mut link, &recvim(&f), t(0));
    }
    let due = link.next_deadline().expect("a timer is armed");
    let wait = due.0 - t(0).0;
    assert!(wait > 0);
    // the host clock goes back a year; the deadline follows it
    let year = 365 * 24 * 60 * MIN;
    link.handle_time(t(-year), |_| {});
    assert_eq!(link.next_deadline(), Some(UtcTime(t(-year).0 + wait)));
    link.handle_time(UtcTime(t(-year).0 + wait), |_| {});
    assert!(
        downlink_message(&mut link).is_some(),
        "the downlink message went out on time, not a year later"
    );
}
