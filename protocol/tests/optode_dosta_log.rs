//! The real OOI Aanderaa 4831 log (first 600 lines of `20150330.dosta1.log`, see
//! tests/data/PROVENANCE.md): every record decoded, garbage counted, values checked against
//! the file text, the reference's verbatim line, and chunking invariance.

use protocol::instruments::optode::{
    decode_line, OptodeDecoder, OptodeError, OptodeEvent, OptodeLine, OptodeSample,
};

const LOG: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/ooi/20150330.dosta1.head600.log"
));

/// An owned copy of a decoder event, so runs can be compared.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Sample(OptodeSample, usize),
    Logger(String),
    Other,
    Rejected(Vec<u8>, OptodeError),
    Overflow(Vec<u8>),
}

fn own(e: OptodeEvent<'_>) -> Ev {
    match e {
        OptodeEvent::Line { raw, result, .. } => match result {
            Ok(OptodeLine::Sample {
                sample,
                skipped_bytes,
            }) => Ev::Sample(sample, skipped_bytes),
            Ok(OptodeLine::LoggerMessage { text, .. }) => Ev::Logger(text.to_string()),
            Ok(OptodeLine::Ack | OptodeLine::Blank) => Ev::Other,
            Err(e) => Ev::Rejected(raw.to_vec(), e),
        },
        OptodeEvent::Overflow { head } => Ev::Overflow(head.to_vec()),
    }
}

fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Ev> {
    let mut d = OptodeDecoder::<512>::new();
    let mut out = Vec::new();
    for c in chunks {
        d.feed(c, |e| out.push(own(e)));
    }
    while let Some(e) = d.finish() {
        out.push(own(e));
    }
    out
}

fn samples(events: &[Ev]) -> Vec<(OptodeSample, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::Sample(s, k) => Some((*s, *k)),
            _ => None,
        })
        .collect()
}

fn position(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What the file text says a record line holds, read with plain std string handling:
/// (RFC 3339 time, serial, the ten values, garbage bytes between `]:` and the record).
fn expected_from_text(line: &[u8]) -> Option<(String, u32, [f64; 10], usize)> {
    let start = position(line, b"4831\t")?;
    let stamp = std::str::from_utf8(&line[..23]).ok()?;
    // RFC 3339 as UtcTime prints it: `.mmm` only when the millis are not 0.
    let time = format!("{}Z", stamp.replace('/', "-").replacen(' ', "T", 1)).replace(".000Z", "Z");
    // Garbage as documented: bytes before the record except blanks and XON/XOFF.
    let garbage = match position(line, b"]:") {
        Some(p) => line[p + 2..start]
            .iter()
            .filter(|b| !b" \t\x11\x13".contains(b))
            .count(),
        None => 0,
    };
    let text = std::str::from_utf8(&line[start..]).ok()?.trim_end();
    let fields: Vec<&str> = text.split('\t').collect();
    assert_eq!(fields.len(), 12, "{text}");
    let mut values = [0.0; 10];
    for (v, f) in values.iter_mut().zip(&fields[2..]) {
        *v = f.parse().ok()?;
    }
    Some((time, fields[1].parse().ok()?, values, garbage))
}

fn values_of(s: &OptodeSample) -> [f64; 10] {
    [
        s.oxygen_umol_l,
        s.saturation_pct,
        s.temperature_c,
        s.calphase_deg.unwrap(),
        s.tcphase_deg.unwrap(),
        s.c1rph_deg.unwrap(),
        s.c2rph_deg.unwrap(),
        s.c1amp_mv.unwrap(),
        s.c2amp_mv.unwrap(),
        s.rawtemp_mv.unwrap(),
    ]
}

fn file_lines() -> Vec<&'static [u8]> {
    let mut lines: Vec<&[u8]> = LOG.split(|&b| b == b'\n').collect();
    assert_eq!(lines.pop(), Some(&b""[..]), "file ends with LF");
    lines
}

#[test]
fn every_record_decodes_and_matches_the_file_text() {
    let lines = file_lines();
    assert_eq!(lines.len(), 600);
    let expected: Vec<_> = lines.iter().filter_map(|l| expected_from_text(l)).collect();
    let status_lines = lines
        .iter()
        .filter(|l| position(l, b"]:Instrument St").is_some())
        .count();
    let garbage_lines = lines
        .iter()
        .filter(|l| l.iter().any(|&b| b >= 0x80))
        .count();

    let mut d = OptodeDecoder::<512>::new();
    let mut events = Vec::new();
    d.feed(LOG, |e| events.push(own(e)));
    assert_eq!(d.finish(), None);
    let got = samples(&events);

    // Counts: 587 records (7 of them behind power-up garbage), 13 logger status lines.
    assert_eq!(got.len(), expected.len());
    assert_eq!(got.len(), 587);
    assert_eq!(status_lines, 13);
    assert_eq!(garbage_lines, 7);
    assert_eq!(got.len() + status_lines, lines.len());
    let st = d.stats();
    assert_eq!(st.samples, 587);
    assert_eq!(st.logger_messages, 13);
    assert_eq!((st.rejected, st.overflows, st.other_lines), (0, 0, 0));
    assert_eq!(got.iter().filter(|(_, k)| *k > 0).count(), garbage_lines);
    let garbage_bytes: usize = expected.iter().map(|e| e.3).sum();
    assert_eq!(st.skipped_bytes, garbage_bytes as u64);
    assert!(
        garbage_bytes > 7 * 30,
        "about 40 garbage bytes per power-up"
    );

    for ((s, skipped), (time, serial, values, garbage)) in got.iter().zip(&expected) {
        assert_eq!(s.time.unwrap().to_string(), *time);
        assert_eq!(
            (s.model, s.model_suffix, s.serial),
            (Some(4831), None, *serial)
        );
        assert_eq!(values_of(s), *values);
        assert_eq!(skipped, garbage);
    }
    // Timestamps strictly increase through the file.
    assert!(got.windows(2).all(|w| w[0].0.time < w[1].0.time));
}

#[test]
fn first_and_last_records_hold_the_file_values() {
    let events = decode_chunks([LOG]);
    let got = samples(&events);
    // Line 2, behind `[dosta1:DLOGP4]:` and power-up garbage.
    let (first, skipped) = got[0];
    assert_eq!(first.time.unwrap().to_string(), "2015-03-30T00:00:12.462Z");
    assert_eq!(first.serial, 379);
    assert_eq!(
        values_of(&first),
        [353.413, 94.738, 7.658, 33.000, 33.000, 41.400, 8.400, 738.9, 794.9, 448.6]
    );
    assert!(skipped > 0);
    // Line 600.
    let (last, skipped) = got[got.len() - 1];
    assert_eq!(last.time.unwrap().to_string(), "2015-03-30T01:32:09.999Z");
    assert_eq!(
        values_of(&last),
        [354.071, 94.915, 7.659, 32.977, 32.977, 41.414, 8.437, 735.8, 783.5, 448.5]
    );
    assert_eq!(skipped, 0);
    // The first and last logger lines.
    let messages: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Ev::Logger(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(messages.first(), Some(&"Instrument Started [Power On]"));
    assert_eq!(messages.iter().filter(|m| m.contains("Stopped")).count(), 6);
}

#[test]
fn reference_verbatim_4831_line_is_line_3_of_the_file() {
    // instruments.md §4, verbatim.
    const LINE: &[u8] = b"2015/03/30 00:00:15.376 4831\t379\t354.255\t94.962\t7.658\t32.971\t32.971\t41.373\t8.402\t738.5\t797.6\t448.6\r\n";
    assert_eq!(file_lines()[2], &LINE[..LINE.len() - 1]);
    let Ok(OptodeLine::Sample { sample, .. }) = decode_line(LINE) else {
        panic!("reference line did not decode");
    };
    assert_eq!(samples(&decode_chunks([LOG]))[1].0, sample);
    assert_eq!(sample.time.unwrap().to_string(), "2015-03-30T00:00:15.376Z");
    assert_eq!(
        values_of(&sample),
        [354.255, 94.962, 7.658, 32.971, 32.971, 41.373, 8.402, 738.5, 797.6, 448.6]
    );
}

#[test]
fn any_chunk_size_gives_the_same_events() {
    let whole = decode_chunks([LOG]);
    for size in 1..=97 {
        assert_eq!(decode_chunks(LOG.chunks(size)), whole, "chunk size {size}");
    }
}

#[test]
fn every_line_split_at_every_byte_gives_the_same_event() {
    let mut prev: &[u8] = &[];
    for line in LOG.split_inclusive(|&b| b == b'\n') {
        let alone = decode_chunks([line]);
        assert_eq!(alone.len(), 1);
        // Split inside the running stream: the previous line, then this one cut at `cut`.
        for cut in 0..=line.len() {
            let got = decode_chunks([prev, &line[..cut], &line[cut..]]);
            assert_eq!(got.last(), alone.last(), "cut at {cut} of {line:?}");
        }
        prev = line;
    }
}

/// One thing put between the real records of the file (issue 14, part 6).
#[derive(Debug, Clone, Copy)]
enum Disturbance {
    /// A line of binary garbage.
    GarbageLine,
    /// A logger timestamp with nothing after it.
    StampOnlyLine,
    /// A logger status line.
    StatusLine,
    /// A tagged logger line with power-up garbage and no record.
    TaggedGarbageLine,
    /// The next real record cut in the middle by a newline: it is lost, and neither half
    /// may give a sample.
    CutRecord,
    /// Garbage bytes, no newline, then the next real line.
    GarbageGluedToNext,
    /// A timestamp without a record, no newline, then the next real line.
    StampGluedToNext,
    /// A status line without its newline, then the next real line.
    StatusGluedToNext,
    /// The previous record lost its CR LF: the next real line follows it on the same line.
    RecordGluedToNext,
}

const DISTURBANCES: [Disturbance; 9] = [
    Disturbance::GarbageLine,
    Disturbance::StampOnlyLine,
    Disturbance::StatusLine,
    Disturbance::TaggedGarbageLine,
    Disturbance::CutRecord,
    Disturbance::GarbageGluedToNext,
    Disturbance::StampGluedToNext,
    Disturbance::StatusGluedToNext,
    Disturbance::RecordGluedToNext,
];

/// What a record must decode to: (RFC 3339 time, serial, the ten values).
type Expected = (String, u32, [f64; 10]);

/// The file with a disturbance before every fifth record, and the records that must come
/// out of it: every real record that was not cut.
fn disturbed_log() -> (Vec<u8>, Vec<Expected>) {
    let mut out = Vec::new();
    let mut expected = Vec::new();
    let mut records = 0usize;
    for line in LOG.split_inclusive(|&b| b == b'\n') {
        let Some((time, serial, values, _)) = expected_from_text(line) else {
            out.extend_from_slice(line);
            continue;
        };
        records += 1;
        let disturbance = records
            .is_multiple_of(5)
            .then(|| DISTURBANCES[(records / 5) % 9]);
        let mut keep = true;
        match disturbance {
            None => {}
            Some(Disturbance::GarbageLine) => {
                out.extend_from_slice(b"\x00\xff\xfe\x93\x13\x11#$%\r\n")
            }
            Some(Disturbance::StampOnlyLine) => {
                out.extend_from_slice(b"2015/03/30 00:00:16.000 \r\n")
            }
            Some(Disturbance::StatusLine) => out.extend_from_slice(
                b"2015/03/30 00:03:05.383 [dosta1:DLOGP4]:Instrument Stopped [Power Off]\r\n",
            ),
            Some(Disturbance::TaggedGarbageLine) => out.extend_from_slice(
                b"2015/03/30 00:00:12.462 [dosta1:DLOGP4]:3\xdb'\xb9v3\xd9\xf5\xbb7=\xb9\r\n",
            ),
            Some(Disturbance::CutRecord) => {
                let cut = position(line, b"\t94.")
                    .or_else(|| position(line, b"\t9"))
                    .unwrap();
                out.extend_from_slice(&line[..cut]);
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&line[cut + 1..]);
                keep = false;
            }
            Some(Disturbance::GarbageGluedToNext) => out.extend_from_slice(b"\xff\xfe\x00\x93"),
            Some(Disturbance::StampGluedToNext) => {
                out.extend_from_slice(b"2015/03/30 00:00:16.000 ")
            }
            Some(Disturbance::StatusGluedToNext) => out.extend_from_slice(
                b"2015/03/30 00:03:05.383 [dosta1:DLOGP4]:Instrument Stopped [Power Off]",
            ),
            Some(Disturbance::RecordGluedToNext) => {
                // Drop the CR LF of the previous (real, kept) line.
                let end = out.len();
                assert_eq!(&out[end - 2..], b"\r\n");
                out.truncate(end - 2);
            }
        }
        if keep {
            out.extend_from_slice(line);
            expected.push((time, serial, values));
        }
    }
    (out, expected)
}

#[test]
fn garbage_and_logger_lines_between_records_lose_no_record_and_move_no_value() {
    let (log, expected) = disturbed_log();
    let whole = decode_chunks([&log[..]]);
    let got: Vec<Expected> = samples(&whole)
        .iter()
        .map(|(s, _)| {
            (
                s.time.map(|t| t.to_string()).unwrap_or_default(),
                s.serial,
                values_of(s),
            )
        })
        .collect();
    // 587 real records, 117 disturbed, 13 of them cut.
    assert_eq!(expected.len(), 587 - 13);
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "record {i}");
    }
    assert_eq!(got.len(), expected.len());
    for size in [1, 7, 64, 333] {
        assert_eq!(decode_chunks(log.chunks(size)), whole, "chunk size {size}");
    }
}
