//! Standing in for a share-group member that is gone: connect under its client id, take
//! what the broker queued in its session, store it, delete the session.
//!
//! mosquitto 2 hands the messages of a share group round-robin to every member that has a
//! session, connected or not, and drops what it queued for a member when that session ends
//! (docs/mqtt.md §6). So when a member vanishes for good, about half the records would wait
//! in its session forever, or be lost at its expiry. When [`super::presence::Presence`] says
//! a member has been away for `[writer] takeover_after_s`, the writer runs [`drain`]:
//!
//! 1. connect with the member's client id, resuming its session (no will, so that the
//!    member's `offline` stands);
//! 2. unsubscribe its filters at once, so the broker routes nothing more to the session;
//! 3. store every message the broker sends, acknowledging each only once it is durable,
//!    exactly as the writer's own connection does: into the member's own store directory
//!    when `[writer] member_dirs` says where this writer can reach it (under that
//!    directory's instance lock), so that what the member stored but had not acknowledged
//!    when it died is recognised as a duplicate; else into this writer's own store;
//! 4. when both unsubscriptions are answered, nothing awaits acknowledgement and nothing has
//!    come for [`QUIET`], disconnect, then connect once more with a clean start and no
//!    session expiry, which deletes the session.
//!
//! Any failure ends the attempt (the caller tries again after the delay): what was stored
//! and not yet acknowledged is sent again on the next attempt and recognised as a duplicate
//! by the store. If the member itself comes back meanwhile, the broker hands the session
//! back to it and this attempt ends. Without the member's directory, two windows leave a
//! record in both stores: what the member had stored and not acknowledged when it died,
//! and what this writer had stored and not acknowledged when the member came back; the
//! merge by (`type`, `serial`, `time`) removes them.

use super::options::WriterOptions;
use super::session::{connect_options, Acks, Durable, Received, WriterError};
use crate::mqtt_client::{self, Client, EventLoop, MqttEvent, Version};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the session must have sent nothing, once unsubscribed and fully acknowledged,
/// before it is taken for drained.
pub const QUIET: Duration = Duration::from_secs(1);

/// Hang guard for the handshakes of the end (disconnect, delete).
const HANDSHAKE: Duration = Duration::from_secs(10);

/// What a completed stand-in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// The broker still had the member's session.
    pub session_present: bool,
    /// Messages it delivered (records and presence messages queued for the member).
    pub messages: u64,
}

/// Why a stand-in ended before the session was drained and deleted.
#[derive(Debug, thiserror::Error)]
pub enum StandInError {
    /// The connection failed or was taken back (the member returned, the broker stopped).
    #[error("connection: {0}")]
    Mqtt(#[from] mqtt_client::MqttError),
    /// The writer's store stopped.
    #[error("the store thread has stopped")]
    Store,
    /// The client's request channel refused a request.
    #[error("the MQTT client refused a request")]
    Request,
    /// A handshake of the end did not finish in time.
    #[error("the broker did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection options cannot be built.
    #[error(transparent)]
    Options(#[from] WriterError),
}

/// Drains and deletes the session of `member` over MQTT `version`; messages go to a
/// store (this writer's, or the member's own directory when it is reachable) through
/// `store_tx` as connection `conn`, and come back durable on `durable_rx`.
pub async fn drain(
    opts: WriterOptions,
    version: Version,
    member: String,
    conn: u64,
    store_tx: mpsc::Sender<Received>,
    mut durable_rx: mpsc::UnboundedReceiver<Vec<Durable>>,
) -> Result<Drained, StandInError> {
    let mut options = connect_options(&opts)?;
    options.client_id = member;
    options.will = None;
    let (client, mut eventloop) = mqtt_client::connect(&options, version);
    let presence = opts.presence();
    // the member's own filters (its configuration is the group's)
    let filters = opts.filters();
    let mut acks = Acks::new(conn, true);
    let (mut seq, mut unsubscribed) = (0u64, 0usize);
    let mut session_present = false;
    let mut last = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            ev = eventloop.poll() => match ev? {
                MqttEvent::ConnAck { session_present: sp } => {
                    session_present = sp;
                    if !sp {
                        break;
                    }
                    for f in &filters {
                        client.try_unsubscribe(f.clone()).map_err(|_| StandInError::Request)?;
                    }
                }
                MqttEvent::Publish(p) => {
                    seq += 1;
                    last = Instant::now();
                    let is_presence = presence.as_ref().is_some_and(|t| t.member_of(&p.topic).is_some());
                    if is_presence {
                        // another member's presence, queued while it was away: not a record
                        if p.qos != 0 {
                            acks.awaiting.insert(p.pkid, seq);
                            acks.offer(&client, Durable { seq, conn, pkid: p.pkid, qos: p.qos });
                        }
                        continue;
                    }
                    if p.qos != 0 {
                        acks.awaiting.insert(p.pkid, seq);
                    }
                    let r = Received { seq, conn, pkid: p.pkid, qos: p.qos, topic: p.topic, payload: p.payload };
                    store_tx.send(r).await.map_err(|_| StandInError::Store)?;
                }
                MqttEvent::UnsubAck => {
                    unsubscribed += 1;
                    last = Instant::now();
                }
                _ => {}
            },
            Some(batch) = durable_rx.recv() => {
                for d in batch {
                    acks.offer(&client, d);
                }
            }
            _ = tick.tick() => {
                if unsubscribed >= filters.len() && acks.awaiting.is_empty() && last.elapsed() >= QUIET {
                    break;
                }
            }
        }
        acks.retry(&client);
    }
    let messages = seq;
    disconnect(&client, &mut eventloop).await?;
    // connect once more, clean, with no expiry: the broker deletes the session
    options.clean_start = true;
    options.session_expiry_s = 0;
    let (client, mut eventloop) = mqtt_client::connect(&options, version);
    tokio::time::timeout(HANDSHAKE, async {
        loop {
            if let MqttEvent::ConnAck { .. } = eventloop.poll().await? {
                return Ok::<_, StandInError>(());
            }
        }
    })
    .await
    .map_err(|_| StandInError::Timeout(HANDSHAKE))??;
    disconnect(&client, &mut eventloop).await?;
    Ok(Drained {
        session_present,
        messages,
    })
}

/// A clean DISCONNECT, written before this returns.
async fn disconnect(client: &Client, eventloop: &mut EventLoop) -> Result<(), StandInError> {
    client.try_disconnect().map_err(|_| StandInError::Request)?;
    tokio::time::timeout(HANDSHAKE, async {
        loop {
            if let MqttEvent::DisconnectSent = eventloop.poll().await? {
                return Ok::<_, StandInError>(());
            }
        }
    })
    .await
    .map_err(|_| StandInError::Timeout(HANDSHAKE))?
}
