//! Property tests: arbitrary bytes never panic the optode decoders; chunking never changes the
//! events; generated records survive garbage and come back with their values.

use proptest::prelude::*;
use protocol::instruments::optode::{decode_line, OptodeDecoder, OptodeEvent, OptodeLine};

/// Debug strings of every event, so runs can be compared.
fn run<const N: usize>(chunks: &[&[u8]]) -> Vec<String> {
    let mut d = OptodeDecoder::<N>::new();
    let mut out = Vec::new();
    let mut push = |e: OptodeEvent<'_>| out.push(format!("{e:?}"));
    for c in chunks {
        d.feed(c, &mut push);
    }
    while let Some(e) = d.finish() {
        push(e);
    }
    out
}

/// Bytes biased towards what the decoders look for.
fn interesting_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        Just(b"\r\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"4831\t".to_vec()),
        Just(b"MEASUREMENT".to_vec()),
        Just(b"Oxygen:".to_vec()),
        Just(b"C1Amp(mV)".to_vec()),
        Just(b"2015/03/30 00:00:15.376 ".to_vec()),
        Just(b"[dosta1:DLOGP4]:".to_vec()),
        Just(b"12.5".to_vec()),
        Just(vec![0x11, 0x13]),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decode_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
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
        let whole = run::<64>(&[&bytes]);
        let parts = run::<64>(&[&bytes[..cuts[0]], &bytes[cuts[0]..cuts[1]], &bytes[cuts[1]..]]);
        prop_assert_eq!(parts, whole);
    }

    #[test]
    fn generated_4831_record_behind_garbage_round_trips(
        garbage in proptest::collection::vec(any::<u8>().prop_filter("no LF, digit or letter", |b| *b != b'\n' && !b.is_ascii_alphanumeric()), 0..50),
        serial in 1u32..100_000,
        milli in proptest::collection::vec(0u32..1_000_000, 10),
    ) {
        // Values with three decimals, printed as the optode does.
        let values: Vec<f64> = milli.iter().map(|&m| f64::from(m) / 1000.0).collect();
        let mut line = garbage.clone();
        line.extend_from_slice(format!("4831\t{serial}").as_bytes());
        for v in &values {
            line.extend_from_slice(format!("\t{v:.3}").as_bytes());
        }
        line.extend_from_slice(b"\r\n");
        let Ok(OptodeLine::Sample { sample, skipped_bytes }) = decode_line(&line) else {
            return Err(TestCaseError::fail(format!("{line:?} did not decode")));
        };
        prop_assert_eq!(sample.serial, serial);
        prop_assert_eq!(sample.oxygen_umol_l, values[0]);
        prop_assert_eq!(sample.rawtemp_mv, Some(values[9]));
        let blanks = garbage.iter().filter(|b| b" \t\r\x11\x13".contains(b)).count();
        prop_assert_eq!(skipped_bytes, garbage.len() - blanks);
    }
}
