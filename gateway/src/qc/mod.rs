//! QARTOD quality control (IOOS QARTOD manuals; flags and semantics of ioos_qc 3.0.0).
//!
//! - [`Flag`]: 1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing; [`aggregate`] (worst,
//!   as ioos_qc's `qartod_compare`) and [`inherit`] (a derived variable takes the worst
//!   flag of its inputs).
//! - [`config`]: the serde config (`[qc]` in the gateway's TOML) and its validation.
//! - [`series`]: tests over whole series, like ioos_qc: gross range, climatology, spike,
//!   rate of change, flat line, and density inversion across a line's instruments.
//! - [`stream`]: the same tests fed one record at a time, for the live gateway.
//!
//! Checked flag for flag against ioos_qc in `tests/qc_ioos_reference.rs`. Where we
//! deliberately differ from ioos_qc 3.0.0: a missing value is MISSING in climatology
//! (ioos_qc flags NaN as PASS there); density inversion skips a missing instrument
//! instead of marking the next one MISSING; rate of change can also use the manual's
//! n_dev·SD form (not in ioos_qc 3.0.0).
//! Not implemented (QARTOD tests 1–3, 9–12): gap/syntax are handled by the link and frame
//! layers, location is a fixed-site metadata check, multi-variate/neighbour/TS-curve need
//! site-specific tuning not yet available, attenuated signal awaits a use case.

pub mod config;
mod flag;
pub mod point;
pub mod series;
pub mod stream;

pub use config::{QcConfig, QcConfigError, VariableTests};
pub use flag::{aggregate, aggregate_series, inherit, Flag};
pub use stream::{InstrumentQc, PointFlags, Update, VariableQc};

use protocol::time::UtcTime;

/// Why a QC call could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QcError {
    /// Two input arrays that must be parallel differ in length.
    #[error("{what} has {got} elements, the values {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Length of the values.
        expected: usize,
        /// Length of the other input.
        got: usize,
    },
    /// A streamed value is not later than the previous one.
    #[error("value at {time} is not after the previous one at {last}")]
    OutOfOrder {
        /// Time of the rejected value.
        time: UtcTime,
        /// Time of the previous value.
        last: UtcTime,
    },
}
