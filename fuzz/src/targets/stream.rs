//! The protocol crate's streaming instrument decoders (what the live links use): never a
//! panic, and the same events whether the bytes arrive at once or in chunks.

use protocol::instruments::cstar::CStarDecoder;
use protocol::instruments::nortek::Decoder as NortekDecoder;
use protocol::instruments::optode::OptodeDecoder;

use super::chunks;

/// Nortek binary: events of the chunked feed equal those of a single feed.
pub fn nortek(data: &[u8]) {
    let run = |pieces: &[&[u8]]| {
        let mut d = NortekDecoder::new();
        let mut events = Vec::new();
        for piece in pieces {
            let mut input: &[u8] = piece;
            while let Some(ev) = d.next_event(&mut input) {
                events.push(format!("{ev:?}"));
            }
        }
        while let Some(ev) = d.finish_event() {
            events.push(format!("{ev:?}"));
        }
        events
    };
    assert_eq!(
        run(&[data]),
        run(&chunks(data, 97)),
        "nortek: chunking changed the events"
    );
}

/// Optode lines: events of the chunked feed equal those of a single feed.
pub fn optode(data: &[u8]) {
    let run = |pieces: &[&[u8]]| {
        let mut d: OptodeDecoder = OptodeDecoder::new();
        let mut events = Vec::new();
        for piece in pieces {
            d.feed(piece, |ev| events.push(format!("{ev:?}")));
        }
        while let Some(ev) = d.finish() {
            events.push(format!("{ev:?}"));
        }
        events
    };
    assert_eq!(
        run(&[data]),
        run(&chunks(data, 61)),
        "optode: chunking changed the events"
    );
}

/// C-Star lines: events of the chunked feed equal those of a single feed.
pub fn cstar(data: &[u8]) {
    let run = |pieces: &[&[u8]]| {
        let mut d: CStarDecoder = CStarDecoder::new();
        let mut events = Vec::new();
        for piece in pieces {
            d.feed(piece, |ev| events.push(format!("{ev:?}")));
        }
        if let Some(ev) = d.finish() {
            events.push(format!("{ev:?}"));
        }
        events
    };
    assert_eq!(
        run(&[data]),
        run(&chunks(data, 61)),
        "cstar: chunking changed the events"
    );
}
