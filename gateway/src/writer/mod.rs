//! `albatross writer`: the shore-side subscriber that stores what the gateways publish.
//!
//! It subscribes with QoS 1 to `<topic_root>/<site>/+/+/+/data` (or
//! `$share/<group>/…` when several writers share the load) under a fixed client id with a
//! persistent session, so the broker queues records while the writer is away. Each record
//! is appended to a daily JSON-lines file in the gateway's own layout
//! (`<dir>/<platform>/<YYYY>/<type>_<serial>_<YYYYMMDD>.jsonl`), fsynced, and only then
//! acknowledged: a writer crash never loses a record, and a record delivered twice (QoS 1,
//! gateway re-sends) is stored once. Before the acknowledgement, the records are also
//! merged into the daily CSV + NetCDF products ([`products`]), byte-identical to the
//! gateway's own. See `docs/mqtt.md`.
//!
//! - [`options`]: settings from the configuration file.
//! - [`message`]: which topics and payloads are records.
//! - [`store`]: the durable, de-duplicating day files.
//! - [`session`]: the MQTT event loop, reconnects and acknowledgements.
//! - [`products`]: the daily files made from the stored records.
//! - [`monitor`]: the writer's dashboard and `/metrics` (`[writer] http_listen`).
//! - [`presence`], `group`, `standin`: in a share group, the members' presence and the
//!   stand-in that drains the session of a member that is gone.

pub(crate) mod group;
pub mod message;
pub mod monitor;
pub mod options;
pub mod presence;
pub mod products;
pub mod session;
pub(crate) mod standin;
pub mod store;

pub use options::{OptionsError, WriterOptions};
pub use session::{run, run_with, Extras, Observer, WriterError};

use crate::config::Config;
use tokio::sync::watch;

/// `albatross writer`: the writer of `opts` with what `config` adds to it — the daily
/// products ([`products`], under `[writer] files_dir`) and, with `[writer] http_listen`,
/// the dashboard and `/metrics` ([`monitor`]) — until `shutdown` turns `true`.
pub async fn run_configured(
    config: &Config,
    opts: WriterOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<StoreStats, WriterError> {
    let http = monitor::start(config, &opts.dir, &shutdown).await;
    let (observer, task) = http.map_or((None, None), |(o, t)| (Some(o), Some(t)));
    let extras = Extras {
        products: Some(products::Products::new(config)),
        observer,
    };
    let result = run_with(opts, shutdown, extras).await;
    if let Some(task) = task {
        task.abort();
    }
    result
}
pub use store::{DayStore, StoreStats};
