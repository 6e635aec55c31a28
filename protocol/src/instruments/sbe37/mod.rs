//! Sea-Bird SBE 37 MicroCAT (SM, SMP, SMP-ODO, IM, IMP, IMP-ODO) decoders.
//!
//! Formats handled (reference: `instruments.md` §2):
//!
//! - [`ascii`]: real-time converted decimal lines (`OutputFormat=1`), e.g.
//!   `24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39`, including the old V2
//!   `#`-prefixed lines. The optional fields (pressure, oxygen, salinity, sound velocity,
//!   specific conductivity, date/time, sample number) are positional, so the parser takes an
//!   [`AsciiLayout`]; [`ascii::parse_auto`] guesses the layout when exactly one fits.
//! - [`raw`]: real-time raw decimal lines (`OutputFormat=0`): T, P and P-temperature counts,
//!   C frequency and the SBE 63's phase and voltage, optionally behind an IM `ii,` ID; kept
//!   as [`raw::RawDecimalSample`] counts.
//! - [`im`]: inductive-modem replies (`ii, nnnnn, …` with ID and serial) and the older SIM
//!   `sl` form (` 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28`).
//! - [`hex`]: memory uploads (`.hex`): the `*` header with its XML calibration coefficients
//!   ([`HexHeader`]), then one big-endian hex scan per line (T, C, optional O2 phase and
//!   thermistor, optional P and P-temperature, time in s since 2000), converted with [`conversion`].
//! - [`compat`]: IM "compatible mode" samples `tttttcccccppppTTTTTTTT` and the
//!   `#MCAT Status … #Begin Data … #End Data` dump an IM controller makes of them.
//! - [`sio`]: the OOI SIO controller block telemetry (`\x01CT…\x02 records \x03`) that
//!   carries 13-byte CT records from a line of IM MicroCATs and 6-byte CO clock offsets.
//!
//! Every decoder works on borrowed `&str`/`&[u8]` without an allocator, returns typed errors,
//! and never panics. Records come out as [`Sbe37Sample`] (units in the field names;
//! conductivity is always S/m), or as raw counts where the wire format only carries counts.

pub mod ascii;
pub mod compat;
pub mod conversion;
mod fields;
pub mod hex;
pub mod im;
pub mod raw;
pub mod sio;

pub use ascii::{AsciiError, AsciiLayout, CondUnits, OxygenUnits, PressureUnits, TempUnits};
pub use hex::{HexError, HexHeader, HexHeaderError, HexScans};

use crate::time::UtcTime;

/// One MicroCAT sample in engineering units, whatever format it came from.
///
/// Promises: `conductivity_s_m` is in S/m and `temperature_c` in °C ITS-90 whatever units the
/// instrument sent; optional fields are `Some` exactly when the source carried (or, for hex
/// uploads, allowed computing) them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sbe37Sample {
    /// Sample time, when the source carries one.
    pub time: Option<UtcTime>,
    /// Instrument serial number (IM replies, hex headers).
    pub serial: Option<u32>,
    /// Inductive-modem ID (IM replies, OOI records).
    pub id: Option<u8>,
    /// Temperature, °C ITS-90.
    pub temperature_c: f64,
    /// Conductivity, S/m.
    pub conductivity_s_m: f64,
    /// Pressure, dbar (gauge).
    pub pressure_dbar: Option<f64>,
    /// Dissolved oxygen, ml/l (sent in ml/l or mg/l, or computed from an uploaded scan).
    pub oxygen_ml_l: Option<f64>,
    /// Dissolved oxygen, µmol/kg, when the instrument sent that unit (`SetOxUnits`). It is
    /// not converted to ml/l: that takes the potential density σθ (instruments.md §2.4,
    /// `ml/l → µmol/kg: × 44660/(σθ + 1000)`), which the line does not carry.
    pub oxygen_umol_kg: Option<f64>,
    /// Practical salinity (PSS-78). Hex uploads compute it from C, T, P.
    pub salinity_psu: Option<f64>,
    /// Sound velocity, m/s.
    pub sound_velocity_m_s: Option<f64>,
    /// Specific conductivity (conductivity at 25 °C), S/m.
    pub specific_conductivity_s_m: Option<f64>,
    /// Instrument sample number.
    pub sample_number: Option<u32>,
}
