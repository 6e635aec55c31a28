//! Frame encode/decode throughput: `cargo bench -p protocol --bench frames`.
//!
//! The workload is the design case of SPEC.md §7.1: one poll of eight MicroCATs, which is
//! one 82-byte CtdBatch message in two frames (64 + 30 bytes) at the 64-byte MTU.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use protocol::fragment::Fragments;
use protocol::frame::{decode_frame, MessageType};
use protocol::message::{CtdBatch, CtdSample, Message, MAX_MESSAGE_LEN};
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

fn batch() -> Message {
    let samples = (0..8u8)
        .map(|slot| CtdSample {
            slot,
            temperature: Some(135_874 - i32::from(slot) * 500),
            conductivity: Some(441_235 - i32::from(slot) * 300),
            pressure: Some(503_417 + i32::from(slot) * 250_000),
            oxygen: (slot % 3 != 0).then_some(4_123 + i32::from(slot)),
        })
        .collect();
    Message::CtdBatch(CtdBatch {
        time: 1_795_867_200,
        samples,
    })
}

/// Encodes the message into frames; returns total bytes written.
fn encode(m: &Message, frames: &mut [[u8; 64]; 2]) -> usize {
    let mut payload = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut payload).expect("in-range batch");
    let mut f =
        Fragments::new(MessageType::CtdBatch, 1, true, 100, &payload[..n], 64).expect("fits");
    let mut total = 0;
    for out in frames.iter_mut() {
        if let Some(Ok((_, len))) = f.next_frame(out) {
            total += len;
        }
    }
    total
}

fn bench(c: &mut Criterion) {
    let m = batch();
    let mut frames = [[0u8; 64]; 2];
    let total = encode(&m, &mut frames);
    assert_eq!(total, 94);
    let lens = [64usize, 30];

    let mut g = c.benchmark_group("ctd_batch_8_samples");
    g.throughput(Throughput::Elements(2));
    g.bench_function("encode (message + 2 frames)", |b| {
        b.iter(|| {
            let mut out = [[0u8; 64]; 2];
            black_box(encode(black_box(&m), &mut out))
        })
    });
    g.bench_function("decode (2 frames: CRC + reassembly + message)", |b| {
        b.iter(|| {
            let mut r: Reassembler<4> = Reassembler::new(ReassemblerConfig::default());
            let mut got = None;
            for (f, &len) in frames.iter().zip(&lens) {
                let frame = decode_frame(black_box(&f[..len])).expect("valid");
                r.push(&frame, UtcTime(0), |e| {
                    if let Event::Message(a) = e {
                        got = Message::decode(a.msg_type, &a.payload).ok();
                    }
                });
            }
            black_box(got)
        })
    });
    g.bench_function("decode_frame only (CRC + header)", |b| {
        b.iter(|| black_box(decode_frame(black_box(&frames[0][..64]))).is_ok())
    });
    g.finish();

    let mut g = c.benchmark_group("ctd_batch_bytes");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            let mut out = [[0u8; 64]; 2];
            black_box(encode(black_box(&m), &mut out))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
