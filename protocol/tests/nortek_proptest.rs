//! Property tests of the Nortek decoder: no input panics, every byte is accounted for, and
//! chunked feeding gives the same events as one feed (real files and arbitrary bytes).

use proptest::prelude::*;
use protocol::instruments::nortek::{
    decode_slice, ConfigInForce, CoordinateSystem, Decoder, Event, Record, Stats,
};

const FILES: [&str; 6] = [
    "ooi/VELPT_SN_11402_2014-07-02.aqd",
    "ooi/bad_velocity_checksum_VELPT_SN_11402_2014-07-02.aqd",
    "ooi/bad_id_VELPT_SN_11402_2014-07-02.aqd",
    "ooi/truncated_VELPT_SN_11402_2014-07-02.aqd",
    "ooi/20140813.velpt.log",
    "mhkit/H-AWAC_test01.wpr",
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn one_feed(bytes: &[u8]) -> (Vec<Event>, Stats) {
    let mut it = decode_slice(bytes);
    let events = it.by_ref().collect();
    (events, *it.stats())
}

/// Feeds `bytes` in chunks of the given sizes (cycled), then finishes.
fn chunked(bytes: &[u8], sizes: &[usize]) -> (Vec<Event>, Stats) {
    let mut d = Decoder::new();
    let mut events = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(i % sizes.len().max(1))
            .copied()
            .unwrap_or(1)
            .clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        events.extend(d.feed(chunk));
        rest = tail;
        i += 1;
    }
    events.extend(d.finish());
    (events, *d.stats())
}

fn accounted(bytes: &[u8], stats: &Stats) {
    assert_eq!(stats.bytes_in, bytes.len() as u64);
    assert_eq!(
        stats.record_bytes + stats.skipped_bytes(),
        bytes.len() as u64
    );
}

/// Bytes with many sync bytes and small size fields, to reach the resync paths.
fn nortekish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<u8>(),
            1 => Just(0xA5u8),
            1 => prop::sample::select(vec![0x00u8, 0x01, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x15, 0x20, 0x21, 0x2A, 0x80]),
        ],
        0..1500,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let (_, stats) = one_feed(&bytes);
        accounted(&bytes, &stats);
    }

    #[test]
    fn chunking_arbitrary_bytes_changes_nothing(
        bytes in nortekish(),
        sizes in prop::collection::vec(1usize..64, 1..16),
    ) {
        let (whole, ws) = one_feed(&bytes);
        let (parts, ps) = chunked(&bytes, &sizes);
        prop_assert_eq!(&whole, &parts);
        prop_assert_eq!(ws, ps);
        accounted(&bytes, &ws);
    }

    #[test]
    fn chunking_real_files_changes_nothing(
        file in 0..FILES.len(),
        sizes in prop::collection::vec(1usize..700, 1..24),
    ) {
        let bytes = read(FILES[file]);
        let (whole, ws) = one_feed(&bytes);
        let (parts, ps) = chunked(&bytes, &sizes);
        prop_assert_eq!(&whole, &parts);
        prop_assert_eq!(ws, ps);
        accounted(&bytes, &ws);
    }

    #[test]
    fn corrupted_real_files_keep_the_good_records(
        file in 0..FILES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        sizes in prop::collection::vec(1usize..300, 1..8),
    ) {
        let clean = read(FILES[file]);
        let mut bytes = clean.clone();
        for (at, value) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        let (whole, ws) = one_feed(&bytes);
        let (parts, _) = chunked(&bytes, &sizes);
        prop_assert_eq!(&whole, &parts);
        accounted(&bytes, &ws);
        // One corrupted byte costs at most the structures it touches (plus, through a
        // changed profile configuration, the profiles after it): in the OOI files every
        // structure not containing an edited byte must still decode.
        if file < 5 {
            let (clean_events, _) = one_feed(&clean);
            let edited: Vec<usize> = edits.iter().map(|(at, _)| at.index(clean.len())).collect();
            let mut lost = 0;
            for ev in &clean_events {
                if let Event::Record { offset, record } = ev {
                    let start = *offset as usize;
                    let len = structure_len(record);
                    let touched = edited.iter().any(|&i| i >= start && i < start + len);
                    let found = whole.iter().any(|e| matches!(e, Event::Record { offset: o, .. } if o == offset));
                    if !touched && !found {
                        lost += 1;
                    }
                }
            }
            // Untouched structures keep their checksum and the decoder rescans after every
            // failure, so none is lost (barring a false candidate passing its checksum by
            // chance, about 1 in 65536).
            prop_assert_eq!(lost, 0);
        }
    }

    #[test]
    fn every_structure_decoder_accepts_arbitrary_bytes(
        body in prop::collection::vec(any::<u8>(), 0..1700),
        id in prop::sample::select(vec![0x00u8, 0x01, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x20, 0x21, 0x2A, 0x80, 0x33]),
        beams in prop::option::of(0u16..6),
        cells in prop::option::of(0u16..200),
    ) {
        let mut s = vec![0xA5, id];
        s.extend_from_slice(&body);
        let config = ConfigInForce {
            coordinate_system: Some(CoordinateSystem::Xyz),
            number_of_beams: beams,
            number_of_cells: cells,
            velocity_scaling_tenth_mm: None,
        };
        let _ = Record::decode(&s, &config);
        let _ = Record::decode(&s[..s.len().min(3)], &config);
    }
}

/// Length of the structure a record was decoded from, for the OOI files' record kinds.
fn structure_len(record: &Record) -> usize {
    match record {
        Record::HardwareConfiguration(_) => 48,
        Record::HeadConfiguration(_) => 224,
        Record::UserConfiguration(_) => 512,
        Record::AquadoppVelocity(_) | Record::Diagnostics(_) => 42,
        Record::DiagnosticsHeader(_) => 36,
        Record::VectorVelocity(_) => 24,
        Record::VectorSystem(_) => 28,
        Record::VectorVelocityHeader(_) => 42,
        Record::Profile(_) => 300,
    }
}
