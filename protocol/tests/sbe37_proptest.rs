//! Property tests: no SBE 37 decoder panics on arbitrary input.

use proptest::prelude::*;
use protocol::instruments::sbe37::compat::{parse_dump, CompatSample};
use protocol::instruments::sbe37::hex::{HexHeader, RawScan, ScanLayout};
use protocol::instruments::sbe37::sio::{CtdmoRecords, SioBlocks};
use protocol::instruments::sbe37::{ascii, im, AsciiLayout, CondUnits, OxygenUnits, PressureUnits};

const SM_HEX: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.hex"
));
const SIO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/ooi/node59p1_1.ctdmo.dat"
));
const DAT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/ooi/ctdmo01_20140712_120719.DAT"
));

fn layouts() -> [AsciiLayout; 3] {
    [
        AsciiLayout::default(),
        AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            salinity: true,
            sound_velocity: true,
            ..AsciiLayout::default()
        },
        AsciiLayout {
            cond_units: CondUnits::MicroSiemensPerCm,
            pressure: Some(PressureUnits::Psi),
            oxygen: Some(OxygenUnits::MgPerL),
            specific_conductivity: true,
            sample_number: true,
            ..AsciiLayout::default()
        },
    ]
}

fn all_text_parsers(s: &str) {
    for l in layouts() {
        let _ = ascii::parse(s, &l);
        let _ = im::parse(s, &l);
    }
    let _ = ascii::parse_auto(s);
    let _ = im::parse_auto(s);
    let _ = CompatSample::parse(s, 1);
    for layout in [
        ScanLayout::default(),
        ScanLayout {
            oxygen: true,
            pressure: true,
        },
    ] {
        let _ = RawScan::parse(s, layout, 1);
    }
    if let Ok(h) = HexHeader::parse(s) {
        h.scans(s).for_each(drop);
    }
    if let Ok((_, it)) = parse_dump(s) {
        it.for_each(drop);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings(s in "\\PC{0,120}") {
        all_text_parsers(&s);
    }

    #[test]
    fn line_like_strings(s in "[#0-9a-fA-F., :JanFebMrApyulgSOctNvDc\r\n-]{0,100}") {
        all_text_parsers(&s);
    }

    #[test]
    fn hex_body_after_a_real_header(body in "[0-9A-Fa-fZ \r\n]{0,200}") {
        let end = SM_HEX.find("*END*").unwrap() + "*END*\r\n".len();
        let text = format!("{}{}", &SM_HEX[..end], body);
        let h = HexHeader::parse(&text).unwrap();
        h.scans(&text).for_each(drop);
        h.raw_scans(&text).for_each(drop);
    }

    #[test]
    fn mutated_header(pos in 0usize..12_000, byte in any::<u8>()) {
        let mut b = SM_HEX.as_bytes()[..12_000.min(SM_HEX.len())].to_vec();
        let i = pos % b.len();
        b[i] = byte;
        let s = String::from_utf8_lossy(&b);
        all_text_parsers(&s);
    }

    #[test]
    fn mutated_dump(pos in 0usize..1833, byte in any::<u8>()) {
        let mut b = DAT.as_bytes().to_vec();
        let i = pos % b.len();
        b[i] = byte;
        let s = String::from_utf8_lossy(&b);
        all_text_parsers(&s);
    }

    #[test]
    fn arbitrary_sio_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        SioBlocks::new(&b).for_each(drop);
        CtdmoRecords::new(&b).for_each(drop);
    }

    #[test]
    fn mutated_sio_stream(edits in proptest::collection::vec((0usize..380, any::<u8>()), 1..4), cut in 0usize..380) {
        let mut b = SIO.to_vec();
        for (pos, byte) in edits {
            let i = pos % b.len();
            b[i] = byte;
        }
        b.truncate(cut.max(1));
        CtdmoRecords::new(&b).for_each(drop);
        SioBlocks::new(&b).for_each(drop);
    }

    #[test]
    fn packed_records(p in any::<[u8; 7]>(), t in any::<[u8; 4]>(), r in proptest::option::of(0.0f64..20_000.0)) {
        let _ = CompatSample::from_packed(p, t).to_sample(r);
    }
}
