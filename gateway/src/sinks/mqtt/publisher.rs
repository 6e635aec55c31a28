//! The publisher task: reads the spool in windows, feeds the MQTT client with `try_publish` (at most
//! `max_inflight` records awaiting their PUBACK), maps packet ids to spool ids from the
//! order of `Outgoing::Publish` events, acknowledges records in the spool on PUBACK, keeps
//! the retained online and per-instrument status topics, and logs the metrics.

use super::connection::{Gate, LinkEvent};
use super::entry::Entry;
use super::spool::Spool;
use super::topics::status_of;
use crate::clock;
use protocol::time::UtcTime;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{error, info, warn};

/// Least time between two status publications of one instrument.
const STATUS_EVERY: Duration = Duration::from_secs(5);
/// How often the metrics line is logged (when something changed or records wait).
const METRICS_EVERY: Duration = Duration::from_secs(10);
/// How long a shutdown waits for the spool to drain before leaving it for the next run.
const DRAIN_ON_SHUTDOWN: Duration = Duration::from_secs(2);

/// A record publish waiting for its packet id, then for its PUBACK.
#[derive(Debug)]
struct Sent {
    id: u64,
    /// The instrument's status topic.
    stem: Option<String>,
    record_ms: Option<i64>,
}

#[derive(Debug, Default)]
struct Status {
    last_ms: Option<i64>,
    published: u64,
    dirty: bool,
    sent_at: Option<Instant>,
}

/// Everything the publisher task owns.
pub struct Publisher {
    /// The spool shared with the sink.
    pub spool: Arc<Mutex<Spool>>,
    /// Connection gate shared with the event-loop task (holds the client).
    pub gate: Arc<Gate>,
    /// Events from the event-loop task.
    pub events: mpsc::UnboundedReceiver<LinkEvent>,
    /// Woken by the sink after each append; closed when the sink is dropped (shutdown).
    pub wake: mpsc::Receiver<()>,
    /// The retained online topic.
    pub online_topic: String,
    /// Most records awaiting their PUBACK.
    pub max_inflight: usize,
    /// Reconnections counted by the event-loop task.
    pub reconnects: Arc<AtomicU64>,
    /// The event-loop task, aborted when the publisher ends.
    pub event_loop: tokio::task::JoinHandle<()>,
    /// Where the spool's depth and the publishing counters are shown (`/metrics`), every
    /// second.
    pub metrics: Arc<crate::metrics::Metrics>,
}

struct State {
    epoch: u64,
    cursor: u64,
    window: VecDeque<Entry>,
    submitted: VecDeque<Option<Sent>>,
    inflight: HashMap<u16, Sent>,
    records_out: usize,
    status: HashMap<String, Status>,
    published: u64,
    since: UtcTime,
}

fn lock(spool: &Mutex<Spool>) -> MutexGuard<'_, Spool> {
    spool.lock().unwrap_or_else(|p| p.into_inner())
}

impl Publisher {
    /// Runs until the sink is dropped (then drains for up to 2 s, publishes `offline` and
    /// disconnects) or the event-loop task ends.
    pub async fn run(mut self) {
        let mut st = State {
            epoch: 0,
            cursor: 0,
            window: VecDeque::new(),
            submitted: VecDeque::new(),
            inflight: HashMap::new(),
            records_out: 0,
            status: HashMap::new(),
            published: 0,
            since: clock::now(),
        };
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_metrics = Instant::now();
        let mut last_logged = (u64::MAX, 0u64, 0u64);
        let mut closing: Option<Instant> = None;
        loop {
            self.fill(&mut st);
            tokio::select! {
                ev = self.events.recv() => match ev {
                    Some(ev) => self.handle(&mut st, ev),
                    None => break,
                },
                w = self.wake.recv(), if closing.is_none() => {
                    if w.is_none() {
                        closing = Some(Instant::now());
                    }
                }
                _ = tick.tick() => {
                    self.publish_statuses(&mut st);
                    if let Err(e) = lock(&self.spool).persist() {
                        warn!("mqtt spool: {e}");
                    }
                    let (depth, age) = {
                        let mut s = lock(&self.spool);
                        (s.depth(), s.oldest_unacked_age())
                    };
                    let reconnects = self.reconnects.load(Ordering::Relaxed);
                    self.metrics.set_mqtt(crate::metrics::MqttState {
                        spool_depth: depth,
                        oldest_wait_s: age.map_or(0.0, |a| a.as_secs_f64()),
                        published: st.published,
                        reconnects,
                        connected: st.epoch != 0,
                    });
                    if last_metrics.elapsed() >= METRICS_EVERY {
                        last_metrics = Instant::now();
                        let now = (depth, reconnects, st.published);
                        if depth > 0 || now != last_logged {
                            last_logged = now;
                            info!(
                                spool_depth = depth,
                                oldest_unacked_s = age.map_or(0.0, |a| a.as_secs_f64()),
                                reconnects,
                                published = st.published,
                                connected = st.epoch != 0,
                                "mqtt"
                            );
                        }
                    }
                }
            }
            if let Some(t) = closing {
                let empty = lock(&self.spool).depth() == 0;
                if empty || st.epoch == 0 || t.elapsed() >= DRAIN_ON_SHUTDOWN {
                    break;
                }
            }
        }
        self.finish(&mut st).await;
    }

    async fn finish(self, st: &mut State) {
        let depth = {
            let mut s = lock(&self.spool);
            if let Err(e) = s.persist() {
                warn!("mqtt spool: {e}");
            }
            s.depth()
        };
        info!(
            spool_depth = depth,
            published = st.published,
            "mqtt publisher stopped"
        );
        let topic = self.online_topic.clone();
        let sent = self.gate.submit(st.epoch, move |client| {
            let _ = client.try_publish(topic, true, b"offline".to_vec());
            client.try_disconnect()
        });
        if matches!(sent, Some(Ok(()))) {
            let _ = tokio::time::timeout(Duration::from_secs(1), self.event_loop).await;
        } else {
            self.event_loop.abort();
        }
    }

    fn reset(&self, st: &mut State) {
        st.window.clear();
        st.submitted.clear();
        st.inflight.clear();
        st.records_out = 0;
        st.cursor = lock(&self.spool).watermark();
    }

    fn handle(&mut self, st: &mut State, ev: LinkEvent) {
        match ev {
            LinkEvent::Connected { epoch, .. } => {
                self.reset(st);
                st.epoch = epoch;
                let topic = self.online_topic.clone();
                let r = self.gate.submit(epoch, |client| {
                    client.try_publish(topic, true, b"online".to_vec())
                });
                if matches!(r, Some(Ok(()))) {
                    st.submitted.push_back(None);
                }
                for s in st.status.values_mut() {
                    s.dirty = true;
                }
            }
            LinkEvent::Disconnected => {
                self.reset(st);
                st.epoch = 0;
            }
            LinkEvent::Published(pkid) => match st.submitted.pop_front() {
                Some(Some(sent)) => {
                    st.inflight.insert(pkid, sent);
                }
                Some(None) => {}
                None => warn!(pkid, "mqtt: publish event with no request waiting for it"),
            },
            LinkEvent::PubAck(pkid) => {
                let Some(sent) = st.inflight.remove(&pkid) else {
                    return;
                };
                st.records_out = st.records_out.saturating_sub(1);
                st.published += 1;
                if let Err(e) = lock(&self.spool).ack(sent.id) {
                    error!("mqtt spool: {e}");
                }
                if let Some(stem) = sent.stem {
                    let s = st.status.entry(stem).or_default();
                    s.published += 1;
                    s.last_ms = match (s.last_ms, sent.record_ms) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    s.dirty = true;
                }
            }
        }
    }

    /// Submits records from the spool while connected and under the in-flight limit.
    fn fill(&mut self, st: &mut State) {
        if st.epoch == 0 {
            return;
        }
        while st.records_out < self.max_inflight {
            if st.window.is_empty() {
                let got = lock(&self.spool).read(st.cursor, self.max_inflight * 2);
                match got {
                    Ok(w) if !w.is_empty() => st.window = w.into(),
                    Ok(_) => return,
                    Err(e) => {
                        error!("mqtt spool read: {e}");
                        return;
                    }
                }
            }
            let Some(e) = st.window.pop_front() else {
                return;
            };
            let id = e.id;
            let stem = status_of(&e.topic);
            let record_ms = e.record_ms;
            let (topic, payload) = (e.topic.clone(), e.payload.clone());
            let r = self
                .gate
                .submit(st.epoch, |client| client.try_publish(topic, false, payload));
            match r {
                Some(Ok(())) => {
                    st.cursor = id + 1;
                    st.records_out += 1;
                    st.submitted.push_back(Some(Sent {
                        id,
                        stem,
                        record_ms,
                    }));
                }
                _ => {
                    // channel full or connection gone: try again later
                    st.window.push_front(e);
                    return;
                }
            }
        }
    }

    fn publish_statuses(&mut self, st: &mut State) {
        if st.epoch == 0 {
            return;
        }
        let since = st.since;
        for (stem, s) in st.status.iter_mut() {
            if !s.dirty || s.sent_at.is_some_and(|t| t.elapsed() < STATUS_EVERY) {
                continue;
            }
            let last = s
                .last_ms
                .map_or(serde_json::Value::Null, |ms| UtcTime(ms).to_string().into());
            let body = serde_json::json!({
                "last_record_time": last,
                "records_published": s.published,
                "since": since.to_string(),
            })
            .to_string();
            let topic = stem.clone();
            let r = self.gate.submit(st.epoch, |client| {
                client.try_publish(topic, true, body.into_bytes())
            });
            if matches!(r, Some(Ok(()))) {
                st.submitted.push_back(None);
                s.dirty = false;
                s.sent_at = Some(Instant::now());
            }
        }
    }
}
