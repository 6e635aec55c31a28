//! What a data variable of a product is ([`VarSpec`]): its record field, published name,
//! decimals, units and CF/OceanSITES/SeaDataNet description, and which of the product's
//! variables a derived one comes from. The catalogues themselves are per product
//! ([`super::products`]).
//!
//! The daily files' schema is frozen on these catalogues (names, units, decimals): every
//! file ever written uses exactly these, so ERDDAP never declares a file "bad" for a
//! changed type or unit (outputs-and-qc.md §1.2). Change nothing without a new dataset.

/// The most measured variables of any product (the Aquadopp has 13).
pub const MAX_MEASURED: usize = 13;
/// The most variables (measured and derived) of any product.
pub const MAX_VARS: usize = 16;

/// What kind of quantity a variable is (EMSO `variable_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    /// A property of the water (EMSO `environmental`).
    Environmental,
    /// A coordinate (EMSO `coordinate`): the depth from pressure.
    Coordinate,
    /// The state of the instrument or platform (EMSO `technical`): battery, attitude,
    /// counters.
    Technical,
    /// Describes the sensor (EMSO `sensor`): e.g. the optode's product number.
    Sensor,
}

impl VarKind {
    /// The EMSO `variable_type` value.
    pub const fn variable_type(self) -> &'static str {
        match self {
            VarKind::Environmental => "environmental",
            VarKind::Coordinate => "coordinate",
            VarKind::Technical => "technical",
            VarKind::Sensor => "sensor",
        }
    }

    /// The ACDD `coverage_content_type` value.
    pub const fn coverage_content_type(self) -> &'static str {
        match self {
            VarKind::Environmental | VarKind::Coordinate => "physicalMeasurement",
            VarKind::Technical | VarKind::Sensor => "auxiliaryInformation",
        }
    }
}

/// One data variable: a CSV column and a NetCDF variable of the same name, with its
/// `<name>_QC` flag column/variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarSpec {
    /// CSV column and NetCDF variable name (the published datasets' names).
    pub name: &'static str,
    /// The record field it is read from (measured) or written to (derived, live records).
    pub field: &'static str,
    /// For a list-valued record field (the Aquadopp's `velocity_m_s`, `amplitude`): the
    /// element.
    pub element: Option<usize>,
    /// Its key in `[files.qc.variables]` (the record field for the MicroCAT, prefixed by
    /// the instrument kind for the others, e.g. `aquadopp_temperature_c`).
    pub qc_key: &'static str,
    /// Decimals kept in both files (the instrument's resolution or better).
    pub decimals: u8,
    /// UDUNITS units.
    pub units: &'static str,
    /// CF standard name; empty when CF has none (battery voltage, counts).
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
    /// Indices (in the product's variables) of the variables it is derived from; empty for
    /// a measured variable.
    pub inputs: &'static [usize],
    /// What kind of quantity it is.
    pub kind: VarKind,
    /// Further attributes (name, value).
    pub extra: &'static [(&'static str, &'static str)],
}

impl VarSpec {
    /// A measured environmental variable with no attributes set: the base of the catalogues'
    /// entries (`VarSpec { name: …, ..VarSpec::BASE }`).
    pub const BASE: VarSpec = VarSpec {
        name: "",
        field: "",
        element: None,
        qc_key: "",
        decimals: 0,
        units: "1",
        standard_name: "",
        long_name: "",
        ioos_category: "Other",
        oceansites_name: "",
        sdn_parameter: ("", ""),
        sdn_uom: ("", ""),
        inputs: &[],
        kind: VarKind::Environmental,
        extra: &[],
    };

    /// Whether it is measured (not derived).
    pub const fn is_measured(&self) -> bool {
        self.inputs.is_empty()
    }
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
