//! Albatross gateway: the pieces behind the `albatross` binary.
//!
//! - [`record`]: the record type and its JSON form (brief §4), shared by every output.
//! - [`decode`]: whole-file decoding of instrument formats into records, with format
//!   recognition and a report of bad records.
//! - [`output`]: JSON-lines and CSV writers for `albatross decode`.
//! - [`writer`]: `albatross writer`, the shore-side MQTT subscriber that stores records.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod archive;
#[cfg(feature = "demo")]
pub mod broker;
pub mod clock;
pub mod config;
pub mod dailyfiles;
pub mod decode;
pub mod durable;
pub mod links;
pub mod mqtt;
pub mod output;
pub mod pipeline;
pub mod qc;
pub mod record;
pub mod replay;
pub mod seawater;
pub mod service;
pub mod sinks;
pub mod writer;
