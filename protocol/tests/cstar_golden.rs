//! The verbatim C-Star line of instruments.md §5 and its fields, in a stream with a bad line,
//! cut at every byte position.

use protocol::instruments::cstar::{
    decode_line, CStarDecoder, CStarError, CStarEvent, CStarField, CStarLine, CStarSample,
};

// instruments.md §5, verbatim (real line of C-Star 2405, spaces as published).
const LINE: &str = "CST-2405PR  11531  15780  15783  -0.087  544";

fn sample_of(line: &[u8]) -> (CStarSample, usize) {
    match decode_line(line) {
        Ok(CStarLine::Sample {
            sample,
            skipped_bytes,
        }) => (sample, skipped_bytes),
        other => panic!("{line:?} gave {other:?}"),
    }
}

#[test]
fn reference_line_fields() {
    let (s, skipped) = sample_of(LINE.as_bytes());
    assert_eq!(skipped, 0);
    assert_eq!(s.serial, 2405);
    assert_eq!(s.suffix.as_str(), "PR");
    assert_eq!(s.reference_counts, 11531);
    assert_eq!(s.signal_counts, 15780);
    assert_eq!(s.corrected_counts, 15783);
    assert_eq!(s.beam_attenuation_per_m, -0.087);
    assert_eq!(s.thermistor_counts, 544);
}

#[test]
fn tab_separated_crlf_and_garbage_give_the_same_sample() {
    // mobileUDAS splits the same line on TAB.
    let tabbed = LINE.split_whitespace().collect::<Vec<_>>().join("\t") + "\r\n";
    assert_eq!(sample_of(tabbed.as_bytes()), sample_of(LINE.as_bytes()));
    let (s, skipped) = sample_of(format!("\u{13}\u{11}\u{0}\u{ff}{LINE}\r\n").as_bytes());
    assert_eq!(s, sample_of(LINE.as_bytes()).0);
    assert_eq!(skipped, 3); // NUL and the two bytes of U+00FF; XOFF/XON are blanks
}

fn stream() -> Vec<u8> {
    let dr = LINE.replace("PR", "DR");
    let bad = LINE.replace("15780", "15x80");
    [LINE, &bad, &dr, "", LINE]
        .iter()
        .flat_map(|l| [l.as_bytes(), b"\r\n"].concat())
        .collect()
}

fn decode_owned(chunks: &[&[u8]]) -> Vec<Result<CStarLine, CStarError>> {
    let mut d = CStarDecoder::<256>::new();
    let mut out = Vec::new();
    let mut push = |e: CStarEvent<'_>| match e {
        CStarEvent::Line { result, .. } => out.push(result),
        CStarEvent::Overflow { head } => panic!("overflow {head:?}"),
    };
    for c in chunks {
        d.feed(c, &mut push);
    }
    if let Some(e) = d.finish() {
        push(e);
    }
    out
}

#[test]
fn bad_line_is_reported_and_its_neighbours_survive() {
    let mut d = CStarDecoder::<256>::new();
    let mut rejected = Vec::new();
    d.feed(&stream(), |e| {
        if let CStarEvent::Line {
            raw,
            result: Err(err),
        } = e
        {
            rejected.push((raw.to_vec(), err));
        }
    });
    assert_eq!(
        rejected,
        [(
            LINE.replace("15780", "15x80").into_bytes(),
            CStarError::Malformed(CStarField::Signal)
        )]
    );
    let st = d.stats();
    assert_eq!(
        (st.samples, st.rejected, st.blank_lines, st.overflows),
        (3, 1, 1, 0)
    );
    let got = decode_owned(&[&stream()]);
    let Ok(CStarLine::Sample { sample, .. }) = &got[2] else {
        panic!("{:?}", got[2]);
    };
    assert_eq!(sample.suffix.as_str(), "DR");
}

#[test]
fn split_at_every_byte_position_gives_the_same_records() {
    let data = stream();
    let whole = decode_owned(&[&data]);
    assert_eq!(whole.len(), 5);
    for a in 0..=data.len() {
        for b in (a..=data.len()).step_by(3) {
            let got = decode_owned(&[&data[..a], &data[a..b], &data[b..]]);
            assert_eq!(got, whole, "cuts at {a}, {b}");
        }
    }
}

#[test]
fn runaway_line_is_reported_and_the_next_line_decodes() {
    let mut data = vec![b'7'; 1000];
    data.extend_from_slice(b"\r\n");
    data.extend_from_slice(LINE.as_bytes());
    let mut d = CStarDecoder::<64>::new();
    let mut overflow_heads = Vec::new();
    let mut samples = 0;
    for chunk in data.chunks(10) {
        d.feed(chunk, |e| match e {
            CStarEvent::Overflow { head } => overflow_heads.push(head.len()),
            CStarEvent::Line {
                result: Ok(CStarLine::Sample { .. }),
                ..
            } => samples += 1,
            other => panic!("{other:?}"),
        });
    }
    assert!(matches!(
        d.finish(),
        Some(CStarEvent::Line {
            result: Ok(CStarLine::Sample { .. }),
            ..
        })
    ));
    assert_eq!((overflow_heads, samples), (vec![64], 0));
    assert_eq!(d.stats().overflows, 1);
    assert_eq!(d.line_stats().discarded_bytes, 1001 - 64);
}
