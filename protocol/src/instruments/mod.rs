//! Decoders for each instrument's own output format, one module per instrument family.
//!
//! Every decoder is sans-IO: it is handed bytes (or lines) and returns typed records or
//! typed errors; it never panics on any input.

pub mod cstar;
pub mod nortek;
pub mod optode;
pub mod sbe37;
