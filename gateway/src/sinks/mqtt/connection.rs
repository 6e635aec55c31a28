//! The task that owns the MQTT event loop: it connects, reconnects with exponential
//! backoff and jitter (0.5 s → 60 s, reset on CONNACK), negotiates the protocol version
//! ([`crate::mqtt_client::Negotiator`]), and forwards what the publisher needs (connected,
//! disconnected, pkid assigned, PUBACK) over a channel.
//!
//! rumqttc keeps unacknowledged publishes in `EventLoop::pending` and drops them when the
//! broker answers `session_present = false` (rust-notes §3): we never rely on it. On every
//! error the [`Gate`] is closed first (no new publish can enter the request channel), then
//! rumqttc's state, request channel and `pending` are emptied; the publisher treats every
//! unacknowledged record as unsent and re-reads it from the spool after the next CONNACK.

use crate::links::Backoff;
use crate::mqtt_client::{
    self, Client, ConnectOptions, ErrorKind, MqttEvent, Negotiator, Protocol,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tracing::{debug, error, info, warn};

/// What the event-loop task tells the publisher, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// CONNACK accepted; publishes are accepted for this connection `epoch`.
    Connected {
        /// Connection number (never 0).
        epoch: u64,
        /// The broker still had our session.
        session_present: bool,
    },
    /// The connection failed or was lost: everything unacknowledged is unsent.
    Disconnected,
    /// A publish request was written with this packet id (in request order).
    Published(u16),
    /// The broker acknowledged this packet id.
    PubAck(u16),
}

struct GateState {
    epoch: u64,
    open: bool,
    client: Client,
}

/// Lets publishes into the client's request channel only while connected, and only for
/// the connection the publisher has caught up with; holds the client of the protocol
/// version in use.
pub struct Gate {
    state: Mutex<GateState>,
}

impl Gate {
    /// A closed gate over `client`.
    pub fn new(client: Client) -> Self {
        Gate {
            state: Mutex::new(GateState {
                epoch: 0,
                open: false,
                client,
            }),
        }
    }

    /// Runs `submit` with the client if connection `epoch` is the current, open one;
    /// `None` otherwise.
    pub fn submit<T>(&self, epoch: u64, submit: impl FnOnce(&Client) -> T) -> Option<T> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.open && s.epoch == epoch).then(|| submit(&s.client))
    }

    fn open(&self) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.epoch += 1;
        s.open = true;
        s.epoch
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).open = false;
    }

    fn replace(&self, client: Client) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.open = false;
        s.client = client;
    }
}

/// Everything the event-loop task needs.
pub struct Driver {
    /// How to connect.
    pub options: ConnectOptions,
    /// Version choice.
    pub protocol: Protocol,
    /// The event loop of the first attempt (its client is in the gate).
    pub event_loop: mqtt_client::EventLoop,
    /// Broker `host:port`, for the log.
    pub broker: String,
    /// Shared with the publisher.
    pub gate: Arc<Gate>,
    /// To the publisher.
    pub tx: UnboundedSender<LinkEvent>,
    /// Reconnections, for the metrics.
    pub reconnects: Arc<AtomicU64>,
}

impl Driver {
    /// Drives the connection until the publisher goes away or asks for a disconnect.
    pub async fn run(self) {
        let Driver {
            options,
            mut event_loop,
            broker,
            gate,
            tx,
            reconnects,
            protocol,
        } = self;
        let mut negotiator = Negotiator::new(protocol);
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
        let mut ever_connected = false;
        let mut connected = false;
        loop {
            let ev = match event_loop.poll().await {
                Ok(MqttEvent::ConnAck { session_present }) => {
                    backoff.reset();
                    negotiator.connected();
                    connected = true;
                    let epoch = gate.open();
                    info!(
                        broker = %broker,
                        mqtt = %event_loop.version(),
                        session_present,
                        "connected to the MQTT broker"
                    );
                    if ever_connected {
                        reconnects.fetch_add(1, Ordering::Relaxed);
                    }
                    ever_connected = true;
                    Some(LinkEvent::Connected {
                        epoch,
                        session_present,
                    })
                }
                Ok(MqttEvent::PublishSent(pkid)) => Some(LinkEvent::Published(pkid)),
                Ok(MqttEvent::PubAck(pkid)) => Some(LinkEvent::PubAck(pkid)),
                Ok(MqttEvent::DisconnectSent) => {
                    debug!("MQTT disconnect sent");
                    return;
                }
                Ok(_) => None,
                Err(e) => {
                    gate.close();
                    event_loop.discard_pending();
                    if tx.send(LinkEvent::Disconnected).is_err() {
                        return;
                    }
                    let tried = event_loop.version();
                    if negotiator.failed(&e, !connected) {
                        let (client, el) = mqtt_client::connect(&options, negotiator.version());
                        gate.replace(client);
                        event_loop = el;
                        warn!(
                            broker = %broker,
                            "the broker does not speak MQTT {tried} ({e}); using MQTT {}",
                            negotiator.version()
                        );
                    }
                    connected = false;
                    let delay = backoff.next_delay();
                    let secs = delay.as_secs_f64();
                    match e.kind {
                        ErrorKind::Refused | ErrorKind::Tls => error!(
                            broker = %broker,
                            mqtt = %tried,
                            "{e}; retrying in {secs:.1} s (records stay in the spool)"
                        ),
                        _ => warn!(
                            broker = %broker,
                            mqtt = %tried,
                            "MQTT connection failed: {e}; retrying in {secs:.1} s (records stay in the spool)"
                        ),
                    }
                    tokio::time::sleep(delay).await;
                    None
                }
            };
            if let Some(ev) = ev {
                if tx.send(ev).is_err() {
                    return;
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    }
}
