//! The MQTT side of the writer: one task owns rumqttc's event loop, a blocking thread owns
//! the files, and a message is acknowledged (PUBACK) only after its line is fsynced.
//!
//! Acknowledgement rules (manual acks, persistent session):
//! - Every copy of a message received gets a local sequence number and the number of the
//!   connection it came in on; the event-loop task remembers, per packet id, the copy it is
//!   waiting to acknowledge.
//! - When the store reports a copy durable, its PUBACK is queued only if that copy arrived on
//!   the *current* connection and is still the one awaited for its packet id. An
//!   acknowledgement is therefore never sent on a later connection, where the packet id may
//!   already name another message (after a session loss, or after the broker reused the id).
//!   rumqttc itself drops PUBACKs still in its channel when a connection fails.
//! - Copies stored while the connection is down are not acknowledged: the broker resends them
//!   on the resumed session, the store recognises the duplicate, and that copy is
//!   acknowledged. If the session was lost instead, they are stored anyway.
//!
//! Only this task calls `EventLoop::poll`, and it never publishes: the client is used only
//! with the non-blocking `try_*` calls (rumqttc #1025). The connection is MQTT 5 where the
//! broker speaks it, else 3.1.1 ([`crate::mqtt_client::Negotiator`]); TLS when `ca_file` is set.

use super::group::{Ended, Group};
use super::options::WriterOptions;
use super::presence;
use super::products::Products;
use super::store::{DayStore, Message, Outcome, StoreStats};
use crate::clock;
use crate::links::Backoff;
use crate::mqtt_client::{self, Client, ConnectOptions, ErrorKind, MqttEvent, Negotiator};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

/// Largest batch handed to the store at once (one fsync per touched file per batch).
const MAX_BATCH: usize = 512;
/// Capacity of the channels between the tasks; the broker's in-flight window (unacknowledged
/// QoS 1 messages per client) bounds what is in them.
pub(crate) const CHANNEL: usize = 4096;
/// How often the counters are logged.
const SUMMARY_EVERY: Duration = Duration::from_secs(600);

/// A message copy on its way to the store: its local sequence number, the connection it
/// came in on (the writer's own, or a stand-in's), its packet id and QoS, topic, payload.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) seq: u64,
    pub(crate) conn: u64,
    pub(crate) pkid: u16,
    pub(crate) qos: u8,
    pub(crate) topic: String,
    pub(crate) payload: Vec<u8>,
}

/// A copy the store made durable (stored, duplicate or rejected): it may be acknowledged
/// on the connection it came in on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Durable {
    pub(crate) seq: u64,
    pub(crate) conn: u64,
    pub(crate) pkid: u16,
    pub(crate) qos: u8,
}

/// Failure that stops the writer.
#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    /// The output directory cannot be created.
    #[error("cannot create {dir}: {source}")]
    Dir {
        /// The directory.
        dir: String,
        /// Why.
        source: std::io::Error,
    },
    /// The store thread could not be started or died.
    #[error("store thread: {0}")]
    Store(String),
    /// The CA file of `[sinks.mqtt] ca_file` cannot be used.
    #[error("sinks.mqtt.ca_file {0}")]
    Tls(#[from] mqtt_client::tls::TlsSetupError),
}

/// The store thread: batches, writes durably (retrying on I/O errors until it works or the
/// writer stops), reports each copy as durable.
pub(crate) fn store_loop(
    mut store: DayStore,
    mut rx: mpsc::Receiver<Received>,
    done: mpsc::UnboundedSender<Vec<Durable>>,
    stop: Arc<AtomicBool>,
    extras: Extras,
) -> StoreStats {
    let mut last_summary = Instant::now();
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let msgs: Vec<Message<'_>> = batch
            .iter()
            .map(|r| Message {
                topic: &r.topic,
                payload: &r.payload,
            })
            .collect();
        let outcomes = retry_until_stopped("store", msgs.len(), &stop, || {
            store.store(&msgs, clock::now())
        });
        let Some(outcomes) = outcomes else {
            break;
        };
        for (r, o) in batch.iter().zip(&outcomes) {
            match o {
                Outcome::Stored(p) => {
                    debug!(topic = %r.topic, file = %p.display(), "stored");
                    if let Some(observe) = &extras.observer {
                        observe(&r.topic, &r.payload);
                    }
                }
                Outcome::Duplicate(p) => {
                    debug!(topic = %r.topic, file = %p.display(), "duplicate, already stored")
                }
                Outcome::Rejected(why) => warn!(topic = %r.topic, reason = %why, "rejected"),
            }
        }
        if let Some(products) = &extras.products {
            if !merge_products(products, &batch, &outcomes, &stop) {
                break;
            }
        }
        let durable = batch
            .iter()
            .map(|r| Durable {
                seq: r.seq,
                conn: r.conn,
                pkid: r.pkid,
                qos: r.qos,
            })
            .collect();
        if done.send(durable).is_err() {
            break;
        }
        if last_summary.elapsed() >= SUMMARY_EVERY {
            last_summary = Instant::now();
            let s = store.stats();
            info!(
                stored = s.stored,
                duplicates = s.duplicates,
                rejected = s.rejected,
                "writer counters"
            );
        }
    }
    store.stats()
}

/// A connection's view of what awaits acknowledgement (the writer's own, and a
/// stand-in's: [`super::standin`]).
pub(crate) struct Acks {
    pub(crate) conn: u64,
    pub(crate) connected: bool,
    /// packet id → sequence number of the copy to acknowledge
    pub(crate) awaiting: HashMap<u16, u64>,
    /// acknowledgements the client channel could not take yet
    queued: VecDeque<Durable>,
    sent: u64,
}

impl Acks {
    /// Nothing awaited yet on connection `conn`, connected or not.
    pub(crate) fn new(conn: u64, connected: bool) -> Self {
        Acks {
            conn,
            connected,
            awaiting: HashMap::new(),
            queued: VecDeque::new(),
            sent: 0,
        }
    }

    /// Acknowledges the durable copy `d` if it came in on this connection, which is up,
    /// and is still the copy awaited for its packet id; queues it when the client's
    /// channel cannot take it now.
    pub(crate) fn offer(&mut self, client: &Client, d: Durable) {
        if d.qos == 0 || !self.connected || d.conn != self.conn {
            return;
        }
        if self.awaiting.get(&d.pkid) != Some(&d.seq) {
            return;
        }
        match client.try_ack(d.pkid) {
            Ok(()) => {
                self.awaiting.remove(&d.pkid);
                self.sent += 1;
            }
            Err(_) => self.queued.push_back(d),
        }
    }

    /// Offers again what the client's channel could not take.
    pub(crate) fn retry(&mut self, client: &Client) {
        for d in std::mem::take(&mut self.queued) {
            self.offer(client, d);
        }
    }

    fn disconnected(&mut self) {
        self.connected = false;
        self.queued.clear();
    }
}

/// The writer's connection: a fixed client id (checked non-empty by WriterOptions) with a
/// persistent session, so the broker queues our QoS 1 messages while we are away; in a
/// share group, a retained `offline` presence as last will.
pub(crate) fn connect_options(o: &WriterOptions) -> Result<ConnectOptions, WriterError> {
    Ok(ConnectOptions {
        client_id: o.client_id.clone(),
        host: o.host.clone(),
        port: o.port,
        keep_alive: o.keep_alive,
        credentials: o.credentials.clone(),
        tls: o
            .ca_file
            .as_deref()
            .map(mqtt_client::tls::from_ca_file)
            .transpose()?,
        will: o.presence().map(|t| mqtt_client::Will {
            topic: t.member(&o.client_id),
            payload: presence::OFFLINE.to_vec(),
            retain: true,
        }),
        clean_start: false,
        manual_acks: true,
        max_incoming_packet: 1 << 20,
        inflight: 100,
        channel: CHANNEL,
        session_expiry_s: o
            .session_expiry_s
            .unwrap_or(mqtt_client::SESSION_NEVER_EXPIRES),
    })
}

/// Offers each durable copy of `batch` for acknowledgement on the connection it came in on:
/// the writer's own (`acks`), or the running stand-in's.
fn route(batch: Vec<Durable>, acks: &mut Acks, client: &Client, group: Option<&Group>) {
    for d in batch {
        if let Some(d) = group.map_or(Some(d), |g| g.route(d)) {
            acks.offer(client, d);
        }
    }
}

/// Called with the topic and payload of every record the writer's own store stored (not
/// duplicates, not rejections): its dashboard and `/metrics`.
pub type Observer = Arc<dyn Fn(&str, &[u8]) + Send + Sync>;

/// What the store thread does with each batch besides storing it ([`run_with`]).
#[derive(Default)]
pub struct Extras {
    /// The daily products: each batch's records (new or duplicate) are merged into them
    /// before the batch is acknowledged.
    pub products: Option<Products>,
    /// Told of every record stored.
    pub observer: Option<Observer>,
}

/// Merges the records of `batch` the store found new or already stored into the daily
/// products, retrying with backoff on an error until it works or the writer stops;
/// `false` when it stopped first (nothing of the batch may then be acknowledged: the
/// broker delivers it again to the next run, which merges it).
fn merge_products(
    products: &Products,
    batch: &[Received],
    outcomes: &[Outcome],
    stop: &AtomicBool,
) -> bool {
    let records: Vec<(&str, &[u8])> = batch
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| matches!(o, Outcome::Stored(_) | Outcome::Duplicate(_)))
        .map(|(r, _)| (r.topic.as_str(), r.payload.as_slice()))
        .collect();
    if records.is_empty() {
        return true;
    }
    let written = retry_until_stopped("write the daily files of", records.len(), stop, || {
        products.write(records.iter().copied())
    });
    if let Some(report) = &written {
        debug!(
            days = report.days.len(),
            skipped = report.skipped,
            "daily files updated"
        );
    }
    written.is_some()
}

/// Runs `attempt` (what the store thread does to `messages` messages) until it succeeds,
/// logging each failure and retrying with backoff (0.5 s doubling to 30 s); `None` when
/// the writer stops first. Nothing of the batch is acknowledged meanwhile.
fn retry_until_stopped<T, E: std::fmt::Display>(
    what: &str,
    messages: usize,
    stop: &AtomicBool,
    mut attempt: impl FnMut() -> Result<T, E>,
) -> Option<T> {
    let mut delay = Duration::from_millis(500);
    loop {
        match attempt() {
            Ok(t) => return Some(t),
            Err(e) => {
                error!(error = %e, messages, retry_in = ?delay, "cannot {what} the batch: nothing of it is acknowledged; retrying");
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Runs the writer until `shutdown` turns `true`; returns the store's counters.
pub async fn run(
    opts: WriterOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<StoreStats, WriterError> {
    run_with(opts, shutdown, Extras::default()).await
}

/// [`run`], the store thread also doing `extras` with each batch.
pub async fn run_with(
    opts: WriterOptions,
    mut shutdown: watch::Receiver<bool>,
    extras: Extras,
) -> Result<StoreStats, WriterError> {
    std::fs::create_dir_all(&opts.dir).map_err(|source| WriterError::Dir {
        dir: opts.dir.display().to_string(),
        source,
    })?;
    // records stored by an earlier run (the instance lock of this one does not count)
    let had_files = std::fs::read_dir(&opts.dir).is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name() != crate::instance_lock::WRITER_LOCK))
    });
    let filter = opts.subscription();
    let connect = connect_options(&opts)?;
    let mut negotiator = Negotiator::new(opts.protocol);
    let (mut client, mut eventloop) = mqtt_client::connect(&connect, negotiator.version());
    let (store_tx, store_rx) = mpsc::channel::<Received>(CHANNEL);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Vec<Durable>>();
    let stop = Arc::new(AtomicBool::new(false));
    let store = DayStore::new(&opts.dir, &opts.topic_root, &opts.site);
    let stop2 = stop.clone();
    let store_thread = std::thread::Builder::new()
        .name("writer-store".into())
        .spawn(move || store_loop(store, store_rx, done_tx, stop2, extras))
        .map_err(|e| WriterError::Store(e.to_string()))?;
    info!(
        broker = %format!("{}:{}", opts.host, opts.port),
        client_id = %opts.client_id,
        subscription = %filter,
        dir = %opts.dir.display(),
        session_expiry_s = ?opts.session_expiry_s,
        "writer starting"
    );
    let mut acks = Acks::new(0, false);
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel::<Ended>();
    let mut group = Group::new(&opts, ended_tx);
    let mut group_tick = tokio::time::interval(Duration::from_millis(500));
    // connection numbers, the writer's own and its stand-ins'
    let mut conns = 0u64;
    // the filters still to ask for on this connection, and those asked for, in order,
    // awaiting their SUBACK
    let mut to_subscribe: VecDeque<String> = VecDeque::new();
    let mut subscribing: VecDeque<String> = VecDeque::new();
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
    let mut seq = 0u64;
    let mut ever_connected = false;
    let mut reconnects = 0u64;
    let mut stopping = *shutdown.borrow();
    while !stopping {
        while let Some(f) = to_subscribe.front().filter(|_| acks.connected) {
            if let Err(e) = client.try_subscribe(f.clone()) {
                debug!(error = %e, "subscribe request queued later");
                break;
            }
            subscribing.extend(to_subscribe.pop_front());
        }
        acks.retry(&client);
        tokio::select! {
            r = shutdown.changed() => {
                stopping = r.is_err() || *shutdown.borrow();
            }
            Some(batch) = done_rx.recv() => route(batch, &mut acks, &client, group.as_ref()),
            _ = group_tick.tick(), if group.is_some() => {
                if let Some(g) = group.as_mut() {
                    g.start_due(eventloop.version(), &store_tx, &mut conns);
                }
            }
            Some(e) = ended_rx.recv() => {
                if let Some(g) = group.as_mut() {
                    g.ended(e, &client);
                }
            }
            ev = eventloop.poll() => match ev {
                Ok(MqttEvent::ConnAck { session_present }) => {
                    negotiator.connected();
                    conns += 1;
                    acks.conn = conns;
                    acks.connected = true;
                    acks.awaiting.clear();
                    backoff.reset();
                    to_subscribe = opts.filters().into();
                    subscribing.clear();
                    if let Some(g) = &group {
                        g.connected(&client);
                    }
                    if session_present {
                        info!(reconnects, mqtt = %eventloop.version(), "connected: the broker kept our session (queued messages follow)");
                    } else if ever_connected || had_files {
                        warn!(
                            reconnects,
                            "connected, but the broker has no session for us (it restarted without persistence, or the session expired): messages published while it had none may be lost, unless another member of the share group stood in for us; subscribing again"
                        );
                    } else {
                        info!(mqtt = %eventloop.version(), "connected: new session on the broker; subscribing");
                    }
                    if opts.session_expiry_s.is_some() && eventloop.version() == mqtt_client::Version::V311 {
                        warn!("writer.session_expiry_s is ignored over MQTT 3.1.1: the broker keeps the session until its own limit");
                    }
                    ever_connected = true;
                }
                Ok(MqttEvent::Publish(p)) => {
                    seq += 1;
                    if p.qos != 0 {
                        acks.awaiting.insert(p.pkid, seq);
                    }
                    if group.as_mut().is_some_and(|g| g.observe(&p.topic, &p.payload)) {
                        // a member's presence: nothing to store
                        let d = Durable { seq, conn: acks.conn, pkid: p.pkid, qos: p.qos };
                        acks.offer(&client, d);
                        continue;
                    }
                    let r = Received {
                        seq,
                        conn: acks.conn,
                        pkid: p.pkid,
                        qos: p.qos,
                        topic: p.topic,
                        payload: p.payload,
                    };
                    if store_tx.send(r).await.is_err() {
                        error!("the store thread has stopped");
                        stopping = true;
                    }
                }
                Ok(MqttEvent::SubAck { refused }) => {
                    let f = subscribing.pop_front().unwrap_or_else(|| filter.clone());
                    if refused {
                        error!(subscription = %f, "the broker refused the subscription (check its ACL); retrying on the next connection");
                    } else if f == filter {
                        info!(subscription = %f, "subscribed (QoS 1)");
                    } else {
                        info!(subscription = %f, "following the share group's presence");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let handshake = !acks.connected;
                    acks.disconnected();
                    reconnects += 1;
                    let delay = backoff.next_delay();
                    let tried = eventloop.version();
                    eventloop.discard_pending();
                    if negotiator.failed(&e, handshake) {
                        (client, eventloop) = mqtt_client::connect(&connect, negotiator.version());
                        warn!("the broker does not speak MQTT {tried} ({e}); using MQTT {}", negotiator.version());
                    }
                    match e.kind {
                        ErrorKind::Refused | ErrorKind::Tls => {
                            error!(mqtt = %tried, retry_in = ?delay, "{e}")
                        }
                        _ => warn!(mqtt = %tried, error = %e, retry_in = ?delay, "broker connection lost"),
                    }
                    let sleep = tokio::time::sleep(delay);
                    tokio::pin!(sleep);
                    loop {
                        tokio::select! {
                            () = &mut sleep => break,
                            r = shutdown.changed() => {
                                stopping = r.is_err() || *shutdown.borrow();
                                if stopping { break; }
                            }
                            // stored while disconnected: the broker resends, that copy is
                            // acked; a stand-in's copies go to it
                            Some(batch) = done_rx.recv() => route(batch, &mut acks, &client, group.as_ref()),
                        }
                    }
                }
            }
        }
    }
    // Shutdown: say so to the group, stop a stand-in (it holds a sender of the store), let
    // the store finish what it has, acknowledge it, disconnect cleanly.
    if let Some(g) = group.as_mut() {
        g.stopping(&client).await;
    }
    stop.store(true, Ordering::Relaxed);
    drop(store_tx);
    let deadline = tokio::time::sleep(Duration::from_secs(5));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            () = &mut deadline => break,
            d = done_rx.recv() => match d {
                Some(batch) => route(batch, &mut acks, &client, None),
                None => break,
            },
            ev = eventloop.poll(), if acks.connected => if ev.is_err() { acks.disconnected(); },
        }
    }
    if acks.connected {
        acks.retry(&client);
        let _ = client.try_disconnect();
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            loop {
                match eventloop.poll().await {
                    Ok(MqttEvent::DisconnectSent) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
    }
    let stats = tokio::task::spawn_blocking(move || store_thread.join())
        .await
        .map_err(|e| WriterError::Store(e.to_string()))?
        .map_err(|_| WriterError::Store("the store thread panicked".into()))?;
    info!(
        stored = stats.stored,
        duplicates = stats.duplicates,
        conflicts = stats.conflicts,
        rejected = stats.rejected,
        acknowledged = acks.sent,
        reconnects,
        "writer stopped"
    );
    Ok(stats)
}
