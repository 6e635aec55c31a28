//! The daily NetCDF file: NetCDF-3 classic, CF-1.6 discrete sampling geometry, one
//! `timeSeries` (outputs-and-qc.md §3), ACDD-1.3 and EMSO/OceanSITES global attributes.
//!
//! Built in memory with `netcdf3` (its `DataSet` is not `Send`: everything happens inside
//! one call) and returned as bytes; the caller publishes them atomically.

use super::attrs::{global_attributes, Attr};
use super::day::DayTable;
use super::meta::Series;
use super::schema::{
    AGGREGATE_QC, FILL_F64, FILL_QC, FLAG_MAPPING, FLAG_MEANINGS, FLAG_VALUES, NAME_STRLEN,
    TIME_UNITS,
};
use crate::qc::QcConfig;
use crate::science::{round, takes_inversion, MAX_POLL_SPREAD_MS, VARS};
use netcdf3::{DataSet, FileWriter, Version};
use std::cell::RefCell;
use std::io::{self, Cursor, Seek, SeekFrom, Write};
use std::rc::Rc;

/// A NetCDF library error, in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("netcdf: {0}")]
pub struct NetcdfError(pub String);

fn nc<E: std::fmt::Debug>(e: E) -> NetcdfError {
    NetcdfError(format!("{e:?}"))
}

/// An in-memory seekable buffer the writer owns a handle to while we keep another.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Cursor<Vec<u8>>>>);

fn busy() -> io::Error {
    io::Error::other("buffer busy")
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_borrow_mut().map_err(|_| busy())?.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for SharedBuf {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.try_borrow_mut().map_err(|_| busy())?.seek(pos)
    }
}

pub use super::emso::COORDINATES;
use super::emso::{sdn_attributes, sensor_attributes, DEPTH_COORDINATES};

fn text(ds: &mut DataSet, var: &str, name: &str, value: &str) -> Result<(), NetcdfError> {
    ds.add_var_attr_string(var, name, value).map_err(nc)
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

/// Describes the QC tests configured for record field `field` (the `qc_tests` attribute),
/// so a file says which thresholds produced its flags; temperature's, conductivity's and
/// sigma-theta's also name the density-inversion test across the line when it is configured.
pub fn describe_tests(qc: &QcConfig, field: &str) -> String {
    let own = qc.variables.get(field).map(|t| format!("{t:?}"));
    let inversion = qc
        .density_inversion
        .filter(|_| takes_inversion(field))
        .map(|d| {
            format!(
                "density inversion across the line's MicroCATs (QARTOD test 13, both \
                 instruments of an inverted pair flagged, as ioos_qc): {d:?}, records of one \
                 poll matched within {} s and less than half the sampling interval",
                MAX_POLL_SPREAD_MS / 1000
            )
        });
    match (own, inversion) {
        (Some(o), Some(i)) => format!("{o}; {i}"),
        (Some(o), None) => o,
        (None, Some(i)) => i,
        (None, None) => {
            "none configured (flags: 0 no_qc_performed where present, 9 where missing)".into()
        }
    }
}

/// The NetCDF bytes of a day. Deterministic: the same series, table and QC config give the
/// same bytes (no wall-clock time; dates come from the data).
pub fn render(series: &Series, table: &DayTable, qc: &QcConfig) -> Result<Vec<u8>, NetcdfError> {
    let n = table.rows.len();
    let mut ds = DataSet::new();
    ds.set_unlimited_dim("time", n).map_err(nc)?;
    ds.add_fixed_dim("name_strlen", NAME_STRLEN).map_err(nc)?;
    let none: &[&str] = &[];

    // time-series identity (cdm_timeseries_variables): EMSO's platform_id is the
    // timeseries_id (CF allows one); stationname and sensor_serial_number are the
    // published ALBATROSS names, also CSV columns
    ds.add_var_u8("platform_id", &["name_strlen"]).map_err(nc)?;
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
    ds.add_var_u8("sensor_id", &["name_strlen"]).map_err(nc)?;
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
    ds.add_var_u8("stationname", &["name_strlen"]).map_err(nc)?;
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
    ds.add_var_u8("sensor_serial_number", &["name_strlen"])
        .map_err(nc)?;
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
        ds.add_var_f64(name, none).map_err(nc)?;
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
        ds.add_var_attr_f64(name, "_FillValue", vec![FILL_F64])
            .map_err(nc)?;
    }
    ds.add_var_f64("sensor_theoric_depth", none).map_err(nc)?;
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
    ds.add_var_attr_f64("sensor_theoric_depth", "_FillValue", vec![FILL_F64])
        .map_err(nc)?;

    ds.add_var_f64("time", &["time"]).map_err(nc)?;
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

    for (k, spec) in VARS.iter().enumerate() {
        let name = spec.name;
        ds.add_var_f64(name, &["time"]).map_err(nc)?;
        let qc_name = format!("{name}_qc");
        let (coordinates, variable_type) = if k == crate::science::variables::DEPTH {
            (DEPTH_COORDINATES, "coordinate")
        } else {
            (COORDINATES, "environmental")
        };
        for (a, v) in [
            ("standard_name", spec.standard_name),
            ("long_name", spec.long_name),
            ("units", spec.units),
            ("ioos_category", spec.ioos_category),
            ("coordinates", coordinates),
            ("ancillary_variables", qc_name.as_str()),
            ("coverage_content_type", "physicalMeasurement"),
            ("variable_type", variable_type),
            ("emso_parameter_code", spec.oceansites_name),
        ] {
            text(&mut ds, name, a, v)?;
        }
        for (a, v) in spec.extra {
            text(&mut ds, name, a, v)?;
        }
        texts(
            &mut ds,
            name,
            &sdn_attributes((spec.sdn_parameter, spec.sdn_uom)),
        )?;
        ds.add_var_attr_f64(name, "_FillValue", vec![FILL_F64])
            .map_err(nc)?;
        if let Some(r) = range(
            table
                .rows
                .iter()
                .map(|r| r.values.get(k).copied().flatten()),
        ) {
            ds.add_var_attr_f64(name, "actual_range", r.to_vec())
                .map_err(nc)?;
        }
        if !spec.inputs.is_empty() {
            let inputs: Vec<&str> = spec
                .inputs
                .iter()
                .filter_map(|i| VARS.get(i.index()).map(|s| s.name))
                .collect();
            let inversion = if spec.field == "sigma_theta_kg_m3" && qc.density_inversion.is_some() {
                ", including density inversion against the vertically adjacent instruments \
                 of the line at the same poll (see qc_tests of its flag)"
            } else {
                ""
            };
            let comment = format!(
                "Derived from {} with TEOS-10 (global attribute equations); its flag is the \
                 worst of its inputs' flags and its own tests{inversion}",
                inputs.join(", ")
            );
            text(&mut ds, name, "comment", &comment)?;
        }
        add_qc_var(
            &mut ds,
            &qc_name,
            &format!("{} Quality Flag", spec.long_name),
            &format!("{} status_flag", spec.standard_name),
            &describe_tests(qc, spec.field),
        )?;
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
            Attr::Text(s) => ds.add_global_attr_string(name, s).map_err(nc)?,
            Attr::F64(x) => ds.add_global_attr_f64(name, vec![x]).map_err(nc)?,
        }
    }

    let buf = SharedBuf::default();
    {
        let mut w = FileWriter::open_seek_write("daily.nc", Box::new(buf.clone())).map_err(nc)?;
        w.set_def(&ds, Version::Classic, 0).map_err(nc)?;
        w.write_var_u8("platform_id", &chars(&series.station_id()))
            .map_err(nc)?;
        w.write_var_u8("sensor_id", &chars(&series.sensor_id()))
            .map_err(nc)?;
        w.write_var_u8("stationname", &chars(&series.station_id()))
            .map_err(nc)?;
        w.write_var_u8("sensor_serial_number", &chars(&series.serial))
            .map_err(nc)?;
        let fixed = |v: f64, d: u8| round(v, d).unwrap_or(FILL_F64);
        w.write_var_f64(
            "latitude",
            &[fixed(series.latitude, super::csv::LATLON_DECIMALS)],
        )
        .map_err(nc)?;
        w.write_var_f64(
            "longitude",
            &[fixed(series.longitude, super::csv::LATLON_DECIMALS)],
        )
        .map_err(nc)?;
        w.write_var_f64(
            "sensor_theoric_depth",
            &[fixed(
                series.nominal_depth_m,
                super::csv::NOMINAL_DEPTH_DECIMALS,
            )],
        )
        .map_err(nc)?;
        let times: Vec<f64> = table
            .rows
            .iter()
            .map(|r| r.time.unix_millis() as f64 / 1000.0)
            .collect();
        w.write_var_f64("time", &times).map_err(nc)?;
        for (k, spec) in VARS.iter().enumerate() {
            let data: Vec<f64> = table
                .rows
                .iter()
                .map(|r| r.values.get(k).copied().flatten().unwrap_or(FILL_F64))
                .collect();
            w.write_var_f64(spec.name, &data).map_err(nc)?;
            let flags: Vec<i8> = table
                .rows
                .iter()
                .map(|r| r.flags.get(k).map_or(FILL_QC, |f| f.to_oceansites()))
                .collect();
            w.write_var_i8(&format!("{}_qc", spec.name), &flags)
                .map_err(nc)?;
        }
        let agg: Vec<i8> = table
            .rows
            .iter()
            .map(|r| r.aggregate.to_oceansites())
            .collect();
        w.write_var_i8(AGGREGATE_QC, &agg).map_err(nc)?;
        w.close().map_err(nc)?;
    }
    let mut bytes = buf
        .0
        .try_borrow()
        .map(|c| c.get_ref().clone())
        .map_err(|_| NetcdfError("buffer still in use".into()))?;
    super::padding::zero_attribute_padding(&mut bytes)
        .ok_or_else(|| NetcdfError("unexpected header layout from the writer".into()))?;
    Ok(bytes)
}

fn add_qc_var(
    ds: &mut DataSet,
    name: &str,
    long_name: &str,
    standard_name: &str,
    tests: &str,
) -> Result<(), NetcdfError> {
    ds.add_var_i8(name, &["time"]).map_err(nc)?;
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
    ds.add_var_attr_i8(name, "_FillValue", vec![FILL_QC])
        .map_err(nc)?;
    ds.add_var_attr_i8(name, "flag_values", FLAG_VALUES.to_vec())
        .map_err(nc)?;
    ds.add_var_attr_i8(name, "valid_min", vec![0]).map_err(nc)?;
    ds.add_var_attr_i8(name, "valid_max", vec![9]).map_err(nc)?;
    Ok(())
}
