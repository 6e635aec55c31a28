//! Controller scenarios on a fake clock (see [`harness`]), and property tests.

mod harness;
mod props;

use super::*;
use harness::*;
use protocol::frame::{decode_frame, seq_add, seq_sub};
use protocol::message::{Ack, Message, RepeatRange, RepeatRequest, StatusRequest};
use std::boxed::Box;
use std::format;
use std::vec;
use std::vec::Vec;

fn batches(msgs: &[(u16, Message)]) -> Vec<&protocol::message::CtdBatch> {
    msgs.iter()
        .filter_map(|(_, m)| {
            if let Message::CtdBatch(b) = m {
                Some(b)
            } else {
                None
            }
        })
        .collect()
}

fn statuses(msgs: &[(u16, Message)]) -> Vec<&LineStatus> {
    msgs.iter()
        .filter_map(|(_, m)| {
            if let Message::LineStatus(s) = m {
                Some(s)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn the_start_up_status_reports_the_start_battery_then_the_set_one() {
    let cats = eight_cats();
    let cfg = ControllerConfig {
        start_battery_mv: 14_600,
        status_interval_s: 6 * 3600,
        ..config_for(&cats)
    };
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    m.run_until(T0 + 3 * 3600);
    m.ctl.set_battery_mv(14_550);
    m.run_until(T0 + 7 * 3600);
    let msgs = messages(&m.frames_by_seq());
    let st = statuses(&msgs);
    let got: Vec<(u32, u16)> = st.iter().map(|s| (s.clock, s.battery_mv)).collect();
    assert_eq!(got, [(T0, 14_600), (T0 + 6 * 3600, 14_550)]);
}

#[test]
fn a_day_of_polling_gives_48_exact_batches() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    m.ctl.set_battery_mv(12_345);
    m.run_until(T0 + 86_400 - 1);

    let msgs = messages(&m.frames_by_seq());
    let got = batches(&msgs);
    assert_eq!(got.len(), 48);
    for (i, b) in got.iter().enumerate() {
        let t = T0 + 1800 * i as u32;
        assert_eq!(b.time, t, "batch {i} time");
        assert_eq!(b.samples.len(), 8);
        for s in &b.samples {
            assert_eq!(
                Some(s),
                m.given.get(&(t, s.slot)),
                "batch {i} slot {}",
                s.slot
            );
        }
    }
    assert_eq!(m.given.len(), 48 * 8);
    let st = statuses(&msgs);
    assert_eq!(
        st.len(),
        1,
        "start-up status only (the daily one is due at the next midnight)"
    );
    assert_eq!(
        (st[0].clock, st[0].battery_mv, st[0].inventory.len()),
        (T0, 0, 8)
    );
    assert_eq!(m.ctl.status().battery_mv, 12_345);
    let c = m.ctl.counters();
    assert_eq!(
        (c.polls, c.replies, c.instrument_errors, c.line_errors),
        (48, 384, 0, 0)
    );
    assert_eq!((c.batches, c.failures, c.retries), (48, 0, 0));
    assert_eq!(c.frames_delivered, c.frames_built);
    assert_eq!(c.frames_sent, c.frames_built);
    // 8 samples = 82-byte payload = 2 frames at MTU 64; the status (8 entries, 79 bytes) too.
    assert_eq!(c.frames_built, 48 * 2 + 2);
    assert_eq!(m.ctl.next_seq(), 98);
    // Polls are at the slot times, fetches in configuration order after the settle wait.
    let gdata: Vec<u32> = m
        .line_log
        .iter()
        .filter(|(_, c)| c == b"GData\r\n")
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(gdata, (0..48).map(|i| T0 + 1800 * i).collect::<Vec<_>>());
    assert_eq!(
        m.line_log[1],
        (T0 + GDATA_SETTLE_S, b"!10Data\r\n".to_vec())
    );
    assert_eq!(
        m.line_log[2],
        (T0 + GDATA_SETTLE_S + 2, b"!13Data\r\n".to_vec())
    );
}

#[test]
fn status_at_midnight_and_on_request() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0 + 100);
    m.run_until(T0 + 86_400 + 60);
    m.modem_at(
        T0 + 86_400 + 3600,
        recvim(&Message::StatusRequest(StatusRequest { target: 1 })),
    );
    m.modem_at(
        T0 + 86_400 + 3601,
        recvim(&Message::StatusRequest(StatusRequest { target: 2 })),
    );
    m.run_until(T0 + 86_400 + 3700);
    let msgs = messages(&m.frames_by_seq());
    let st = statuses(&msgs);
    let clocks: Vec<u32> = st.iter().map(|s| s.clock).collect();
    assert_eq!(clocks, [T0 + 100, T0 + 86_400, T0 + 86_400 + 3600]);
    // Each status describes the controller after its own frames: next_seq follows them.
    for (seq, msg) in &msgs {
        if let Message::LineStatus(s) = msg {
            assert_eq!(s.next_seq, seq + 2, "status at seq {seq}");
            assert_eq!((s.ring_oldest_seq, s.ring_dropped), (0, 0));
        }
    }
    // The requested status went out ahead of the batch frames queued at that time.
    let requested = m
        .sends
        .iter()
        .position(|s| s.time >= T0 + 86_400 + 3600)
        .unwrap();
    let f = decode_frame(&m.sends[requested].frame).unwrap();
    assert_eq!(f.header.msg_type, protocol::frame::MessageType::LineStatus);
    let c = m.ctl.counters();
    assert_eq!(
        (c.status_sent, c.downlink_messages, c.downlink_other_node),
        (3, 1, 1)
    );
    // The first poll after a mid-slot start is at the next aligned slot.
    assert_eq!(m.line_log[0], (T0 + 1800, b"GData\r\n".to_vec()));
}

#[test]
fn failedim_is_retried_with_backoff_then_delivery_moves_on() {
    let cats = eight_cats();
    let mut cfg = config_for(&cats);
    cfg.retry_base_s = 30;
    cfg.max_retries = 3;
    // Every frame fails twice, then is delivered; outcomes come 10 s after the send.
    let script = Box::new(|s: &SendRecord| {
        let last = if s.previous < 2 {
            "FAILEDIM"
        } else {
            "DELIVEREDIM"
        };
        vec![
            (0, b"OK\r\n".to_vec()),
            (10, format!("{last},{}\r\n", s.dst).into_bytes()),
        ]
    });
    let mut m: Mooring<256> = Mooring::with_script(cats, cfg, T0, script);
    m.run_until(T0 + 3600);
    // Attempts of the first frame: t, then each failure (10 s later) + base × 2^k.
    let first = m.sends[0].frame.clone();
    let times: Vec<u32> = m
        .sends
        .iter()
        .filter(|s| s.frame == first)
        .map(|s| s.time)
        .collect();
    assert_eq!(times, [T0, T0 + 10 + 30, T0 + 10 + 30 + 10 + 60]);
    // The next frame goes out as soon as the third attempt's DELIVEREDIM arrives.
    let next = m.sends.iter().find(|s| s.frame != first).unwrap();
    assert_eq!(next.time, T0 + 120);
    let c = m.ctl.counters();
    assert_eq!(
        c.frames_delivered, c.frames_built,
        "every frame eventually delivered"
    );
    assert_eq!(
        (c.failures, c.retries, c.frames_given_up),
        (2 * c.frames_built, 2 * c.frames_built, 0)
    );
    assert_eq!(c.frames_sent, 3 * c.frames_built);
}

#[test]
fn a_frame_is_given_up_after_max_retries_and_stays_in_the_ring() {
    let mut cfg = config_for(&[]);
    cfg.max_retries = 2;
    cfg.retry_base_s = 5;
    let script = Box::new(|s: &SendRecord| {
        vec![
            (0, b"OK\r\n".to_vec()),
            (3, format!("FAILEDIM,{}\r\n", s.dst).into_bytes()),
        ]
    });
    // No instruments: no polls, only the start-up status (one frame with no inventory).
    let mut m: Mooring<16> = Mooring::with_script(Vec::new(), cfg, T0, script);
    m.run_until(T0 + 600);
    let c = m.ctl.counters();
    assert_eq!(
        (
            c.frames_built,
            c.failures,
            c.retries,
            c.frames_given_up,
            c.frames_sent
        ),
        (1, 3, 2, 1, 3)
    );
    let t: Vec<u32> = m.sends.iter().map(|s| s.time).collect();
    assert_eq!(t, [T0, T0 + 3 + 5, T0 + 3 + 5 + 3 + 10]);
    assert!(
        m.ctl.stored_frame(0).is_some(),
        "a given-up frame stays for selective repeat"
    );
    assert_eq!(c.modem_unexpected, 0);
}

#[test]
fn selective_repeat_resends_byte_identical_frames_from_the_ring() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    m.run_until(T0 + 3 * 3600);
    let before = m.frames_by_seq();
    let sent_before = m.sends.len();
    let mut ranges = heapless::Vec::new();
    ranges.push(RepeatRange { start: 3, len: 2 }).unwrap();
    ranges.push(RepeatRange { start: 9, len: 1 }).unwrap();
    ranges
        .push(RepeatRange {
            start: 4000,
            len: 3,
        })
        .unwrap(); // never built
    let t = T0 + 3 * 3600 + 100;
    m.modem_at(
        t,
        recvim(&Message::RepeatRequest(RepeatRequest { target: 1, ranges })),
    );
    m.run_until(t + 300);
    // (The poll at the request time adds new frames; the repeats are the frames sent again.)
    let resent: Vec<&SendRecord> = m.sends[sent_before..]
        .iter()
        .filter(|s| s.previous > 0)
        .collect();
    let seqs: Vec<u16> = resent
        .iter()
        .map(|s| decode_frame(&s.frame).unwrap().header.seq)
        .collect();
    assert_eq!(seqs, [3, 4, 9]);
    for (s, seq) in resent.iter().zip(&seqs) {
        assert_eq!(&s.frame, &before[seq], "seq {seq} resent byte-identical");
        assert_eq!(s.frame, m.ctl.stored_frame(*seq).unwrap());
    }
    let c = m.ctl.counters();
    assert_eq!((c.repeats_served, c.repeats_missing), (3, 3));
}

#[test]
fn an_outage_longer_than_the_ring_loses_exactly_the_oldest_frames() {
    const RING: usize = 32;
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let outage_end = T0 + 86_400 + 3600;
    // Every IM fails during the outage (the modem reports FAILEDIM after its own tries).
    let script = Box::new(move |s: &SendRecord| {
        let last = if s.time < outage_end {
            "FAILEDIM"
        } else {
            "DELIVEREDIM"
        };
        vec![
            (0, b"OK\r\n".to_vec()),
            (10, format!("{last},{}\r\n", s.dst).into_bytes()),
        ]
    });
    let mut m: Mooring<RING> = Mooring::with_script(cats, cfg, T0, script);
    m.run_until(outage_end);
    let c = m.ctl.counters();
    let built = c.frames_built;
    assert_eq!(
        built,
        50 * 2 + 2 * 2,
        "50 batches and 2 statuses of 2 frames each"
    );
    assert_eq!(c.frames_delivered, 0);
    assert_eq!(c.ring_dropped, built - RING as u32);

    // The gateway asks for its line status, then for every frame since the start.
    let t = outage_end + 60;
    m.modem_at(
        t,
        recvim(&Message::StatusRequest(StatusRequest { target: 1 })),
    );
    m.run_until(t + 100);
    let st = statuses(&messages(&m.frames_by_seq()))
        .last()
        .copied()
        .cloned()
        .unwrap();
    // Since then: the batch of the poll at `outage_end`, and the status itself.
    let total = built + 2 + 2;
    assert_eq!(st.clock, t);
    assert_eq!(u32::from(st.next_seq), total);
    assert_eq!(st.next_seq, m.ctl.next_seq());
    assert_eq!(u32::from(st.ring_dropped), total - RING as u32);
    assert_eq!(u32::from(st.ring_oldest_seq), total - RING as u32);

    let mut ranges = heapless::Vec::new();
    let mut start = 0u16;
    while start < st.next_seq {
        let len = (st.next_seq - start).min(255);
        ranges
            .push(RepeatRange {
                start,
                len: len as u8,
            })
            .unwrap();
        start += len;
    }
    let before = m.sends.len();
    let t2 = t + 200;
    m.modem_at(
        t2,
        recvim(&Message::RepeatRequest(RepeatRequest { target: 1, ranges })),
    );
    m.run_until(t2 + 4 * 3600);
    let c = m.ctl.counters();
    assert_eq!(c.repeats_missing, total - RING as u32);
    assert_eq!(c.repeats_served, RING as u32);
    // The frames resent are exactly the newest RING, byte-identical to their first sending.
    let mut resent: Vec<u16> = m.sends[before..]
        .iter()
        .filter(|s| s.previous > 0)
        .map(|s| decode_frame(&s.frame).unwrap().header.seq)
        .collect();
    resent.sort();
    resent.dedup();
    let expect: Vec<u16> = (0..RING as u16)
        .map(|i| seq_add(st.ring_oldest_seq, i))
        .collect();
    assert_eq!(resent, expect);
    assert!(m.ctl.stored_frame(seq_sub(st.ring_oldest_seq, 1)).is_none());
    let all = m.frames_by_seq(); // asserts every resend equals the first sending
    assert_eq!(all.len() as u32, m.ctl.next_seq() as u32);
}

#[test]
fn acknowledged_frames_do_not_count_as_dropped() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut m: Mooring<8> = Mooring::new(cats, cfg, T0);
    m.run_until(T0 + 3600);
    let acked = seq_sub(m.ctl.next_seq(), 1);
    m.modem_at(
        T0 + 3700,
        recvim(&Message::Ack(Ack {
            target: 1,
            through_seq: acked,
        })),
    );
    m.modem_at(
        T0 + 3701,
        recvim(&Message::Ack(Ack {
            target: 1,
            through_seq: 3000,
        })),
    );
    m.run_until(T0 + 5 * 3600);
    let c = m.ctl.counters();
    assert_eq!(
        (c.acks, c.downlink_errors),
        (1, 1),
        "an ack beyond the last frame built is refused"
    );
    assert_eq!(c.ring_overwritten, u32::from(m.ctl.next_seq()) - 8);
    assert_eq!(c.ring_dropped, c.ring_overwritten - u32::from(acked) - 1);
}

#[test]
fn a_missing_instrument_times_out_and_is_counted() {
    let mut cats = eight_cats();
    cats[2].present = false;
    let missing = (cats[2].slot, cats[2].im_id);
    let mut cfg = config_for(&cats);
    cfg.reply_timeout_s = 7;
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    m.run_until(T0 + 4 * 1800 - 1);
    let c = m.ctl.counters();
    assert_eq!((c.polls, c.replies, c.instrument_errors), (4, 28, 4));
    let msgs = messages(&m.frames_by_seq());
    for b in batches(&msgs) {
        assert_eq!(b.samples.len(), 7);
        assert!(b.samples.iter().all(|s| s.slot != missing.0));
        for s in &b.samples {
            assert_eq!(Some(s), m.given.get(&(b.time, s.slot)));
        }
    }
    // The instrument after the missing one is asked exactly reply_timeout_s later.
    let cmd = format!("!{:02}Data\r\n", missing.1).into_bytes();
    let i = m.line_log.iter().position(|(_, c)| *c == cmd).unwrap();
    assert_eq!(m.line_log[i + 1].0 - m.line_log[i].0, 7);
    assert_eq!(m.ctl.status().instrument_errors, 4);
}

#[test]
fn bad_configuration_is_corrected_and_counted() {
    let mut cfg = config_for(&eight_cats());
    cfg.source = 0;
    cfg.mtu = 2000;
    cfg.poll_interval_s = 0;
    cfg.instruments[1].slot = cfg.instruments[0].slot; // duplicate slot
    cfg.instruments[2].im_id = 100;
    let ctl: Controller<4> = Controller::new(cfg, T0);
    assert_eq!(ctl.counters().config_errors, 5);
    assert_eq!(
        (
            ctl.config().source,
            ctl.config().mtu,
            ctl.config().poll_interval_s
        ),
        (1, 64, 1800)
    );
    assert_eq!(ctl.config().instruments.len(), 6);
}

#[test]
fn clock_going_backwards_realigns_the_schedule() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut ctl: Controller<64> = Controller::new(cfg, T0 + 5000);
    // Deliver the start-up status (two frames) so no modem wait is running.
    for _ in 0..2 {
        while ctl.poll_output().is_some() {}
        ctl.handle_modem_bytes(b"OK\r\nDELIVEREDIM,1\r\n", T0 + 5001);
    }
    assert_eq!(ctl.counters().frames_delivered, 2);
    assert_eq!(ctl.next_wakeup(), Some(T0 + 5400));
    ctl.handle_time(T0 + 100);
    assert_eq!(ctl.next_wakeup(), Some(T0 + 1800));
}

/// A Nortek velocity structure with a valid checksum at `t` (BCD clock), in mm/s.
fn aquadopp_record(t: u32, velocity: [i16; 3]) -> Vec<u8> {
    use protocol::instruments::nortek::framing::checksum;
    let (y, mo, d, h, mi, s, _) =
        protocol::time::UtcTime::from_unix_seconds(i64::from(t)).to_civil();
    let bcd = |v: u32| (((v / 10) << 4) | (v % 10)) as u8;
    let mut b = vec![0xa5, 0x01, 0x15, 0x00];
    b.extend_from_slice(&[
        bcd(mi),
        bcd(s),
        bcd(d),
        bcd(h),
        bcd(y as u32 - 2000),
        bcd(mo),
    ]);
    b.extend_from_slice(&0i16.to_le_bytes()); // error
    b.extend_from_slice(&0u16.to_le_bytes()); // analogue input 1
    b.extend_from_slice(&134u16.to_le_bytes()); // battery 13.4 V
    b.extend_from_slice(&15_301u16.to_le_bytes()); // sound speed 1530.1 m/s
    b.extend_from_slice(&2_712i16.to_le_bytes()); // heading 271.2
    b.extend_from_slice(&(-13i16).to_le_bytes()); // pitch -1.3
    b.extend_from_slice(&21i16.to_le_bytes()); // roll 2.1
    b.push(0x22); // pressure MSB: 0x22 * 65536 + LSW 0x6b52 = 2 255 698 → 2255.698 dbar
    b.push(0x31); // status: RTC alarm wake-up, 1 mm/s, orientation down
    b.extend_from_slice(&0x6b52u16.to_le_bytes());
    b.extend_from_slice(&1_312i16.to_le_bytes()); // 13.12 °C
    for v in velocity {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&[61, 58, 60, 0]);
    let cs = checksum(&b);
    b.extend_from_slice(&cs.to_le_bytes());
    b
}

#[test]
fn the_aquadopp_on_the_serial_input_becomes_type_3_frames() {
    let cats = eight_cats();
    let mut cfg = config_for(&cats);
    cfg.instruments
        .push(InstrumentSlot {
            slot: 8,
            im_id: 0,
            kind: protocol::message::InstrumentKind::Aquadopp,
            serial: 12_345,
            nominal_depth_m: 2300,
        })
        .unwrap();
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    // one record every 30 min, 60 s after the poll slot, with junk and a corrupt copy around
    for k in 0..6u32 {
        let t = T0 + k * 1800 + 60;
        let mut bytes = b"\x13\x11junk".to_vec();
        let rec = aquadopp_record(t, [35, -12 + k as i16, 3]);
        if k == 2 {
            let mut bad = rec.clone();
            bad[30] ^= 0x40;
            bytes.extend_from_slice(&bad);
        }
        bytes.extend_from_slice(&rec);
        m.serial_at(t, bytes);
    }
    m.run_until(T0 + 3 * 3600);
    let msgs = messages(&m.frames_by_seq());
    let samples: Vec<_> = msgs
        .iter()
        .filter_map(|(_, m)| match m {
            Message::AquadoppSample(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(samples.len(), 6, "{:?}", m.ctl.counters());
    for (k, s) in samples.iter().enumerate() {
        assert_eq!(s.slot, 8);
        assert_eq!(s.time, T0 + k as u32 * 1800 + 60);
        assert_eq!(s.velocity, [35, -12 + k as i16, 3]);
        assert_eq!(
            (s.heading, s.pitch, s.roll, s.pressure, s.temperature),
            (2712, -13, 21, 2_255_698, 1312)
        );
        assert_eq!((s.battery, s.sound_speed, s.status), (134, 15_301, 0x31));
        assert_eq!(s.amplitude, [61, 58, 60]);
    }
    let c = m.ctl.counters();
    assert_eq!(c.aquadopp_samples, 6);
    assert!(c.serial_errors >= 7, "{c:?}");
    // the MicroCAT polls go on as before, and the inventory names the Aquadopp
    assert_eq!(batches(&msgs).len(), 6);
    let st = statuses(&msgs);
    assert!(st[0]
        .inventory
        .iter()
        .any(|e| e.slot == 8 && e.serial == 12_345));
}

#[test]
fn serial_bytes_without_a_configured_aquadopp_are_counted_not_sent() {
    let cats = eight_cats();
    let cfg = config_for(&cats);
    let mut m: Mooring<256> = Mooring::new(cats, cfg, T0);
    m.serial_at(T0 + 60, aquadopp_record(T0 + 60, [1, 2, 3]));
    m.run_until(T0 + 600);
    let msgs = messages(&m.frames_by_seq());
    assert!(!msgs
        .iter()
        .any(|(_, m)| matches!(m, Message::AquadoppSample(_))));
    assert_eq!(m.ctl.counters().serial_errors, 1);
    assert_eq!(m.ctl.counters().aquadopp_samples, 0);
}
