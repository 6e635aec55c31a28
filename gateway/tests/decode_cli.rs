//! `albatross decode` run as a process on every real file of protocol/tests/data (see its
//! PROVENANCE.md): the format is recognised, the record counts are those of the expected
//! outputs that came with the files (OOI `.yml`, Sea-Bird `.cnv`), the first record's values
//! match them, corrupted files decode with their problems on stderr, and unreadable or
//! unknown input exits 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/tests/data/");

/// What one run gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The stdout lines parsed as JSON.
    fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

fn albatross(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(args)
        .output()
        .expect("run albatross");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn path(rel: &str) -> String {
    format!("{DATA}{rel}")
}

/// Decodes a real file with `--format auto`, checks exit 0 and the detected format.
fn decode_auto(rel: &str, format: &str) -> Run {
    let run = albatross(&["decode", &path(rel)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("format {format} (detected)")),
        "{rel}: {}",
        run.stderr
    );
    run
}

/// Records per `type`.
fn type_counts(records: &[Value]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in records {
        *m.entry(r["type"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    m
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// OOI result yml: the `data:` list as flat `key: value` maps (values unquoted).
fn yml(rel: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path(rel)).unwrap();
    let mut items: Vec<BTreeMap<String, String>> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let (t, new) = match t.strip_prefix("- ") {
            Some(rest) => (rest, true),
            None => (t, false),
        };
        if new {
            items.push(BTreeMap::new());
        }
        if let (Some(item), Some((k, v))) = (items.last_mut(), t.split_once(':')) {
            item.insert(k.trim().to_owned(), v.trim().trim_matches('\'').to_owned());
        }
    }
    items
}

fn yml_int(m: &BTreeMap<String, String>, k: &str) -> i64 {
    m[k].parse().unwrap_or_else(|_| panic!("{k} = {}", m[k]))
}

/// OOI particle types counted, as (particle type, count).
fn yml_types(items: &[BTreeMap<String, String>]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(i["particle_type"].clone()).or_default() += 1;
    }
    m
}

/// NTP seconds (OOI `internal_timestamp`) to RFC 3339 via the record's own time text.
fn ntp_to_unix(ntp: &str) -> i64 {
    ntp.parse::<f64>().unwrap() as i64 - 2_208_988_800
}

fn unix_of(rfc3339: &str) -> i64 {
    // YYYY-MM-DDTHH:MM:SS[.mmm]Z, days from civil (Howard Hinnant's algorithm).
    let n = |r: std::ops::Range<usize>| rfc3339[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (hh, mm, ss) = (n(11..13), n(14..16), n(17..19));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3600 + mm * 60 + ss
}

// ---------------------------------------------------------------- Sea-Bird

/// The `.cnv` rows after `*END*`: [T, C, P, S] as printed.
fn cnv_rows() -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(path("seabird/SBE37SM-RS232_03716125_2017_11_16.cnv")).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("*END*"))
        .skip(1)
        .map(|l| l.split_whitespace().take(4).map(str::to_owned).collect())
        .collect()
}

#[test]
fn sbe37sm_hex_matches_the_cnv() {
    let run = decode_auto("seabird/SBE37SM-RS232_03716125_2017_11_16.hex", "sbe37-hex");
    let recs = run.records();
    let rows = cnv_rows();
    assert_eq!(recs.len(), rows.len());
    assert_eq!(recs.len(), 5502);
    assert!(run.stderr.contains("5502 records decoded (5502 sbe37)"));
    assert!(run.stderr.contains("0 bad records"));
    // The cnv's start_time is the first scan's time; §2.5 golden rows are the first five.
    assert_eq!(recs[0]["time"], "2017-11-10T18:00:01Z");
    for (r, row) in recs.iter().zip(&rows).take(5) {
        assert_eq!(r["type"], "sbe37");
        assert_eq!(r["serial"], "3716125");
        assert_eq!(format!("{:.4}", f(&r["temperature_c"])), row[0]);
        assert_eq!(format!("{:.6}", f(&r["conductivity_s_m"])), row[1]);
        assert_eq!(format!("{:.3}", f(&r["pressure_dbar"])), row[2]);
        assert_eq!(format!("{:.4}", f(&r["salinity_psu"])), row[3]);
    }
    // Every temperature of the file, as the cnv prints it.
    let t_ok = recs
        .iter()
        .zip(&rows)
        .filter(|(r, row)| format!("{:.4}", f(&r["temperature_c"])) == row[0])
        .count();
    assert_eq!(t_ok, 5502);
}

#[test]
fn sbe37im_hex_decodes_all_scans() {
    let run = decode_auto("ooi/SBE37-IM_03710261_2013_07_25.hex", "sbe37-hex");
    let recs = run.records();
    // The header's <Samples> says 482.
    assert!(run.stderr.contains("482 scans announced"));
    assert_eq!(recs.len(), 482);
    // instruments.md §2.5 golden line: T=19.9046 C=0.00005 P=0.161 (we give 0.159: the
    // reference used a 14.6959 psi atmosphere, see protocol/tests/sbe37_hex.rs).
    let r = &recs[0];
    assert_eq!(r["serial"], "3710261");
    assert_eq!(r["time"], "2013-07-20T06:00:01Z");
    assert_eq!(format!("{:.4}", f(&r["temperature_c"])), "19.9046");
    assert_eq!(format!("{:.5}", f(&r["conductivity_s_m"])), "0.00005");
    assert!((f(&r["pressure_dbar"]) - 0.161).abs() < 0.003);
    assert_eq!(recs[481]["time"], "2013-07-25T06:15:01Z");
}

#[test]
fn mcat_dump_matches_the_telem_yml() {
    let run = decode_auto("ooi/ctdmo01_20140712_120719.DAT", "sbe37-ooi-im");
    let recs = run.records();
    let items = yml("ooi/ctdmo01_20140712_120719_telem.yml");
    let instrument: Vec<_> = items
        .iter()
        .filter(|i| i["particle_type"] == "ctdmo_ghqr_imodem_instrument")
        .collect();
    assert_eq!(recs.len(), instrument.len());
    assert_eq!(recs.len(), 62);
    assert!(run.stderr.contains("serial 11477"));
    for (r, want) in recs.iter().zip(&instrument) {
        assert_eq!(r["serial"], "11477");
        // Engineering units from the yml's counts (instruments.md §2.6).
        let t = yml_int(want, "temperature") as f64 / 10_000.0 - 10.0;
        let c = yml_int(want, "conductivity") as f64 / 100_000.0 - 0.5;
        let range = (1450.0 - 14.7) * 0.689_475_7;
        let p = yml_int(want, "pressure") as f64 * range / (0.85 * 65536.0) - 0.05 * range;
        assert!((f(&r["temperature_c"]) - t).abs() < 1e-9);
        assert!((f(&r["conductivity_s_m"]) - c).abs() < 1e-9);
        assert!((f(&r["pressure_dbar"]) - p).abs() < 0.0005 + 1e-9);
        assert_eq!(
            unix_of(r["time"].as_str().unwrap()),
            ntp_to_unix(&want["internal_timestamp"])
        );
    }
    // §2.6 example: the first sample is 25.3184 °C, 0.00001 S/m.
    assert_eq!(f(&recs[0]["temperature_c"]), 25.3184);
    assert_eq!(f(&recs[0]["conductivity_s_m"]), 0.00001);
}

/// CT records against node59p1_1.ctdmo.yml (counts converted as in §2.6).
fn check_ctdmo_against_yml(recs: &[Value]) {
    let items = yml("ooi/node59p1_1.ctdmo.yml");
    assert_eq!(recs.len(), items.len());
    for (r, want) in recs.iter().zip(&items) {
        assert_eq!(r["type"], "sbe37");
        assert_eq!(r["inductive_id"], yml_int(want, "inductive_id"));
        let t = yml_int(want, "temperature") as f64 / 10_000.0 - 10.0;
        let c = yml_int(want, "conductivity") as f64 / 100_000.0 - 0.5;
        assert!((f(&r["temperature_c"]) - t).abs() < 1e-9);
        assert!((f(&r["conductivity_s_m"]) - c).abs() < 1e-9);
        assert_eq!(r["pressure_counts"], yml_int(want, "pressure"));
        // This yml gives the time as RFC 3339 text.
        assert_eq!(
            r["time"].as_str(),
            Some(want["internal_timestamp"].as_str())
        );
        assert_eq!(
            unix_of(r["controller_time"].as_str().unwrap()),
            yml_int(want, "sio_controller_timestamp")
        );
    }
}

#[test]
fn ctdmo_small_matches_the_yml() {
    let run = decode_auto("ooi/node59p1_1.ctdmo.dat", "ooi-ctdmo");
    let recs = run.records();
    assert_eq!(recs.len(), 24);
    check_ctdmo_against_yml(&recs);
    // §2.6 first record: ID 64, 2.3064 °C, 3.13095 S/m, 2013-07-25T04:00:01Z.
    assert_eq!(recs[0]["inductive_id"], 64);
    assert_eq!(f(&recs[0]["temperature_c"]), 2.3064);
    assert_eq!(f(&recs[0]["conductivity_s_m"]), 3.13095);
    assert_eq!(recs[0]["time"], "2013-07-25T04:00:01Z");
}

#[test]
fn ctdmo_corrupted_keeps_every_good_record() {
    let run = decode_auto("ooi/node59p1_1.bad.ctdmo.dat", "ooi-ctdmo");
    // OOI expects the same 24 particles and one UnexpectedDataException (7 bytes "BADDATA").
    check_ctdmo_against_yml(&run.records());
    assert!(run
        .stderr
        .contains("1 bad records/skipped runs, 7 bytes skipped"));
    assert!(run.stderr.contains("1 unexpected data"), "{}", run.stderr);
}

#[test]
fn ctdmo_long_stream_of_twelve_microcats() {
    let run = decode_auto("ooi/node59p1_0.ctdmo.dat", "ooi-ctdmo");
    let recs = run.records();
    // OOI test_long_stream: 1668 particles, 1548 CT + 120 CO records.
    assert_eq!(recs.len(), 1668);
    let counts = type_counts(&recs);
    assert_eq!(counts["sbe37"], 1548);
    assert_eq!(counts["sbe37_clock_offset"], 120);
    assert!(run.stderr.contains("0 bad records"));
    let mut ids: Vec<i64> = recs
        .iter()
        .filter(|r| r["type"] == "sbe37")
        .map(|r| r["inductive_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids, [16, 17, 21, 22, 53, 55, 58, 59, 63, 64, 65, 66]);
}

// ---------------------------------------------------------------- Nortek

/// Our record types against OOI's particle types for the velpt_ab files.
fn check_velpt_counts(recs: &[Value], items: &[BTreeMap<String, String>], dcl: bool) {
    let ours = type_counts(recs);
    let theirs = yml_types(items);
    let get = |m: &BTreeMap<String, usize>, k: &str| m.get(k).copied().unwrap_or(0);
    let p = if dcl { "velpt_ab_dcl_" } else { "velpt_ab_" };
    let s = if dcl { "" } else { "_recovered" };
    assert_eq!(recs.len(), items.len());
    assert_eq!(
        get(&ours, "aquadopp_velocity"),
        get(&theirs, &format!("{p}instrument{s}"))
    );
    assert_eq!(
        get(&ours, "aquadopp_diagnostics"),
        get(&theirs, &format!("{p}diagnostics{s}"))
    );
    assert_eq!(
        get(&ours, "aquadopp_diagnostics_header"),
        get(&theirs, &format!("{p}diagnostics_metadata{s}"))
    );
    assert_eq!(
        get(&ours, "nortek_config"),
        get(&theirs, &format!("{p}instrument_metadata{s}"))
    );
}

/// A velocity record against its OOI particle (raw counts × the §3.2 scalings).
fn check_velocity(r: &Value, want: &BTreeMap<String, String>) {
    let close = |v: &Value, counts: i64, per: f64| {
        assert!((f(v) - counts as f64 * per).abs() < 1e-9, "{v} vs {counts}")
    };
    assert_eq!(
        unix_of(r["time"].as_str().unwrap()),
        ntp_to_unix(&want["internal_timestamp"])
    );
    close(&r["battery_v"], yml_int(want, "battery_voltage_dV"), 0.1);
    close(&r["sound_speed_m_s"], yml_int(want, "sound_speed_dms"), 0.1);
    close(&r["heading_deg"], yml_int(want, "heading_decidegree"), 0.1);
    close(&r["pitch_deg"], yml_int(want, "pitch_decidegree"), 0.1);
    close(&r["roll_deg"], yml_int(want, "roll_decidegree"), 0.1);
    close(&r["pressure_dbar"], yml_int(want, "pressure_mbar"), 0.001);
    close(
        &r["temperature_c"],
        yml_int(want, "temperature_centidegree"),
        0.01,
    );
    let v = r["velocity_m_s"].as_array().unwrap();
    close(&v[0], yml_int(want, "velocity_beam1"), 0.001);
    close(&v[1], yml_int(want, "velocity_beam2"), 0.001);
    close(&v[2], yml_int(want, "velocity_beam3"), 0.001);
    let a = r["amplitude"].as_array().unwrap();
    assert_eq!(a[0], yml_int(want, "amplitude_beam1"));
    assert_eq!(a[2], yml_int(want, "amplitude_beam3"));
}

#[test]
fn velpt_aqd_matches_the_yml() {
    let run = decode_auto("ooi/VELPT_SN_11402_2014-07-02.aqd", "nortek");
    let recs = run.records();
    let items = yml("ooi/VELPT_SN_11402_2014-07-02.yml");
    assert_eq!(recs.len(), 72);
    check_velpt_counts(&recs, &items, false);
    assert!(run.stderr.contains("0 bad records"));
    // The configuration particle.
    let meta = &items[0];
    assert_eq!(recs[0]["type"], "nortek_config");
    assert_eq!(recs[0]["instrument_id"], meta["instrmt_type_serial_number"]);
    assert_eq!(recs[0]["head_serial"], meta["head_serial_number"]);
    assert_eq!(recs[0]["firmware_version"], meta["firmware_version"]);
    assert_eq!(recs[0]["coordinate_system"], "ENU");
    // Every velocity record against its particle; serial from the hardware configuration.
    let vel: Vec<_> = recs
        .iter()
        .filter(|r| r["type"] == "aquadopp_velocity")
        .collect();
    let want: Vec<_> = items
        .iter()
        .filter(|i| i["particle_type"] == "velpt_ab_instrument_recovered")
        .collect();
    for (r, w) in vel.iter().zip(&want) {
        assert_eq!(r["serial"], "11402");
        check_velocity(r, w);
    }
    // §3.3: the first velocity record is 2013-10-01 22:45:05, velocity 591 996 1002 mm/s.
    assert_eq!(vel[0]["time"], "2013-10-01T22:45:05Z");
    assert_eq!(
        vel[0]["velocity_m_s"],
        serde_json::json!([0.591, 0.996, 1.002])
    );
}

#[test]
fn velpt_corrupted_files_keep_the_good_records() {
    for (name, category) in [
        (
            "bad_velocity_checksum_VELPT_SN_11402_2014-07-02",
            "bad checksum",
        ),
        ("bad_id_VELPT_SN_11402_2014-07-02", "bad checksum"),
        ("truncated_VELPT_SN_11402_2014-07-02", "truncated"),
    ] {
        let run = decode_auto(&format!("ooi/{name}.aqd"), "nortek");
        let recs = run.records();
        let items = yml(&format!("ooi/{name}.yml"));
        assert_eq!(recs.len(), 71, "{name}");
        check_velpt_counts(&recs, &items, false);
        assert!(
            run.stderr.contains(&format!("1 {category}")),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("1 bad records/skipped runs"), "{name}");
    }
}

#[test]
fn velpt_dcl_log_matches_the_yml() {
    let run = decode_auto("ooi/20140813.velpt.log", "nortek");
    let recs = run.records();
    let items = yml("ooi/20140813.velpt.yml");
    assert_eq!(recs.len(), 50);
    check_velpt_counts(&recs, &items, true);
    // No hardware configuration in a logger's stream: no serial.
    assert!(recs.iter().all(|r| r.get("serial").is_none()));
    let first = items
        .iter()
        .find(|i| i["particle_type"] == "velpt_ab_dcl_instrument")
        .unwrap();
    check_velocity(&recs[0], first);
}

#[test]
fn awac_profiles() {
    let run = decode_auto("mhkit/H-AWAC_test01.wpr", "nortek");
    let recs = run.records();
    // PROVENANCE.md: configuration records + 9 profile records (0x20); 4 trailing bytes.
    let counts = type_counts(&recs);
    assert_eq!(counts["awac_profile"], 9);
    assert_eq!(counts["nortek_config"], 1);
    assert!(run.stderr.contains("4 bytes skipped"), "{}", run.stderr);
    let p = &recs[1];
    assert_eq!(p["serial"], "3203");
    // The file's configuration: 2 beams × 30 cells (see protocol/tests/nortek_awac.rs).
    assert_eq!(
        (p["beams"].as_i64(), p["cells"].as_i64()),
        (Some(2), Some(30))
    );
    let v = p["velocity_m_s"].as_array().unwrap();
    assert_eq!(v.len(), 30);
    assert!(v.iter().all(|c| c.as_array().unwrap().len() == 2));
    assert!((1400.0..1600.0).contains(&f(&p["sound_speed_m_s"])));
}

// ---------------------------------------------------------------- optode

#[test]
fn dosta_log_matches_the_file_text() {
    let rel = "ooi/20150330.dosta1.head600.log";
    let run = decode_auto(rel, "optode");
    let recs = run.records();
    // protocol/tests/optode_dosta_log.rs: 587 records (7 behind power-up garbage), 13
    // logger status lines.
    assert_eq!(recs.len(), 587);
    assert!(
        run.stderr.contains("7 garbage before record"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("13 data-logger status lines"));
    // The third line of the file is the reference's verbatim 4831 line (§4).
    let r = &recs[1];
    assert_eq!(r["time"], "2015-03-30T00:00:15.376Z");
    assert_eq!(r["serial"], "379");
    assert_eq!(r["model"], "4831");
    assert_eq!(f(&r["oxygen_umol_l"]), 354.255);
    assert_eq!(f(&r["oxygen_saturation_pct"]), 94.962);
    assert_eq!(f(&r["temperature_c"]), 7.658);
    assert_eq!(f(&r["rawtemp_mv"]), 448.6);
}

#[test]
fn dosta_lines_that_lost_their_newline_keep_their_own_times() {
    // Lines 3, 4 and 5 of the real log: line 3 loses its CR LF, garbage comes before line 5.
    let log = std::fs::read(path("ooi/20150330.dosta1.head600.log")).unwrap();
    let lines: Vec<&[u8]> = log.split_inclusive(|&b| b == b'\n').collect();
    let mut glued = lines[2][..lines[2].len() - 2].to_vec();
    glued.extend_from_slice(lines[3]);
    glued.extend_from_slice(b"\xff\xfe\x93");
    glued.extend_from_slice(lines[4]);
    let file = scratch("dosta_glued.log", &glued);
    let run = albatross(&["decode", "--format", "optode", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recs = run.records();
    let times: Vec<&str> = recs.iter().map(|r| r["time"].as_str().unwrap()).collect();
    assert_eq!(
        times,
        [
            "2015-03-30T00:00:15.376Z",
            "2015-03-30T00:00:17.375Z",
            "2015-03-30T00:00:19.375Z"
        ]
    );
    assert_eq!(f(&recs[1]["oxygen_umol_l"]), 354.250);
    assert_eq!(f(&recs[2]["oxygen_umol_l"]), 354.255);
    assert!(
        run.stderr
            .contains("2 logger lines began at a timestamp inside a line"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- formats without a real file

/// Writes `content` to a scratch file named `name` and returns its path.
fn scratch(name: &str, content: &[u8]) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn reference_lines_of_the_text_formats() {
    // instruments.md §2.1, §2.2, §4, §5 (one line each, plus a junk line to be reported).
    let cases: [(&str, &str, &str, &str, f64); 4] = [
        (
            "ascii.txt",
            "24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\nS>\r\n",
            "sbe37-ascii",
            "temperature_c",
            24.8339,
        ),
        (
            "im.txt",
            " 01247, 23.3810, 0.08525, -0.739, 21 Jul 2003, 23:02:50, 24941\r\nS>\r\n",
            "sbe37-im",
            "pressure_dbar",
            -0.739,
        ),
        (
            "optode.txt",
            "MEASUREMENT\t4531\t395\tO2Concentration[uM]\t259.160\tAirSaturation[%]\t97.999\t\
             Temperature[Deg.C]\t23.662\r\nS>\r\n",
            "optode",
            "oxygen_umol_l",
            259.16,
        ),
        (
            "cstar.txt",
            "CST-2405PR  11531  15780  15783  -0.087  544\r\nS>\r\n",
            "cstar",
            "beam_attenuation_per_m",
            -0.087,
        ),
    ];
    for (name, text, format, field, value) in cases {
        let p = scratch(name, text.as_bytes());
        let p = p.to_str().unwrap();
        for args in [vec!["decode", p], vec!["decode", p, "--format", format]] {
            let run = albatross(&args);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            assert!(
                run.stderr.contains(&format!("format {format}")),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("1 records decoded"), "{}", run.stderr);
            assert!(
                run.stderr.contains("line 2"),
                "junk line reported: {}",
                run.stderr
            );
            let recs = run.records();
            assert_eq!(recs.len(), 1);
            assert_eq!(f(&recs[0][field]), value, "{name}");
        }
    }
    // The IM reply carries the serial; the C-Star its serial and suffix.
    let im = albatross(&[
        "decode",
        scratch(
            "im2.txt",
            b" 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28\r\n",
        )
        .to_str()
        .unwrap(),
    ]);
    let r = &im.records()[0];
    assert_eq!(
        (r["serial"].as_str(), r["time"].as_str()),
        (Some("820"), Some("2003-07-21T23:01:28Z"))
    );
    let cs = albatross(&[
        "decode",
        scratch("cs2.txt", b"CST-2405PR  11531  15780  15783  -0.087  544\n")
            .to_str()
            .unwrap(),
    ]);
    let r = &cs.records()[0];
    assert_eq!(
        (r["serial"].as_str(), r["model_suffix"].as_str()),
        (Some("2405"), Some("PR"))
    );
    assert!(r.get("time").is_none());
}

// ---------------------------------------------------------------- CSV

#[test]
fn sbe37_raw_decimal_lines() {
    // No real OutputFormat=0 file exists in our data: lines built from instruments.md §2.1
    // (T counts, C Hz, P counts, PT counts, [O2 phase, O2 V], date, time) and §2.2 (`ii,`),
    // with golden scan 1's integers (§2.5), plus a junk line to be reported.
    let file = scratch(
        "sbe37_raw.txt",
        b"637437, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:01\r\n\
          03,637437, 5374.531, 613892, 1156, 16.980, 0.597280, 10 Nov 2017, 18:02:01\r\n\
          24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n",
    );
    let run = albatross(&["decode", "--format", "sbe37-raw", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recs = run.records();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["type"], "sbe37_raw");
    assert_eq!(recs[0]["time"], "2017-11-10T18:00:01Z");
    assert_eq!(recs[0]["temperature_counts"], 637437);
    assert_eq!(f(&recs[0]["conductivity_hz"]), 5374.531);
    assert_eq!(recs[0]["pressure_counts"], 613892);
    assert_eq!(recs[0]["pressure_temperature_counts"], 1156);
    assert!(recs[0].get("inductive_id").is_none());
    assert_eq!(recs[1]["inductive_id"], 3);
    assert_eq!(f(&recs[1]["oxygen_phase_us"]), 16.98);
    assert_eq!(f(&recs[1]["oxygen_thermistor_v"]), 0.59728);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
}

#[test]
fn csv_output() {
    let run = albatross(&[
        "decode",
        &path("ooi/VELPT_SN_11402_2014-07-02.aqd"),
        "--output",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Header + the 50 velocity records; the others are named on stderr.
    assert_eq!(lines.len(), 51);
    assert!(
        lines[0].starts_with("type,time,serial,battery_v,"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("velocity_m_s_1,velocity_m_s_2,velocity_m_s_3"));
    assert!(lines[1].starts_with("aquadopp_velocity,2013-10-01T22:45:05Z,11402,12.3,"));
    assert!(run.stderr.contains(
        "left out: 1 nortek_config, 1 aquadopp_diagnostics_header, 20 aquadopp_diagnostics"
    ));
    let hex = albatross(&[
        "decode",
        &path("seabird/SBE37SM-RS232_03716125_2017_11_16.hex"),
        "--output",
        "csv",
    ]);
    let lines: Vec<&str> = hex.stdout.lines().collect();
    assert_eq!(lines.len(), 5503);
    assert_eq!(
        lines[0],
        "type,time,serial,temperature_c,conductivity_s_m,pressure_dbar,salinity_psu"
    );
    assert_eq!(
        lines[1],
        "sbe37,2017-11-10T18:00:01Z,3716125,-1.9118,2.711842,20.072,34.5801"
    );
}

// ---------------------------------------------------------------- failures

#[test]
fn missing_file_exits_2() {
    let run = albatross(&["decode", &path("no/such/file.hex")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
    assert!(run.stderr.contains("no/such/file.hex"));
    assert!(run.stdout.is_empty());
}

#[test]
fn unrecognised_content_exits_2() {
    let p = scratch(
        "unknown.bin",
        b"hello, this is not an instrument file\n\x00\x01\x02",
    );
    let run = albatross(&["decode", p.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("format not recognised"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("unknown.bin"));
}

#[test]
fn unknown_format_name_exits_2() {
    let run = albatross(&[
        "decode",
        &path("ooi/node59p1_1.ctdmo.dat"),
        "--format",
        "netcdf",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("netcdf"), "{}", run.stderr);
}

#[test]
fn wrong_explicit_format_exits_2() {
    let run = albatross(&[
        "decode",
        &path("ooi/VELPT_SN_11402_2014-07-02.aqd"),
        "--format",
        "sbe37-hex",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a valid sbe37-hex file"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_lists_only_the_subcommands_that_exist() {
    let run = albatross(&["--help"]);
    assert_eq!(run.code, 0);
    let listed = |name: &str| run.stdout.lines().any(|l| l.trim_start().starts_with(name));
    for present in [
        "run",
        "decode",
        "replay",
        "reprocess",
        "ingest",
        "writer",
        "erddap-config",
        "status",
        "plot",
    ] {
        assert!(listed(present), "{present} missing: {}", run.stdout);
    }
    // `demo` exists only in a build with the `demo` feature (the default), with no stub
    assert_eq!(listed("demo"), cfg!(feature = "demo"), "{}", run.stdout);
}
