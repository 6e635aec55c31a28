//! The frozen layout of the daily files: columns, fill values, time units and the flag
//! scale. The variables themselves (names, units, decimals, CF attributes) are the
//! catalogue [`crate::science::VARS`]. Every file ever written uses exactly these, so
//! ERDDAP never declares a file "bad" for a changed type, unit or fill value
//! (outputs-and-qc.md §1.2). Change nothing here without a new dataset.

use crate::science::VARS;

/// Fill value of every data variable (NetCDF `double`).
pub const FILL_F64: f64 = 99999.0;
/// Fill value of every QC variable (NetCDF `byte`).
pub const FILL_QC: i8 = -127;
/// Length of the `name_strlen` dimension of the character variables (station id, serial).
pub const NAME_STRLEN: usize = 64;
/// Time units, exactly (ERDDAP compares them as strings).
pub const TIME_UNITS: &str = "seconds since 1970-01-01T00:00:00Z";
/// OceanSITES reference table 2 flag values written in every QC variable.
pub const FLAG_VALUES: [i8; 9] = [0, 1, 2, 3, 4, 5, 7, 8, 9];
/// Meanings of [`FLAG_VALUES`], blank-separated (CF `flag_meanings`).
pub const FLAG_MEANINGS: &str = "no_qc_performed good_data probably_good_data \
bad_data_that_are_potentially_correctable bad_data value_changed nominal_value \
interpolated_value missing_value";
/// How the QARTOD flags are mapped onto [`FLAG_VALUES`] (a `comment` of every QC variable).
pub const FLAG_MAPPING: &str = "QARTOD aggregate flag mapped to OceanSITES reference table 2: \
pass 1 -> 1 good_data, not evaluated 2 -> 0 no_qc_performed, suspect 3 -> 3, fail 4 -> 4, \
missing 9 -> 9 missing_value";

/// Name of the per-record aggregate flag column/variable.
pub const AGGREGATE_QC: &str = "aggregate_qc";

/// The CSV header, in order: the published ALBATROSS columns, then one `<name>_qc` per data
/// variable and [`AGGREGATE_QC`].
pub fn csv_columns() -> Vec<String> {
    let mut cols: Vec<String> = [
        "stationname",
        "latitude",
        "longitude",
        "time",
        "sensor_theoric_depth",
        "sensor_serial_number",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    cols.extend(VARS.iter().map(|v| v.name.to_owned()));
    cols.extend(VARS.iter().map(|v| format!("{}_qc", v.name)));
    cols.push(AGGREGATE_QC.to_owned());
    cols
}
