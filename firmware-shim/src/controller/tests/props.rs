//! Property tests: no input sequence makes the controller panic, and its invariants hold.

use super::harness::{config_for, eight_cats, T0};
use crate::controller::{Controller, Output, MAX_MODEM_COMMAND};
use proptest::prelude::*;
use protocol::frame::{encode_frame, Header, MessageType};
use std::format;
use std::vec::Vec;

#[derive(Debug, Clone)]
enum Op {
    Time(u32),
    Line(Vec<u8>),
    Modem(Vec<u8>),
    /// A well-framed `RECVIM` whose frame has a valid CRC and a downlink type, with an
    /// arbitrary payload: reaches the message decoders.
    Downlink(u8, Vec<u8>),
    Reply(u8, u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..200_000).prop_map(Op::Time),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Op::Line),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Op::Modem),
        (
            prop_oneof![Just(8u8), Just(9), Just(10), any::<u8>()],
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(t, p)| Op::Downlink(t, p)),
        (any::<u8>(), any::<u32>()).prop_map(|(i, v)| Op::Reply(i, v)),
    ]
}

fn drain<const R: usize>(c: &mut Controller<R>) {
    let mut n = 0;
    while let Some(o) = c.poll_output() {
        match o {
            Output::Line(b) => assert!(b.len() <= 16),
            Output::Modem(b) => assert!(b.len() <= MAX_MODEM_COMMAND),
        }
        n += 1;
        assert!(n <= 2, "at most one line and one modem output at a time");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]


    #[test]
    fn arbitrary_inputs_never_panic(ops in proptest::collection::vec(op(), 0..60)) {
        let cats = eight_cats();
        let mut c: Controller<8> = Controller::new(config_for(&cats), T0);
        let mut now = T0;
        drain(&mut c);
        for op in ops {
            match op {
                Op::Time(dt) => {
                    // mostly forward, sometimes backward
                    now = if dt % 17 == 0 { now.saturating_sub(dt) } else { now.saturating_add(dt) };
                    c.handle_time(now);
                }
                Op::Line(b) => c.handle_line_bytes(&b, now),
                Op::Modem(b) => c.handle_modem_bytes(&b, now),
                Op::Downlink(ty, payload) => {
                    let Some(msg_type) = MessageType::from_code(ty & 0x0f) else { continue };
                    let h = Header { msg_type, ack_wanted: false, more_fragments: ty & 0x10 != 0, source: 0, fragment_index: 0, seq: 1 };
                    let mut frame = [0u8; 64];
                    let Ok(n) = encode_frame(&h, &payload, &mut frame) else { continue };
                    let mut line = format!("RECVIM,{n},1,2,ack,1,-3,120,0.1,").into_bytes();
                    line.extend_from_slice(&frame[..n]);
                    line.extend_from_slice(b"\r\n");
                    c.handle_modem_bytes(&line, now);
                }
                Op::Reply(i, v) => {
                    let id = 10 + (i % 8) * 3;
                    let line = format!("{id:02}, {:05}, {}.{}, 3.{:05}, {}, {}, 01 Jan 2024, 00:00:00\r\n",
                        v % 100_000, v as i32 / 10_000, v % 10_000, v % 100_000, v, v % 9);
                    c.handle_line_bytes(line.as_bytes(), now);
                }
            }
            drain(&mut c);
            let st = c.status();
            prop_assert!(st.next_seq < 4096 && st.ring_oldest_seq < 4096);
            prop_assert!(c.next_wakeup().is_some());
        }
    }

    #[test]
    fn any_chunking_of_the_inputs_gives_the_same_frames(cut in 1usize..40) {
        let run = |cut: usize| {
            let mut m: super::harness::Mooring<64> =
                super::harness::Mooring::new(eight_cats(), config_for(&eight_cats()), T0);
            m.cut = cut;
            m.run_until(T0 + 3600);
            (m.ctl.counters(), m.frames_by_seq())
        };
        prop_assert_eq!(run(cut), run(1000));
    }
}
