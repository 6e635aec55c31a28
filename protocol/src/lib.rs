//! Albatross protocol: the sans-IO heart of the telemetry gateway.
//!
//! Nothing here reads a clock, touches a socket or a file, or needs an allocator: callers
//! hand in bytes and the current time, and get back typed values, events and errors.
//!
//! - [`frame`]: the acoustic frame (bit-packed header, payload, CRC-16) — `protocol/SPEC.md`.
//! - [`message`]: the payload of each message type (MicroCAT batch, line status, …).
//! - [`fragment`] and [`reassembly`]: splitting messages to the modem MTU and putting them
//!   back together, with duplicate suppression ([`seq_window`]), timeouts and memory bounds.
//! - [`repair`] and [`feedback`]: what the shore asks the line controller for — resends of
//!   missing frames, status reports — and the acknowledgements it sends it.
//! - [`modem_link`]: the shore side of the acoustic link, chaining all of the above.
//! - [`hostif`]: the EvoLogics S2C modem host interface (AT lines, `+++AT` framing).
//! - [`framed`]: the plain framed link mode (sync word, length, CRC) for links without a modem.
//! - [`capture`]: the capture / raw-archive file format (bytes with receive times).
//! - [`crc`]: the CRC-16 shared by frames and the framed link mode.
//! - [`lines`]: a bounded line splitter for the instruments' ASCII outputs.
//! - [`instruments`]: decoders for the observatory's instrument formats.
//! - [`time`]: UTC instants handed in by the caller.
//!
//! The crate is `no_std`; the `alloc` and `std` features only add conveniences (and
//! `std::error::Error` impls).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod capture;
pub mod crc;
pub mod feedback;
pub mod fragment;
pub mod frame;
pub mod framed;
pub mod hostif;
pub mod instruments;
pub mod lines;
pub mod message;
pub mod modem_link;
pub mod reassembly;
pub mod repair;
pub mod seq_window;
pub mod time;
