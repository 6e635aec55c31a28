//! The frozen layout of the daily files: columns, fill values, time units and the flag
//! scale. The variables themselves (names, units, decimals, CF attributes) are the
//! products' catalogues ([`crate::science::products`]). Every file ever written uses exactly these, so
//! ERDDAP never declares a file "bad" for a changed type, unit or fill value
//! (outputs-and-qc.md §1.2). Change nothing here without a new dataset.

use crate::qc::QcConfig;
use crate::science::{configured_tests, Product, Test};

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
/// How the QARTOD flags are mapped onto [`FLAG_VALUES`] (a `comment` of every `_QC` variable).
pub const FLAG_MAPPING: &str = "QARTOD aggregate flag mapped to OceanSITES reference table 2: \
pass 1 -> 1 good_data, not evaluated 2 -> 0 no_qc_performed, suspect 3 -> 3, fail 4 -> 4, \
missing 9 -> 9 missing_value";

/// QARTOD flag values of the per-test flag variables (`<VAR>_qc_<test>`), as ioos_qc
/// writes them.
pub const TEST_FLAG_VALUES: [i8; 5] = [1, 2, 3, 4, 9];
/// Meanings of [`TEST_FLAG_VALUES`] (ioos_qc's CF output).
pub const TEST_FLAG_MEANINGS: &str = "GOOD UNKNOWN SUSPECT FAIL MISSING";

/// Name of the per-record aggregate flag column/variable.
pub const AGGREGATE_QC: &str = "aggregate_QC";

/// The OceanSITES flag column/variable of variable `name`: `<name>_QC`.
pub fn qc_name(name: &str) -> String {
    format!("{name}_QC")
}

/// The per-test QARTOD flag column/variable of variable `name`: `<name>_qc_<test>`.
pub fn test_name(name: &str, test: Test) -> String {
    format!("{name}_qc_{}", test.name())
}

/// The per-test flag columns of `product` under `qc` (density inversion only when
/// `qc.density_inversion` is set: the caller clears it on a platform without a line of
/// MicroCATs), as (variable index, test), variable by variable in [`crate::science::TESTS`]
/// order.
pub fn test_columns(product: &Product, qc: &QcConfig) -> Vec<(usize, Test)> {
    let inversion = qc.density_inversion.is_some();
    product
        .vars
        .iter()
        .enumerate()
        .flat_map(|(k, v)| {
            configured_tests(product, v.qc_key, qc, inversion)
                .into_iter()
                .map(move |t| (k, t))
        })
        .collect()
}

/// The identity columns that start every CSV row; the last is the serial number, named as
/// the old chain named it ([`Product::serial_column`]).
pub fn id_columns(product: &Product) -> [&'static str; 6] {
    [
        "stationname",
        "latitude",
        "longitude",
        "time",
        "sensor_theoric_depth",
        product.serial_column,
    ]
}

/// The CSV header, in order: the identity columns, the product's variables (the published
/// names), one `<name>_QC` per variable and [`AGGREGATE_QC`], then the per-test flags
/// ([`test_columns`]).
pub fn csv_columns(product: &Product, qc: &QcConfig) -> Vec<String> {
    let mut cols: Vec<String> = id_columns(product)
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    cols.extend(product.vars.iter().map(|v| v.name.to_owned()));
    cols.extend(product.vars.iter().map(|v| qc_name(v.name)));
    cols.push(AGGREGATE_QC.to_owned());
    cols.extend(
        test_columns(product, qc)
            .into_iter()
            .filter_map(|(k, t)| Some(test_name(product.vars.get(k)?.name, t))),
    );
    cols
}
