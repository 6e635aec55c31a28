//! The link task against a loopback TCP "line" and a hand-driven sink: the state file moves
//! only to states whose observations the sink acknowledged.

use super::checkpoint::{Batch, Checkpoints, MAX_PENDING};
use super::{LinkTask, Transport};
use crate::observation::{Observation, PlatformMeta};
use crate::pipeline::{LinkDecoder, Output};
use crate::record::Record;
use protocol::time::UtcTime;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("albatross-links-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Counts bytes; every `r` is a record. Its state is the byte count.
struct Counter {
    seen: u64,
    platform: Arc<PlatformMeta>,
}

impl Counter {
    fn new() -> Self {
        Counter {
            seen: 0,
            platform: Arc::new(PlatformMeta::unconfigured(None)),
        }
    }
}

impl LinkDecoder for Counter {
    fn feed(&mut self, bytes: &[u8], _now: UtcTime, out: &mut Output) {
        for &b in bytes {
            self.seen += 1;
            if b == b'r' {
                let mut record = Record::new("test", None, None);
                record.push("n", crate::record::Value::Int(self.seen as i64));
                out.observations.push(Observation {
                    record,
                    platform: self.platform.clone(),
                    instrument: None,
                    link: "test".into(),
                });
            }
        }
    }
    fn handle_time(&mut self, _now: UtcTime, _out: &mut Output) {}
    fn next_deadline(&self) -> Option<UtcTime> {
        None
    }
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        None
    }
    fn finish(&mut self, _now: UtcTime, _out: &mut Output) {}
    fn summary(&self) -> String {
        format!("{} bytes", self.seen)
    }
    fn checkpoint(&self) -> Option<String> {
        Some(format!("seen {}", self.seen))
    }
    fn restore(&mut self, state: &str) {
        if let Some(n) = state.strip_prefix("seen ").and_then(|n| n.parse().ok()) {
            self.seen = n;
        }
    }
}

fn stored(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Waits (up to 10 s) until the state file holds `want`; returns what it holds.
async fn wait_state(path: &Path, want: &str) -> Option<String> {
    for _ in 0..400 {
        if stored(path).as_deref() == Some(want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stored(path)
}

struct Line {
    sock: TcpStream,
    batches: mpsc::Receiver<Batch>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Line {
    /// A link task on a loopback line, its batches going to the test.
    async fn start(state_file: &Path) -> Line {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (tx, batches) = mpsc::channel(1024);
        let (stop, shutdown) = watch::channel(false);
        let task = tokio::spawn(
            LinkTask {
                name: "test".into(),
                transport: Transport::Tcp(addr),
                decoder: Box::new(Counter::new()),
                archive: None,
                out: tx,
                shutdown,
                state_file: Some(state_file.to_owned()),
                metrics: Default::default(),
            }
            .run(),
        );
        let (sock, _) = listener.accept().await.unwrap();
        Line {
            sock,
            batches,
            stop,
            task,
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.sock.write_all(bytes).await.unwrap();
    }

    /// Sends one `r` and returns its batch (so the link has read everything before it).
    async fn record(&mut self) -> Batch {
        self.send(b"r").await;
        let b = self.batches.recv().await.unwrap();
        assert_eq!(b.observations.len(), 1);
        assert!(b.stored.is_some(), "a live link asks for acknowledgements");
        b
    }
}

#[tokio::test]
async fn the_state_file_moves_only_after_the_sink_stored_the_batch() {
    let dir = temp("ack");
    let path = dir.join("state/test.seq");
    let mut line = Line::start(&path).await;
    let mut b1 = line.record().await; // seen 1
    let mut b2 = line.record().await; // seen 2
                                      // the link has handled batch 1 and read on since: before the fix it had stored
                                      // `seen 1` here, with the record still on its way to the sinks
    assert_eq!(
        stored(&path),
        None,
        "nothing stored before any acknowledgement"
    );

    b1.acknowledge();
    // the link is idle (waiting to read): the acknowledgement alone wakes it
    assert_eq!(wait_state(&path, "seen 1").await.as_deref(), Some("seen 1"));
    b2.acknowledge();
    assert_eq!(wait_state(&path, "seen 2").await.as_deref(), Some("seen 2"));
    // nothing waits: a state without records is stored at once
    line.send(b".").await;
    assert_eq!(wait_state(&path, "seen 3").await.as_deref(), Some("seen 3"));

    // at shutdown the link waits for the batches still on their way to the sinks
    let mut b3 = line.record().await; // seen 4
    line.stop.send(true).unwrap();
    tokio::task::yield_now().await;
    b3.acknowledge();
    line.task.await.unwrap();
    assert_eq!(stored(&path).as_deref(), Some("seen 4"));

    // restarted: resumes from `seen 4`; a batch the sinks drop never moves the file
    let mut line = Line::start(&path).await;
    let b4 = line.record().await;
    assert_eq!(
        b4.observations[0].record.fields[0].1,
        crate::record::Value::Int(5),
        "resumed from the stored state"
    );
    line.stop.send(true).unwrap();
    drop(b4);
    line.task.await.unwrap();
    assert_eq!(stored(&path).as_deref(), Some("seen 4"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn unacknowledged_batches_never_block_the_link() {
    let dir = temp("many");
    let path = dir.join("state/test.seq");
    let mut line = Line::start(&path).await;
    let n = 3 * MAX_PENDING;
    let mut held = Vec::new();
    for _ in 0..n {
        // each record comes through while every earlier batch is still unacknowledged
        held.push(line.record().await);
    }
    assert_eq!(stored(&path), None);
    // the sink task acknowledges in order
    for b in &mut held[..n / 2] {
        b.acknowledge();
    }
    // the queue kept the first MAX_PENDING - 1 states and coalesced the rest into its
    // newest entry (batch n): the newest safe state it can store now is MAX_PENDING - 1
    let want = format!("seen {}", MAX_PENDING - 1);
    assert_eq!(wait_state(&path, &want).await, Some(want));
    // a state without records waits with the newest batch
    line.send(b".").await;
    for b in &mut held[n / 2..n - 1] {
        b.acknowledge();
    }
    tokio::task::yield_now().await;
    assert_eq!(stored(&path), Some(format!("seen {}", MAX_PENDING - 1)));
    for b in &mut held[n - 1..] {
        b.acknowledge();
    }
    let want = format!("seen {}", n + 1);
    assert_eq!(wait_state(&path, &want).await, Some(want));
    line.stop.send(true).unwrap();
    line.task.await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn checkpoints_queue_stays_bounded_and_stops_at_a_lost_batch() {
    let dir = temp("queue");
    let path = dir.join("x.seq");
    let mut c = Checkpoints::new("test".into(), Some(path.clone()), None);
    let mut senders = Vec::new();
    for i in 1..=(2 * MAX_PENDING) {
        let (tx, rx) = oneshot::channel();
        senders.push(tx);
        c.note(Some(format!("{i}")), Some(rx));
        assert!(c.pending_len() <= MAX_PENDING);
    }
    // acknowledged in order: each of the first ones frees its own state
    let mut senders = senders.into_iter();
    for tx in senders.by_ref().take(3) {
        tx.send(()).unwrap();
    }
    c.collect();
    c.save().await;
    assert_eq!(stored(&path).as_deref(), Some("3"));
    // a batch dropped unacknowledged: nothing after it is ever stored
    drop(senders.next());
    for tx in senders {
        let _ = tx.send(());
    }
    c.collect();
    c.note(Some("late".into()), None);
    c.save().await;
    assert_eq!(stored(&path).as_deref(), Some("3"));
    assert!(!c.waiting());
    std::fs::remove_dir_all(&dir).unwrap();
}
