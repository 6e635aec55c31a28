//! Nortek Aquadopp files from OOI's mi-instrument (tests/data/ooi, see PROVENANCE.md):
//! every record and field must match the `.yml` that came with each file.

use protocol::instruments::nortek::{
    decode_slice, AquadoppVelocity, CoordinateSystem, DiagnosticsHeader, Event,
    HardwareConfiguration, HeadConfiguration, NortekError, Record, Stats, UserConfiguration,
};
use protocol::time::UtcTime;
use std::collections::BTreeMap;

const NTP_TO_UNIX_SECONDS: i64 = 2_208_988_800;

fn read(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/ooi/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Tiny parser for OOI's result yml: the `data:` list of flat `key: value` maps.
fn parse_yml(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut out: Vec<BTreeMap<String, String>> = Vec::new();
    let mut in_data = false;
    for line in text.lines() {
        if line.trim_end() == "data:" {
            in_data = true;
            continue;
        }
        if !in_data || line.trim().is_empty() {
            continue;
        }
        let trimmed = line.trim_start();
        let (new_item, kv) = match trimmed.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if new_item {
            out.push(BTreeMap::new());
        }
        let (k, v) = kv.split_once(':').expect("key: value line");
        let v = v.trim().trim_matches('\'').to_string();
        out.last_mut()
            .expect("a list item before its fields")
            .insert(k.trim().to_string(), v);
    }
    out
}

/// What our decoder produced, grouped the way OOI groups it (the three configuration
/// structures form one metadata particle).
#[allow(clippy::large_enum_variant)] // test-only, a handful of items
#[derive(Debug)]
enum Item {
    Metadata(HardwareConfiguration, HeadConfiguration, UserConfiguration),
    Velocity(AquadoppVelocity),
    DiagnosticsHeader(DiagnosticsHeader),
    Diagnostics(AquadoppVelocity),
}

fn decode(
    bytes: &[u8],
) -> (
    Vec<Item>,
    Vec<protocol::instruments::nortek::Skipped>,
    Stats,
) {
    let mut events = decode_slice(bytes);
    let mut items = Vec::new();
    let mut skips = Vec::new();
    let (mut hw, mut head) = (None, None);
    for ev in events.by_ref() {
        match ev {
            Event::Record { record, .. } => match record {
                Record::HardwareConfiguration(h) => hw = Some(h),
                Record::HeadConfiguration(h) => head = Some(h),
                Record::UserConfiguration(u) => items.push(Item::Metadata(
                    hw.take().expect("hardware configuration first"),
                    head.take().expect("head configuration second"),
                    u,
                )),
                Record::AquadoppVelocity(v) => items.push(Item::Velocity(v)),
                Record::DiagnosticsHeader(d) => items.push(Item::DiagnosticsHeader(d)),
                Record::Diagnostics(v) => items.push(Item::Diagnostics(v)),
                other => panic!("unexpected record {other:?}"),
            },
            Event::Skipped(s) => skips.push(s),
        }
    }
    let stats = *events.stats();
    (items, skips, stats)
}

fn int(m: &BTreeMap<String, String>, key: &str) -> i64 {
    m.get(key)
        .unwrap_or_else(|| panic!("missing {key} in {m:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn counts(value: f64, per_count: f64) -> i64 {
    (value / per_count).round() as i64
}

fn check_time(m: &BTreeMap<String, String>, t: Option<UtcTime>) {
    let t = t.expect("valid clock");
    let ntp: f64 = m["internal_timestamp"].parse().unwrap();
    assert_eq!(t.unix_seconds() + NTP_TO_UNIX_SECONDS, ntp as i64, "{m:?}");
    let (y, mo, d, h, mi, s, _) = t.to_civil();
    let text = format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}");
    assert_eq!(text, m["date_time_string"]);
}

/// Compares one velocity/diagnostics record with its particle; returns fields compared.
fn check_velocity(m: &BTreeMap<String, String>, v: &AquadoppVelocity) -> usize {
    let s = &v.sensors;
    check_time(m, s.time);
    assert_eq!(int(m, "error_code"), i64::from(s.error));
    assert_eq!(int(m, "analog1"), i64::from(s.analog_input_1));
    assert_eq!(int(m, "battery_voltage_dV"), counts(s.battery_v, 0.1));
    assert_eq!(int(m, "sound_speed_dms"), counts(s.sound_speed_m_s, 0.1));
    assert_eq!(int(m, "heading_decidegree"), counts(s.heading_deg, 0.1));
    assert_eq!(int(m, "pitch_decidegree"), counts(s.pitch_deg, 0.1));
    assert_eq!(int(m, "roll_decidegree"), counts(s.roll_deg, 0.1));
    // OOI names the 0.001 dbar count "mbar".
    assert_eq!(int(m, "pressure_mbar"), counts(s.pressure_dbar, 0.001));
    assert_eq!(int(m, "status"), i64::from(s.status.0));
    assert_eq!(
        int(m, "temperature_centidegree"),
        counts(s.temperature_c, 0.01)
    );
    for b in 0..3 {
        let raw = int(m, &format!("velocity_beam{}", b + 1));
        assert_eq!(raw, i64::from(v.velocity_counts[b]));
        // Every record here has status b1 clear: 1 mm/s per count.
        assert!(!s.status.velocity_scaling_tenth_mm());
        assert!((v.velocity_m_s[b] - raw as f64 * 1e-3).abs() < 1e-12);
        let amp = int(m, &format!("amplitude_beam{}", b + 1));
        assert_eq!(amp, i64::from(v.amplitude[b]));
    }
    18
}

fn check_diagnostics_header(m: &BTreeMap<String, String>, d: &DiagnosticsHeader) -> usize {
    assert_eq!(int(m, "records_to_follow"), i64::from(d.records_to_follow));
    assert_eq!(int(m, "cell_number_diagnostics"), i64::from(d.cell));
    for b in 0..4 {
        let n = b + 1;
        assert_eq!(
            int(m, &format!("noise_amplitude_beam{n}")),
            i64::from(d.noise_amplitude[b])
        );
        assert_eq!(
            int(m, &format!("processing_magnitude_beam{n}")),
            i64::from(d.processing_magnitude[b])
        );
        assert_eq!(
            int(m, &format!("distance_beam{n}")),
            i64::from(d.distance[b])
        );
    }
    14
}

fn check_metadata(
    m: &BTreeMap<String, String>,
    hw: &HardwareConfiguration,
    head: &HeadConfiguration,
    u: &UserConfiguration,
) -> usize {
    let b = |x: bool| i64::from(x);
    assert_eq!(m["instrmt_type_serial_number"], hw.serial_number.as_str());
    assert_eq!(int(m, "pic_version"), i64::from(hw.pic_version));
    assert_eq!(int(m, "hardware_revision"), i64::from(hw.hardware_revision));
    assert_eq!(int(m, "recorder_size"), i64::from(hw.recorder_size_bytes));
    assert_eq!(int(m, "velocity_range"), b(hw.velocity_range_high()));
    assert_eq!(m["firmware_version"], hw.firmware_version.as_str());
    assert_eq!(int(m, "pressure_sensor"), b(head.pressure_sensor()));
    assert_eq!(int(m, "magnetometer_sensor"), b(head.magnetometer()));
    assert_eq!(int(m, "tilt_sensor"), b(head.tilt_sensor()));
    assert_eq!(int(m, "tilt_sensor_mounting"), b(head.tilt_mounted_down()));
    assert_eq!(int(m, "head_frequency"), i64::from(head.frequency_khz));
    assert_eq!(int(m, "head_type"), i64::from(head.head_type));
    assert_eq!(m["head_serial_number"], head.serial_number.as_str());
    assert_eq!(int(m, "number_beams"), i64::from(head.number_of_beams));
    assert_eq!(
        int(m, "transmit_pulse_length"),
        i64::from(u.transmit_pulse_length)
    );
    assert_eq!(int(m, "blanking_distance"), i64::from(u.blanking_distance));
    assert_eq!(int(m, "receive_length"), i64::from(u.receive_length));
    assert_eq!(
        int(m, "time_between_pings"),
        i64::from(u.time_between_pings)
    );
    assert_eq!(
        int(m, "time_between_bursts"),
        i64::from(u.time_between_bursts)
    );
    assert_eq!(
        int(m, "number_of_beam_sequences"),
        i64::from(u.number_of_pings)
    );
    assert_eq!(int(m, "average_interval"), i64::from(u.average_interval_s));
    assert_eq!(
        int(m, "compass_update_rate"),
        i64::from(u.compass_update_rate_s)
    );
    assert_eq!(
        int(m, "coordinate_system"),
        i64::from(u.coordinate_system_raw)
    );
    assert_eq!(int(m, "number_cells"), i64::from(u.number_of_cells));
    assert_eq!(
        int(m, "measurement_interval"),
        i64::from(u.measurement_interval_s)
    );
    assert_eq!(m["deployment_name"], u.deployment_name.as_str());
    assert_eq!(
        int(m, "diagnostics_interval"),
        i64::from(u.diagnostics_interval_s)
    );
    assert_eq!(int(m, "use_specified_sound_speed"), b(u.user_sound_speed()));
    assert_eq!(
        int(m, "diagnostics_mode_enable"),
        b(u.diagnostics_or_wave_mode())
    );
    assert_eq!(int(m, "analog_output_enable"), b(u.analog_output()));
    assert_eq!(int(m, "output_format_nortek"), b(u.output_format_adv()));
    assert_eq!(int(m, "scaling"), b(u.velocity_scaling_tenth_mm()));
    assert_eq!(int(m, "serial_output_enable"), b(u.serial_output()));
    assert_eq!(int(m, "reserved_bit_easyq"), b(u.reserved_easyq()));
    assert_eq!(int(m, "stage_enable"), b(u.stage()));
    assert_eq!(int(m, "analog_power_output"), b(u.analog_power_output()));
    assert_eq!(
        int(m, "sound_speed_adjust_factor"),
        i64::from(u.sound_speed_adjust_factor)
    );
    assert_eq!(
        int(m, "number_diagnostics_samples"),
        i64::from(u.diagnostics_samples)
    );
    assert_eq!(
        int(m, "number_of_beams_in_diagnostics_mode"),
        i64::from(u.diagnostics_beams_cells)
    );
    assert_eq!(
        int(m, "number_pings_diagnostic"),
        i64::from(u.diagnostics_pings)
    );
    // OOI reads the software version word as two ASCII characters: 13902 = 0x364E = "N6".
    let sw = u.software_version.to_le_bytes();
    assert_eq!(m["software_version"], String::from_utf8_lossy(&sw));
    assert_eq!(
        int(m, "correlation_threshold"),
        i64::from(u.correlation_threshold)
    );
    43
}

/// Checks every record against the yml, in order; returns (particles, fields compared).
fn check_against_yml(items: &[Item], yml: &[BTreeMap<String, String>]) -> (usize, usize) {
    assert_eq!(items.len(), yml.len(), "record count");
    let mut fields = 0;
    for (i, (item, m)) in items.iter().zip(yml).enumerate() {
        let kind = m["particle_object"].as_str();
        match item {
            Item::Metadata(hw, head, u) => {
                assert!(kind.ends_with("InstrumentMetadataParticle"), "{i}: {kind}");
                // OOI stamps the metadata with the first velocity record's time.
                let Some(Item::Velocity(v)) = items.get(i + 1) else {
                    panic!("metadata not followed by velocity")
                };
                check_time(m, v.sensors.time);
                fields += check_metadata(m, hw, head, u) + 2;
            }
            Item::Velocity(v) => {
                assert!(kind.ends_with("InstrumentDataParticle"), "{i}: {kind}");
                fields += check_velocity(m, v);
            }
            Item::DiagnosticsHeader(d) => {
                assert!(kind.ends_with("DiagnosticsHeaderParticle"), "{i}: {kind}");
                // The header has no clock: OOI stamps it with the next diagnostics sample.
                let Some(Item::Diagnostics(v)) = items.get(i + 1) else {
                    panic!("diagnostics header not followed by diagnostics")
                };
                check_time(m, v.sensors.time);
                fields += check_diagnostics_header(m, d) + 2;
            }
            Item::Diagnostics(v) => {
                assert!(kind.ends_with("DiagnosticsDataParticle"), "{i}: {kind}");
                fields += check_velocity(m, v);
            }
        }
    }
    (items.len(), fields)
}

fn run(
    name: &str,
) -> (
    Vec<Item>,
    Vec<protocol::instruments::nortek::Skipped>,
    Stats,
) {
    let bytes = read(&format!("{name}.aqd"));
    let (items, skips, stats) = decode(&bytes);
    let yml = parse_yml(&String::from_utf8(read(&format!("{name}.yml"))).unwrap());
    let (n, fields) = check_against_yml(&items, &yml);
    println!(
        "{name}: {n}/{} particles match, {fields} fields compared",
        yml.len()
    );
    // Every byte is accounted for.
    assert_eq!(stats.bytes_in, bytes.len() as u64);
    assert_eq!(
        stats.record_bytes + stats.skipped_bytes(),
        bytes.len() as u64
    );
    (items, skips, stats)
}

#[test]
fn velpt_aquadopp_file_matches_yml() {
    let (items, skips, stats) = run("VELPT_SN_11402_2014-07-02");
    // 0x05, 0x04, 0x00, 50 × 0x01, 0x06, 20 × 0x80, all valid.
    assert_eq!(items.len(), 72);
    assert_eq!(stats.records, 3 + 50 + 1 + 20);
    assert!(skips.is_empty(), "{skips:?}");
    // Configuration in force: ENU.
    let Item::Velocity(v) = &items[1] else {
        panic!()
    };
    assert_eq!(v.coordinate_system, Some(CoordinateSystem::Enu));
    // instruments.md §3.3: the 0x01 record at offset 784 decodes to 2013-10-01 22:45:05,
    // battery 123, sound speed 15287, heading 2002, pitch 254, roll -288, P 200,
    // status 0xa0, temperature 2272, velocity 591 996 1002, amplitude 19 18 17.
    assert_eq!(
        v.sensors.time,
        UtcTime::from_civil(2013, 10, 1, 22, 45, 5, 0)
    );
    assert_eq!(v.velocity_counts, [591, 996, 1002]);
    assert!((v.sensors.pressure_dbar - 0.2).abs() < 1e-12);
    assert_eq!(v.sensors.status.0, 0xa0);
    // §3.2: NBeams 3, CoordSystem 0, NBins 1, BinLength 32, MeasInterval 1,
    // DeployName "11402", Mode 0x20, SWVersion 13902, 350 at offset 74.
    let Item::Metadata(hw, head, u) = &items[0] else {
        panic!()
    };
    assert_eq!(hw.serial_number.as_str(), "AQD11402");
    assert_eq!(hw.firmware_version.as_str(), "3.35");
    assert_eq!(head.serial_number.as_str(), "ALD 6324");
    assert_eq!(head.frequency_khz, 2000);
    assert_eq!(
        (
            u.number_of_beams,
            u.coordinate_system,
            u.number_of_cells,
            u.cell_length
        ),
        (3, Some(CoordinateSystem::Enu), 1, 32)
    );
    assert_eq!(
        (u.measurement_interval_s, u.mode, u.software_version),
        (1, 0x20, 13902)
    );
    assert_eq!(u.deployment_name.as_str(), "11402");
    assert!((u.salinity_psu - 35.0).abs() < 1e-12);
}

#[test]
fn bad_velocity_checksum_variant() {
    let (items, skips, stats) = run("bad_velocity_checksum_VELPT_SN_11402_2014-07-02");
    assert_eq!(items.len(), 71);
    // The last velocity record (42 bytes at offset 3718) fails its checksum.
    assert_eq!(stats.bad_checksum.events, 1);
    assert_eq!(stats.skip_events(), 1);
    assert_eq!(stats.skipped_bytes(), 42);
    assert_eq!(skips.len(), 1);
    assert_eq!((skips[0].offset, skips[0].bytes), (3718, 42));
    assert!(matches!(
        skips[0].reason,
        NortekError::BadChecksum { id: 0x01, .. }
    ));
}

#[test]
fn bad_id_variant() {
    let (items, skips, stats) = run("bad_id_VELPT_SN_11402_2014-07-02");
    assert_eq!(items.len(), 71);
    // The id of the record at 3676 was changed from 0x01 to 0x11: its checksum no longer
    // matches, so the decoder resynchronises and finds the next record at 3718.
    assert_eq!(stats.bad_checksum.events, 1);
    assert_eq!(stats.skip_events(), 1);
    assert_eq!(stats.skipped_bytes(), 42);
    assert_eq!((skips[0].offset, skips[0].bytes), (3676, 42));
    assert!(matches!(
        skips[0].reason,
        NortekError::BadChecksum { id: 0x11, .. }
    ));
}

#[test]
fn truncated_variant() {
    let (items, skips, stats) = run("truncated_VELPT_SN_11402_2014-07-02");
    assert_eq!(items.len(), 71);
    // The file ends 32 bytes into the last 42-byte record.
    assert_eq!(stats.truncated.events, 1);
    assert_eq!(stats.skip_events(), 1);
    assert_eq!(stats.skipped_bytes(), 32);
    assert_eq!((skips[0].offset, skips[0].bytes), (3718, 32));
    assert_eq!(
        skips[0].reason,
        NortekError::Truncated {
            id: Some(0x01),
            expected: Some(42),
            got: 32
        }
    );
}

#[test]
fn dcl_logged_stream_matches_yml() {
    let bytes = read("20140813.velpt.log");
    let (items, skips, stats) = decode(&bytes);
    let yml = parse_yml(&String::from_utf8(read("20140813.velpt.yml")).unwrap());
    let (n, fields) = check_against_yml(&items, &yml);
    println!(
        "20140813.velpt.log: {n}/{} particles match, {fields} fields",
        yml.len()
    );
    // 8 × 0x01, 2 × 0x06, 40 × 0x80; no configuration in this stream.
    assert_eq!(n, 50);
    let count = |f: fn(&Item) -> bool| items.iter().filter(|i| f(i)).count();
    assert_eq!(count(|i| matches!(i, Item::Velocity(_))), 8);
    assert_eq!(count(|i| matches!(i, Item::DiagnosticsHeader(_))), 2);
    assert_eq!(count(|i| matches!(i, Item::Diagnostics(_))), 40);
    assert!(skips.is_empty());
    assert_eq!(stats.record_bytes, bytes.len() as u64);
    // Without a user configuration the coordinate system is unknown.
    let Item::Velocity(v) = &items[0] else {
        panic!()
    };
    assert_eq!(v.coordinate_system, None);
}
