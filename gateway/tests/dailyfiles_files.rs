//! Daily CSV + NetCDF files (issue 7): from the clean-day capture through the decoders to
//! the files, checking idempotency, de-duplication, the exact columns, fill values, QC
//! flags, the ERDDAP entries, and (with the Python venv) the IOOS compliance-checker.

mod common;
use common::files::snapshot;
use gateway::config::Config;
use gateway::dailyfiles::schema::{self, FILL_F64, FILL_QC};
use gateway::dailyfiles::{erddap, DailyWriter, Day, Series, StationInfo};
use gateway::observation::Observation;
use gateway::qc::{Flag, QcConfig};
use gateway::science::{Sample, MICROCAT};
use protocol::time::UtcTime;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn config() -> Config {
    Config::load(&root().join("gateway/albatross.example.toml")).unwrap()
}

fn observations(config: &Config) -> Vec<Observation> {
    let data = std::fs::read(root().join("captures/clean-day.cap")).unwrap();
    let r =
        gateway::offline_replay::replay(&data, Some(config), gateway::config::Carries::Modem, None)
            .unwrap();
    assert!(r.error.is_none());
    r.output.observations
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "albatross-dailyfiles-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn write(dir: &Path, config: &Config, obs: &[Observation]) -> gateway::dailyfiles::BatchReport {
    DailyWriter::new(dir, config.files.qc.clone())
        .write_observations(&StationInfo::from(config), obs, true)
        .unwrap()
}

#[test]
fn a_day_replayed_twice_is_byte_identical() {
    let config = config();
    let obs = observations(&config);
    let a = tmp("twice-a");
    let first = write(&a, &config, &obs);
    let name = |d: &gateway::dailyfiles::DayReport| {
        d.csv.file_name().unwrap().to_string_lossy().into_owned()
    };
    let microcats: Vec<_> = first
        .days
        .iter()
        .filter(|d| name(d).starts_with("MICROCAT_"))
        .collect();
    assert_eq!(microcats.len(), 8, "8 MicroCATs, one day");
    assert!(microcats.iter().all(|d| d.rows == 48 && d.nc_written));
    let status: Vec<(String, usize)> = first.days[8..].iter().map(|d| (name(d), d.rows)).collect();
    assert_eq!(
        status,
        [
            ("LINESTATUS_albatross_20260301.csv".to_owned(), 4),
            ("LINESTATUS_albatross_20260302.csv".to_owned(), 1)
        ],
        "the line status of the capture's day and of the status that came after midnight"
    );
    let once = snapshot(&a);
    assert_eq!(once.len(), 20, "10 CSV + 10 NetCDF, no temporary file left");
    // the same day again, into the same files: nothing changes (not even rewritten)
    let again = write(&a, &config, &obs);
    assert!(again
        .days
        .iter()
        .all(|d| !d.nc_written && d.duplicates == d.rows));
    assert_eq!(snapshot(&a), once);
    // as the live sink sees it: batch by batch, in another order, some twice
    let b = tmp("twice-b");
    let mut shuffled = obs.clone();
    shuffled.reverse();
    for chunk in shuffled.chunks(37) {
        write(&b, &config, chunk);
    }
    write(&b, &config, &obs[..100]);
    assert_eq!(
        snapshot(&b),
        once,
        "batching, order and repeats change no byte"
    );
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn duplicates_are_stored_once_and_columns_are_exact() {
    let config = config();
    let obs = observations(&config);
    let mut doubled = obs.clone();
    doubled.extend(obs.iter().cloned());
    let dir = tmp("dup");
    let report = write(&dir, &config, &doubled);
    for d in report
        .days
        .iter()
        .filter(|d| d.csv.to_string_lossy().contains("MICROCAT_"))
    {
        assert_eq!(
            (d.rows, d.duplicates, d.conflicts),
            (48, 48, 0),
            "{}",
            d.csv.display()
        );
    }
    let csv = std::fs::read_to_string(&report.days[0].csv).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "stationname,latitude,longitude,time,sensor_theoric_depth,sensor_serial_number,\
         temperature,conductivity,pressure,oxygen,depth,salinity,potential_temperature,\
         oxygen_saturation,sigma_theta,temperature_QC,conductivity_QC,pressure_QC,oxygen_QC,\
         depth_QC,salinity_QC,potential_temperature_QC,oxygen_saturation_QC,sigma_theta_QC,\
         aggregate_QC,temperature_qc_gross_range,temperature_qc_density_inversion,\
         conductivity_qc_gross_range,conductivity_qc_density_inversion,\
         pressure_qc_gross_range,oxygen_qc_gross_range,salinity_qc_gross_range,\
         sigma_theta_qc_density_inversion"
    );
    assert_eq!(csv.lines().count(), 49);
    // the CSV's inputs equal the capture's expected records (the simulator's truth)
    let expected =
        std::fs::read_to_string(root().join("captures/clean-day.expected.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(expected.lines().next().unwrap()).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], "albatross_MICROCAT_3725001");
    assert_eq!(row[3], first["time"].as_str().unwrap());
    for (col, key) in [
        (6, "temperature_c"),
        (7, "conductivity_s_m"),
        (8, "pressure_dbar"),
        (9, "oxygen_ml_l"),
    ] {
        assert_eq!(
            row[col].parse::<f64>().unwrap(),
            first[key].as_f64().unwrap(),
            "{key}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_oxygen_is_fill_value_and_flag_9() {
    let config = config();
    let dir = tmp("fill");
    let report = write(&dir, &config, &observations(&config));
    // 3725004 is an SBE 37 without oxygen
    let d = report
        .days
        .iter()
        .find(|d| d.nc.to_string_lossy().contains("MICROCAT_3725004_"))
        .unwrap();
    let mut r = netcdf3::FileReader::open(&d.nc).unwrap();
    let oxygen = r.read_var_f64("oxygen").unwrap();
    let sat = r.read_var_f64("oxygen_saturation").unwrap();
    let flags = r.read_var_i8("oxygen_QC").unwrap();
    let t_flags = r.read_var_i8("temperature_QC").unwrap();
    assert_eq!(oxygen.len(), 48);
    assert!(oxygen.iter().chain(&sat).all(|&x| x == FILL_F64));
    assert!(flags.iter().all(|&f| f == 9), "OceanSITES missing_value");
    assert!(
        t_flags.iter().all(|&f| f == 1),
        "temperature in the vendor range: good"
    );
    let ds = r.data_set();
    assert_eq!(
        ds.get_var_attr_f64("oxygen", "_FillValue"),
        Some(&[FILL_F64][..])
    );
    assert_eq!(
        ds.get_var_attr_i8("oxygen_QC", "_FillValue"),
        Some(&[FILL_QC][..])
    );
    for v in ds.get_var_names() {
        if ![
            "time",
            "platform_id",
            "sensor_id",
            "stationname",
            "sensor_serial_number",
        ]
        .contains(&v.as_str())
        {
            assert!(
                ds.get_var_attr(&v, "_FillValue").is_some(),
                "{v} has a _FillValue"
            );
        }
    }
    let csv = std::fs::read_to_string(&d.csv).unwrap();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!((cells[9], cells[13], cells[18]), ("", "", "9"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn series() -> Series {
    Series {
        station: StationInfo::default(),
        platform_id: "albatross".into(),
        platform_name: "ALBATROSS".into(),
        latitude: 42.806217,
        longitude: 6.026833,
        kind: Some(gateway::config::InstrumentModel::Sbe37Odo),
        product: &gateway::science::MICROCAT,
        sensor: "MICROCAT",
        serial: "1".into(),
        nominal_depth_m: 2400.0,
    }
}

#[test]
fn flags_are_tested_inherited_and_aggregated() {
    let qc: QcConfig = serde_json::from_str(
        r#"{"variables": {
            "temperature_c": {"gross_range": {"fail_span": [-5, 35], "suspect_span": [13.0, 13.3]}},
            "conductivity_s_m": {"gross_range": {"fail_span": [0, 4.6]}},
            "pressure_dbar": {"gross_range": {"fail_span": [0, 7000]}}
        }}"#,
    )
    .unwrap();
    let t0 = UtcTime::from_civil(2026, 3, 1, 0, 0, 0, 0).unwrap();
    let at = |i: i64| UtcTime(t0.0 + i * 1_800_000);
    let samples = vec![
        Sample::new(
            &MICROCAT,
            at(0),
            &[Some(13.2), Some(4.58), Some(2418.2), Some(4.5)],
        ), // all good
        Sample::new(
            &MICROCAT,
            at(1),
            &[Some(13.5), Some(4.58), Some(2418.2), Some(4.5)],
        ), // T suspect
        Sample::new(
            &MICROCAT,
            at(2),
            &[Some(13.2), Some(4.70), Some(2418.2), None],
        ), // C fails, no O2
        Sample::new(
            &MICROCAT,
            at(3),
            &[Some(13.2), Some(4.58), Some(2418.2), Some(4.5)],
        ),
    ];
    let table = gateway::dailyfiles::day::build(samples, &series(), &qc).unwrap();
    let flags = |i: usize| -> Vec<u8> {
        table.rows[i]
            .flags
            .iter()
            .take(9)
            .map(|f| f.code())
            .collect()
    };
    // order: T C P O2 depth SP pt0 O2sat sigma; O2 has no test: 2 not evaluated, which
    // O2 saturation inherits
    assert_eq!(flags(0), [1, 1, 1, 2, 1, 1, 1, 2, 1]);
    assert_eq!(flags(1), [3, 1, 1, 2, 1, 3, 3, 3, 3]);
    assert_eq!(flags(2), [1, 4, 1, 9, 1, 4, 4, 9, 4]);
    assert_eq!(table.rows[0].aggregate, Flag::Pass);
    assert_eq!(table.rows[1].aggregate, Flag::Suspect);
    assert_eq!(table.rows[2].aggregate, Flag::Fail);
    assert_eq!(table.rows[2].values[3], None);
    assert_eq!(table.rows[2].values[7], None);
    // OceanSITES codes in the files: 2 (not evaluated) -> 0
    assert_eq!(Flag::NotEvaluated.to_oceansites(), 0);
}

#[test]
fn same_time_conflict_keeps_one_whatever_the_order() {
    let t = UtcTime::from_civil(2026, 3, 1, 12, 0, 0, 0).unwrap();
    let a = Sample::new(&MICROCAT, t, &[Some(13.2), Some(4.58), Some(2418.2), None]);
    let b = Sample::new(
        &MICROCAT,
        t,
        &[Some(13.2), Some(4.58), Some(2418.2), Some(4.5)],
    );
    let qc = QcConfig::default();
    let x = gateway::dailyfiles::day::build(vec![a, b], &series(), &qc).unwrap();
    let y = gateway::dailyfiles::day::build(vec![b, a, b], &series(), &qc).unwrap();
    assert_eq!(x.rows, y.rows);
    assert_eq!(x.rows.len(), 1);
    assert_eq!(
        x.rows[0].values[3],
        Some(4.5),
        "the more complete sample is kept"
    );
    assert_eq!((x.conflicts, y.conflicts, y.duplicates), (1, 1, 1));
    assert_eq!(Day::of(t).compact(), "20260301");
}

#[test]
fn erddap_entries_match_the_files() {
    let config = config();
    let dir = tmp("erddap");
    let report = write(&dir, &config, &observations(&config));
    let xml = erddap::datasets_xml(&config);
    let ids: Vec<&str> = xml
        .split("datasetID=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        ids,
        [
            "emso_ligure_ouest_albatross_MICROCAT",
            "emso_ligure_ouest_albatross_AQUADOPP",
            "emso_ligure_ouest_albatross_LINESTATUS",
            "emso_ligure_ouest_mii_MICROCAT",
            "emso_ligure_ouest_mii_AQUADOPP",
            "emso_ligure_ouest_mii_OXYGEN",
            "emso_ligure_ouest_mii_CTAR",
        ],
        "one dataset per platform and product"
    );
    assert!(xml.contains("<fileNameRegex>MICROCAT_.*_[0-9]{8}\\.nc</fileNameRegex>"));
    assert!(xml.contains("<fileNameRegex>CTAR_.*_[0-9]{8}\\.nc</fileNameRegex>"));
    let r = netcdf3::FileReader::open(&report.days[0].nc).unwrap();
    let mut in_file = r.data_set().get_var_names();
    let listed: Vec<String> = erddap::data_variables(&MICROCAT, &config.files.qc)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    in_file.sort();
    assert_eq!(
        sorted, in_file,
        "dataVariables are exactly the file's variables"
    );
    for name in &listed {
        assert!(xml.contains(&format!("<sourceName>{name}</sourceName>")));
    }
    let name = report.days[0]
        .nc
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("MICROCAT_") && name.ends_with("_20260301.nc"));
    assert!(
        schema::csv_columns(&MICROCAT, &gateway::science::default_qc())
            .iter()
            .all(|c| listed.contains(c))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs gateway/tests/python/check_daily_files.py on `dir`: (exit 0, its output).
fn check_daily_files(python: &Path, dir: &Path) -> (bool, String) {
    let out = std::process::Command::new(python)
        .arg(root().join("gateway/tests/python/check_daily_files.py"))
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The IOOS compliance-checker (cf:1.6, acdd:1.3), the EMSO v1.0.7 check and xarray on files produced by
/// `albatross replay captures/clean-day.cap --config ... --files-dir DIR`. Runs when
/// `./.venv/bin/python` exists (scripts/test-all.sh creates it); fails instead of skipping
/// when ALBATROSS_REQUIRE_PYTHON=1.
#[test]
fn compliance_checker_and_xarray_accept_the_files() {
    let python = root().join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("ALBATROSS_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "ALBATROSS_REQUIRE_PYTHON=1 but {} is missing (python3 -m venv .venv && \
             .venv/bin/pip install compliance-checker xarray netCDF4)",
            python.display()
        );
        eprintln!(
            "skipped: no {} (set ALBATROSS_REQUIRE_PYTHON=1 to make this fail)",
            python.display()
        );
        return;
    }
    let dir = tmp("cc");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_albatross"))
        .current_dir(root())
        .args([
            "replay",
            "captures/clean-day.cap",
            "--config",
            "gateway/albatross.example.toml",
            "--files-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, text) = check_daily_files(&python, &dir);
    assert!(ok, "check_daily_files.py failed");
    assert!(text.contains("check_daily_files: 10 of 10 files pass"));
    assert_eq!(
        text.matches("EMSO v1.0.7 required attributes and variables all present")
            .count(),
        10,
        "8 MicroCATs and 2 days of line status"
    );
    // scores with the per-test flag variables (before them: cf 1252/1252 with oxygen,
    // 1248/1248 without, acdd 112/112)
    for score in [
        "cf:1.6 1539/1539",
        "cf:1.6 1535/1535",
        "acdd:1.3 112/112",
        "cf:1.6 1150/1150",
        "ioos_qc: 40 per-test flag series, 1920 flags compared,",
    ] {
        assert!(text.contains(score), "{score}");
    }
    // ACDD wants a standard_name on every variable; CF has none for the controller's
    // counters and battery: named, not hidden
    assert!(text.contains(
        "acdd:1.3 105/114 (+9 for standard_name on 9 technical variables without a CF \
         standard name: battery_voltage frames_sent instrument_errors instruments next_seq \
         polls ring_dropped ring_oldest_seq send_failures)"
    ));
    let _ = std::fs::remove_dir_all(&dir);

    // the EMSO check names what is missing: a station without [station.emso] and
    // [platform.emso] gives files without doi, EDMO code, ...
    let config = config();
    let mut station = StationInfo::from(&config);
    station.emso = Default::default();
    station.platform_emso.clear();
    let one: Vec<Observation> = observations(&config)
        .into_iter()
        .filter(|o| o.instrument.as_ref().is_some_and(|i| i.serial == "3725004"))
        .collect();
    let bare = tmp("cc-bare");
    DailyWriter::new(&bare, config.files.qc.clone())
        .write_observations(&station, &one, true)
        .unwrap();
    let (ok, text) = check_daily_files(&python, &bare);
    assert!(!ok, "{text}");
    for name in [
        "institution_edmo_code",
        "institution_edmo_uri",
        "institution_ror_uri",
        "emso_regional_facility_name",
        "emso_regional_facility_uri",
        "emso_site_name",
        "emso_site_uri",
        "doi",
        "license_uri",
        "principal_investigator",
        "principal_investigator_email",
    ] {
        assert!(
            text.contains(&format!("EMSO v1.0.7: missing global attribute {name}\n")),
            "{name} reported missing: {text}"
        );
    }
    assert!(
        text.contains("check_daily_files: 0 of 1 files pass"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&bare);
}

/// The commented `[files]` example at the end of the example configuration parses and
/// validates once uncommented, and the sink it enables writes the same bytes as the replay.
#[test]
fn example_files_section_and_sink() {
    use gateway::sinks::Sink;
    let text = std::fs::read_to_string(root().join("gateway/albatross.example.toml")).unwrap();
    let at = text.find("# [files]").unwrap();
    let mut uncommented = text[..at].to_owned();
    for line in text[at..].lines() {
        let l = line.strip_prefix("# ").unwrap_or(line);
        uncommented.push_str(if l.starts_with('#') { "" } else { l });
        uncommented.push('\n');
    }
    let mut config = Config::parse(&uncommented, Path::new("example.toml")).unwrap();
    assert!(config.files.enabled);
    config.files.qc.validate().unwrap();
    assert!(config.files.qc.variables["temperature_c"].spike.is_some());
    // defaults without [files]: disabled, vendor gross ranges, <data_dir>/erddap
    let plain = self::config();
    assert!(!plain.files.enabled);
    assert!(plain.files.qc.variables.contains_key("temperature_c"));
    assert!(plain.files_dir().ends_with("albatross-data/erddap"));

    let dir = tmp("sink");
    config.files.dir = Some(dir.clone());
    let mut sink = gateway::sinks::files::FilesSink::new(&config);
    let obs = observations(&config);
    for batch in obs.chunks(8) {
        sink.write(batch).unwrap();
    }
    let via_sink = snapshot(&dir);
    let other = tmp("sink-replay");
    write(&other, &config, &obs);
    assert_eq!(via_sink, snapshot(&other));
    assert_eq!(
        gateway::service::sinks_for(&config)
            .iter()
            .filter(|s| s.name() == "files")
            .count(),
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

/// The EMSO globals: the platform's `[platform.emso]` keys over `[station.emso]`.
#[test]
fn emso_globals_come_from_the_platform_then_the_station() {
    let config = config();
    let dir = tmp("emso");
    let report = write(&dir, &config, &observations(&config));
    let r = netcdf3::FileReader::open(&report.days[0].nc).unwrap();
    let ds = r.data_set();
    let global = |name: &str| ds.get_global_attr_as_string(name).unwrap_or_default();
    assert_eq!(global("doi"), "10.17882/74513", "ALBATROSS's DOI");
    assert_eq!(global("emso_platform_name"), "ALBATROSS");
    assert_eq!(global("emso_site_name"), "LO", "from [station.emso]");
    assert_eq!(global("emso_regional_facility_name"), "Ligurian Sea");
    assert_eq!(global("license"), "CC-BY-4.0");
    assert_eq!(global("data_mode"), "R");
    assert_eq!(
        ds.get_var_attr_as_string("platform_id", "cf_role")
            .as_deref(),
        Some("timeseries_id")
    );
    assert!(ds.get_var_attr("stationname", "cf_role").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}
