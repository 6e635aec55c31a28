//! Albatross firmware shim: the mooring line controller's logic, `no_std` and heapless.
//!
//! - [`controller`]: the sans-IO line controller. It polls the MicroCATs over the inductive
//!   line (`GData`, `!iiData`), packs their samples into acoustic frames (protocol crate),
//!   keeps the last frames in a ring buffer, hands them to the acoustic modem one
//!   `AT*SENDIM` at a time with retries, and answers the gateway's downlink requests
//!   (selective repeat, status, acknowledgement).
//! - `ffi` (feature `ffi`): the same controller behind a C ABI (`include/albatross_shim.h`).
//! - `sim` (feature `sim`, host only): the simulated line, controller and modem.
//!
//! Nothing here allocates, reads a clock or touches hardware: the caller feeds bytes and the
//! time, and writes out what [`controller::Controller::poll_output`] hands back.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod controller;

#[cfg(feature = "ffi")]
pub mod ffi;

#[cfg(feature = "sim")]
pub mod sim;

/// Bare-metal panic handler for a `staticlib` build of the C ABI without `std`: the
/// controller has no panic path on any input, so this only parks the core if an invariant
/// was ever broken.
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
