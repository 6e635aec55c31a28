//! The daily NetCDF file: NetCDF-3 classic, CF-1.6 discrete sampling geometry, one
//! `timeSeries` (outputs-and-qc.md §3), ACDD-1.3 and EMSO/OceanSITES global attributes.
//!
//! Built in memory ([`super::classic`]) and returned as bytes; the caller publishes them
//! atomically.

use super::attrs::{global_attributes, Attr};
use super::classic::Classic as DataSet;
use super::day::DayTable;
use super::meta::Series;
use super::schema::{
    qc_name, test_columns, test_name, AGGREGATE_QC, FILL_F64, FILL_QC, FLAG_MAPPING, FLAG_MEANINGS,
    FLAG_VALUES, NAME_STRLEN, TEST_FLAG_MEANINGS, TEST_FLAG_VALUES, TIME_UNITS,
};
use crate::qc::QcConfig;
use crate::science::{
    round, takes_inversion, Derivation, Test, VarKind, VarSpec, MAX_POLL_SPREAD_MS,
};

/// Why a NetCDF file could not be built, in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("netcdf: {0}")]
pub struct NetcdfError(pub String);

pub use super::emso::COORDINATES;
use super::emso::{sdn_attributes, sensor_attributes, DEPTH_COORDINATES};

fn text(ds: &mut DataSet, var: &str, name: &str, value: &str) -> Result<(), NetcdfError> {
    ds.add_var_attr_string(var, name, value)
}

/// Adds `attrs` (name, value) to variable `var`.
fn texts(ds: &mut DataSet, var: &str, attrs: &[(&str, String)]) -> Result<(), NetcdfError> {
    for (k, v) in attrs {
        text(ds, var, k, v)?;
    }
    Ok(())
}

fn chars(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().take(NAME_STRLEN).collect();
    v.resize(NAME_STRLEN, 0);
    v
}

/// `[min, max]` of the present values, if any.
pub fn range(values: impl Iterator<Item = Option<f64>>) -> Option<[f64; 2]> {
    values.flatten().fold(None, |acc, x| match acc {
        None => Some([x, x]),
        Some([lo, hi]) => Some([lo.min(x), hi.max(x)]),
    })
}

/// The `depth` coordinate of a product without a depth from pressure (C-Star, optode, line
/// status): the nominal depth at every time.
pub const NOMINAL_DEPTH_VAR: &str = "depth";

/// Whether `product` has a depth from pressure among its variables (else its files carry
/// the nominal depth as [`NOMINAL_DEPTH_VAR`]).
pub fn has_depth(product: &crate::science::Product) -> bool {
    product.vars.iter().any(|v| v.kind == VarKind::Coordinate)
}

/// The density-inversion test as configured, in words (`None` when not configured).
fn describe_inversion(qc: &QcConfig) -> Option<String> {
    qc.density_inversion.map(|d| {
        format!(
            "density inversion across the line's MicroCATs (QARTOD test 13, both \
             instruments of an inverted pair flagged, as ioos_qc): {d:?}, records of one \
             poll matched within {} s and less than half the sampling interval",
            MAX_POLL_SPREAD_MS / 1000
        )
    })
}

/// Describes the QC tests configured for the variable with `qc_key` (the `qc_tests`
/// attribute of its `_QC` flag), so a file says which thresholds produced its flags;
/// temperature's, conductivity's and sigma-theta's also name the density-inversion test
/// across the line when it is configured.
pub fn describe_tests(qc: &QcConfig, qc_key: &str) -> String {
    let own = qc.variables.get(qc_key).map(|t| format!("{t:?}"));
    let inversion = describe_inversion(qc).filter(|_| takes_inversion(qc_key));
    match (own, inversion) {
        (Some(o), Some(i)) => format!("{o}; {i}"),
        (Some(o), None) => o,
        (None, Some(i)) => i,
        (None, None) => {
            "none configured (flags: 0 no_qc_performed where present, 9 where missing)".into()
        }
    }
}

/// The parameters of one configured `test` of the variable with `qc_key`, as JSON (the
/// serde form of its `[files.qc]` table; the `qc_test_config` attribute of its per-test
/// flag, from which the test can be rerun, e.g. with ioos_qc).
fn test_config(qc: &QcConfig, qc_key: &str, test: Test) -> String {
    let t = qc.variables.get(qc_key);
    let json = match test {
        Test::GrossRange => t
            .and_then(|t| t.gross_range.as_ref())
            .map(serde_json::to_string),
        Test::Climatology => t
            .and_then(|t| t.climatology.as_ref())
            .map(serde_json::to_string),
        Test::Spike => t.and_then(|t| t.spike.as_ref()).map(serde_json::to_string),
        Test::RateOfChange => t
            .and_then(|t| t.rate_of_change.as_ref())
            .map(serde_json::to_string),
        Test::FlatLine => t
            .and_then(|t| t.flat_line.as_ref())
            .map(serde_json::to_string),
        Test::DensityInversion => qc.density_inversion.as_ref().map(serde_json::to_string),
    };
    // plain numbers and strings: serialising cannot fail
    json.and_then(Result::ok).unwrap_or_default()
}

/// The `comment` of a derived variable: what it comes from and how its flag is made.
fn derived_comment(
    spec: &VarSpec,
    vars: &[VarSpec],
    derivation: Derivation,
    qc: &QcConfig,
) -> String {
    let inputs: Vec<&str> = spec
        .inputs
        .iter()
        .filter_map(|&i| vars.get(i).map(|s| s.name))
        .collect();
    let how = match derivation {
        _ if spec.field == "depth_m" => " with TEOS-10 (gsw z_from_p at the platform's latitude)",
        Derivation::Seawater => " with TEOS-10 (global attribute equations)",
        Derivation::Current => ": speed hypot(east, north), direction atan2(east, north) clockwise from true north, towards which the water moves",
        Derivation::OxygenPerMass => {
            " and the sigma-theta of the MicroCAT nearest to the optode's depth at the same time (umol/kg = umol/l * 1000 / (1000 + sigma-theta)); missing when no MicroCAT record matches"
        }
        Derivation::None => "",
    };
    let inversion = if spec.field == "sigma_theta_kg_m3" && qc.density_inversion.is_some() {
        ", including density inversion against the vertically adjacent instruments \
         of the line at the same poll (see qc_tests of its flag)"
    } else {
        ""
    };
    format!(
        "Derived from {}{how}; its flag is the worst of its inputs' flags and its own \
         tests{inversion}",
        inputs.join(", ")
    )
}

/// The NetCDF bytes of a day. Deterministic: the same series, table and QC config give the
/// same bytes (no wall-clock time; dates come from the data).
pub fn render(series: &Series, table: &DayTable, qc: &QcConfig) -> Result<Vec<u8>, NetcdfError> {
    let n = table.rows.len();
    let mut ds = DataSet::new();
    ds.set_unlimited_dim("time", n)?;
    ds.add_fixed_dim("name_strlen", NAME_STRLEN)?;
    let none: &[&str] = &[];

    // time-series identity (cdm_timeseries_variables): EMSO's platform_id is the
    // timeseries_id (CF allows one); stationname and sensor_serial_number are the
    // published ALBATROSS names, also CSV columns
    ds.add_var_u8("platform_id", &["name_strlen"])?;
    for (k, v) in [
        ("standard_name", "platform_id"),
        ("long_name", "Platform Id"),
        ("cf_role", "timeseries_id"),
        ("ioos_category", "Identifier"),
        ("variable_type", "coordinate"),
        (
            "comment",
            "Id of the time series: the platform and the instrument on it \
             (<platform>_<SENSOR>_<serial>); the EMSO platform is emso_platform_name",
        ),
    ] {
        text(&mut ds, "platform_id", k, v)?;
    }
    texts(
        &mut ds,
        "platform_id",
        &sdn_attributes(super::emso::PLATFORM_ID),
    )?;
    ds.add_var_u8("sensor_id", &["name_strlen"])?;
    for (k, v) in [
        ("long_name", "Sensor Id"),
        ("ioos_category", "Identifier"),
        ("variable_type", "coordinate"),
        ("comment", "<SENSOR>_<serial>"),
    ] {
        text(&mut ds, "sensor_id", k, v)?;
    }
    texts(
        &mut ds,
        "sensor_id",
        &sdn_attributes(super::emso::SENSOR_ID),
    )?;
    texts(&mut ds, "sensor_id", &sensor_attributes(series))?;
    ds.add_var_u8("stationname", &["name_strlen"])?;
    for (k, v) in [
        ("long_name", "Station Name"),
        ("ioos_category", "Identifier"),
        ("variable_type", "platform"),
        (
            "comment",
            "The same as platform_id (the published ALBATROSS name)",
        ),
    ] {
        text(&mut ds, "stationname", k, v)?;
    }
    ds.add_var_u8("sensor_serial_number", &["name_strlen"])?;
    for (k, v) in [
        ("long_name", "Sensor Serial Number"),
        ("ioos_category", "Identifier"),
        ("variable_type", "sensor"),
    ] {
        text(&mut ds, "sensor_serial_number", k, v)?;
    }
    for (name, std, units, axis, long, codes) in [
        (
            "latitude",
            "latitude",
            "degrees_north",
            "Y",
            "Latitude",
            super::emso::LATITUDE,
        ),
        (
            "longitude",
            "longitude",
            "degrees_east",
            "X",
            "Longitude",
            super::emso::LONGITUDE,
        ),
    ] {
        ds.add_var_f64(name, none)?;
        for (k, v) in [
            ("standard_name", std),
            ("long_name", long),
            ("units", units),
            ("axis", axis),
            ("ioos_category", "Location"),
            ("variable_type", "coordinate"),
            ("comment", "Nominal position of the platform"),
        ] {
            text(&mut ds, name, k, v)?;
        }
        texts(&mut ds, name, &sdn_attributes(codes))?;
        ds.add_var_attr_f64(name, "_FillValue", vec![FILL_F64])?;
    }
    ds.add_var_f64("sensor_theoric_depth", none)?;
    for (k, v) in [
        ("standard_name", "depth"),
        ("long_name", "Nominal Sensor Depth"),
        ("units", "m"),
        ("positive", "down"),
        ("axis", "Z"),
        ("ioos_category", "Location"),
        ("variable_type", "coordinate"),
        ("comment", "Nominal depth of the instrument on its platform"),
    ] {
        text(&mut ds, "sensor_theoric_depth", k, v)?;
    }
    texts(
        &mut ds,
        "sensor_theoric_depth",
        &sdn_attributes(super::emso::NOMINAL_DEPTH),
    )?;
    ds.add_var_attr_f64("sensor_theoric_depth", "_FillValue", vec![FILL_F64])?;

    ds.add_var_f64("time", &["time"])?;
    for (k, v) in [
        ("standard_name", "time"),
        ("long_name", "Time"),
        ("units", TIME_UNITS),
        ("calendar", "standard"),
        ("axis", "T"),
        ("ioos_category", "Time"),
        ("variable_type", "coordinate"),
    ] {
        text(&mut ds, "time", k, v)?;
    }
    texts(&mut ds, "time", &sdn_attributes(super::emso::TIME))?;
    // no _FillValue: CF forbids missing values in a coordinate variable (and every row has
    // a time); compliance-checker cf:1.6 §2.5.1 rejects it

    let product = series.product;
    let tests = test_columns(product, qc);
    let nominal_depth = !has_depth(product);
    if nominal_depth {
        // EMSO makes `depth` mandatory: without a pressure sensor it is the nominal depth
        ds.add_var_f64(NOMINAL_DEPTH_VAR, &["time"])?;
        for (k, v) in [
            ("standard_name", "depth"),
            ("long_name", "Depth"),
            ("units", "m"),
            ("positive", "down"),
            ("ioos_category", "Location"),
            ("variable_type", "coordinate"),
            ("coordinates", DEPTH_COORDINATES),
            (
                "comment",
                "The instrument has no pressure sensor: its nominal depth on the platform",
            ),
        ] {
            text(&mut ds, NOMINAL_DEPTH_VAR, k, v)?;
        }
        texts(
            &mut ds,
            NOMINAL_DEPTH_VAR,
            &sdn_attributes(super::emso::NOMINAL_DEPTH),
        )?;
        ds.add_var_attr_f64(NOMINAL_DEPTH_VAR, "_FillValue", vec![FILL_F64])?;
    }
    for (k, spec) in product.vars.iter().enumerate() {
        let name = spec.name;
        ds.add_var_f64(name, &["time"])?;
        let own_qc = qc_name(name);
        let mut ancillary = vec![own_qc.clone()];
        ancillary.extend(
            tests
                .iter()
                .filter(|(i, _)| *i == k)
                .map(|&(_, t)| test_name(name, t)),
        );
        let ancillary = ancillary.join(" ");
        let coordinates = if spec.kind == VarKind::Coordinate {
            DEPTH_COORDINATES
        } else {
            COORDINATES
        };
        for (a, v) in [
            ("standard_name", spec.standard_name),
            ("long_name", spec.long_name),
            ("units", spec.units),
            ("ioos_category", spec.ioos_category),
            ("coordinates", coordinates),
            ("ancillary_variables", ancillary.as_str()),
            ("coverage_content_type", spec.kind.coverage_content_type()),
            ("variable_type", spec.kind.variable_type()),
            ("emso_parameter_code", spec.oceansites_name),
        ] {
            if !v.is_empty() {
                text(&mut ds, name, a, v)?;
            }
        }
        for (a, v) in spec.extra {
            text(&mut ds, name, a, v)?;
        }
        if !spec.sdn_parameter.0.is_empty() || !spec.sdn_uom.0.is_empty() {
            let attrs = sdn_attributes((spec.sdn_parameter, spec.sdn_uom));
            let known: Vec<(&str, String)> = attrs
                .into_iter()
                .filter(|(a, _)| {
                    let p = a.starts_with("sdn_parameter");
                    !(p && spec.sdn_parameter.0.is_empty() || !p && spec.sdn_uom.0.is_empty())
                })
                .collect();
            texts(&mut ds, name, &known)?;
        }
        ds.add_var_attr_f64(name, "_FillValue", vec![FILL_F64])?;
        if let Some(r) = range(
            table
                .rows
                .iter()
                .map(|r| r.values.get(k).copied().flatten()),
        ) {
            ds.add_var_attr_f64(name, "actual_range", r.to_vec())?;
        }
        if !spec.is_measured() {
            let comment = derived_comment(spec, product.vars, product.derivation, qc);
            text(&mut ds, name, "comment", &comment)?;
        }
        let std_flag = if spec.standard_name.is_empty() {
            "status_flag".to_owned()
        } else {
            format!("{} status_flag", spec.standard_name)
        };
        add_qc_var(
            &mut ds,
            &own_qc,
            &format!("{} Quality Flag", spec.long_name),
            &std_flag,
            &describe_tests(qc, spec.qc_key),
        )?;
    }
    for &(k, test) in &tests {
        let Some(spec) = product.vars.get(k) else {
            continue;
        };
        add_test_var(&mut ds, spec, test, &test_config(qc, spec.qc_key, test))?;
    }
    add_qc_var(
        &mut ds,
        AGGREGATE_QC,
        "Aggregate Quality Flag",
        "aggregate_quality_flag",
        "worst of the record's variable flags (ioos_qc qartod_compare: missing < not evaluated < pass < suspect < fail)",
    )?;

    for (name, value) in global_attributes(series, table) {
        match value {
            Attr::Text(s) => ds.add_global_attr_string(name, &s)?,
            Attr::F64(x) => ds.add_global_attr_f64(name, vec![x])?,
        }
    }

    {
        let w = &mut ds;
        w.write_var_u8("platform_id", &chars(&series.station_id()))?;
        w.write_var_u8("sensor_id", &chars(&series.sensor_id()))?;
        w.write_var_u8("stationname", &chars(&series.station_id()))?;
        w.write_var_u8("sensor_serial_number", &chars(&series.serial))?;
        let fixed = |v: f64, d: u8| round(v, d).unwrap_or(FILL_F64);
        w.write_var_f64(
            "latitude",
            &[fixed(series.latitude, super::csv::LATLON_DECIMALS)],
        )?;
        w.write_var_f64(
            "longitude",
            &[fixed(series.longitude, super::csv::LATLON_DECIMALS)],
        )?;
        w.write_var_f64(
            "sensor_theoric_depth",
            &[fixed(
                series.nominal_depth_m,
                super::csv::NOMINAL_DEPTH_DECIMALS,
            )],
        )?;
        let times: Vec<f64> = table
            .rows
            .iter()
            .map(|r| r.time.unix_millis() as f64 / 1000.0)
            .collect();
        w.write_var_f64("time", &times)?;
        if nominal_depth {
            let z = fixed(series.nominal_depth_m, super::csv::NOMINAL_DEPTH_DECIMALS);
            w.write_var_f64(NOMINAL_DEPTH_VAR, &vec![z; times.len()])?;
        }
        for (k, spec) in product.vars.iter().enumerate() {
            let data: Vec<f64> = table
                .rows
                .iter()
                .map(|r| r.values.get(k).copied().flatten().unwrap_or(FILL_F64))
                .collect();
            w.write_var_f64(spec.name, &data)?;
            let flags: Vec<i8> = table
                .rows
                .iter()
                .map(|r| r.flags.get(k).map_or(FILL_QC, |f| f.to_oceansites()))
                .collect();
            w.write_var_i8(&qc_name(spec.name), &flags)?;
        }
        for &(k, test) in &tests {
            let Some(spec) = product.vars.get(k) else {
                continue;
            };
            let flags: Vec<i8> = table
                .rows
                .iter()
                .map(|r| {
                    let f = r.tests.get(k).and_then(|t| t.get(test.index())).copied();
                    f.flatten().map_or(9, |f| f.code() as i8)
                })
                .collect();
            w.write_var_i8(&test_name(spec.name, test), &flags)?;
        }
        let agg: Vec<i8> = table
            .rows
            .iter()
            .map(|r| r.aggregate.to_oceansites())
            .collect();
        w.write_var_i8(AGGREGATE_QC, &agg)?;
    }
    ds.to_bytes()
}

fn add_qc_var(
    ds: &mut DataSet,
    name: &str,
    long_name: &str,
    standard_name: &str,
    tests: &str,
) -> Result<(), NetcdfError> {
    ds.add_var_i8(name, &["time"])?;
    for (a, v) in [
        ("long_name", long_name),
        ("standard_name", standard_name),
        ("conventions", "OceanSITES reference table 2"),
        ("flag_meanings", FLAG_MEANINGS),
        ("coverage_content_type", "qualityInformation"),
        ("ioos_category", "Quality"),
        ("variable_type", "quality_control"),
        ("coordinates", COORDINATES),
        ("comment", FLAG_MAPPING),
        ("qc_tests", tests),
    ] {
        text(ds, name, a, v)?;
    }
    ds.add_var_attr_i8(name, "_FillValue", vec![FILL_QC])?;
    ds.add_var_attr_i8(name, "flag_values", FLAG_VALUES.to_vec())?;
    ds.add_var_attr_i8(name, "valid_min", vec![0])?;
    ds.add_var_attr_i8(name, "valid_max", vec![9])?;
    Ok(())
}

/// The per-test flag variable of `spec` for `test` (QARTOD scale, as ioos_qc writes it).
fn add_test_var(
    ds: &mut DataSet,
    spec: &VarSpec,
    test: Test,
    config: &str,
) -> Result<(), NetcdfError> {
    let name = test_name(spec.name, test);
    ds.add_var_i8(&name, &["time"])?;
    let long = format!(
        "{} QARTOD {} Test Flag",
        spec.long_name,
        test.name().replace('_', " ")
    );
    let mut attrs = vec![
        ("long_name", long.as_str()),
        ("conventions", "QARTOD (IOOS ioos_qc)"),
        ("flag_meanings", TEST_FLAG_MEANINGS),
        ("coverage_content_type", "qualityInformation"),
        ("ioos_category", "Quality"),
        ("variable_type", "quality_control"),
        ("coordinates", COORDINATES),
        ("ioos_qc_module", "qartod"),
        ("ioos_qc_test", test.name()),
        ("qc_test_config", config),
    ];
    if let Some(std) = test.standard_name() {
        attrs.insert(1, ("standard_name", std));
    }
    for (a, v) in attrs {
        text(ds, &name, a, v)?;
    }
    ds.add_var_attr_i8(&name, "_FillValue", vec![FILL_QC])?;
    ds.add_var_attr_i8(&name, "flag_values", TEST_FLAG_VALUES.to_vec())?;
    ds.add_var_attr_i8(&name, "valid_min", vec![1])?;
    ds.add_var_attr_i8(&name, "valid_max", vec![9])?;
    Ok(())
}
