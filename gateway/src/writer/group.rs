//! The writer's part in a share group: announcing itself, following the other members'
//! presence ([`super::presence`]) and running at most one stand-in ([`super::standin`]) for
//! a member that has been away too long.
//!
//! The session loop owns a [`Group`] and calls it on each connection, on each presence
//! message, on a timer, and with every batch the store made durable, of which it takes the
//! stand-in's share.

use super::options::WriterOptions;
use super::presence::{self, Presence, Topics};
use super::session::{store_loop, Durable, Received, CHANNEL};
use super::standin::{self, Drained, StandInError};
use super::DayStore;
use crate::instance_lock::{InstanceLock, WRITER_LOCK};
use crate::mqtt_client::{Client, Version};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{info, warn};

/// How a stand-in ended, for the session loop: the member and the outcome.
pub type Ended = (String, Result<Drained, StandInError>);

/// A stand-in that is running.
struct Running {
    member: String,
    conn: u64,
    /// Where this writer's store hands the stand-in's durable copies; `None` when the
    /// stand-in stores into the member's directory, through a store of its own.
    durable: Option<mpsc::UnboundedSender<Vec<Durable>>>,
    task: tokio::task::JoinHandle<()>,
    started: Instant,
}

/// A store thread on a member's directory, under its instance lock, for one stand-in.
struct MemberStore {
    tx: mpsc::Sender<Received>,
    durable_rx: mpsc::UnboundedReceiver<Vec<Durable>>,
    thread: std::thread::JoinHandle<super::StoreStats>,
    lock: InstanceLock,
}

impl MemberStore {
    /// Opens the store in `dir` (taking its writer lock: a live writer there refuses).
    fn open(dir: &Path, opts: &WriterOptions) -> Result<Self, String> {
        let lock = InstanceLock::acquire(dir, WRITER_LOCK, "albatross writer (stand-in)")
            .map_err(|e| e.to_string())?;
        let (tx, rx) = mpsc::channel(CHANNEL);
        let (done, durable_rx) = mpsc::unbounded_channel();
        let store = DayStore::new(dir, &opts.topic_root, &opts.site);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("writer-standin-store".into())
            .spawn(move || store_loop(store, rx, done, stop, Default::default()))
            .map_err(|e| e.to_string())?;
        Ok(MemberStore {
            tx,
            durable_rx,
            thread,
            lock,
        })
    }
}

/// This writer in its share group.
pub struct Group {
    opts: WriterOptions,
    topics: Topics,
    presence: Presence,
    running: Option<Running>,
    ended: mpsc::UnboundedSender<Ended>,
}

impl Group {
    /// The group of `opts`, when it has a share group and stand-ins are on; stand-ins
    /// report their end on `ended`.
    pub fn new(opts: &WriterOptions, ended: mpsc::UnboundedSender<Ended>) -> Option<Self> {
        let topics = opts.presence()?;
        let after = opts.takeover_after?;
        Some(Group {
            presence: Presence::new(&opts.client_id, after),
            topics,
            opts: opts.clone(),
            running: None,
            ended,
        })
    }

    /// Connected: says so, retained, where the others look.
    pub fn connected(&self, client: &Client) {
        let topic = self.topics.member(&self.opts.client_id);
        if client
            .try_publish(topic, true, presence::ONLINE.to_vec())
            .is_err()
        {
            warn!("cannot announce this writer to its share group now (request channel full)");
        }
    }

    /// Stopping cleanly: says so, retained (the will is not published on a clean
    /// disconnect), and abandons a running stand-in (the next attempt resumes it).
    pub async fn stopping(&mut self, client: &Client) {
        let topic = self.topics.member(&self.opts.client_id);
        let _ = client.try_publish(topic, true, presence::OFFLINE.to_vec());
        if let Some(r) = self.running.take() {
            r.task.abort();
            let _ = r.task.await;
        }
    }

    /// If `topic` is a presence topic, takes note of it and returns `true`.
    pub fn observe(&mut self, topic: &str, payload: &[u8]) -> bool {
        let Some(member) = self.topics.member_of(topic) else {
            return false;
        };
        self.presence.observe(member, payload, Instant::now());
        true
    }

    /// Starts the stand-in that is due, if any, over MQTT `version`: its messages go to the
    /// member's store (`member_dirs`) or to this writer's `store_tx`, as a connection
    /// numbered from `conns` (the writer's count of its connections, stand-ins' included).
    pub fn start_due(
        &mut self,
        version: Version,
        store_tx: &mpsc::Sender<Received>,
        conns: &mut u64,
    ) {
        if self.running.is_some() {
            return;
        }
        let Some(member) = self.presence.due(Instant::now()) else {
            return;
        };
        let member_store = match self.opts.member_dirs.get(&member) {
            Some(dir) => match MemberStore::open(dir, &self.opts) {
                Ok(m) => Some(m),
                Err(e) => {
                    // a live member holds it (it is back), or the directory is unreachable
                    warn!(member = %member, dir = %dir.display(), error = %e, "cannot store into the member's directory: not standing in now");
                    self.presence.stand_in_ended(&member, false, Instant::now());
                    return;
                }
            },
            None => None,
        };
        warn!(member = %member, after = ?self.opts.takeover_after.unwrap_or_default(), into = %member_store.as_ref().map_or("this writer's store".to_owned(), |m| m.lock.path().display().to_string()), "a member of the share group is away: standing in for it, to store what the broker queued for it");
        *conns += 1;
        let conn = *conns;
        // into the member's store (its thread and lock end with the stand-in), or ours
        let (store_tx, durable_rx, durable, member_store) = match member_store {
            Some(ms) => (ms.tx, ms.durable_rx, None, Some((ms.thread, ms.lock))),
            None => {
                let (durable, durable_rx) = mpsc::unbounded_channel();
                (store_tx.clone(), durable_rx, Some(durable), None)
            }
        };
        let fut = standin::drain(
            self.opts.clone(),
            version,
            member.clone(),
            conn,
            store_tx,
            durable_rx,
        );
        let (ended, m) = (self.ended.clone(), member.clone());
        let task = tokio::spawn(async move {
            let r = fut.await;
            if let Some((thread, lock)) = member_store {
                // the drain dropped the store's sender: its thread ends, then the lock
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
                drop(lock);
            }
            let _ = ended.send((m, r));
        });
        self.running = Some(Running {
            member,
            conn,
            durable,
            task,
            started: Instant::now(),
        });
    }

    /// Hands a durable copy to the stand-in it belongs to; gives it back otherwise.
    pub fn route(&self, d: Durable) -> Option<Durable> {
        match &self.running {
            Some(Running {
                conn,
                durable: Some(tx),
                ..
            }) if *conn == d.conn => {
                let _ = tx.send(vec![d]);
                None
            }
            _ => Some(d),
        }
    }

    /// A stand-in ended: logs it; when the session was drained, clears the member's
    /// retained presence through `client` so that no one drains it again.
    pub fn ended(&mut self, (member, result): Ended, client: &Client) {
        let took = self.running.take().map(|r| {
            debug_assert_eq!(r.member, member);
            r.started.elapsed()
        });
        let now = Instant::now();
        match result {
            Ok(d) => {
                self.presence.stand_in_ended(&member, true, now);
                let _ = client.try_publish(self.topics.member(&member), true, Vec::new());
                if d.session_present {
                    info!(member = %member, messages = d.messages, took = ?took.unwrap_or(Duration::ZERO), "stood in for the member: its session is drained and deleted");
                } else {
                    info!(member = %member, "the broker had no session for the member any more: nothing to drain");
                }
            }
            Err(e) => {
                self.presence.stand_in_ended(&member, false, now);
                warn!(member = %member, error = %e, retry_after = ?self.opts.takeover_after.unwrap_or_default(), "stand-in ended before the member's session was drained (the member came back, or the broker went away); trying again later if it is still away");
            }
        }
    }
}
