//! The SBE 37 MicroCAT product (`MICROCAT_`): temperature, conductivity, pressure and
//! (SBE 37-ODO) oxygen, and what TEOS-10 derives from them. Column names are the published
//! ALBATROSS datasets' names.

use super::{common, Derivation, Product};
use crate::science::variables::VarSpec;

/// Index of temperature.
pub const TEMPERATURE: usize = 0;
/// Index of conductivity.
pub const CONDUCTIVITY: usize = 1;
/// Index of pressure.
pub const PRESSURE: usize = 2;
/// Index of oxygen (ml/l).
pub const OXYGEN: usize = 3;
/// Index of the depth from pressure.
pub const DEPTH: usize = 4;
/// Index of practical salinity.
pub const SALINITY: usize = 5;
/// Index of potential temperature.
pub const POTENTIAL_TEMPERATURE: usize = 6;
/// Index of the oxygen saturation.
pub const OXYGEN_SATURATION: usize = 7;
/// Index of sigma-theta.
pub const SIGMA_THETA: usize = 8;
/// Number of measured inputs.
pub const MEASURED: usize = 4;

const CTP: &[usize] = &[CONDUCTIVITY, TEMPERATURE, PRESSURE];

/// The MicroCAT's variables, in column order: the four measured inputs, then the derived
/// variables.
pub const VARS: [VarSpec; 9] = [
    VarSpec {
        name: "temperature",
        field: "temperature_c",
        qc_key: "temperature_c",
        decimals: 4,
        extra: &[("reference_scale", "ITS-90")],
        ..common::TEMPERATURE
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
        qc_key: "conductivity_s_m",
        ..VarSpec::BASE
    },
    VarSpec {
        name: "pressure",
        field: "pressure_dbar",
        qc_key: "pressure_dbar",
        ..common::PRESSURE
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
        qc_key: "oxygen_ml_l",
        ..VarSpec::BASE
    },
    VarSpec {
        inputs: &[PRESSURE],
        qc_key: "depth_m",
        ..common::DEPTH_FROM_PRESSURE
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
        qc_key: "salinity_psu",
        ..VarSpec::BASE
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
        qc_key: "potential_temperature_c",
        extra: &[("reference_pressure", "0 dbar")],
        ..VarSpec::BASE
    },
    VarSpec {
        name: "oxygen_saturation",
        field: "oxygen_saturation_pct",
        qc_key: "oxygen_saturation_pct",
        decimals: 2,
        inputs: &[OXYGEN, CONDUCTIVITY, TEMPERATURE, PRESSURE],
        ..common::OXYGEN_SATURATION
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
        qc_key: "sigma_theta_kg_m3",
        extra: &[("reference_pressure", "0 dbar")],
        ..VarSpec::BASE
    },
];

/// The MicroCAT product.
pub const MICROCAT: Product = Product {
    sensor: "MICROCAT",
    instrument: "SBE 37 MicroCAT CTD",
    record_kinds: &["sbe37"],
    vars: &VARS,
    measured: MEASURED,
    required: 3,
    derivation: Derivation::Seawater,
    serial_column: "sensor_serial_number",
    density_inversion: true,
    keywords: "EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > WATER TEMPERATURE, \
               EARTH SCIENCE > OCEANS > SALINITY/DENSITY > CONDUCTIVITY, \
               EARTH SCIENCE > OCEANS > SALINITY/DENSITY > SALINITY, \
               EARTH SCIENCE > OCEANS > SALINITY/DENSITY > POTENTIAL DENSITY, \
               EARTH SCIENCE > OCEANS > OCEAN PRESSURE > WATER PRESSURE, \
               EARTH SCIENCE > OCEANS > OCEAN CHEMISTRY > OXYGEN",
    summary: "temperature, conductivity, pressure (and dissolved oxygen on an SBE 37-ODO), \
              with TEOS-10 practical salinity, potential temperature, sigma-theta, depth from \
              pressure (and oxygen saturation)",
    gcmd_instrument: "In Situ/Laboratory Instruments > Conductivity Sensors > CTD",
};

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
        assert_eq!(VARS[OXYGEN].field, "oxygen_ml_l");
        for (i, v) in VARS.iter().enumerate() {
            assert_eq!(v.is_measured(), i < MEASURED, "{}", v.name);
        }
    }
}
