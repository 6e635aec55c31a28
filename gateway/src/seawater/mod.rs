//! Derived seawater variables (TEOS-10) and dissolved-oxygen quantities.
//!
//! From conductivity, temperature and pressure of a MicroCAT (and its optode's oxygen in
//! ml/l) at a known position, [`derive()`] computes practical and absolute salinity,
//! potential and conservative temperature, sigma-theta, depth and the oxygen chain. The
//! individual steps are public in [`teos10`] and [`oxygen`]. [`EQUATIONS`] names the scheme
//! for file metadata.
//!
//! Sources: `gsw` 0.2.3 (GSW-rs, TEOS-10 v3.06.12) for PSS-78, CT, sigma0 and z; ported
//! GSW-C for pt0 ([`pt0`]); a site SAAR(p) table for SA ([`saar`]); Garcia & Gordon (1992)
//! for O2 solubility. Checked against PyPI `gsw` 3.6.23 in `tests/seawater_gsw_reference.rs`.

mod derive;
pub mod oxygen;
pub mod pt0;
pub mod saar;
mod saar_site;
pub mod teos10;

pub use derive::{derive, derive_with, Derived};
pub use saar::SaarTable;

/// The equations behind every derived variable, for NetCDF `comment`/`history` attributes.
pub const EQUATIONS: &str = "TEOS-10 (IOC, SCOR and IAPSO 2010) via GSW 3.06: \
SP = gsw_SP_from_C(10*C[S/m], t, p) (PSS-78); \
SA = (35.16504/35)*SP*(1 + SAAR(p)), SAAR from gsw.SAAR (PyPI gsw 3.6.23) tabulated at the site's atlas levels; \
pt0 = gsw_pt0_from_t(SA, t, p); CT = gsw_CT_from_pt(SA, pt0); \
sigma_theta = gsw_sigma0(SA, CT) (75-term specific volume, p_ref 0 dbar); \
depth = -gsw_z_from_p(p, lat); \
O2sol = gsw_O2sol_SP_pt(SP, pt0) (Garcia and Gordon 1992, umol/kg, pt*1.00024 to IPTS-68); \
O2[umol/kg] = O2[ml/l] * (1000/22.3916) / ((1000 + sigma_theta)/1000); \
O2 saturation % = 100 * O2 / O2sol";

/// Why a derived variable could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeawaterError {
    /// An input was NaN or infinite.
    #[error("input {name} is not a finite number ({value})")]
    NotFinite {
        /// Which input (e.g. `conductivity_s_m`).
        name: &'static str,
        /// The value received.
        value: f64,
    },
    /// An input was finite but outside the range the equations accept.
    #[error("input {name} = {value} is outside [{min}, {max}]")]
    OutOfRange {
        /// Which input.
        name: &'static str,
        /// The value received.
        value: f64,
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// The GSW library refused the computation (e.g. negative salinity).
    #[error("GSW {function} failed: {reason}")]
    Gsw {
        /// The GSW function that failed.
        function: &'static str,
        /// GSW's error, in words.
        reason: &'static str,
    },
    /// A result came out NaN or infinite although the inputs were in range.
    #[error("{name} came out non-finite")]
    NonFiniteResult {
        /// Which result.
        name: &'static str,
    },
    /// The record's position is not covered by the SAAR table in use.
    #[error(
        "position {lat} N {lon} E is not covered by the SAAR table for {table_lat} N {table_lon} E"
    )]
    NoSaarForPosition {
        /// Record latitude.
        lat: f64,
        /// Record longitude.
        lon: f64,
        /// Table latitude.
        table_lat: f64,
        /// Table longitude.
        table_lon: f64,
    },
    /// A SAAR table (e.g. from the config) is malformed.
    #[error("bad SAAR table: {0}")]
    BadSaarTable(&'static str),
}
