//! Albatross gateway: the pieces behind the `albatross` binary.
//!
//! Vocabulary and configuration:
//! - [`record`]: the record type and its JSON form (brief §4), shared by every output.
//! - [`observation`]: a record with the platform, instrument and link it comes from.
//! - [`config`]: the TOML configuration, loaded and validated.
//! - [`names`]: which names may become path parts and topic levels (one sanitiser).
//!
//! Science (no I/O, no output format):
//! - [`seawater`]: TEOS-10 and oxygen derivations.
//! - [`qc`]: the QARTOD tests and flags.
//! - [`science`]: the variable catalogue, derived variables of a sample, flag combination,
//!   matching across the line, a series assessed with its context; shared by the live
//!   records and the daily files.
//!
//! Decoding and the live path:
//! - [`decode`]: whole-file decoding of instrument formats into records, with format
//!   recognition and a report of bad records.
//! - [`pipeline`]: per-link decoders (modem, instrument) and the enrichment stage.
//! - [`links`]: link tasks moving bytes between transports, the archive and the decoders.
//! - [`archive`]: the raw archive of every link's bytes.
//! - [`service`]: `albatross run`, wiring links and sinks.
//! - [`offline_replay`]: `albatross replay`, a capture through the live decoders and
//!   enrichment, offline (a link whose *transport* is a capture is [`links`]' replay).
//! - [`reprocess`]: `albatross reprocess`, every daily product rebuilt from the raw archive.
//! - [`ingest`]: `albatross ingest`, recovered instruments' memory made into delayed-mode
//!   daily products, compared with the real-time ones.
//! - [`clock`]: the only reading of the wall clock; [`durable`]: the only fsyncs.
//! - [`instance_lock`]: one `run` (or `demo`) per data directory, one `writer` per store.
//!
//! Outputs:
//! - [`sinks`]: where observations go (JSON-lines files, MQTT, daily files).
//! - [`dailyfiles`]: the daily CSV + NetCDF files for ERDDAP (tables, CSV, NetCDF,
//!   attributes, ERDDAP entries, atomic writes).
//! - [`output`]: JSON-lines and CSV writers for `albatross decode`.
//! - [`mqtt_client`]: the one MQTT client (3.1.1 and 5) of the publisher sink
//!   ([`sinks::mqtt`]) and of the writer; `broker` (feature `demo`): an embedded broker
//!   for `demo` and tests.
//! - [`writer`]: `albatross writer`, the shore-side MQTT subscriber that stores records.
//!
//! Monitoring:
//! - [`status`]: `albatross status`, the Nagios/Xymon check of a data directory.
//! - [`plot`]: `albatross plot`, a PNG per instrument per day from its daily CSV.
//! - [`metrics`], [`http`]: `/metrics` and `/healthz`; [`dashboard`]: the live page of
//!   `run`, `demo` and `writer`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod archive;
#[cfg(feature = "demo")]
pub mod broker;
pub mod clock;
pub mod config;
pub mod dailyfiles;
pub mod dashboard;
pub mod decode;
pub mod durable;
pub mod http;
pub mod ingest;
pub mod instance_lock;
pub mod links;
pub mod metrics;
pub mod mqtt_client;
pub mod names;
pub mod observation;
pub mod offline_replay;
pub mod output;
pub mod pipeline;
pub mod plot;
pub mod qc;
pub mod record;
pub mod reprocess;
pub mod science;
pub mod seawater;
pub mod service;
pub mod sinks;
pub mod status;
pub mod writer;
