//! Nortek "classic" binary (Aquadopp, Aquadopp Profiler, AWAC, HR Profiler, Vector);
//! instruments.md §3.
//!
//! - [`framing`]: sync byte, id, size field, checksum, bounds-checked field reads.
//! - [`config`]: hardware (0x05), head (0x04) and user (0x00) configuration.
//! - [`velocity`]: Aquadopp velocity (0x01), diagnostics header (0x06) and data (0x80).
//! - [`profile`]: Aquadopp Profiler (0x21), AWAC (0x20), HR Profiler (0x2A).
//! - [`vector`]: Vector velocity header (0x12), system (0x11), velocity (0x10).
//! - [`decoder`]: the sans-IO stream [`Decoder`] (chunks of any size, resynchronisation,
//!   counted skips) and [`decode_slice`] for a whole buffer.
//!
//! ```
//! use protocol::instruments::nortek::{decode_slice, Event, Record};
//! // Aquadopp velocity record from OOI's driver tests (instruments.md §3.3).
//! let bytes = [
//!     0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00,
//!     0x93, 0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00,
//!     0xe3, 0x09, 0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
//! ];
//! let mut events = decode_slice(&bytes);
//! match events.next() {
//!     Some(Event::Record { record: Record::AquadoppVelocity(v), .. }) => {
//!         assert!((v.sensors.temperature_c - 25.31).abs() < 1e-9);
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert!(events.next().is_none());
//! ```

pub mod clock;
pub mod config;
pub mod decoder;
pub mod error;
pub mod framing;
pub mod profile;
pub mod record;
pub mod vector;
pub mod velocity;

pub use config::{
    ConfigInForce, CoordinateSystem, HardwareConfiguration, HeadConfiguration, UserConfiguration,
};
#[cfg(feature = "alloc")]
pub use decoder::decode_all;
pub use decoder::{
    decode_slice, Decoder, Event, Feed, Finish, SkipCount, Skipped, SliceEvents, Stats,
};
pub use error::NortekError;
pub use profile::{Profile, ProfileCell, ProfileKind};
pub use record::Record;
pub use vector::{VectorSystem, VectorVelocity, VectorVelocityHeader};
pub use velocity::{AquadoppVelocity, DiagnosticsHeader, SensorSample, Status};
