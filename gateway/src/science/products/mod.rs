//! The daily products: one catalogue of variables per instrument kind, and how a record
//! of that kind becomes a row. Every product shares the same machinery
//! ([`super::sample`], [`super::series`], the daily files); what differs is here.
//!
//! | product | file prefix | record kinds | derived |
//! |---|---|---|---|
//! | [`MICROCAT`] | `MICROCAT_` | `sbe37` | depth, salinity, potential temperature, O2 saturation, σθ (TEOS-10) |
//! | [`AQUADOPP`] | `AQUADOPP_` | `aquadopp_velocity` | current speed and direction |
//! | [`CSTAR`] | `CTAR_` | `cstar` | — (the instrument computes beam c) |
//! | [`OPTODE`] | `OXYGEN_` | `optode` | O2 in µmol/kg, with σθ of the nearest MicroCAT |
//! | [`LINE_STATUS`] | `LINESTATUS_` | `line_status` | — |

pub mod aquadopp;
pub mod common;
pub mod cstar;
pub mod microcat;
pub mod optode;
pub mod status;

use super::variables::VarSpec;

/// How a product's derived variables are computed ([`super::derived::values_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    /// None: every variable is measured.
    None,
    /// TEOS-10 from the MicroCAT's C, T, P (and oxygen saturation from its O2).
    Seawater,
    /// Current speed and direction from the east and north velocities.
    Current,
    /// Oxygen per unit mass from the optode's µmol/l and the σθ of a MicroCAT beside it.
    OxygenPerMass,
}

/// One kind of daily product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Product {
    /// Sensor name in file names and ids (`<SENSOR>_<serial>_<YYYYMMDD>`).
    pub sensor: &'static str,
    /// What the instrument is, for titles ("SBE 37 MicroCAT CTD").
    pub instrument: &'static str,
    /// Record kinds (`Record::kind`) it is made of.
    pub record_kinds: &'static [&'static str],
    /// Its variables: the measured ones first ([`Product::measured`] of them), then the
    /// derived.
    pub vars: &'static [VarSpec],
    /// How many of [`Product::vars`] are measured.
    pub measured: usize,
    /// A record is a sample when at least one of the first `required` measured variables
    /// is present (the MicroCAT: T, C or P; an oxygen-only record is not a measurement).
    pub required: usize,
    /// How its derived variables are computed.
    pub derivation: Derivation,
    /// The CSV column of the serial number (the old chain's name).
    pub serial_column: &'static str,
    /// Whether density inversion across the line applies to it (the MicroCATs).
    pub density_inversion: bool,
    /// ACDD `keywords` (GCMD science keywords), comma-separated.
    pub keywords: &'static str,
    /// What the files hold, for the `summary` ("temperature, conductivity, …").
    pub summary: &'static str,
    /// ACDD `instrument` (GCMD instrument keyword).
    pub gcmd_instrument: &'static str,
}

pub use aquadopp::AQUADOPP;
pub use cstar::CSTAR;
pub use microcat::MICROCAT;
pub use optode::OPTODE;
pub use status::LINE_STATUS;

/// Every product, in a fixed order.
pub const PRODUCTS: [&Product; 5] = [&MICROCAT, &AQUADOPP, &CSTAR, &OPTODE, &LINE_STATUS];

impl Product {
    /// The measured variables.
    pub fn measured_vars(&self) -> &'static [VarSpec] {
        self.vars.get(..self.measured).unwrap_or(&[])
    }

    /// Index of the variable with `qc_key` (its `[files.qc.variables]` key).
    pub fn index_of_qc_key(&self, qc_key: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.qc_key == qc_key)
    }

    /// Whether `self` and `other` are the same product (by file prefix: a `const` product
    /// has no single address to compare).
    pub fn is(&self, other: &Product) -> bool {
        self.sensor == other.sensor
    }

    /// The product whose file prefix is `sensor`.
    pub fn by_sensor(sensor: &str) -> Option<&'static Product> {
        PRODUCTS.iter().copied().find(|p| p.sensor == sensor)
    }
}

/// The variables (CSV column names) a product's plots show, like the ERDDAP graphs the
/// users know: `albatross plot` and the dashboard; none for the line status.
pub fn plotted(product: &Product) -> &'static [&'static str] {
    if product.is(&MICROCAT) {
        &["temperature", "salinity", "oxygen", "pressure"]
    } else if product.is(&AQUADOPP) {
        &["Speed", "Direction"]
    } else if product.is(&CSTAR) {
        &["Calculated_Beam_c_inverse_meters"]
    } else if product.is(&OPTODE) {
        &["Oxygen"]
    } else {
        &[]
    }
}

/// The product a record of `kind` (`Record::kind`) belongs to.
pub fn product_of_kind(kind: &str) -> Option<&'static Product> {
    PRODUCTS
        .iter()
        .copied()
        .find(|p| p.record_kinds.contains(&kind))
}

/// Whether `key` names a variable of some product (`[files.qc.variables]` validation).
pub fn is_qc_key(key: &str) -> bool {
    PRODUCTS.iter().any(|p| p.index_of_qc_key(key).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::variables::{MAX_MEASURED, MAX_VARS};

    #[test]
    fn catalogues_fit_and_are_consistent() {
        let mut keys = std::collections::BTreeSet::new();
        for p in PRODUCTS {
            assert!(p.vars.len() <= MAX_VARS, "{}", p.sensor);
            assert!(p.measured <= MAX_MEASURED && p.required <= p.measured);
            for (i, v) in p.vars.iter().enumerate() {
                assert_eq!(v.is_measured(), i < p.measured, "{} {}", p.sensor, v.name);
                assert!(v.inputs.iter().all(|&k| k < i), "inputs come first");
                assert!(keys.insert(v.qc_key), "qc key {} used twice", v.qc_key);
                assert!(!v.name.is_empty() && !v.long_name.is_empty());
            }
        }
    }
}
