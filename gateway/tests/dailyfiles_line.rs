//! Daily files across a mooring line and across midnight (issue 7):
//! (a) density inversion between the line's MicroCATs folded into sigma_theta_QC and
//!     aggregate_QC, in the CSV and the NetCDF, against `qc::series::density_inversion`
//!     on each poll's profile and against the injected inversions;
//! (b) a late record rebuilds the other instruments' files (also across midnight), and
//!     any arrival order gives the bytes of the in-order build;
//! (c) spike / rate of change / flat line at the first and last samples of a day equal
//!     `qc::series` on the concatenated days;
//! plus the clean-day replay with density inversion on (no inversion, idempotent).

mod common;
use common::files::snapshot;
use gateway::config::{Config, InstrumentModel};
use gateway::dailyfiles::schema;
use gateway::dailyfiles::{DailyWriter, Day, Series, StationInfo};
use gateway::qc::config::{
    DensityInversionConfig, FlatLineConfig, RateOfChangeConfig, SpikeConfig,
};
use gateway::qc::{self, aggregate_series, Flag, QcConfig, VariableTests};
use gateway::science::{default_qc, round, Sample, MICROCAT};
use protocol::time::UtcTime;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const LAT: f64 = 42.806217;
const LON: f64 = 6.026833;
const HALF_HOUR: i64 = 1_800_000;
const DI: DensityInversionConfig = DensityInversionConfig {
    suspect_threshold: -0.01,
    fail_threshold: -0.03,
};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("albatross-dfline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn series(serial: &str, nominal_depth_m: f64) -> Series {
    Series {
        station: StationInfo::default(),
        platform_id: "albatross".into(),
        platform_name: "ALBATROSS".into(),
        latitude: LAT,
        longitude: LON,
        kind: Some(InstrumentModel::Sbe37Odo),
        product: &MICROCAT,
        sensor: "MICROCAT",
        serial: serial.into(),
        nominal_depth_m,
    }
}

fn t0() -> UtcTime {
    UtcTime::from_civil(2026, 3, 1, 0, 0, 0, 0).unwrap()
}

/// The first four ALBATROSS MicroCATs of the clean-day capture (T, C, P at 00:00).
const BASE: [(f64, f64, f64); 4] = [
    (13.8571, 4.58680, 503.569),
    (13.7139, 4.57954, 755.513),
    (13.5941, 4.57475, 1007.458),
    (13.4965, 4.57283, 1259.377),
];

/// Poll `p` (0 = 2026-03-01T00:30Z, every 30 min, 95 polls to 2026-03-02T23:30Z): instrument
/// k sampled at the poll time + (10k − 15) s, so that at the midnight poll (p = 47)
/// instruments 0 and 1 fall on 1 March and 2 and 3 on 2 March. Injected inversions
/// (conductivity lowered, i.e. lighter water below): poll 11 (06:00) instrument 1 by
/// 0.0044 S/m (suspect-sized against instrument 0), poll 23 (12:00) instrument 2 by
/// 0.01 S/m (fail-sized against instrument 1), poll 47 (midnight) instrument 2 by 0.01.
fn line_sample(k: usize, p: i64) -> Sample {
    let (t, c, pr) = BASE[k];
    let phase = (p as f64) * std::f64::consts::PI / 24.0;
    let mut c = c + 0.00002 * phase.sin();
    match (p, k) {
        (11, 1) => c -= 0.0044,
        (23, 2) | (47, 2) => c -= 0.01,
        _ => {}
    }
    let time = UtcTime(t0().0 + HALF_HOUR * (p + 1) + (10 * k as i64 - 15) * 1000);
    Sample::new(
        &MICROCAT,
        time,
        &[
            Some(t + 0.002 * phase.sin()),
            Some(c),
            Some(pr + 0.05 * phase.cos()),
            Some(4.2 + 0.01 * k as f64),
        ],
    )
}

const POLLS: i64 = 95;

fn line() -> Vec<Series> {
    (0..4)
        .map(|k| series(&format!("37250{k:02}"), 500.0 + 250.0 * k as f64))
        .collect()
}

fn line_samples() -> Vec<(usize, Sample)> {
    (0..POLLS)
        .flat_map(|p| (0..4).map(move |k| (k, line_sample(k, p))))
        .collect()
}

fn line_qc() -> QcConfig {
    let mut qc = default_qc();
    qc.density_inversion = Some(DI);
    qc
}

/// The expected density-inversion flag of (instrument, poll), from
/// `qc::series::density_inversion` on the poll's profile of σθ (TEOS-10, rounded as the
/// files keep it) at the measured pressures.
fn expected_inversion() -> BTreeMap<(usize, i64), Flag> {
    let mut out = BTreeMap::new();
    for p in 0..POLLS {
        let mut sigma = Vec::new();
        let mut z = Vec::new();
        for k in 0..4 {
            let [t, c, pr, o2, ..] = line_sample(k, p).inputs;
            let d = gateway::seawater::derive(c.unwrap(), t.unwrap(), pr.unwrap(), o2, LAT, LON)
                .unwrap();
            sigma.push(round(d.sigma_theta_kg_m3, 4).unwrap());
            z.push(pr.unwrap());
        }
        let flags = qc::series::density_inversion(&sigma, &z, &DI).unwrap();
        for (k, f) in flags.into_iter().enumerate() {
            out.insert((k, p), f);
        }
    }
    out
}

fn column(name: &str) -> usize {
    schema::csv_columns(&MICROCAT, &default_qc())
        .iter()
        .position(|c| c == name)
        .unwrap()
}

/// (time, sigma_theta_QC, aggregate_QC) of every row, from the CSV and from the NetCDF
/// (asserted equal).
fn file_flags(writer: &DailyWriter, s: &Series, day: Day) -> Vec<(String, i8, i8)> {
    let (csv, nc) = writer.paths(s, day);
    let text = std::fs::read_to_string(&csv).unwrap();
    let (ct, cs, ca) = (
        column("time"),
        column("sigma_theta_QC"),
        column("aggregate_QC"),
    );
    let from_csv: Vec<(String, i8, i8)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[ct].to_owned(),
                c[cs].parse().unwrap(),
                c[ca].parse().unwrap(),
            )
        })
        .collect();
    let mut r = netcdf3::FileReader::open(&nc).unwrap();
    let sig = r.read_var_i8("sigma_theta_QC").unwrap();
    let agg = r.read_var_i8("aggregate_QC").unwrap();
    let nc_flags: Vec<(i8, i8)> = sig.into_iter().zip(agg).collect();
    let csv_flags: Vec<(i8, i8)> = from_csv.iter().map(|r| (r.1, r.2)).collect();
    assert_eq!(
        csv_flags,
        nc_flags,
        "{}: CSV and NetCDF flags differ",
        nc.display()
    );
    from_csv
}

/// (a) The injected inversions, and only they, are flagged, in both files.
#[test]
fn density_inversion_flags_t_c_sp_sigma_theta_and_aggregate() {
    let dir = tmp("a");
    let writer = DailyWriter::new(&dir, line_qc());
    let line = line();
    let report = writer.write_samples(&line, line_samples(), true).unwrap();
    assert_eq!(report.days.len(), 8, "4 instruments, 2 days");
    let expected = expected_inversion();
    let mut flagged: BTreeMap<(usize, i64), i8> = BTreeMap::new();
    let mut rows = 0;
    for (k, s) in line.iter().enumerate() {
        let mut got = Vec::new();
        for day in [Day::of(t0()), Day(Day::of(t0()).0 + 1)] {
            got.extend(file_flags(&writer, s, day));
        }
        assert_eq!(got.len(), POLLS as usize, "{}", s.serial);
        // QARTOD test 13 flags T, C and SP (salinity inherits it from T and C)
        for name in ["temperature", "conductivity", "salinity"] {
            let flags: Vec<i8> = [Day::of(t0()), Day(Day::of(t0()).0 + 1)]
                .into_iter()
                .flat_map(|day| csv_flags(&writer, s, day, name))
                .collect();
            let sigma: Vec<i8> = got.iter().map(|r| r.1).collect();
            assert_eq!(flags, sigma, "{} {name}_qc", s.serial);
        }
        for (p, (time, sigma_qc, agg_qc)) in got.into_iter().enumerate() {
            let p = p as i64;
            assert_eq!(time, line_sample(k, p).time.to_string());
            let want = expected[&(k, p)].to_oceansites();
            assert_eq!((sigma_qc, agg_qc), (want, want), "{} poll {p}", s.serial);
            if want != 1 {
                flagged.insert((k, p), want);
            }
            rows += 1;
        }
    }
    assert_eq!(rows, 380);
    // the injected answer: both instruments of each inverted pair, nothing else
    let injected: BTreeMap<(usize, i64), i8> = [
        ((0, 11), 3),
        ((1, 11), 3),
        ((1, 23), 4),
        ((2, 23), 4),
        ((1, 47), 4), // 2026-03-01T23:59:55Z, last row of 1 March
        ((2, 47), 4), // 2026-03-02T00:00:05Z, first row of 2 March
    ]
    .into_iter()
    .collect();
    assert_eq!(flagged, injected);
    // the NetCDF says that density inversion is part of these flags
    let (_, nc) = writer.paths(&line[0], Day::of(t0()));
    let r = netcdf3::FileReader::open(&nc).unwrap();
    for var in ["temperature_QC", "conductivity_QC", "sigma_theta_QC"] {
        let tests = r
            .data_set()
            .get_var_attr_as_string(var, "qc_tests")
            .unwrap();
        assert!(tests.contains("density inversion"), "{var}: {tests}");
    }
    // and keeps the test's own flags (QARTOD codes) beside the combined ones
    let mut r = r;
    let own = r.read_var_i8("sigma_theta_qc_density_inversion").unwrap();
    let want: Vec<i8> = (0..own.len() as i64)
        .map(|p| expected[&(0, p)].code() as i8)
        .collect();
    assert_eq!(own, want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// (b) Late records: the inverted instrument's record arrives after the others' days were
/// written (at noon, and at the midnight poll whose partner is on the previous day); the
/// neighbours' files are rebuilt and end byte-identical to the in-order build, as do
/// shuffled, repeated batches.
#[test]
fn a_late_record_rebuilds_the_line_and_order_does_not_matter() {
    let line = line();
    let all = line_samples();
    let in_order = tmp("b-order");
    DailyWriter::new(&in_order, line_qc())
        .write_samples(&line, all.clone(), true)
        .unwrap();
    let reference = snapshot(&in_order);
    assert_eq!(reference.len(), 16);

    let late = tmp("b-late");
    let writer = DailyWriter::new(&late, line_qc());
    let noon = line_sample(2, 23);
    let midnight = line_sample(2, 47);
    let early: Vec<(usize, Sample)> = all
        .iter()
        .copied()
        .filter(|(k, s)| !(*k == 2 && (*s == noon || *s == midnight)))
        .collect();
    assert_eq!(early.len(), all.len() - 2);
    writer.write_samples(&line, early, true).unwrap();
    let day1 = Day::of(t0());
    let day2 = Day(day1.0 + 1);
    // instrument 1 without its deeper partner at noon and at midnight: compared with
    // instrument 3 instead (no inversion)
    let f = file_flags(&writer, &line[1], day1);
    assert_eq!(
        f.len(),
        48,
        "polls 0…47: the midnight poll's record is at 23:59:55"
    );
    assert_eq!((f[23].1, f[47].1), (1, 1));
    assert_ne!(snapshot(&late), reference);

    let report = writer.write_samples(&line, vec![(2, noon)], true).unwrap();
    let rebuilt: Vec<(String, bool, bool)> = report
        .days
        .iter()
        .map(|d| {
            let name = d.nc.file_name().unwrap().to_string_lossy().into_owned();
            (name, d.touched, d.nc_written)
        })
        .collect();
    assert!(rebuilt.contains(&("MICROCAT_3725002_20260301.nc".into(), true, true)));
    assert!(
        rebuilt.contains(&("MICROCAT_3725001_20260301.nc".into(), false, true)),
        "the shallower partner's file is rebuilt with its new flag: {rebuilt:?}"
    );
    assert!(rebuilt.contains(&("MICROCAT_3725000_20260301.nc".into(), false, false)));
    assert_eq!(file_flags(&writer, &line[1], day1)[23].1, 4);

    // the midnight record lands on 2 March; its partner's row is on 1 March
    let report = writer
        .write_samples(&line, vec![(2, midnight)], true)
        .unwrap();
    assert!(report
        .days
        .iter()
        .any(|d| d.nc.ends_with("MICROCAT_3725001_20260301.nc") && !d.touched && d.nc_written));
    assert_eq!(file_flags(&writer, &line[1], day1)[47].1, 4);
    assert_eq!(file_flags(&writer, &line[2], day2)[0].1, 4);
    assert_eq!(
        snapshot(&late),
        reference,
        "late arrival ends in the in-order bytes"
    );

    // any order, any batching, with repeats
    let shuffled = tmp("b-shuffled");
    let writer = DailyWriter::new(&shuffled, line_qc());
    let mut order = all.clone();
    order.reverse();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in (1..order.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        order.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    for chunk in order.chunks(29) {
        writer.write_samples(&line, chunk.to_vec(), true).unwrap();
    }
    writer
        .write_samples(&line, all[..50].to_vec(), true)
        .unwrap();
    assert_eq!(
        snapshot(&shuffled),
        reference,
        "order and repeats change no byte"
    );
    // replaying the whole line again changes nothing
    let again = writer.write_samples(&line, all, true).unwrap();
    assert!(again.days.iter().all(|d| !d.nc_written));
    assert_eq!(snapshot(&shuffled), reference);
    for d in [&in_order, &late, &shuffled] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// One instrument over three days, every 30 min: temperature spikes at the first sample of
/// the middle day (00:00) and at its last (23:30); conductivity is flat from 22:30 the day
/// before to 01:00; pressure steps at 00:30 (rate of change against 3 SD of the previous
/// 6 h, a window reaching into the previous day).
fn three_days() -> Vec<Sample> {
    let day = 48;
    (0..3 * day)
        .map(|i| {
            let x = i as f64;
            let mut t = 13.2 + 0.01 * (x * 0.3).sin();
            if i == day || i == 2 * day - 1 {
                t += 0.8;
            }
            let c = if (day - 3..=day + 2).contains(&i) {
                4.58
            } else {
                4.58 + 0.0005 * (x * 0.7).sin()
            };
            let p = 2418.2 + 0.02 * (x * 0.9).sin() + if i > day { 0.5 } else { 0.0 };
            Sample::new(
                &MICROCAT,
                UtcTime(t0().0 - 86_400_000 + HALF_HOUR * i),
                &[Some(t), Some(c), Some(p), Some(4.5)],
            )
        })
        .collect()
}

fn midnight_qc() -> QcConfig {
    let mut qc = QcConfig::default();
    qc.variables.insert(
        "temperature_c".into(),
        VariableTests {
            spike: Some(SpikeConfig {
                suspect_threshold: Some(0.05),
                fail_threshold: Some(0.5),
                method: Default::default(),
            }),
            rate_of_change: Some(RateOfChangeConfig {
                threshold_per_s: Some(1e-4),
                fail_threshold_per_s: Some(1e-3),
                n_dev: None,
                fail_n_dev: None,
                tim_dev_h: 25.0,
                min_obs: 3,
            }),
            ..Default::default()
        },
    );
    qc.variables.insert(
        "conductivity_s_m".into(),
        VariableTests {
            flat_line: Some(FlatLineConfig {
                suspect_threshold_s: 3600.0,
                fail_threshold_s: 5400.0,
                tolerance: 0.00001,
            }),
            ..Default::default()
        },
    );
    qc.variables.insert(
        "pressure_dbar".into(),
        VariableTests {
            rate_of_change: Some(RateOfChangeConfig {
                threshold_per_s: None,
                fail_threshold_per_s: None,
                n_dev: Some(3.0),
                fail_n_dev: Some(6.0),
                tim_dev_h: 6.0,
                min_obs: 3,
            }),
            ..Default::default()
        },
    );
    qc
}

/// The OceanSITES codes of `qc::series` on the whole series, for the measured variable
/// `k` (aggregate of its configured tests, as a measured variable's flag is).
fn continuous_flags(samples: &[Sample], k: usize, qc: &QcConfig) -> Vec<i8> {
    let times: Vec<UtcTime> = samples.iter().map(|s| s.time).collect();
    let values: Vec<f64> = samples.iter().map(|s| s.inputs[k].unwrap()).collect();
    let t = &qc.variables[MICROCAT.vars[k].qc_key];
    let mut per_test = Vec::new();
    if let Some(s) = &t.spike {
        per_test.push(qc::series::spike(&values, s));
    }
    if let Some(r) = &t.rate_of_change {
        per_test.push(qc::series::rate_of_change(&times, &values, r).unwrap());
    }
    if let Some(f) = &t.flat_line {
        per_test.push(qc::series::flat_line(&times, &values, f).unwrap());
    }
    let refs: Vec<&[Flag]> = per_test.iter().map(Vec::as_slice).collect();
    aggregate_series(&refs)
        .into_iter()
        .map(Flag::to_oceansites)
        .collect()
}

/// The `<name>_QC` column of a day's CSV.
fn csv_flags(writer: &DailyWriter, s: &Series, day: Day, name: &str) -> Vec<i8> {
    let (csv, _) = writer.paths(s, day);
    let col = column(&format!("{name}_QC"));
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect()
}

/// (c) Flags at midnight equal those of the continuous series, whatever order the days
/// were written in, and the context records are not rows of the day.
#[test]
fn flags_across_midnight_are_those_of_the_continuous_series() {
    let qc = midnight_qc();
    qc.validate().unwrap();
    let samples = three_days();
    let s = series("3725008", 2400.0);
    let line = vec![s.clone()];
    let days: Vec<Day> = (0..3).map(|d| Day(Day::of(t0()).0 - 1 + d)).collect();
    let dir = tmp("c");
    let writer = DailyWriter::new(&dir, qc.clone());
    // the middle day first, then the next, then the previous one
    for d in [1usize, 2, 0] {
        let day: Vec<(usize, Sample)> = samples[d * 48..(d + 1) * 48]
            .iter()
            .map(|&x| (0, x))
            .collect();
        let r = writer.write_samples(&line, day, true).unwrap();
        if d == 2 {
            // the next day's first record arrived: the middle day's last spike is evaluated
            assert!(r.days.iter().any(|x| !x.touched && x.nc_written));
            assert_eq!(csv_flags(&writer, &s, days[1], "temperature")[47], 4);
        }
        if d == 0 {
            // writing the previous day rebuilt the middle one (its context changed)
            assert!(r.days.iter().any(|x| !x.touched && x.nc_written));
        }
    }
    for (k, name) in [(0, "temperature"), (1, "conductivity"), (2, "pressure")] {
        let want = continuous_flags(&samples, k, &qc);
        let got: Vec<i8> = days
            .iter()
            .flat_map(|&d| csv_flags(&writer, &s, d, name))
            .collect();
        assert_eq!(got, want, "{name}");
    }
    let temperature: Vec<Vec<i8>> = days
        .iter()
        .map(|&d| csv_flags(&writer, &s, d, "temperature"))
        .collect();
    assert_eq!(
        temperature.iter().map(Vec::len).collect::<Vec<_>>(),
        [48, 48, 48]
    );
    // spike fail at 00:00 (its left neighbour is the day before) and at 23:30 (its right
    // neighbour is the day after); without context they were "not evaluated"
    assert_eq!((temperature[1][0], temperature[1][47]), (4, 4));
    // the ends of the whole series stay "not evaluated" for spike (rate of change passes)
    assert_eq!((temperature[0][0], temperature[2][47]), (1, 1));
    // flat conductivity from 22:30 to 01:00: the 90 min fail window of 00:00 starts at
    // 22:30 the day before; 00:30 and 01:00 fail too, 01:30 is good again
    let c = csv_flags(&writer, &s, days[1], "conductivity");
    assert_eq!(&c[..4], [4, 4, 4, 1]);
    // and the previous day's 23:30 is suspect (60 min flat, not 90)
    assert_eq!(csv_flags(&writer, &s, days[0], "conductivity")[47], 3);
    // the pressure step at 00:30 against the SD of 18:30…00:00
    assert_eq!(csv_flags(&writer, &s, days[1], "pressure")[1], 4);
    // the same bytes as all days written at once
    let once = tmp("c-once");
    let all: Vec<(usize, Sample)> = samples.iter().map(|&x| (0, x)).collect();
    DailyWriter::new(&once, qc)
        .write_samples(&line, all, true)
        .unwrap();
    assert_eq!(snapshot(&dir), snapshot(&once));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&once);
}

/// The clean-day capture through the files sink with density inversion on: the simulated
/// line is stably stratified (every sigma_theta_qc 1), and batches in any order give the
/// bytes of one batch.
#[test]
fn clean_day_with_density_inversion() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut config = Config::load(&root.join("gateway/albatross.example.toml")).unwrap();
    config.files.qc.density_inversion = Some(DI);
    let data = std::fs::read(root.join("captures/clean-day.cap")).unwrap();
    let obs = gateway::offline_replay::replay(
        &data,
        Some(&config),
        gateway::config::Carries::Modem,
        None,
    )
    .unwrap()
    .output
    .observations;
    let station = StationInfo::from(&config);
    let a = tmp("clean-a");
    let writer = DailyWriter::new(&a, config.files.qc.clone());
    let report = writer.write_observations(&station, &obs, true).unwrap();
    let microcats: Vec<_> = report
        .days
        .iter()
        .filter(|d| d.csv.to_string_lossy().contains("MICROCAT_"))
        .collect();
    assert_eq!(microcats.len(), 8);
    let sigma = column("sigma_theta_QC");
    let mut rows = 0;
    for d in microcats {
        for l in std::fs::read_to_string(&d.csv).unwrap().lines().skip(1) {
            assert_eq!(l.split(',').nth(sigma), Some("1"), "{}", d.csv.display());
            rows += 1;
        }
    }
    assert_eq!(rows, 8 * 48);
    let b = tmp("clean-b");
    let writer = DailyWriter::new(&b, config.files.qc.clone());
    let mut reversed = obs.clone();
    reversed.reverse();
    for chunk in reversed.chunks(13) {
        writer.write_observations(&station, chunk, true).unwrap();
    }
    assert_eq!(snapshot(&a), snapshot(&b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

/// A platform with a single MicroCAT has no line: density inversion does not apply (not
/// "not evaluated"), and the file does not claim it.
#[test]
fn a_lone_instrument_is_not_tested_for_inversion() {
    let dir = tmp("lone");
    let writer = DailyWriter::new(&dir, line_qc());
    let s = series("3716125", 2450.0);
    let samples: Vec<(usize, Sample)> = (0..10).map(|p| (0, line_sample(3, p))).collect();
    let report = writer
        .write_samples(std::slice::from_ref(&s), samples, true)
        .unwrap();
    assert_eq!(report.days.len(), 1);
    let flags = file_flags(&writer, &s, Day::of(t0()));
    assert_eq!(flags.len(), 10);
    assert!(flags.iter().all(|f| (f.1, f.2) == (1, 1)), "{flags:?}");
    let r = netcdf3::FileReader::open(&report.days[0].nc).unwrap();
    let tests = r
        .data_set()
        .get_var_attr_as_string("sigma_theta_QC", "qc_tests")
        .unwrap();
    assert!(!tests.contains("density inversion"), "{tests}");
    assert!(
        !r.data_set().has_var("sigma_theta_qc_density_inversion"),
        "no per-test flag of a test that does not apply"
    );
    // an index outside the line is counted, not written
    let r = writer
        .write_samples(&[s], vec![(1, line_sample(0, 0))], true)
        .unwrap();
    assert_eq!((r.skipped, r.days.len()), (1, 0));
    let _ = std::fs::remove_dir_all(&dir);
}
