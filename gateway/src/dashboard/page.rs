//! The dashboard's HTTP routes: the page and its script and style (embedded from
//! `gateway/assets/dashboard/`, so the binary needs no file and the browser no CDN),
//! `/api/state` (one full [`Dashboard::update`], for scripts and tests) and `/api/events`,
//! the server-sent events the page listens to: a full update at once, then every
//! [`EVERY`] the panels that changed and the links' state.

use super::{Dashboard, Seen};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// How often an event stream sends an update.
pub const EVERY: Duration = Duration::from_secs(1);

const INDEX: &str = include_str!("../../assets/dashboard/index.html");
const SCRIPT: &str = include_str!("../../assets/dashboard/dashboard.js");
const STYLE: &str = include_str!("../../assets/dashboard/dashboard.css");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")],
        body,
    )
}

fn now_ms() -> i64 {
    crate::clock::now().unix_millis()
}

/// The event stream of one client: a full update at once (an interval's first tick is
/// immediate), then one per [`EVERY`].
fn events(d: Arc<Dashboard>) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    stream::unfold(
        (d, Seen::default(), tick),
        |(d, mut seen, mut tick)| async move {
            tick.tick().await;
            let data = d.update(&mut seen, now_ms());
            let event = Event::default().event("update").data(data);
            Some((Ok(event), (d, seen, tick)))
        },
    )
}

/// The routes of the dashboard over `d`: `/`, `/dashboard.js`, `/dashboard.css`,
/// `/api/state`, `/api/events`.
pub fn routes(d: Arc<Dashboard>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/dashboard.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/dashboard.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/api/state",
            get(
                |axum::extract::State(d): axum::extract::State<Arc<Dashboard>>| async move {
                    let body = d.update(&mut Seen::default(), now_ms());
                    ([(CONTENT_TYPE, "application/json")], body)
                },
            ),
        )
        .route(
            "/api/events",
            get(
                |axum::extract::State(d): axum::extract::State<Arc<Dashboard>>| async move {
                    Sse::new(events(d)).keep_alive(KeepAlive::default())
                },
            ),
        )
        .with_state(d)
}
