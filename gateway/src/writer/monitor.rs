//! The writer's own dashboard and `/metrics` (`[writer] http_listen`): the records it
//! stores feed a [`Dashboard`] of the configuration's instruments and the per-instrument
//! counters of a [`Metrics`], served by [`crate::http`]. It has no links: the page says
//! so and shows what arrived through the broker.

use super::message::read_back;
use super::session::Observer;
use crate::config::Config;
use crate::dashboard::{Dashboard, Source};
use crate::metrics::Metrics;
use std::sync::Arc;
use tokio::sync::watch;

/// The observer that counts a stored record in `metrics` and shows it on `dashboard`.
fn observer(metrics: Arc<Metrics>, dashboard: Arc<Dashboard>) -> Observer {
    Arc::new(move |topic: &str, payload: &[u8]| {
        // no product's record: not shown
        let Some((platform, r)) = read_back(topic, payload) else {
            return;
        };
        dashboard.observe_record(platform, &r, crate::clock::now().unix_millis());
        metrics.record(
            platform,
            r.kind,
            r.serial.as_deref(),
            r.time.map(|t| t.unix_millis()),
        );
    })
}

/// Starts the writer's dashboard (filled from the records in the writer's `store`) and
/// `/metrics` on `[writer] http_listen` of `config`, when it is set and can be bound (a
/// port that cannot be bound is logged and the writer runs on without them): the observer
/// to give the store thread, and the server's task.
pub async fn start(
    config: &Config,
    store: &std::path::Path,
    shutdown: &watch::Receiver<bool>,
) -> Option<(Observer, tokio::task::JoinHandle<()>)> {
    let listen = config
        .writer
        .as_ref()
        .and_then(|w| w.http_listen.as_ref())
        .and_then(|l| l.get_ref().parse().ok());
    let metrics = Arc::new(Metrics::default());
    let dashboard = Arc::new(Dashboard::from_config(
        config,
        metrics.clone(),
        Source::Writer,
    ));
    let task = crate::http::start("writer", listen, &metrics, &dashboard, shutdown).await?;
    // the last 24 h at once on the page, from the store
    dashboard.seed_from(store);
    Some((observer(metrics, dashboard), task))
}
