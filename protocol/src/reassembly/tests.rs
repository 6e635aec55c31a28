extern crate std;
use super::*;
use crate::fragment::Fragments;
use crate::frame::decode_frame;
use proptest::prelude::*;
use std::vec::Vec;

const T0: UtcTime = UtcTime(1_700_000_000_000);

/// The encoded frames of a `len`-byte payload (bytes 0, 1, 2, …) at MTU `mtu`.
fn frames(source: u8, first_seq: u16, len: usize, mtu: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let payload: Vec<u8> = (0..len)
        .map(|i| (i * 7 + usize::from(source)) as u8)
        .collect();
    let mut f = Fragments::new(
        MessageType::LineStatus,
        source,
        true,
        first_seq,
        &payload,
        mtu,
    )
    .unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while let Some(r) = f.next_frame(&mut buf) {
        let (_, n) = r.unwrap();
        out.push(buf[..n].to_vec());
    }
    (payload, out)
}

fn push_all<const P: usize>(
    r: &mut Reassembler<P>,
    frames: &[Vec<u8>],
    now: UtcTime,
) -> Vec<Event> {
    let mut events = Vec::new();
    for f in frames {
        r.push(&decode_frame(f).unwrap(), now, |e| events.push(e));
    }
    events
}

fn messages(events: &[Event]) -> Vec<&Assembled> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Message(m) = e {
                Some(m)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn in_order_and_reversed() {
    let (payload, fr) = frames(2, 4094, 150, 64);
    assert_eq!(fr.len(), 3);
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let ev = push_all(&mut r, &fr, T0);
    let m = messages(&ev);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].payload.as_slice(), payload.as_slice());
    assert_eq!((m[0].seq, m[0].frames, m[0].source), (4094, 3, 2));
    let mut rev = fr.clone();
    rev.reverse();
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let ev = push_all(&mut r, &rev, T0);
    assert_eq!(messages(&ev)[0].payload.as_slice(), payload.as_slice());
    assert_eq!(r.partial_count(), 0);
    assert_eq!(r.buffered_bytes(), 0);
}

#[test]
fn duplicates_dropped_after_completion() {
    let (_, fr) = frames(1, 10, 100, 64);
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    let mut all = fr.clone();
    all.extend(fr.iter().cloned());
    all.push(fr[0].clone());
    let ev = push_all(&mut r, &all, T0);
    assert_eq!(messages(&ev).len(), 1);
    assert_eq!(r.stats().duplicates, 3);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, Event::Duplicate { .. }))
            .count(),
        3
    );
}

#[test]
fn timeout_reports_and_allows_resend() {
    let (payload, fr) = frames(3, 0, 120, 64);
    let cfg = ReassemblerConfig {
        timeout_ms: 1000,
        ..Default::default()
    };
    let mut r: Reassembler = Reassembler::new(cfg);
    push_all(&mut r, &fr[..1], T0);
    assert_eq!(r.next_deadline(), Some(UtcTime(T0.0 + 1000)));
    assert_eq!(r.poll_timeout(UtcTime(T0.0 + 999)), None);
    let ev = r.poll_timeout(UtcTime(T0.0 + 1000));
    assert_eq!(
        ev,
        Some(Event::TimedOut {
            source: 3,
            seq: 0,
            msg_type: MessageType::LineStatus,
            fragments_received: 1
        })
    );
    assert_eq!(r.stats().timed_out, 1);
    // selective repeat later brings every fragment again: accepted, not duplicates
    let ev = push_all(&mut r, &fr, UtcTime(T0.0 + 5000));
    assert_eq!(messages(&ev)[0].payload.as_slice(), payload.as_slice());
}

#[test]
fn inconsistent_fragment_rejected() {
    let (_, fr) = frames(1, 100, 120, 64); // 3 fragments: seq 100, 101, 102
    let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
    push_all(&mut r, &fr[2..], T0);
    // a forged "last" fragment with index 1 for the same message
    let h = crate::frame::Header {
        more_fragments: false,
        ..decode_frame(&fr[1]).unwrap().header
    };
    let mut buf = [0u8; 64];
    let n = crate::frame::encode_frame(&h, &[1, 2, 3], &mut buf).unwrap();
    let mut ev = Vec::new();
    r.push(&decode_frame(&buf[..n]).unwrap(), T0, |e| ev.push(e));
    assert_eq!(
        ev,
        [Event::Inconsistent {
            source: 1,
            seq: 101
        }]
    );
    // the genuine fragments still complete the message
    let ev = push_all(&mut r, &fr[..2], T0);
    assert_eq!(messages(&ev).len(), 1);
}

#[test]
fn flood_of_fragments_stays_bounded() {
    let cfg = ReassemblerConfig {
        max_partials: 8,
        max_bytes: 2000,
        timeout_ms: 1_000_000,
    };
    let mut r: Reassembler<8> = Reassembler::new(cfg);
    let mut evicted = 0;
    for k in 0..500u16 {
        // first fragment of many 3-fragment messages from several sources
        let (_, fr) = frames((k % 16) as u8, (k * 3) % 4096, 150, 64);
        for e in push_all(&mut r, &fr[..2], T0) {
            if matches!(e, Event::Evicted { .. }) {
                evicted += 1;
            }
        }
        assert!(r.partial_count() <= 8);
        assert!(r.buffered_bytes() <= 2000);
    }
    assert!(evicted > 400);
    assert_eq!(r.stats().evicted, evicted);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fragments delivered in any order, with duplicates sprinkled in, reassemble exactly once.
    #[test]
    fn any_order_with_duplicates(
        len in 0usize..900,
        seq in 0u16..4096,
        source in 0u8..16,
        order in Just((0..64).collect::<Vec<usize>>()).prop_shuffle(),
        dups in proptest::collection::vec(0usize..64, 0..10),
    ) {
        let (payload, fr) = frames(source, seq, len, 64);
        let mut shuffled: Vec<Vec<u8>> = order.iter().filter(|&&i| i < fr.len()).map(|&i| fr[i].clone()).collect();
        for d in dups {
            let f = fr[d % fr.len()].clone();
            let at = d % (shuffled.len() + 1);
            shuffled.insert(at, f);
        }
        let mut r: Reassembler = Reassembler::new(ReassemblerConfig::default());
        let ev = push_all(&mut r, &shuffled, T0);
        let m = messages(&ev);
        prop_assert_eq!(m.len(), 1);
        prop_assert_eq!(m[0].payload.as_slice(), payload.as_slice());
        prop_assert_eq!(m[0].seq, seq);
        prop_assert_eq!(r.partial_count(), 0);
    }

    /// Arbitrary valid frames (any header field values, any payload) never panic and never
    /// break the bounds.
    #[test]
    fn arbitrary_frames_never_panic(
        frames in proptest::collection::vec(
            (0usize..6, any::<bool>(), any::<bool>(), 0u8..16, 0u8..16, 0u16..64, proptest::collection::vec(any::<u8>(), 0..80)),
            0..120,
        ),
    ) {
        const TYPES: [MessageType; 6] = [
            MessageType::CtdBatch, MessageType::LineStatus, MessageType::AquadoppSample,
            MessageType::Ack, MessageType::RepeatRequest, MessageType::StatusRequest,
        ];
        let cfg = ReassemblerConfig { max_partials: 4, max_bytes: 500, timeout_ms: 10 };
        let mut r: Reassembler<4> = Reassembler::new(cfg);
        let mut buf = [0u8; 128];
        for (k, (ty, ack, more, source, fragment_index, seq, body)) in frames.iter().enumerate() {
            let h = crate::frame::Header {
                msg_type: TYPES[*ty], ack_wanted: *ack, more_fragments: *more,
                source: *source, fragment_index: *fragment_index, seq: *seq,
            };
            let n = crate::frame::encode_frame(&h, body, &mut buf).unwrap();
            let now = UtcTime(k as i64 * 3);
            r.push(&decode_frame(&buf[..n]).unwrap(), now, |_| {});
            while r.poll_timeout(now).is_some() {}
            prop_assert!(r.partial_count() <= 4);
            prop_assert!(r.buffered_bytes() <= 500);
        }
    }
}
