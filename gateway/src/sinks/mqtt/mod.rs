//! The MQTT sink: records to a broker at QoS 1, with nothing lost when the broker, the
//! network or the gateway itself dies.
//!
//! # Topics and payload
//! `<topic_root>/<site>/<platform>/<instrument>/<serial>/data`, where instrument is the
//! record type (`sbe37`, `line_status`, `aquadopp_velocity`, …) and serial the record's
//! serial or `unknown`; every level is checked ([`topics`]). The payload is exactly the
//! record's JSON ([`crate::record::Record::to_json`]); QoS 1 is at-least-once, so
//! subscribers de-duplicate by (`type`, `serial`, `time`). Retained
//! `…/<serial>/status` holds `{"last_record_time", "records_published", "since"}` (counts
//! since the gateway started), updated at most every 5 s per instrument; retained
//! `<topic_root>/<site>/gateway/<id>/online` is `online` after every CONNACK and `offline`
//! as the last will (and on a clean shutdown).
//!
//! # Durability
//! [`MqttSink::write`] appends the batch to the on-disk [`spool`] and fsyncs before it
//! returns: that is the gateway's durability point. A record leaves the spool only after
//! the broker's PUBACK for it. The spool is append-only segment files of CRC-checked
//! entries with consecutive ids, plus an acknowledged-watermark file (see [`spool`] for the
//! exact layout); a restart re-sends every record at or above the watermark, so a SIGKILL
//! at any moment loses nothing (it may duplicate a few records on the wire). A record the
//! link decodes again after a restart is not spooled again: the spool's [`ledger`] holds
//! every dated record it ever took.
//!
//! # Tasks
//! - the event-loop task ([`connection::Driver`]) owns the MQTT event loop
//!   ([`crate::mqtt_client`]): connects with a fixed client id and a persistent session (MQTT 5
//!   where the broker speaks it, else 3.1.1), reconnects with exponential backoff and
//!   jitter (0.5 s → 60 s, reset on CONNACK), logs a refused CONNACK as a clear error
//!   ("broker refused the connection: bad user name or password") once per attempt;
//! - the publisher task ([`publisher::Publisher`]) reads the spool in windows of
//!   `2 × max_inflight`, submits with `try_publish` while fewer than `max_inflight` records
//!   await their PUBACK, maps packet ids to spool ids from the order of
//!   `Outgoing::Publish` events, and on any connection error treats every unacknowledged
//!   record as unsent (rumqttc's own `pending` queue is emptied, never trusted). Memory is
//!   bounded by the window, whatever the spool holds. Every 10 s it logs the spool depth,
//!   the age of the oldest unacknowledged record and the reconnect count.
//!
//! `protocol = "auto"` (default) uses MQTT 5 where the broker speaks it and 3.1.1
//! elsewhere (`"5"` / `"3.1.1"` force one). TLS with rustls (ring provider) when `ca_file`
//! is set.

pub mod connection;
pub mod entry;
pub mod ledger;
pub mod publisher;
pub mod spool;
pub mod topics;

use crate::config::Config;
use crate::mqtt_client::{self, ConnectOptions, Will};
use crate::observation::Observation;
use crate::sinks::Sink;
use entry::NewEntry;
use ledger::Ledger;
use spool::Spool;
use std::collections::HashSet;
use std::io;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use topics::Topics;
use tracing::{debug, error, info};

/// Why the MQTT sink could not start.
#[derive(Debug, thiserror::Error)]
pub enum MqttSetupError {
    /// `address` is not `host:port`.
    #[error("sinks.mqtt.address `{0}` is not host:port")]
    Address(String),
    /// The spool directory could not be opened.
    #[error(transparent)]
    Spool(#[from] spool::SpoolError),
    /// The spool's ledger could not be brought in step with the spool.
    #[error(transparent)]
    Ledger(#[from] ledger::ReconcileError),
    /// The credentials could not be read (the message never holds the password).
    #[error(transparent)]
    Credentials(#[from] crate::config::CredentialsError),
    /// The CA file could not be read or holds no usable certificate.
    #[error("sinks.mqtt.ca_file {0}")]
    Tls(#[from] mqtt_client::tls::TlsSetupError),
}

/// The sink half: appends to the spool what its [`ledger`] says it never took, and wakes
/// the publisher.
pub struct MqttSink {
    spool: Arc<Mutex<Spool>>,
    ledger: Ledger,
    topics: Topics,
    wake: mpsc::Sender<()>,
}

impl std::fmt::Debug for MqttSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttSink")
            .field("topics", &self.topics)
            .finish()
    }
}

impl Sink for MqttSink {
    fn name(&self) -> &str {
        "mqtt"
    }

    fn write(&mut self, batch: &[Observation]) -> io::Result<()> {
        let items: Vec<(String, String, Option<i64>)> = batch
            .iter()
            .map(|o| {
                (
                    self.topics.data(o),
                    o.record.to_json(),
                    o.record.time.map(|t| t.0),
                )
            })
            .collect();
        let mut spool = self.spool.lock().unwrap_or_else(|p| p.into_inner());
        let mut taken = HashSet::new();
        let mut entries: Vec<NewEntry<'_>> = Vec::with_capacity(items.len());
        for (topic, json, ms) in &items {
            if json.len() >= entry::MAX_BODY / 2 {
                error!(
                    bytes = json.len(),
                    "mqtt: record too large to publish, skipped"
                );
                continue;
            }
            if let Some(ms) = *ms {
                // decoded again after a restart: spooled (and published) already
                if !taken.insert((topic.as_str(), ms)) || self.ledger.holds(topic, ms)? {
                    debug!(topic = %topic, "mqtt: record spooled already, not again");
                    continue;
                }
            }
            entries.push(NewEntry {
                topic,
                payload: json.as_bytes(),
                record_ms: *ms,
            });
        }
        spool.append(&entries).map_err(io::Error::other)?;
        // still under the spool's lock: the publisher cannot send these before they are
        // in the ledger (a failure keeps them held in memory; the batch is retried)
        self.ledger
            .record(entries.iter().filter_map(|e| Some((e.topic, e.record_ms?))))?;
        drop(spool);
        let _ = self.wake.try_send(());
        Ok(())
    }
}

/// Splits `host:port` (port 1883 by default, 8883 with TLS).
fn host_port(address: &str, tls: bool) -> Result<(String, u16), MqttSetupError> {
    let bad = || MqttSetupError::Address(address.to_owned());
    let (host, port) = match address.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
            (h, p.parse::<u16>().map_err(|_| bad())?)
        }
        _ => (address, if tls { 8883 } else { 1883 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

/// Opens the spool and starts the event-loop and publisher tasks for `config`'s
/// `[sinks.mqtt]`; `None` when it has none. Must run inside a tokio runtime. The
/// publisher ends after the returned sink is dropped (draining for up to 2 s first).
pub fn start(
    config: &Config,
    metrics: Arc<crate::metrics::Metrics>,
) -> Result<Option<(MqttSink, tokio::task::JoinHandle<()>)>, MqttSetupError> {
    let Some(m) = &config.sinks.mqtt else {
        return Ok(None);
    };
    let gateway_id = config.gateway.id.get_ref();
    let topics = Topics::new(&m.topic_root, config.station.site.get_ref(), gateway_id);
    let (host, port) = host_port(m.address.get_ref(), m.ca_file.is_some())?;
    let client_id = m
        .client_id
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("albatross-{gateway_id}"));
    let max_inflight = usize::from(m.max_inflight.max(1));
    let options = ConnectOptions {
        client_id: client_id.clone(),
        host: host.clone(),
        port,
        keep_alive: Duration::from_secs(30),
        credentials: m.credentials()?,
        tls: m
            .ca_file
            .as_deref()
            .map(mqtt_client::tls::from_ca_file)
            .transpose()?,
        clean_start: false,
        will: Some(Will {
            topic: topics.online(),
            payload: b"offline".to_vec(),
            retain: true,
        }),
        manual_acks: false,
        max_incoming_packet: 1 << 20,
        inflight: m.max_inflight.max(1).saturating_add(16),
        channel: max_inflight + 64,
        session_expiry_s: mqtt_client::SESSION_NEVER_EXPIRES,
    };
    let spool_dir = m.spool_dir_in(&config.gateway.data_dir);
    let (mut spool, rec) = Spool::open(&spool_dir)?;
    let mut ledger = Ledger::new(&spool_dir);
    let reconciled = ledger.reconcile(&mut spool)?;
    info!(
        spool = %spool_dir.display(),
        unacked = rec.unacked,
        torn_segments = rec.torn,
        reconciled,
        client_id = %client_id,
        broker = %format!("{host}:{port}"),
        "mqtt sink ready"
    );
    let spool = Arc::new(Mutex::new(spool));
    let protocol = m.protocol;
    let (client, event_loop) =
        mqtt_client::connect(&options, mqtt_client::Negotiator::new(protocol).version());
    let gate = Arc::new(connection::Gate::new(client));
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let (wake_tx, wake_rx) = mpsc::channel(1);
    let reconnects = Arc::new(AtomicU64::new(0));
    let event_loop = tokio::spawn(
        connection::Driver {
            options,
            protocol,
            event_loop,
            broker: format!("{host}:{port}"),
            gate: gate.clone(),
            tx: ev_tx,
            reconnects: reconnects.clone(),
        }
        .run(),
    );
    let publisher = publisher::Publisher {
        spool: spool.clone(),
        gate,
        events: ev_rx,
        wake: wake_rx,
        online_topic: topics.online(),
        max_inflight,
        reconnects,
        event_loop,
        metrics,
    };
    let task = tokio::spawn(publisher.run());
    Ok(Some((
        MqttSink {
            spool,
            ledger,
            topics,
            wake: wake_tx,
        },
        task,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            host_port("127.0.0.1:1884", false).unwrap(),
            ("127.0.0.1".into(), 1884)
        );
        assert_eq!(host_port("broker", true).unwrap(), ("broker".into(), 8883));
        assert_eq!(
            host_port("[::1]:1883", false).unwrap(),
            ("::1".into(), 1883)
        );
        assert!(host_port("h:notaport", false).is_err());
        assert!(host_port(":1883", false).is_err());
    }
}
