//! The HTTP endpoints of `albatross run` (`[http]`, on loopback unless configured
//! otherwise): `/metrics`, the [`Metrics`] in the Prometheus text format, and `/healthz`,
//! `200 ok` while the service runs. A thin axum router over state the service owns.

use crate::metrics::Metrics;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The router of the endpoints over `metrics`.
pub fn router(metrics: Arc<Metrics>) -> Router {
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
}

/// Serves the endpoints on `listener` until `shutdown` turns `true`.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    axum::serve(listener, router(metrics))
        .with_graceful_shutdown(async move {
            // a closed channel is a shutdown too
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .await
}
