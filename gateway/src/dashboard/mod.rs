//! The live dashboard of `albatross run`, `demo` and `writer` (with `[http]`): a page per
//! station with a panel per instrument — its latest values and the last 24 h of the
//! plotted variables, QC flags on the points — and the links' health, updated over
//! server-sent events with no reload.
//!
//! [`Dashboard`] is fed what the sinks store (the gateway's enriched observations,
//! [`Dashboard::observe`]; the writer's records as stored, [`Dashboard::observe_record`])
//! and keeps one [`panel::Panel`] per instrument of the configuration, assessed by the
//! same science core as the daily files. The page
//! ([`page`]) is static HTML, CSS and JavaScript embedded in the binary (no CDN); it opens
//! `/api/events` and redraws what each event carries. Each event is a [`Dashboard::update`]:
//! the panels that changed since the connection's previous event, in full, and the links'
//! counters (`/metrics`' [`Metrics`]), from which the page computes frames per second.

pub mod page;
pub mod panel;

use crate::config::Config;
use crate::dailyfiles::{line_of, StationInfo};
use crate::metrics::Metrics;
use crate::names::safe_part;
use crate::observation::{Observation, PlatformMeta};
use crate::qc::QcConfig;
use crate::record::Record;
use crate::science::{product_of_kind, record_of_json, Sample, LINE_STATUS};
use crate::sinks::jsonl::day_files;
use panel::Panel;
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Which process serves the page (shown in its header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `albatross run` or `demo`: the links are its own.
    Gateway,
    /// `albatross writer`: records as received from the broker; no links of its own.
    Writer,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Gateway => "gateway",
            Source::Writer => "writer",
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    panels: Vec<Panel>,
    /// (platform id, product sensor, serial) → index in `panels`.
    index: HashMap<(String, &'static str, String), usize>,
    /// Changes so far (every record counts one).
    rev: u64,
    /// Records of instruments the configuration does not list.
    unknown: u64,
}

/// What one event stream has been sent so far ([`Dashboard::update`]).
#[derive(Debug, Clone, Default)]
pub struct Seen {
    revs: Vec<u64>,
    started: bool,
}

/// The dashboard's state (see the module docs). Shared by the sinks that feed it and the
/// HTTP handlers that read it.
#[derive(Debug)]
pub struct Dashboard {
    inner: Mutex<Inner>,
    qc: QcConfig,
    metrics: Arc<Metrics>,
    source: Source,
    station: String,
}

impl Dashboard {
    /// A dashboard with an empty panel for every instrument (and line status) of
    /// `config`'s platforms, flagged with its `[files.qc]`; link health from `metrics`.
    pub fn from_config(config: &Config, metrics: Arc<Metrics>, source: Source) -> Self {
        let station = StationInfo::from(config);
        let mut inner = Inner::default();
        for p in &config.platforms {
            let meta = PlatformMeta::from_config(config, p);
            for series in line_of(&station, &meta) {
                let key = (
                    series.platform_id.clone(),
                    series.sensor,
                    series.serial.clone(),
                );
                inner.index.insert(key, inner.panels.len());
                inner.panels.push(Panel::new(series));
            }
        }
        Dashboard {
            inner: Mutex::new(inner),
            qc: config.files.qc.clone(),
            metrics,
            source,
            station: config.station.name.clone(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // a panicked feeder left whole panels: still worth showing
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// Adds one record of `platform` received at `now_ms` (wall clock).
    fn add(inner: &mut Inner, platform: &str, record: &Record, now_ms: i64) {
        let Some(product) = product_of_kind(record.kind) else {
            return;
        };
        let serial = if product.is(&LINE_STATUS) {
            platform
        } else {
            record.serial.as_deref().unwrap_or("")
        };
        let key = (platform.to_owned(), product.sensor, serial.to_owned());
        let Some(&k) = inner.index.get(&key) else {
            inner.unknown += 1;
            return;
        };
        inner.rev += 1;
        let rev = inner.rev;
        if let Some(p) = inner.panels.get_mut(k) {
            p.add(Sample::from_record(product, record), now_ms, rev);
        }
    }

    /// `batch` reached the gateway's sinks at `now_ms` (they store it next, as `/metrics`
    /// counts it).
    pub fn observe(&self, batch: &[Observation], now_ms: i64) {
        self.with(|i| {
            for o in batch {
                Self::add(i, &o.platform.id, &o.record, now_ms);
            }
        });
    }

    /// The writer stored `record` (from its JSON, [`crate::science::record_of_json`]) of
    /// `platform` at `now_ms`.
    pub fn observe_record(&self, platform: &str, record: &Record, now_ms: i64) {
        self.with(|i| Self::add(i, platform, record, now_ms));
    }

    /// Fills the panels with the samples stored under `records_dir` (the gateway's
    /// `[sinks.jsonl]` directory or the writer's store, one layout:
    /// [`crate::sinks::jsonl::day_files`]), the newest two day files of each instrument,
    /// so that a restarted gateway or writer shows the last 24 h at once. What cannot be
    /// read is left out (a torn last line, a file rotated away): the page is not worth
    /// failing over. Returns how many samples were read.
    pub fn seed_from(&self, records_dir: &Path) -> usize {
        self.with(|i| {
            let mut read = 0;
            for p in &mut i.panels {
                let product = p.series.product;
                let serial = (!product.is(&LINE_STATUS)).then(|| p.series.serial.clone());
                let dir = records_dir.join(safe_part(&p.series.platform_id).as_ref());
                for kind in product.record_kinds {
                    let files = day_files(&dir, kind, serial.as_deref()).unwrap_or_default();
                    for path in files.iter().take(2) {
                        let Ok(text) = std::fs::read_to_string(path) else {
                            continue;
                        };
                        let written = std::fs::metadata(path)
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map(|d| d.as_millis() as i64);
                        for line in text.lines() {
                            let Ok(Json::Object(obj)) = serde_json::from_str(line) else {
                                continue;
                            };
                            let sample =
                                record_of_json(&obj).and_then(|r| Sample::from_record(product, &r));
                            if let Some(s) = sample {
                                p.seed(s, written);
                                read += 1;
                            }
                        }
                    }
                }
            }
            read
        })
    }

    /// The event for a stream that has been sent `seen`, which it then records: every
    /// panel that changed since (all of them on the first event), the links' state and
    /// the server's time, as JSON text:
    ///
    /// `{"source", "station", "now_ms", "full", "panels": [panel…], "links": [{"name",
    /// "bytes", "last_received_ms", "totals": {name: n}, "errors": {kind: n}}…], "mqtt":
    /// {"connected", "spool_depth", "oldest_wait_s", "published"} | null, "unknown"}`
    /// (a panel is [`panel::Panel::json`]).
    pub fn update(&self, seen: &mut Seen, now_ms: i64) -> String {
        let full = !seen.started;
        seen.started = true;
        let (panels, unknown) = self.with(|i| {
            seen.revs.resize(i.panels.len(), 0);
            let mut out = Vec::new();
            for (p, sent) in i.panels.iter_mut().zip(seen.revs.iter_mut()) {
                if full || p.rev > *sent {
                    *sent = p.rev;
                    out.push(p.json(&self.qc).clone());
                }
            }
            (out, i.unknown)
        });
        let links: Vec<Json> = self
            .metrics
            .links()
            .into_iter()
            .map(|l| {
                let object = |named: &[(&str, u64)]| -> serde_json::Map<String, Json> {
                    named
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), json!(v)))
                        .collect()
                };
                json!({
                    "name": l.name,
                    "bytes": l.bytes,
                    "last_received_ms": l.last_received_ms,
                    "totals": object(&l.counters.totals),
                    "errors": object(&l.counters.errors),
                })
            })
            .collect();
        let mqtt = self.metrics.mqtt().map(|m| {
            json!({
                "connected": m.connected,
                "spool_depth": m.spool_depth,
                "oldest_wait_s": m.oldest_wait_s,
                "published": m.published,
            })
        });
        json!({
            "source": self.source.name(),
            "station": self.station,
            "now_ms": now_ms,
            "full": full,
            "panels": panels,
            "links": links,
            "mqtt": mqtt,
            "unknown": unknown,
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests;
