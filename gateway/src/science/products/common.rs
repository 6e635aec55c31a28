//! Variables several products measure or derive alike (the same units, CF standard name
//! and SeaDataNet codes): each product's catalogue takes one of these and sets its own
//! name, record field, QC key and decimals.

use crate::science::variables::{VarKind, VarSpec};

/// Sea water temperature, °C (P01 TEMPPR01).
pub const TEMPERATURE: VarSpec = VarSpec {
    units: "degree_C",
    standard_name: "sea_water_temperature",
    long_name: "Sea Water Temperature",
    ioos_category: "Temperature",
    oceansites_name: "TEMP",
    sdn_parameter: ("TEMPPR01", "Temperature of the water body"),
    sdn_uom: ("UPAA", "Degrees Celsius"),
    ..VarSpec::BASE
};

/// Sea water pressure, dbar (P01 PRESPR01).
pub const PRESSURE: VarSpec = VarSpec {
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
    ..VarSpec::BASE
};

/// The depth from pressure (`depth`, the EMSO depth coordinate; set `inputs` to the
/// product's pressure).
pub const DEPTH_FROM_PRESSURE: VarSpec = VarSpec {
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
    kind: VarKind::Coordinate,
    extra: &[("positive", "down")],
    ..VarSpec::BASE
};

/// Dissolved oxygen saturation, % (P01 OXYSZZ01).
pub const OXYGEN_SATURATION: VarSpec = VarSpec {
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
    ..VarSpec::BASE
};
