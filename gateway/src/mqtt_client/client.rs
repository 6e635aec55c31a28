//! The client handle and event loop over rumqttc's 3.1.1 and 5 clients.
//!
//! A [`Client`] only ever uses rumqttc's non-blocking `try_*` requests, so it can be called
//! from the task that polls the [`EventLoop`] without deadlocking (rumqttc #1025).

use super::event::{Message, MqttError, MqttEvent, Version};
use rumqttc::v5::mqttbytes::v5 as m5;
use rumqttc::TlsConfiguration;
use std::time::Duration;

/// The 3.1.1 persistent session has no expiry; in MQTT 5 `0xFFFF_FFFF` says the same.
pub const SESSION_NEVER_EXPIRES: u32 = u32::MAX;

/// The last will: published retained-or-not at QoS 1 by the broker when we vanish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Retained.
    pub retain: bool,
}

/// How to connect, whatever the protocol version.
#[derive(Clone)]
pub struct ConnectOptions {
    /// Fixed client id (never empty: the broker keeps the session under it).
    pub client_id: String,
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// Keep-alive interval.
    pub keep_alive: Duration,
    /// User name and password.
    pub credentials: Option<super::Credentials>,
    /// TLS, when the broker is reached over TLS.
    pub tls: Option<TlsConfiguration>,
    /// The last will.
    pub will: Option<Will>,
    /// Start without the broker's session for this client id (and, with
    /// `session_expiry_s` 0, leave none behind). `false` for everything that must resume
    /// its session; `true` only to delete one (`writer::standin`).
    pub clean_start: bool,
    /// Incoming publishes are acknowledged only by [`Client::try_ack`].
    pub manual_acks: bool,
    /// Largest packet accepted from the broker, bytes.
    pub max_incoming_packet: u32,
    /// Most outgoing QoS 1 publishes awaiting PUBACK inside rumqttc.
    pub inflight: u16,
    /// Capacity of the request channel between [`Client`] and [`EventLoop`].
    pub channel: usize,
    /// MQTT 5 session expiry interval, seconds ([`SESSION_NEVER_EXPIRES`]: never, what a
    /// 3.1.1 persistent session means). MQTT 3.1.1 cannot say it: its session is kept until
    /// the broker's own limit (mosquitto's `persistent_client_expiration`).
    pub session_expiry_s: u32,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("client_id", &self.client_id)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .field("user", &self.credentials.as_ref().map(|c| &c.username))
            .finish_non_exhaustive()
    }
}

/// A request the client channel could not take now (full, or the event loop is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the MQTT request channel cannot take the request now")]
pub struct RequestRejected;

/// Handle for requests to one [`EventLoop`] (cheap to clone).
#[derive(Clone, Debug)]
pub enum Client {
    /// MQTT 3.1.1.
    V311(rumqttc::AsyncClient),
    /// MQTT 5.
    V5(rumqttc::v5::AsyncClient),
}

/// The connection: poll it to make progress; it reconnects on the next poll after an error.
pub enum EventLoop {
    /// MQTT 3.1.1.
    V311(Box<rumqttc::EventLoop>),
    /// MQTT 5.
    V5(Box<rumqttc::v5::EventLoop>),
}

/// TCP_NODELAY: a record is one small PUBLISH; with Nagle's algorithm the publishes of a
/// batch after the first would wait for the broker's ACK of the first (live latency).
fn network_options() -> rumqttc::NetworkOptions {
    let mut n = rumqttc::NetworkOptions::new();
    n.set_tcp_nodelay(true);
    n
}

/// A client and its event loop for `version`; nothing happens on the network before the
/// first [`EventLoop::poll`].
pub fn connect(o: &ConnectOptions, version: Version) -> (Client, EventLoop) {
    let cap = o.channel.max(1);
    match version {
        Version::V311 => {
            let mut m = rumqttc::MqttOptions::new(o.client_id.clone(), o.host.clone(), o.port);
            // the client id is never empty (ConnectOptions' contract), so
            // set_clean_session cannot panic
            m.set_clean_session(o.clean_start)
                .set_keep_alive(o.keep_alive)
                .set_manual_acks(o.manual_acks)
                .set_max_packet_size(o.max_incoming_packet as usize, 1 << 20)
                .set_inflight(o.inflight.max(1))
                .set_request_channel_capacity(cap);
            if let Some(w) = &o.will {
                m.set_last_will(rumqttc::LastWill::new(
                    w.topic.clone(),
                    w.payload.clone(),
                    rumqttc::QoS::AtLeastOnce,
                    w.retain,
                ));
            }
            if let Some(c) = &o.credentials {
                m.set_credentials(c.username.clone(), c.password.expose().to_owned());
            }
            if let Some(t) = &o.tls {
                m.set_transport(rumqttc::Transport::tls_with_config(t.clone()));
            }
            let (c, mut e) = rumqttc::AsyncClient::new(m, cap);
            e.network_options = network_options();
            (Client::V311(c), EventLoop::V311(Box::new(e)))
        }
        Version::V5 => {
            let mut m = rumqttc::v5::MqttOptions::new(o.client_id.clone(), o.host.clone(), o.port);
            m.set_clean_start(o.clean_start)
                .set_session_expiry_interval(Some(o.session_expiry_s))
                .set_keep_alive(o.keep_alive)
                .set_manual_acks(o.manual_acks)
                .set_max_packet_size(Some(o.max_incoming_packet))
                .set_outgoing_inflight_upper_limit(o.inflight.max(1))
                .set_request_channel_capacity(cap);
            if let Some(w) = &o.will {
                m.set_last_will(m5::LastWill::new(
                    w.topic.clone(),
                    w.payload.clone(),
                    rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                    w.retain,
                    None,
                ));
            }
            if let Some(c) = &o.credentials {
                m.set_credentials(c.username.clone(), c.password.expose().to_owned());
            }
            if let Some(t) = &o.tls {
                m.set_transport(rumqttc::Transport::tls_with_config(t.clone()));
            }
            m.set_network_options(network_options());
            let (c, e) = rumqttc::v5::AsyncClient::new(m, cap);
            (Client::V5(c), EventLoop::V5(Box::new(e)))
        }
    }
}

impl Client {
    /// Queues a QoS 1 publish.
    pub fn try_publish(
        &self,
        topic: String,
        retain: bool,
        payload: Vec<u8>,
    ) -> Result<(), RequestRejected> {
        match self {
            Client::V311(c) => c
                .try_publish(topic, rumqttc::QoS::AtLeastOnce, retain, payload)
                .map_err(|_| RequestRejected),
            Client::V5(c) => c
                .try_publish(
                    topic,
                    rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                    retain,
                    payload,
                )
                .map_err(|_| RequestRejected),
        }
    }

    /// Queues a QoS 1 subscription to `filter`.
    pub fn try_subscribe(&self, filter: String) -> Result<(), RequestRejected> {
        match self {
            Client::V311(c) => c
                .try_subscribe(filter, rumqttc::QoS::AtLeastOnce)
                .map_err(|_| RequestRejected),
            Client::V5(c) => c
                .try_subscribe(filter, rumqttc::v5::mqttbytes::QoS::AtLeastOnce)
                .map_err(|_| RequestRejected),
        }
    }

    /// Queues an unsubscription from `filter`.
    pub fn try_unsubscribe(&self, filter: String) -> Result<(), RequestRejected> {
        match self {
            Client::V311(c) => c.try_unsubscribe(filter).map_err(|_| RequestRejected),
            Client::V5(c) => c.try_unsubscribe(filter).map_err(|_| RequestRejected),
        }
    }

    /// Queues the PUBACK of the QoS 1 message `pkid` (manual acknowledgements).
    pub fn try_ack(&self, pkid: u16) -> Result<(), RequestRejected> {
        match self {
            Client::V311(c) => {
                let mut p = rumqttc::Publish::new("", rumqttc::QoS::AtLeastOnce, Vec::new());
                p.pkid = pkid;
                c.try_ack(&p).map_err(|_| RequestRejected)
            }
            Client::V5(c) => {
                let mut p = m5::Publish::new(
                    "",
                    rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                    Vec::new(),
                    None,
                );
                p.pkid = pkid;
                c.try_ack(&p).map_err(|_| RequestRejected)
            }
        }
    }

    /// Queues a clean DISCONNECT (the broker then does not publish the will).
    pub fn try_disconnect(&self) -> Result<(), RequestRejected> {
        match self {
            Client::V311(c) => c.try_disconnect().map_err(|_| RequestRejected),
            Client::V5(c) => c.try_disconnect().map_err(|_| RequestRejected),
        }
    }
}

fn qos_v311(q: rumqttc::QoS) -> u8 {
    q as u8
}

fn qos_v5(q: rumqttc::v5::mqttbytes::QoS) -> u8 {
    q as u8
}

impl EventLoop {
    /// The protocol version this loop speaks.
    pub fn version(&self) -> Version {
        match self {
            EventLoop::V311(_) => Version::V311,
            EventLoop::V5(_) => Version::V5,
        }
    }

    /// The next event; an error ends the connection (the next poll reconnects).
    pub async fn poll(&mut self) -> Result<MqttEvent, MqttError> {
        match self {
            EventLoop::V311(el) => {
                use rumqttc::{Event, Outgoing, Packet};
                Ok(match el.poll().await? {
                    Event::Incoming(Packet::ConnAck(a)) => MqttEvent::ConnAck {
                        session_present: a.session_present,
                    },
                    Event::Incoming(Packet::PubAck(a)) => MqttEvent::PubAck(a.pkid),
                    Event::Incoming(Packet::Publish(p)) => MqttEvent::Publish(Message {
                        topic: p.topic,
                        payload: p.payload.to_vec(),
                        pkid: p.pkid,
                        qos: qos_v311(p.qos),
                    }),
                    Event::Incoming(Packet::SubAck(s)) => MqttEvent::SubAck {
                        refused: s
                            .return_codes
                            .iter()
                            .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure)),
                    },
                    Event::Incoming(Packet::UnsubAck(_)) => MqttEvent::UnsubAck,
                    Event::Outgoing(Outgoing::Publish(pkid)) => MqttEvent::PublishSent(pkid),
                    Event::Outgoing(Outgoing::Disconnect) => MqttEvent::DisconnectSent,
                    _ => MqttEvent::Other,
                })
            }
            EventLoop::V5(el) => {
                use m5::Packet;
                use rumqttc::v5::Event;
                use rumqttc::Outgoing;
                Ok(match el.poll().await? {
                    Event::Incoming(Packet::ConnAck(a)) => MqttEvent::ConnAck {
                        session_present: a.session_present,
                    },
                    Event::Incoming(Packet::PubAck(a)) => MqttEvent::PubAck(a.pkid),
                    Event::Incoming(Packet::Publish(p)) => MqttEvent::Publish(Message {
                        topic: String::from_utf8_lossy(&p.topic).into_owned(),
                        payload: p.payload.to_vec(),
                        pkid: p.pkid,
                        qos: qos_v5(p.qos),
                    }),
                    Event::Incoming(Packet::SubAck(s)) => MqttEvent::SubAck {
                        refused: s
                            .return_codes
                            .iter()
                            .any(|c| !matches!(c, m5::SubscribeReasonCode::Success(_))),
                    },
                    Event::Incoming(Packet::UnsubAck(_)) => MqttEvent::UnsubAck,
                    Event::Outgoing(Outgoing::Publish(pkid)) => MqttEvent::PublishSent(pkid),
                    Event::Outgoing(Outgoing::Disconnect) => MqttEvent::DisconnectSent,
                    _ => MqttEvent::Other,
                })
            }
        }
    }

    /// Forgets every request not yet acknowledged: rumqttc's state, its request channel and
    /// its `pending` queue (which it would otherwise replay, or silently drop on a new
    /// session). The caller re-sends what matters from its own durable store.
    pub fn discard_pending(&mut self) {
        match self {
            EventLoop::V311(el) => {
                el.clean();
                el.pending.clear();
            }
            EventLoop::V5(el) => {
                el.clean();
                el.pending.clear();
            }
        }
    }
}
