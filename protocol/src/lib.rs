//! Albatross protocol: the sans-IO heart of the telemetry gateway.
//!
//! - [`time`]: UTC instants handed in by the caller (no clock is ever read here).
//! - [`instruments`]: decoders for the observatory's instrument formats.
//!
//! The crate is `no_std` and needs no allocator; the `alloc` and `std` features only add
//! conveniences (and `std::error::Error` impls).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod instruments;
pub mod time;
