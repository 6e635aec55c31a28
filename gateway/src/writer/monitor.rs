//! The writer's own dashboard and `/metrics` (`[writer] http_listen`): the records it
//! stores feed a [`Dashboard`] of the configuration's instruments and the per-instrument
//! counters of a [`Metrics`], served by [`crate::http`]. It has no links: the page says
//! so and shows what arrived through the broker.

use super::session::{run_observed, Observer, WriterError};
use super::{StoreStats, WriterOptions};
use crate::config::Config;
use crate::dashboard::{record_of_json, Dashboard, Source};
use crate::metrics::Metrics;
use std::sync::Arc;
use tokio::sync::watch;

/// The observer that counts a stored record in `metrics` and shows it on `dashboard`.
fn observer(metrics: Arc<Metrics>, dashboard: Arc<Dashboard>) -> Observer {
    Arc::new(move |topic: &str, payload: &[u8]| {
        // the store accepted the topic: <root>/<site>/<platform>/<instrument>/<serial>/data
        let Some(platform) = topic.split('/').nth(2) else {
            return;
        };
        // the store accepted the payload as a JSON object: anything else is not shown
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(payload) else {
            return;
        };
        let Some(r) = record_of_json(&obj) else {
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

/// Runs the writer of `opts` until `shutdown`, serving its dashboard and `/metrics` on
/// `[writer] http_listen` of `config` when it is set (a port that cannot be bound is
/// logged and the writer runs on without them).
pub async fn run_with_http(
    config: &Config,
    opts: WriterOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<StoreStats, WriterError> {
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
    let http = crate::http::start("writer", listen, &metrics, &dashboard, &shutdown).await;
    let observe = http.is_some().then(|| observer(metrics, dashboard));
    let result = run_observed(opts, shutdown, observe).await;
    if let Some(task) = http {
        task.abort();
    }
    result
}
