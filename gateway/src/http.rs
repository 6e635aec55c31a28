//! The HTTP endpoints of `albatross run` and `demo` (`[http]`) and of `albatross writer`
//! (`[writer] http_listen`), on loopback unless configured otherwise: the live dashboard
//! ([`crate::dashboard`], `/` and `/api/…`), `/metrics`, the [`Metrics`] in the
//! Prometheus text format, and `/healthz`, `200 ok` while the process runs. A thin axum
//! router over state the process owns.

use crate::dashboard::Dashboard;
use crate::metrics::Metrics;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{error, info};

/// The content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The router of the endpoints over `metrics` and `dashboard`.
pub fn router(metrics: Arc<Metrics>, dashboard: Arc<Dashboard>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(
                |axum::extract::State(m): axum::extract::State<Arc<Metrics>>| async move {
                    ([(CONTENT_TYPE, METRICS_CONTENT_TYPE)], m.render()).into_response()
                },
            ),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(metrics)
        .merge(crate::dashboard::page::routes(dashboard))
}

/// Serves the endpoints on `listener` until `shutdown` turns `true`.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    dashboard: Arc<Dashboard>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, router(metrics, dashboard))
        .with_graceful_shutdown(async move {
            // a closed channel is a shutdown too
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .await
}

/// Starts the endpoints on `addr` (`None`: not configured, nothing starts). An address
/// that cannot be bound is logged as an error and the process runs on without them:
/// collecting data matters more than showing it.
pub async fn start(
    what: &str,
    addr: Option<SocketAddr>,
    metrics: &Arc<Metrics>,
    dashboard: &Arc<Dashboard>,
    shutdown: &watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let addr = addr?;
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            error!("{what} http endpoints not started: cannot listen on {addr}: {e}");
            return None;
        }
    };
    let shown = listener.local_addr().unwrap_or(addr);
    info!(
        "{what} http: dashboard on http://{shown}/, metrics on http://{shown}/metrics, health on http://{shown}/healthz"
    );
    let (metrics, dashboard, shutdown) = (metrics.clone(), dashboard.clone(), shutdown.clone());
    Some(tokio::spawn(async move {
        if let Err(e) = serve(listener, metrics, dashboard, shutdown).await {
            error!("http endpoints stopped: {e}");
        }
    }))
}
