//! Bytes on the air per MicroCAT sample, measured with the real encoder:
//! `cargo run --release -p protocol --example air_budget`.
//!
//! For lines of 1–16 instruments at one sample each per 30 min, it encodes a day of
//! batches (48) plus the daily line status and counts every byte handed to the modem
//! (headers and CRC included). MTU 64 (EvoLogics instant message).

use protocol::fragment::Fragments;
use protocol::message::*;

fn frames_bytes(m: &Message, mtu: usize) -> (usize, usize) {
    let mut payload = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut payload).expect("in-range example");
    let mut f =
        Fragments::new(m.msg_type(), 1, true, 0, &payload[..n], mtu).expect("fits 16 fragments");
    let (mut count, mut bytes) = (0, 0);
    let mut buf = [0u8; 1024];
    while let Some(r) = f.next_frame(&mut buf) {
        bytes += r.expect("valid header").1;
        count += 1;
    }
    (count, bytes)
}

fn main() {
    println!("| instruments | frames per poll | bytes per poll | bytes/sample (poll) | bytes/sample (day, with daily status) |");
    println!("|---|---|---|---|---|");
    for n in [1usize, 4, 5, 6, 8, 10, 12, 16] {
        let samples = (0..n as u8)
            .map(|slot| CtdSample {
                slot,
                temperature: Some(131_876),
                conductivity: Some(441_432),
                pressure: Some(2_422_904),
                oxygen: Some(4_270),
            })
            .collect();
        let batch = Message::CtdBatch(CtdBatch {
            time: 1_795_867_200,
            samples,
        });
        let inventory = (0..n as u8)
            .map(|slot| InventoryEntry {
                slot,
                kind: InstrumentKind::Sbe37CtdOdo,
                serial: 3_723_401,
                nominal_depth_m: 500,
            })
            .collect();
        let status = Message::LineStatus(LineStatus {
            inventory,
            ..Default::default()
        });
        let (frames, bytes) = frames_bytes(&batch, 64);
        let (_, status_bytes) = frames_bytes(&status, 64);
        let per_poll = bytes as f64 / n as f64;
        let per_day = (48 * bytes + status_bytes) as f64 / (48 * n) as f64;
        println!("| {n} | {frames} | {bytes} | {per_poll:.2} | {per_day:.2} |");
    }
}
