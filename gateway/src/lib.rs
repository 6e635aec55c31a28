//! Albatross gateway: the pieces behind the `albatross` binary.
//!
//! - [`record`]: the record type and its JSON form (brief §4), shared by every output.
//! - [`decode`]: whole-file decoding of instrument formats into records, with format
//!   recognition and a report of bad records.
//! - [`output`]: JSON-lines and CSV writers for `albatross decode`.
//! - [`writer`]: `albatross writer`, the shore-side MQTT subscriber that stores records.
//! - [`offline_replay`]: `albatross replay`, a capture through the live decoders and
//!   enrichment, offline (a link whose *transport* is a capture is [`links`]' replay).
//! - [`mqtt_client`]: the one MQTT client (3.1.1 and 5) of the publisher sink
//!   ([`sinks::mqtt`]) and of the writer.
//! - [`clock`]: the only reading of the wall clock; [`durable`]: the only fsyncs.
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
pub mod mqtt_client;
pub mod offline_replay;
pub mod output;
pub mod pipeline;
pub mod qc;
pub mod record;
pub mod seawater;
pub mod service;
pub mod sinks;
pub mod writer;
