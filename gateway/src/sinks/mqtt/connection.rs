//! The task that owns the rumqttc event loop: it connects, reconnects with exponential
//! backoff and jitter (0.5 s → 60 s, reset on CONNACK), and forwards what the publisher
//! needs (connected, disconnected, pkid assigned, PUBACK) over a channel.
//!
//! rumqttc keeps unacknowledged publishes in `EventLoop::pending` and drops them when the
//! broker answers `session_present = false` (rust-notes §3): we never rely on it. On every
//! error the [`Gate`] is closed first (no new publish can enter the request channel), then
//! rumqttc's state, request channel and `pending` are emptied; the publisher treats every
//! unacknowledged record as unsent and re-reads it from the spool after the next CONNACK.

use crate::links::Backoff;
use rumqttc::{ConnectReturnCode, ConnectionError, Event, EventLoop, Outgoing, Packet};
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

/// Lets publishes into rumqttc's request channel only while connected, and only for the
/// connection the publisher has caught up with.
#[derive(Debug, Default)]
pub struct Gate {
    state: Mutex<(u64, bool)>,
}

impl Gate {
    /// Runs `submit` if connection `epoch` is the current, open one; `None` otherwise.
    pub fn submit<T>(&self, epoch: u64, submit: impl FnOnce() -> T) -> Option<T> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.1 && s.0 == epoch).then(submit)
    }

    fn open(&self) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.0 += 1;
        s.1 = true;
        s.0
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 = false;
    }
}

/// A CONNACK refusal in words.
pub fn describe_refusal(code: ConnectReturnCode) -> &'static str {
    match code {
        ConnectReturnCode::BadUserNamePassword => "bad user name or password",
        ConnectReturnCode::NotAuthorized => {
            "bad user name or password, or not authorised (CONNACK code 5)"
        }
        ConnectReturnCode::BadClientId => "client id rejected",
        ConnectReturnCode::RefusedProtocolVersion => "protocol version not accepted",
        ConnectReturnCode::ServiceUnavailable => "service unavailable",
        ConnectReturnCode::Success => "accepted",
    }
}

/// Drives `el` until the publisher goes away or asks for a disconnect.
pub async fn drive(
    mut el: EventLoop,
    broker: String,
    gate: Arc<Gate>,
    tx: UnboundedSender<LinkEvent>,
    reconnects: Arc<AtomicU64>,
) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
    let mut ever_connected = false;
    loop {
        let ev = match el.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                backoff.reset();
                let epoch = gate.open();
                info!(
                    broker = %broker,
                    session_present = ack.session_present,
                    "connected to the MQTT broker"
                );
                if ever_connected {
                    reconnects.fetch_add(1, Ordering::Relaxed);
                }
                ever_connected = true;
                Some(LinkEvent::Connected {
                    epoch,
                    session_present: ack.session_present,
                })
            }
            Ok(Event::Outgoing(Outgoing::Publish(pkid))) => Some(LinkEvent::Published(pkid)),
            Ok(Event::Incoming(Packet::PubAck(a))) => Some(LinkEvent::PubAck(a.pkid)),
            Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                debug!("MQTT disconnect sent");
                return;
            }
            Ok(_) => None,
            Err(e) => {
                gate.close();
                el.clean();
                el.pending.clear();
                if tx.send(LinkEvent::Disconnected).is_err() {
                    return;
                }
                let delay = backoff.next_delay();
                let secs = delay.as_secs_f64();
                match &e {
                    ConnectionError::ConnectionRefused(code) => error!(
                        broker = %broker,
                        "broker refused the connection: {}; retrying in {secs:.1} s (records stay in the spool)",
                        describe_refusal(*code)
                    ),
                    _ => warn!(
                        broker = %broker,
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
