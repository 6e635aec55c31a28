//! The frozen schema of the daily files: column and variable names, units, decimals,
//! CF/ERDDAP attributes and fill values. Every file ever written uses exactly these, so
//! ERDDAP never declares a file "bad" for a changed type, unit or fill value
//! (outputs-and-qc.md §1.2). Change nothing here without a new dataset.

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

/// A measured input of the derived variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Temperature.
    Temperature,
    /// Conductivity.
    Conductivity,
    /// Pressure.
    Pressure,
    /// Oxygen.
    Oxygen,
}

impl Input {
    /// Index of this input in [`VARS`].
    pub const fn index(self) -> usize {
        match self {
            Input::Temperature => 0,
            Input::Conductivity => 1,
            Input::Pressure => 2,
            Input::Oxygen => 3,
        }
    }
}

/// One data variable: a CSV column and a NetCDF variable of the same name, with its
/// `<name>_qc` flag column/variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarSpec {
    /// CSV column and NetCDF variable name (the published ALBATROSS datasets' names).
    pub name: &'static str,
    /// The record field (and `[files.qc.variables.<field>]` key) it corresponds to.
    pub field: &'static str,
    /// Decimals kept in both files (the instrument's resolution or better).
    pub decimals: u8,
    /// UDUNITS units.
    pub units: &'static str,
    /// CF standard name.
    pub standard_name: &'static str,
    /// Title Case long name, no units.
    pub long_name: &'static str,
    /// ERDDAP `ioos_category`.
    pub ioos_category: &'static str,
    /// OceanSITES / EMSO parameter code (`emso_parameter_code` attribute).
    pub oceansites_name: &'static str,
    /// Measured inputs it is derived from; empty for a measured variable.
    pub inputs: &'static [Input],
    /// Further attributes (name, value).
    pub extra: &'static [(&'static str, &'static str)],
}

const CTP: &[Input] = &[Input::Conductivity, Input::Temperature, Input::Pressure];

/// The data variables, in column order. Indices 0–3 are the measured inputs
/// ([`Input::index`]).
pub const VARS: [VarSpec; 9] = [
    VarSpec {
        name: "temperature",
        field: "temperature_c",
        decimals: 4,
        units: "degree_C",
        standard_name: "sea_water_temperature",
        long_name: "Sea Water Temperature",
        ioos_category: "Temperature",
        oceansites_name: "TEMP",
        inputs: &[],
        extra: &[("reference_scale", "ITS-90")],
    },
    VarSpec {
        name: "conductivity",
        field: "conductivity_s_m",
        decimals: 6,
        units: "S m-1",
        standard_name: "sea_water_electrical_conductivity",
        long_name: "Sea Water Electrical Conductivity",
        ioos_category: "Salinity",
        oceansites_name: "CNDC",
        inputs: &[],
        extra: &[],
    },
    VarSpec {
        name: "pressure",
        field: "pressure_dbar",
        decimals: 3,
        units: "dbar",
        standard_name: "sea_water_pressure",
        long_name: "Sea Water Pressure",
        ioos_category: "Pressure",
        oceansites_name: "PRES",
        inputs: &[],
        extra: &[],
    },
    VarSpec {
        name: "oxygen",
        field: "oxygen_ml_l",
        decimals: 4,
        units: "ml l-1",
        standard_name: "volume_fraction_of_oxygen_in_sea_water",
        long_name: "Dissolved Oxygen",
        ioos_category: "Dissolved O2",
        oceansites_name: "DOXY",
        inputs: &[],
        extra: &[],
    },
    VarSpec {
        name: "depth",
        field: "depth_m",
        decimals: 3,
        units: "m",
        standard_name: "depth",
        long_name: "Depth From Pressure",
        ioos_category: "Location",
        oceansites_name: "DEPTH_DERIVED",
        inputs: &[Input::Pressure],
        extra: &[("positive", "down")],
    },
    VarSpec {
        name: "salinity",
        field: "salinity_psu",
        decimals: 4,
        units: "1",
        standard_name: "sea_water_practical_salinity",
        long_name: "Sea Water Practical Salinity",
        ioos_category: "Salinity",
        oceansites_name: "PSAL",
        inputs: CTP,
        extra: &[],
    },
    VarSpec {
        name: "potential_temperature",
        field: "potential_temperature_c",
        decimals: 4,
        units: "degree_C",
        standard_name: "sea_water_potential_temperature",
        long_name: "Sea Water Potential Temperature",
        ioos_category: "Temperature",
        oceansites_name: "PTEMP",
        inputs: CTP,
        extra: &[("reference_pressure", "0 dbar")],
    },
    VarSpec {
        name: "oxygen_saturation",
        field: "oxygen_saturation_pct",
        decimals: 2,
        units: "percent",
        standard_name: "fractional_saturation_of_oxygen_in_sea_water",
        long_name: "Dissolved Oxygen Saturation",
        ioos_category: "Dissolved O2",
        oceansites_name: "OXSAT",
        inputs: &[
            Input::Oxygen,
            Input::Conductivity,
            Input::Temperature,
            Input::Pressure,
        ],
        extra: &[],
    },
    VarSpec {
        name: "sigma_theta",
        field: "sigma_theta_kg_m3",
        decimals: 4,
        units: "kg m-3",
        standard_name: "sea_water_sigma_theta",
        long_name: "Sea Water Sigma Theta",
        ioos_category: "Other",
        oceansites_name: "SIGMA_THETA",
        inputs: CTP,
        extra: &[("reference_pressure", "0 dbar")],
    },
];

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

/// `v` rounded to `decimals`, with `-0` turned into `0` (so that the CSV never prints
/// `-0.0000`); `None` for a non-finite value.
pub fn round(v: f64, decimals: u8) -> Option<f64> {
    if !v.is_finite() {
        return None;
    }
    let scale = 10f64.powi(i32::from(decimals));
    let r = (v * scale).round() / scale;
    if !r.is_finite() {
        return None;
    }
    Some(if r == 0.0 { 0.0 } else { r })
}

/// The QC applied when the configuration has no `[files.qc]`: QARTOD gross range with the
/// SBE 37 / SBE 63 vendor ranges as fail spans (outputs-and-qc.md §4.4: T −5…35 °C,
/// C 0…9 S/m, P 0…7000 dbar, SP 0…42; O2 0…15 ml/l), no suspect spans (those are
/// site statistics the operator must supply), and density inversion across the line with
/// the reference thresholds (suspect −0.01, fail −0.03 kg/m³; it runs only on platforms
/// with several MicroCATs).
pub fn default_qc() -> crate::qc::QcConfig {
    use crate::qc::config::GrossRangeConfig;
    use crate::qc::VariableTests;
    let gross = |lo: f64, hi: f64| VariableTests {
        gross_range: Some(GrossRangeConfig {
            fail_span: [lo, hi],
            suspect_span: None,
        }),
        ..Default::default()
    };
    let mut qc = crate::qc::QcConfig::default();
    for (field, lo, hi) in [
        ("temperature_c", -5.0, 35.0),
        ("conductivity_s_m", 0.0, 9.0),
        ("pressure_dbar", 0.0, 7000.0),
        ("oxygen_ml_l", 0.0, 15.0),
        ("salinity_psu", 0.0, 42.0),
    ] {
        qc.variables.insert(field.to_owned(), gross(lo, hi));
    }
    // outputs-and-qc.md T13: adjacent instruments at the same time step
    qc.density_inversion = Some(crate::qc::config::DensityInversionConfig {
        suspect_threshold: -0.01,
        fail_threshold: -0.03,
    });
    qc
}
