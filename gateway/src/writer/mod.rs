//! `albatross writer`: the shore-side subscriber that stores what the gateways publish.
//!
//! It subscribes with QoS 1 to `<topic_root>/<site>/+/+/+/data` (or
//! `$share/<group>/…` when several writers share the load) under a fixed client id with a
//! persistent session, so the broker queues records while the writer is away. Each record
//! is appended to a daily JSON-lines file in the gateway's own layout
//! (`<dir>/<platform>/<YYYY>/<type>_<serial>_<YYYYMMDD>.jsonl`), fsynced, and only then
//! acknowledged: a writer crash never loses a record, and a record delivered twice (QoS 1,
//! gateway re-sends) is stored once. See `docs/mqtt.md`.
//!
//! - [`options`]: settings from the configuration file.
//! - [`message`]: which topics and payloads are records.
//! - [`store`]: the durable, de-duplicating day files.
//! - [`session`]: the MQTT event loop, reconnects and acknowledgements.
//! - [`monitor`]: the writer's dashboard and `/metrics` (`[writer] http_listen`).
//! - [`presence`], `group`, `standin`: in a share group, the members' presence and the
//!   stand-in that drains the session of a member that is gone.

pub(crate) mod group;
pub mod message;
pub mod monitor;
pub mod options;
pub mod presence;
pub mod session;
pub(crate) mod standin;
pub mod store;

pub use options::{OptionsError, WriterOptions};
pub use session::{run, run_observed, Observer, WriterError};
pub use store::{DayStore, StoreStats};
