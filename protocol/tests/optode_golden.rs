//! Verbatim optode lines from instruments.md §4 (3830, 3835, 4330, 4330F, 4531, 4831) with the
//! values they state, the whoi_ds (BSD-3) 4330 test lines, and byte-split invariance.

use protocol::instruments::optode::{
    decode_line, OptodeDecoder, OptodeError, OptodeEvent, OptodeField, OptodeLine, OptodeSample,
};
use protocol::time::UtcTime;

// instruments.md §4, verbatim (`\t`, `\r\n`, `\x13\x11` as in the reference).
const L3830: &str = "MEASUREMENT\t  3830\t   677\tOxygen: \t   263.58\tSaturation: \t   100.33\tTemperature: \t    23.96";
const L3835_A: &str = "\x13\x11\x13\x11MEASUREMENT\t  3835\t   506\tOxygen: \t   264.81\tSaturation: \t    90.54\tTemperature: \t    18.47";
const L3835_B: &str = "\x13\x11\x13\x11MEASUREMENT\t  3835\t   505\tOxygen: \t   287.81\tSaturation: \t    95.10\tTemperature: \t    16.82";
const L3835_C: &str = "\tMEASUREMENT\t  3835\t   506\tOxygen: \t   251.39\tSaturation: \t    91.01\tTemperature: \t    21.34";
const L4330: &str = "MEASUREMENT 4330    20      O2Concentration(uM)     155.469 AirSaturation(%)        36.054  Temperature(Deg.C)      2.024   CalPhase(Deg)   45.442  TCPhase(Deg)    44.868  C1RPh(Deg) 48.889  C2RPh(Deg)      4.021   C1Amp(mV)       1041.7  C2Amp(mV)       808.9   RawTemp(mV)     691.1\r\n";
const L4330F: &str = "MEASUREMENT\t4330F\t829\tO2Concentration(uM)\t263.870\tAirSaturation(%)\t99.293\tTemperature(Deg.C)\t23.349\tCalPhase(Deg)\t27.110\tTCPhase(Deg)\t30.200\tC1RPh(Deg)\t34.202\tC2RPh(Deg)\t4.002\tC1Amp(mV)\t595.3\tC2Amp(mV)\t697.2\tRawTemp(mV)\t185.3\t";
const L4531: &str = "MEASUREMENT\t4531\t395\tO2Concentration[uM]\t259.160\tAirSaturation[%]\t97.999\tTemperature[Deg.C]\t23.662";
const L4831: &str = "2015/03/30 00:00:15.376 4831\t379\t354.255\t94.962\t7.658\t32.971\t32.971\t41.373\t8.402\t738.5\t797.6\t448.6\r\n";

// GSO-soslab/whoi_ds `ds_sensors/src/test/test_anderaaoxyoptode_parsing.cpp` (BSD-3): the
// second valid line (expects 156.963, 36.827, 2.454) and its two lines that must fail.
const WHOI_4330_B: &str = "MEASUREMENT 4330    20      O2Concentration(uM)     156.963 AirSaturation(%)        36.827  Temperature(Deg.C)      2.454   CalPhase(Deg)   45.063  TCPhase(Deg)    44.490  C1RPh(Deg) 48.510  C2RPh(Deg)      4.020   C1Amp(mV)       1035.7  C2Amp(mV)       806.2   RawTemp(mV)     678.0\r\n";
const WHOI_TOO_FEW: &str =
    "MEASUREMENT 4330    20      O2Concentration(uM)     155.469 AirSaturation(%)        36.054\r\n";
const WHOI_CORRUPT: &str = "MEASUREMENT 4330    20      O2Concentration(uM)     155.y123 AirSaturation(%)        36.054  Temperature(Deg.C)      2.024   CalPhase(Deg)   45.442  TCPhase(Deg)    44.868  C1RPh(Deg) 48.889  C2RPh(Deg)      4.021   C1Amp(mV)       1041.7  C2Amp(mV)       808.9   RawTemp(mV)     691.1\r\n";

/// Expected content of a sample: model, suffix, serial, O2, sat, T, then the seven raw fields.
type Expect = (u16, Option<char>, u32, [f64; 3], Option<[f64; 7]>);

fn sample_of(line: &str) -> (OptodeSample, usize) {
    match decode_line(line.as_bytes()) {
        Ok(OptodeLine::Sample {
            sample,
            skipped_bytes,
        }) => (sample, skipped_bytes),
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn check(line: &str, (model, suffix, serial, main, raw): Expect) {
    let (s, skipped) = sample_of(line);
    assert_eq!(skipped, 0, "{line:?}");
    assert_eq!(
        (s.model, s.model_suffix, s.serial),
        (Some(model), suffix, serial)
    );
    assert_eq!([s.oxygen_umol_l, s.saturation_pct, s.temperature_c], main);
    let got_raw = [
        s.calphase_deg,
        s.tcphase_deg,
        s.c1rph_deg,
        s.c2rph_deg,
        s.c1amp_mv,
        s.c2amp_mv,
        s.rawtemp_mv,
    ];
    match raw {
        Some(r) => assert_eq!(got_raw, r.map(Some), "{line:?}"),
        None => assert_eq!(got_raw, [None; 7], "{line:?}"),
    }
}

#[test]
fn legacy_3830_and_3835() {
    check(L3830, (3830, None, 677, [263.58, 100.33, 23.96], None));
    check(L3835_A, (3835, None, 506, [264.81, 90.54, 18.47], None));
    check(L3835_B, (3835, None, 505, [287.81, 95.10, 16.82], None));
    check(L3835_C, (3835, None, 506, [251.39, 91.01, 21.34], None));
    assert_eq!(sample_of(L3830).0.time, None);
}

#[test]
fn labelled_4330_and_4330f() {
    let raw = [45.442, 44.868, 48.889, 4.021, 1041.7, 808.9, 691.1];
    check(L4330, (4330, None, 20, [155.469, 36.054, 2.024], Some(raw)));
    let raw = [45.063, 44.490, 48.510, 4.020, 1035.7, 806.2, 678.0];
    check(
        WHOI_4330_B,
        (4330, None, 20, [156.963, 36.827, 2.454], Some(raw)),
    );
    let raw = [27.110, 30.200, 34.202, 4.002, 595.3, 697.2, 185.3];
    check(
        L4330F,
        (4330, Some('F'), 829, [263.870, 99.293, 23.349], Some(raw)),
    );
}

#[test]
fn labelled_4531() {
    check(L4531, (4531, None, 395, [259.160, 97.999, 23.662], None));
}

#[test]
fn unlabelled_4831_with_logger_time() {
    let raw = [32.971, 32.971, 41.373, 8.402, 738.5, 797.6, 448.6];
    check(
        L4831,
        (4831, None, 379, [354.255, 94.962, 7.658], Some(raw)),
    );
    assert_eq!(
        sample_of(L4831).0.time,
        UtcTime::from_civil(2015, 3, 30, 0, 0, 15, 376)
    );
}

#[test]
fn negative_phase_decodes() {
    // fishie notes a negative C1RPh on a 4330F; the reference line with that field negated.
    let line = L4330F.replace("C1RPh(Deg)\t34.202", "C1RPh(Deg)\t-34.202");
    assert_eq!(sample_of(&line).0.c1rph_deg, Some(-34.202));
}

#[test]
fn whoi_bad_lines_are_rejected_with_the_reason() {
    assert_eq!(
        decode_line(WHOI_TOO_FEW.as_bytes()),
        Err(OptodeError::MissingField(OptodeField::Temperature))
    );
    assert_eq!(
        decode_line(WHOI_CORRUPT.as_bytes()),
        Err(OptodeError::NotANumber(OptodeField::Oxygen))
    );
}

#[test]
fn garbage_before_measurement_is_skipped_and_counted() {
    let line = format!("\u{7f}\u{1}zz{L4531}");
    let (s, skipped) = sample_of(&line);
    assert_eq!((s.serial, skipped), (395, 4));
}

/// The golden lines as one CR LF stream, with a bad line in the middle.
fn stream() -> Vec<u8> {
    let mut out = Vec::new();
    for l in [
        L3830,
        L3835_A,
        L3835_B,
        L3835_C,
        L4330,
        WHOI_CORRUPT,
        L4330F,
        L4531,
        L4831,
    ] {
        out.extend_from_slice(l.trim_end_matches("\r\n").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn decode_owned(chunks: &[&[u8]]) -> Vec<Result<OptodeSample, OptodeError>> {
    let mut d = OptodeDecoder::<512>::new();
    let mut out = Vec::new();
    let mut push = |e: OptodeEvent<'_>| match e {
        OptodeEvent::Line { result, .. } => out.push(result.map(|l| match l {
            OptodeLine::Sample { sample, .. } => sample,
            other => panic!("unexpected {other:?}"),
        })),
        OptodeEvent::Overflow { head } => panic!("overflow {head:?}"),
    };
    for c in chunks {
        d.feed(c, &mut push);
    }
    while let Some(e) = d.finish() {
        push(e);
    }
    out
}

#[test]
fn bad_line_does_not_lose_its_neighbours() {
    let got = decode_owned(&[&stream()]);
    assert_eq!(got.len(), 9);
    assert_eq!(got[5], Err(OptodeError::NotANumber(OptodeField::Oxygen)));
    assert_eq!(got.iter().filter(|r| r.is_ok()).count(), 8);
}

#[test]
fn split_at_every_pair_of_byte_positions_gives_the_same_records() {
    let data = stream();
    let whole = decode_owned(&[&data]);
    let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), whole.len());
    // Each line, after the previous one, cut at every position `a` (two feeds) and, with a
    // second cut `b` every 5 bytes after `a`, three feeds.
    for (i, line) in lines.iter().enumerate() {
        let prev: &[u8] = if i == 0 { &[] } else { lines[i - 1] };
        for a in 0..=line.len() {
            for b in (a..=line.len()).step_by(5) {
                let got = decode_owned(&[prev, &line[..a], &line[a..b], &line[b..]]);
                assert_eq!(got.last(), whole.get(i), "line {i} cut at {a}, {b}");
            }
        }
    }
}

#[test]
fn unterminated_last_line_is_decoded_at_finish() {
    // The 4330F reference line has no CR LF.
    let got = decode_owned(&[L4330F.as_bytes()]);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].unwrap().serial, 829);
}
