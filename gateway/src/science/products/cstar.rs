//! The WET Labs C-Star transmissometer product (`CTAR_`, the old chain's prefix): the
//! counts the instrument reports and the beam attenuation coefficient it computes. CSV
//! column names are the old chain's.

use super::{Derivation, Product};
use crate::science::variables::{VarKind, VarSpec};

const COUNTS: VarSpec = VarSpec {
    decimals: 0,
    units: "1",
    ioos_category: "Optical Properties",
    sdn_uom: ("UCNT", "Counts"),
    kind: VarKind::Technical,
    ..VarSpec::BASE
};

/// The C-Star's variables, all measured.
pub const VARS: [VarSpec; 5] = [
    VarSpec {
        name: "Reference_Counts",
        field: "reference_counts",
        qc_key: "cstar_reference_counts",
        long_name: "Reference Counts",
        ..COUNTS
    },
    VarSpec {
        name: "Signal_Counts",
        field: "signal_counts",
        qc_key: "cstar_signal_counts",
        long_name: "Signal Counts",
        ..COUNTS
    },
    VarSpec {
        name: "Corrected_Signal_raw_counts",
        field: "corrected_counts",
        qc_key: "cstar_corrected_counts",
        long_name: "Corrected Signal Counts",
        ..COUNTS
    },
    VarSpec {
        name: "Calculated_Beam_c_inverse_meters",
        field: "beam_attenuation_per_m",
        qc_key: "cstar_beam_attenuation_per_m",
        decimals: 4,
        units: "m-1",
        standard_name: "volume_beam_attenuation_coefficient_of_radiative_flux_in_sea_water",
        long_name: "Beam Attenuation Coefficient",
        ioos_category: "Optical Properties",
        oceansites_name: "ATTN",
        sdn_parameter: (
            "ATTNZZ01",
            "Attenuation (red light wavelength) per unit length of the water body by transmissometer",
        ),
        sdn_uom: ("UPRM", "per metre"),
        extra: &[("sensor_wavelength", "650 nm")],
        ..VarSpec::BASE
    },
    VarSpec {
        name: "Internal_thermistor_counts",
        field: "thermistor_counts",
        qc_key: "cstar_thermistor_counts",
        long_name: "Internal Thermistor Counts",
        ..COUNTS
    },
];

/// The C-Star product.
pub const CSTAR: Product = Product {
    sensor: "CTAR",
    instrument: "WET Labs C-Star transmissometer",
    record_kinds: &["cstar"],
    vars: &VARS,
    measured: 5,
    required: 5,
    derivation: Derivation::None,
    serial_column: "Instrument_Serial",
    density_inversion: false,
    keywords: "EARTH SCIENCE > OCEANS > OCEAN OPTICS > ATTENUATION/TRANSMISSION",
    summary: "reference, signal and corrected signal counts, the beam attenuation \
              coefficient c and the internal thermistor counts",
    gcmd_instrument: "In Situ/Laboratory Instruments > Photon/Optical Detectors > Transmissometers",
};
