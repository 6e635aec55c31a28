//! Nortek AWAC file from MHKiT-Python (tests/data/mhkit/H-AWAC_test01.wpr, see
//! PROVENANCE.md): configuration structures and 9 profiles.
//!
//! instruments.md §1 describes the profiles as 3 beams × 20 cells, but that is only one
//! reading of their 180 data bytes: the file's own head configuration (offset 220) and user
//! configuration (NBeams 2, NBins 30, as MHKiT reads them) say 2 beams × 30 cells, and the
//! data agree (see `layout_is_two_beams_of_thirty_cells`).

use protocol::instruments::nortek::{
    decode_slice, CoordinateSystem, Event, NortekError, ProfileKind, Record,
};

fn read() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mhkit/H-AWAC_test01.wpr"
    );
    std::fs::read(path).unwrap()
}

#[test]
fn awac_profiles_decode() {
    let bytes = read();
    let mut events = decode_slice(&bytes);
    let mut records = Vec::new();
    let mut skips = Vec::new();
    for ev in events.by_ref() {
        match ev {
            Event::Record { offset, record } => records.push((offset, record)),
            Event::Skipped(s) => skips.push(s),
        }
    }
    let stats = *events.stats();

    // instruments.md §1: 0x05, 0x04, 0x00, then 9 × 0x20, all checksums valid.
    assert_eq!(records.len(), 12);
    let Record::HardwareConfiguration(hw) = &records[0].1 else {
        panic!("{:?}", records[0])
    };
    let Record::HeadConfiguration(head) = &records[1].1 else {
        panic!("{:?}", records[1])
    };
    let Record::UserConfiguration(user) = &records[2].1 else {
        panic!("{:?}", records[2])
    };
    // MHKiT recognises an AWAC by a serial number starting with "WPR".
    assert!(hw.serial_number.starts_with("WPR"), "{}", hw.serial_number);
    assert_eq!(head.number_of_beams, 2);
    assert_eq!((user.number_of_beams, user.number_of_cells), (2, 30));
    println!(
        "hw {} fw {} head {} {} kHz, coord {:?}, cells {}, interval {} s",
        hw.serial_number,
        hw.firmware_version,
        head.serial_number,
        head.frequency_khz,
        user.coordinate_system,
        user.number_of_cells,
        user.measurement_interval_s
    );

    let mut previous = None;
    let mut profiles = 0;
    for (offset, record) in &records[3..] {
        let Record::Profile(p) = record else {
            panic!("{record:?}")
        };
        profiles += 1;
        // §3.2: the H-AWAC record is 300 B = 118 + 120 (velocity) + 60 (amplitude) + 2.
        assert_eq!((offset - 784) % 300, 0);
        assert_eq!(p.kind, ProfileKind::Awac);
        assert_eq!((p.beams, p.cells.len()), (2, 30));
        assert_eq!(p.coordinate_system, user.coordinate_system);
        assert!(p.coordinate_system.is_some());
        let t = p.sensors.time.expect("valid clock");
        // Profiles follow each other at the configured measurement interval.
        if let Some(prev) = previous {
            assert_eq!(
                t.unix_seconds() - prev,
                i64::from(user.measurement_interval_s),
                "{t}"
            );
        }
        previous = Some(t.unix_seconds());
        let s = &p.sensors;
        println!(
            "{t} T {:.2} °C P {:.3} dbar hdg {:.1} batt {:.1} V c {:.1} m/s v0 {:?} a0 {:?}",
            s.temperature_c,
            s.pressure_dbar,
            s.heading_deg,
            s.battery_v,
            s.sound_speed_m_s,
            p.cells[0].velocity_m_s,
            p.cells[0].amplitude
        );
        // Physically plausible sensor values (sea water, a deployed instrument).
        assert!((1400.0..1600.0).contains(&s.sound_speed_m_s));
        assert!((-5.0..40.0).contains(&s.temperature_c));
        assert!((0.0..360.0).contains(&s.heading_deg));
        for c in &p.cells {
            assert!(c.velocity_m_s.iter().all(|v| v.abs() < 10.0));
            assert_eq!(c.correlation_percent, None);
        }
    }
    assert_eq!(profiles, 9);
    // The file ends with 4 bytes that are not a structure.
    assert_eq!(skips.len(), 1);
    assert_eq!((skips[0].offset, skips[0].bytes), (3484, 4));
    assert_eq!(skips[0].reason, NortekError::NoSync);
    assert_eq!(
        stats.record_bytes + stats.skipped_bytes(),
        bytes.len() as u64
    );
    assert_eq!(user.coordinate_system, Some(CoordinateSystem::Enu));
}

/// Sum of squared deviations from the mean of each segment.
fn sse(segments: &[&[f64]]) -> f64 {
    segments
        .iter()
        .map(|seg| {
            let mean = seg.iter().sum::<f64>() / seg.len() as f64;
            seg.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        })
        .sum()
}

#[test]
fn layout_is_two_beams_of_thirty_cells() {
    // Rebuild each profile's 60 velocity words in file order (beam-major) and ask which
    // split into beams explains them better: 2 × 30 or 3 × 20. Beams differ in mean
    // velocity (the first profile: all 30 first words negative, all 30 next positive),
    // so the right split leaves far less spread within its segments.
    let bytes = read();
    let (mut two_by_30, mut three_by_20, mut n) = (0.0, 0.0, 0);
    for ev in decode_slice(&bytes) {
        if let Event::Record {
            record: Record::Profile(p),
            ..
        } = ev
        {
            n += 1;
            let words: Vec<f64> = (0..p.beams)
                .flat_map(|b| p.cells.iter().map(move |c| c.velocity_m_s[b]))
                .collect();
            assert_eq!(words.len(), 60);
            two_by_30 += sse(&[&words[..30], &words[30..]]);
            three_by_20 += sse(&[&words[..20], &words[20..40], &words[40..]]);
            // Beams beyond the profile's are zero.
            assert!(p
                .cells
                .iter()
                .all(|c| c.velocity_m_s[2] == 0.0 && c.amplitude[2] == 0));
        }
    }
    assert_eq!(n, 9);
    println!("within-beam spread: 2 × 30 {two_by_30:.1}, 3 × 20 {three_by_20:.1}");
    assert!(two_by_30 * 2.0 < three_by_20);
}
