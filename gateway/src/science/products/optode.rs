//! The Aanderaa oxygen optode product (`OXYGEN_`): the optode's product number, dissolved
//! oxygen (µmol/l, as the optode reports it), saturation and temperature, and oxygen per
//! unit mass (µmol/kg) where the σθ of a MicroCAT beside it is known
//! ([`super::Derivation::OxygenPerMass`]). CSV column names are the old chain's.

use super::{common, Derivation, Product};
use crate::science::variables::{VarKind, VarSpec};

/// Index of the oxygen concentration (µmol/l).
pub const OXYGEN: usize = 1;
/// Index of the oxygen per unit mass (µmol/kg).
pub const OXYGEN_PER_MASS: usize = 4;
/// Number of measured variables.
pub const MEASURED: usize = 4;

/// The optode's variables: type, oxygen, saturation, temperature, then µmol/kg.
pub const VARS: [VarSpec; 5] = [
    VarSpec {
        name: "Optode_Type",
        field: "model",
        qc_key: "optode_model",
        long_name: "Optode Product Number",
        ioos_category: "Identifier",
        kind: VarKind::Sensor,
        extra: &[("comment", "Aanderaa product number (e.g. 4330, 4831)")],
        ..VarSpec::BASE
    },
    VarSpec {
        name: "Oxygen",
        field: "oxygen_umol_l",
        qc_key: "optode_oxygen_umol_l",
        decimals: 3,
        units: "umol l-1",
        standard_name: "mole_concentration_of_dissolved_molecular_oxygen_in_sea_water",
        long_name: "Dissolved Oxygen Concentration",
        ioos_category: "Dissolved O2",
        oceansites_name: "DOXY",
        sdn_parameter: (
            "DOXYZZXX",
            "Concentration of oxygen {O2 CAS 7782-44-7} per unit volume of the water body [dissolved plus reactive particulate phase]",
        ),
        sdn_uom: ("UPOX", "Micromoles per litre"),
        extra: &[("comment", "as computed by the optode with its own salinity setting")],
        ..VarSpec::BASE
    },
    VarSpec {
        name: "Saturation",
        field: "oxygen_saturation_pct",
        qc_key: "optode_saturation_pct",
        decimals: 3,
        ..common::OXYGEN_SATURATION
    },
    VarSpec {
        name: "Temperature",
        field: "temperature_c",
        qc_key: "optode_temperature_c",
        decimals: 3,
        extra: &[("comment", "the optode's own thermistor")],
        ..common::TEMPERATURE
    },
    VarSpec {
        name: "Oxygen_umol_kg",
        field: "oxygen_umol_kg",
        qc_key: "optode_oxygen_umol_kg",
        decimals: 3,
        units: "umol kg-1",
        standard_name: "moles_of_oxygen_per_unit_mass_in_sea_water",
        long_name: "Dissolved Oxygen Per Unit Mass",
        ioos_category: "Dissolved O2",
        oceansites_name: "DOX2",
        sdn_parameter: (
            "DOXMZZXX",
            "Concentration of oxygen {O2 CAS 7782-44-7} per unit mass of the water body [dissolved plus reactive particulate phase]",
        ),
        sdn_uom: ("KGUM", "Micromoles per kilogram"),
        inputs: &[OXYGEN],
        ..VarSpec::BASE
    },
];

/// The optode product.
pub const OPTODE: Product = Product {
    sensor: "OXYGEN",
    instrument: "Aanderaa oxygen optode",
    record_kinds: &["optode"],
    vars: &VARS,
    measured: MEASURED,
    required: MEASURED,
    derivation: Derivation::OxygenPerMass,
    serial_column: "Optode_Serial",
    density_inversion: false,
    keywords: "EARTH SCIENCE > OCEANS > OCEAN CHEMISTRY > OXYGEN, \
               EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > WATER TEMPERATURE",
    summary: "dissolved oxygen (umol/l and, with the sigma-theta of the MicroCAT beside the \
              optode, umol/kg), oxygen saturation and temperature",
    gcmd_instrument: "In Situ/Laboratory Instruments > Chemical Meters/Analyzers > Oxygen Meters",
};
