//! OOI CTDMO files (SBE 37-IM behind inductive-modem controllers) against OOI's own expected
//! particles (`.yml`). Counts are compared exactly; conversions as instruments.md §2.6 says.

use std::collections::{BTreeMap, BTreeSet};

use protocol::instruments::sbe37::compat::parse_dump;
use protocol::instruments::sbe37::sio::{
    BlockKind, CtdmoRecord, CtdmoRecords, SioBlocks, SioErrorKind,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ooi/");
/// Seconds from 1900-01-01 (NTP, OOI's `internal_timestamp`) to 1970-01-01.
const NTP_TO_UNIX: i64 = 2_208_988_800;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

/// The `data:` items of an OOI particle yml, as `key -> value` (quotes stripped).
fn yml_items(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = String::from_utf8(read(name)).unwrap();
    let data = text.split_once("\ndata:").unwrap().1;
    let mut items: Vec<BTreeMap<String, String>> = Vec::new();
    for line in data.lines() {
        let t = line.trim();
        let Some((k, v)) = t.trim_start_matches("- ").split_once(':') else {
            continue;
        };
        if t.starts_with("- ") {
            items.push(BTreeMap::new());
        }
        let v = v.trim().trim_matches('\'').to_string();
        items.last_mut().unwrap().insert(k.trim().to_string(), v);
    }
    items
}

fn int(item: &BTreeMap<String, String>, k: &str) -> i64 {
    let v = &item[k];
    v.parse::<i64>()
        .unwrap_or_else(|_| v.parse::<f64>().unwrap() as i64)
}

#[test]
fn imodem_dump_matches_telem_yml() {
    let text = String::from_utf8(read("ctdmo01_20140712_120719.DAT")).unwrap();
    let items = yml_items("ctdmo01_20140712_120719_telem.yml");
    assert_eq!(items.len(), 63);

    let (st, samples) = parse_dump(&text).unwrap();
    let meta = &items[0];
    assert_eq!(
        st.controller_time.unwrap().unix_seconds() + NTP_TO_UNIX,
        int(meta, "internal_timestamp")
    );
    assert_eq!(meta["date_time_string"], "20140712 120719");
    assert_eq!(st.serial.unwrap().to_string(), meta["serial_number"]);
    assert_eq!(
        st.v_main.unwrap(),
        meta["battery_voltage_main"].parse::<f64>().unwrap()
    );
    assert_eq!(
        st.v_lith.unwrap(),
        meta["battery_voltage_lithium"].parse::<f64>().unwrap()
    );
    assert_eq!(
        i64::from(st.sample_number.unwrap()),
        int(meta, "sample_number")
    );
    assert_eq!(i64::from(st.free.unwrap()), int(meta, "mem_free"));
    assert_eq!(
        i64::from(st.sample_interval_s.unwrap()),
        int(meta, "sample_interval")
    );
    assert_eq!(
        i64::from(st.pressure_range_psia.unwrap()),
        int(meta, "pressure_range")
    );
    assert_eq!(
        i64::from(st.samples_recorded.unwrap()),
        int(meta, "num_samples")
    );
    assert_eq!(
        (st.model.as_str(), st.firmware.as_str(), st.logging),
        ("SBE37-IM", "3.1", Some(true))
    );
    assert_eq!(
        st.instrument_time.unwrap().to_string(),
        "2014-07-12T12:07:19Z"
    );

    let samples: Vec<_> = samples.collect::<Result<_, _>>().unwrap();
    assert_eq!(samples.len(), 62);
    let range = f64::from(st.pressure_range_psia.unwrap());
    for (s, want) in samples.iter().zip(&items[1..]) {
        let c = s.sample;
        assert_eq!(i64::from(c.temperature), int(want, "temperature"));
        assert_eq!(i64::from(c.conductivity), int(want, "conductivity"));
        assert_eq!(i64::from(c.pressure.unwrap()), int(want, "pressure"));
        assert_eq!(i64::from(c.seconds_since_2000), int(want, "ctd_time"));
        assert_eq!(
            c.time().unix_seconds() + NTP_TO_UNIX,
            int(want, "internal_timestamp")
        );
        // ion-functions units: a bench sample (dry cell, room temperature, ~0 dbar).
        let e = c.to_sample(Some(range));
        assert!((e.temperature_c - (f64::from(c.temperature) / 1e4 - 10.0)).abs() < 1e-12);
        assert!((15.0..35.0).contains(&e.temperature_c) && e.conductivity_s_m.abs() < 0.001);
        assert!(e.pressure_dbar.unwrap().abs() < 1.0, "{e:?}");
    }
    // §2.6 first line: 25.3184 °C, 0.00001 S/m.
    let first = samples[0].sample.to_sample(Some(range));
    assert_eq!(
        (
            format!("{:.4}", first.temperature_c),
            format!("{:.5}", first.conductivity_s_m)
        ),
        ("25.3184".into(), "0.00001".into())
    );
}

/// CT records of a SIO stream compared field by field with `node59p1_1.ctdmo.yml`.
fn check_against_yml(data: &[u8]) -> Vec<protocol::instruments::sbe37::sio::SioError> {
    let items = yml_items("node59p1_1.ctdmo.yml");
    assert_eq!(items.len(), 24);
    let (mut recs, mut errs) = (Vec::new(), Vec::new());
    for r in CtdmoRecords::new(data) {
        match r {
            Ok(CtdmoRecord::Ct(ct)) => recs.push(ct),
            Ok(CtdmoRecord::Co(co)) => panic!("no CO block expected: {co:?}"),
            Err(e) => errs.push(e),
        }
    }
    assert_eq!(recs.len(), items.len());
    for (r, want) in recs.iter().zip(&items) {
        assert_eq!(
            i64::from(r.controller_time),
            int(want, "sio_controller_timestamp")
        );
        assert_eq!(i64::from(r.id), int(want, "inductive_id"));
        assert_eq!(i64::from(r.sample.temperature), int(want, "temperature"));
        assert_eq!(i64::from(r.sample.conductivity), int(want, "conductivity"));
        assert_eq!(i64::from(r.sample.pressure.unwrap()), int(want, "pressure"));
        assert_eq!(
            i64::from(r.sample.seconds_since_2000),
            int(want, "ctd_time")
        );
        assert_eq!(r.sample.time().to_string(), want["internal_timestamp"]);
    }
    errs
}

#[test]
fn sio_blocks_match_yml() {
    let data = read("node59p1_1.ctdmo.dat");
    let blocks: Vec<_> = SioBlocks::new(&data).collect::<Result<_, _>>().unwrap();
    assert_eq!(blocks.len(), 2);
    // §2.6 header: CT1237100_009Cb51F0C096_13_3E6B (the CRC checks).
    let b = &blocks[0];
    assert_eq!(
        (b.kind, b.controller_id, b.instrument, b.flag),
        (BlockKind::Ct, 12371, 0, b'b')
    );
    assert_eq!(
        (b.payload.len(), b.controller_time, b.block_number, b.crc),
        (0x9C, 0x51F0_C096, 0x13, 0x3E6B)
    );
    let errs = check_against_yml(&data);
    assert!(errs.is_empty(), "{errs:?}");
    // §2.6 first record in engineering units: 2.3064 °C, 3.13095 S/m.
    let first = CtdmoRecords::new(&data).next().unwrap().unwrap();
    let CtdmoRecord::Ct(ct) = first else {
        panic!("CT expected")
    };
    let e = ct.sample.to_sample(None);
    assert_eq!(
        (
            format!("{:.4}", e.temperature_c),
            format!("{:.5}", e.conductivity_s_m)
        ),
        ("2.3064".into(), "3.13095".into())
    );
}

#[test]
fn corrupted_stream_yields_exactly_the_good_records() {
    let data = read("node59p1_1.bad.ctdmo.dat");
    let errs = check_against_yml(&data);
    // OOI's test expects the same 24 particles and exactly one UnexpectedDataException.
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].kind, SioErrorKind::UnexpectedData);
    assert_eq!(
        &data[errs[0].offset..errs[0].offset + errs[0].len],
        b"BADDATA"
    );
}

#[test]
fn long_stream_of_twelve_microcats() {
    let data = read("node59p1_0.ctdmo.dat");
    let (mut ct, mut co, mut errs) = (0, 0, 0);
    let mut ids = BTreeSet::new();
    for r in CtdmoRecords::new(&data) {
        match r {
            Ok(CtdmoRecord::Ct(r)) => {
                ct += 1;
                ids.insert(r.id);
            }
            Ok(CtdmoRecord::Co(_)) => co += 1,
            Err(_) => errs += 1,
        }
    }
    println!("node59p1_0: {ct} CT, {co} CO records, {errs} errors, IDs {ids:?}");
    // OOI test_long_stream: 1668 particles (129 CT blocks × 12 + 10 CO blocks × 12), no error.
    assert_eq!((ct, co, errs), (1548, 120, 0));
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        vec![16, 17, 21, 22, 53, 55, 58, 59, 63, 64, 65, 66]
    );
}
