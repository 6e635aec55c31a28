//! Property tests: arbitrary bytes never panic the C-Star decoders, chunking never changes the
//! events, and generated records come back with their values.

use proptest::prelude::*;
use protocol::instruments::cstar::{decode_line, CStarDecoder, CStarEvent, CStarLine};

fn run(chunks: &[&[u8]]) -> Vec<String> {
    let mut d = CStarDecoder::<48>::new();
    let mut out = Vec::new();
    let mut push = |e: CStarEvent<'_>| out.push(format!("{e:?}"));
    for c in chunks {
        d.feed(c, &mut push);
    }
    if let Some(e) = d.finish() {
        push(e);
    }
    out
}

fn interesting_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        Just(b"\r\n".to_vec()),
        Just(b"  ".to_vec()),
        Just(b"CST-".to_vec()),
        Just(b"2405PR".to_vec()),
        Just(b"-0.087".to_vec()),
        Just(b"15780".to_vec()),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decode_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_line(&bytes);
    }

    #[test]
    fn decode_line_never_panics_on_near_records(bytes in interesting_bytes()) {
        let _ = decode_line(&bytes);
    }

    #[test]
    fn chunking_never_changes_events(bytes in interesting_bytes(), cut1 in any::<usize>(), cut2 in any::<usize>()) {
        let mut cuts = [cut1 % (bytes.len() + 1), cut2 % (bytes.len() + 1)];
        cuts.sort_unstable();
        let whole = run(&[&bytes]);
        let parts = run(&[&bytes[..cuts[0]], &bytes[cuts[0]..cuts[1]], &bytes[cuts[1]..]]);
        prop_assert_eq!(parts, whole);
    }

    #[test]
    fn generated_record_round_trips(
        serial in any::<u32>(),
        suffix in "[A-Z]{0,4}",
        counts in proptest::array::uniform4(any::<u32>()),
        c_milli in -100_000i32..100_000,
        sep in prop_oneof![Just("\t"), Just("  "), Just(" ")],
    ) {
        let c = f64::from(c_milli) / 1000.0;
        let line = format!(
            "CST-{serial}{suffix}{sep}{}{sep}{}{sep}{}{sep}{c:.3}{sep}{}\r\n",
            counts[0], counts[1], counts[2], counts[3]
        );
        let Ok(CStarLine::Sample { sample, skipped_bytes }) = decode_line(line.as_bytes()) else {
            return Err(TestCaseError::fail(format!("{line:?} did not decode")));
        };
        prop_assert_eq!(skipped_bytes, 0);
        prop_assert_eq!(sample.serial, serial);
        prop_assert_eq!(sample.suffix.as_str(), suffix.as_str());
        prop_assert_eq!(
            [sample.reference_counts, sample.signal_counts, sample.corrected_counts, sample.thermistor_counts],
            counts
        );
        prop_assert_eq!(sample.beam_attenuation_per_m, c);
    }
}
