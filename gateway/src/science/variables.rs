//! The variable catalogue: every variable the gateway measures or derives for a MicroCAT,
//! in one fixed order shared by the live records (`pipeline::enrich`) and the
//! daily files (`dailyfiles`): its record field, published name, decimals, units
//! and CF/OceanSITES description, and which measured inputs a derived variable comes from.
//!
//! The daily files' schema is frozen on this catalogue (names, units, decimals): every file
//! ever written uses exactly these, so ERDDAP never declares a file "bad" for a changed
//! type or unit (outputs-and-qc.md §1.2). Change nothing here without a new dataset.

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
    /// SeaDataNet parameter (NVS collection P01): (code, preferred label).
    pub sdn_parameter: (&'static str, &'static str),
    /// SeaDataNet unit of [`VarSpec::units`] (NVS collection P06): (code, preferred label).
    pub sdn_uom: (&'static str, &'static str),
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
        sdn_parameter: ("TEMPPR01", "Temperature of the water body"),
        sdn_uom: ("UPAA", "Degrees Celsius"),
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
        sdn_parameter: ("CNDCST01", "Electrical conductivity of the water body by CTD"),
        sdn_uom: ("UECA", "Siemens per metre"),
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
        sdn_parameter: (
            "PRESPR01",
            "Pressure (spatial co-ordinate) exerted by the water body by profiling pressure sensor and corrected to read zero at sea level",
        ),
        sdn_uom: ("UPDB", "Decibars"),
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
        sdn_parameter: (
            "DOXYZZXX",
            "Concentration of oxygen {O2 CAS 7782-44-7} per unit volume of the water body [dissolved plus reactive particulate phase]",
        ),
        sdn_uom: ("UMLL", "Millilitres per litre"),
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
        sdn_parameter: (
            "DEPHPR01",
            "Depth below surface of the water body by profiling pressure sensor and conversion to depth using unspecified algorithm",
        ),
        sdn_uom: ("ULAA", "Metres"),
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
        sdn_parameter: ("PSLTZZ01", "Practical salinity of the water body"),
        sdn_uom: ("UUUU", "Dimensionless"),
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
        sdn_parameter: (
            "POTMCV01",
            "Potential temperature of the water body by computation using UNESCO 1983 algorithm",
        ),
        sdn_uom: ("UPAA", "Degrees Celsius"),
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
        sdn_parameter: (
            "OXYSZZ01",
            "Saturation of oxygen {O2 CAS 7782-44-7} in the water body [dissolved phase]",
        ),
        sdn_uom: ("UPCT", "Percent"),
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
        sdn_parameter: (
            "SIGTEQ01",
            "Sigma-theta of the water body by CTD and computation from salinity and potential temperature using UNESCO algorithm",
        ),
        sdn_uom: ("UKMC", "Kilograms per cubic metre"),
        inputs: CTP,
        extra: &[("reference_pressure", "0 dbar")],
    },
];

/// Number of variables.
pub const NVARS: usize = VARS.len();

/// Index in [`VARS`] of the depth from pressure.
pub const DEPTH: usize = 4;
/// Index in [`VARS`] of practical salinity.
pub const SALINITY: usize = 5;
/// Index in [`VARS`] of potential temperature.
pub const POTENTIAL_TEMPERATURE: usize = 6;
/// Index in [`VARS`] of the oxygen saturation.
pub const OXYGEN_SATURATION: usize = 7;
/// Index in [`VARS`] of sigma-theta.
pub const SIGMA_THETA: usize = 8;

/// Index of record field `field` in [`VARS`].
pub fn index_of(field: &str) -> Option<usize> {
    VARS.iter().position(|v| v.field == field)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_the_catalogue() {
        assert_eq!(VARS[DEPTH].field, "depth_m");
        assert_eq!(VARS[SIGMA_THETA].field, "sigma_theta_kg_m3");
        assert_eq!(VARS[SALINITY].field, "salinity_psu");
        assert_eq!(VARS[POTENTIAL_TEMPERATURE].field, "potential_temperature_c");
        assert_eq!(VARS[OXYGEN_SATURATION].field, "oxygen_saturation_pct");
        for i in [
            Input::Temperature,
            Input::Conductivity,
            Input::Pressure,
            Input::Oxygen,
        ] {
            assert!(VARS[i.index()].inputs.is_empty(), "{i:?} is measured");
        }
    }
}
