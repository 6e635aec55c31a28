//! Two `albatross writer`s in one MQTT 5 shared-subscription group on a real mosquitto 2
//! (tests/common/mosquitto.rs), one of them SIGKILLed while records flow:
//!
//! - (a) the dead member is restarted with its client id and its directory: it gets what its
//!   persistent session queued, and the group's files hold every record exactly once;
//! - (c) the dead member never returns: after `[writer] takeover_after_s` the survivor
//!   stands in for it (writer/standin.rs), drains what its session queued and deletes the
//!   session; the group's files hold every record exactly once, with nothing published
//!   again;
//! - (b) without a stand-in, the dead member never returns, and its session expires (`[writer]
//!   session_expiry_s`): from then on the survivor gets every record, but what mosquitto had
//!   queued for the dead member is gone (measured, then filled again from the publisher, as
//!   an operator would from the gateway's own files), and again every record is stored
//!   exactly once.
//!
//! What mosquitto 2.0 does, measured here (docs/mqtt.md §6): it hands the messages of a
//! share group round-robin to every member that has a session, connected or not, so while a
//! member with a persistent session is dead about half the traffic is queued for it, not
//! given to the survivor; when a member's session expires, mosquitto drops what it had
//! queued for it (no redistribution to the group).
//!
//! The records are published by the test as the gateway does (common/writer.rs), paced, from
//! a thread, so the kill lands in the middle of the flow. No wall-clock limits: the waits
//! are hang guards.

mod common;
use common::mosquitto::Mosquitto;
use common::writer::*;
use common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pause between two records of the paced publisher (a day of ≈ 390 records in ≈ 8 s, so
/// the kill and the session expiry fall in the middle of the flow).
const PACE: Duration = Duration::from_millis(20);

/// One member of the share group `writers`: its directory (`<dir>/w<i>`, store in
/// `w<i>/writer`), configuration and log.
struct Member {
    dir: PathBuf,
    config: PathBuf,
}

impl Member {
    /// Writes member `i`'s configuration: client id `writer-<i>`, share group `writers`, the
    /// broker `broker`, and `extra` lines in `[writer]`.
    fn new(dir: &Path, i: usize, broker: &Mosquitto, extra: &str) -> Self {
        let d = dir.join(format!("w{i}"));
        std::fs::create_dir_all(&d).unwrap();
        let path = config(&d, "[link.tcp]\naddress = \"127.0.0.1:9\"");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!(
            "\n[sinks.mqtt]\naddress = \"{}\"\n\n[writer]\ndir = {:?}\nclient_id = \"writer-{i}\"\nshare_group = \"writers\"\n{extra}\n",
            broker.address(),
            d.join("writer").display().to_string()
        ));
        std::fs::write(&path, text).unwrap();
        Member {
            dir: d,
            config: path,
        }
    }

    fn start(&self) -> Proc {
        start_writer(&self.config, &self.dir, "writer.log")
    }

    /// The `sbe37` records it stored (canonical form, with how often).
    fn stored(&self) -> BTreeMap<String, usize> {
        writer_sbe37(&self.dir)
    }

    fn log(&self) -> String {
        log_text(&self.dir.join("writer.log"))
    }

    /// Waits (hang guard 30 s) until its log says `subscribed` `n` times.
    fn wait_subscribed(&self, n: usize) {
        let t0 = Instant::now();
        while self.log().matches("subscribed (QoS 1)").count() < n {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "writer in {} never subscribed:\n{}",
                self.dir.display(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until its store has not grown for 1.5 s (hang guard 30 s); returns its size.
    fn settled(&self) -> usize {
        let t0 = Instant::now();
        let mut last = (self.stored().len(), Instant::now());
        while t0.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(100));
            let n = self.stored().len();
            if n != last.0 {
                last = (n, Instant::now());
            } else if last.1.elapsed() >= Duration::from_millis(1500) {
                break;
            }
        }
        last.0
    }
}

/// The records of both members together, with how often each was stored.
fn union(members: &[&Member]) -> BTreeMap<String, usize> {
    let mut u: BTreeMap<String, usize> = BTreeMap::new();
    for m in members {
        for (k, n) in m.stored() {
            *u.entry(k).or_default() += n;
        }
    }
    u
}

/// Publishes `truth` from a thread, one record every [`PACE`]; `progress` counts the
/// records published (PUBACK received). Before record `hold_at` it waits until `gate` is
/// set. Returns, per record, when its PUBACK came.
fn paced_publisher(
    broker: &Mosquitto,
    truth: Vec<String>,
    progress: Arc<AtomicUsize>,
    hold_at: usize,
    gate: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<Instant>> {
    let mut p = Publisher::connect(broker);
    std::thread::spawn(move || {
        let mut at = Vec::with_capacity(truth.len());
        for (i, line) in truth.iter().enumerate() {
            if i == hold_at {
                let t0 = Instant::now();
                // hang guard: the gate is the main thread's, which fails first
                while !gate.load(Ordering::SeqCst) && t0.elapsed() < Duration::from_secs(120) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            p.publish_record(line);
            at.push(Instant::now());
            progress.store(i + 1, Ordering::SeqCst);
            std::thread::sleep(PACE);
        }
        at
    })
}

/// Starts both members and waits until each has subscribed.
fn start_both(w1: &Member, w2: &Member) -> (Proc, Proc) {
    let (p1, p2) = (w1.start(), w2.start());
    w1.wait_subscribed(1);
    w2.wait_subscribed(1);
    (p1, p2)
}

/// A day (`truth_day(seed)`) published by [`paced_publisher`], its last quarter held until
/// `gate` is set, so that some of the flow comes after the event the test waits for
/// whatever the machine's speed; the kill is due after the first quarter (`kill_at`).
struct HeldFlow {
    truth: Vec<String>,
    want: BTreeMap<String, usize>,
    n: usize,
    kill_at: usize,
    hold_at: usize,
    progress: Arc<AtomicUsize>,
    gate: Arc<AtomicBool>,
    publisher: std::thread::JoinHandle<Vec<Instant>>,
}

impl HeldFlow {
    fn start(broker: &Mosquitto, seed: u64) -> Self {
        let truth = truth_day(seed);
        let want = multiset(&truth);
        assert_eq!(want.len(), truth.len(), "one sbe37 record per truth line");
        let n = truth.len();
        let hold_at = 3 * n / 4;
        let progress = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(AtomicBool::new(false));
        let publisher = paced_publisher(
            broker,
            truth.clone(),
            progress.clone(),
            hold_at,
            gate.clone(),
        );
        HeldFlow {
            truth,
            want,
            n,
            kill_at: n / 4,
            hold_at,
            progress,
            gate,
            publisher,
        }
    }
}

/// Writer-2 SIGKILLed a quarter of the way through a [`HeldFlow`]: per member [w1, w2] the
/// records stored just before and just after, when, and how far the flow had gone.
struct Kill {
    before: (usize, usize),
    at: Instant,
    published: usize,
    after: (usize, usize),
}

impl HeldFlow {
    /// Waits until the flow reaches `kill_at`, then SIGKILLs writer-2 (`p2`).
    fn kill_w2(&self, w1: &Member, w2: &Member, p2: Proc) -> Kill {
        wait_progress(&self.progress, self.kill_at);
        let before = (w1.stored().len(), w2.stored().len());
        kill9(p2.take());
        let at = Instant::now();
        let published = self.progress.load(Ordering::SeqCst);
        let after = (w1.stored().len(), w2.stored().len());
        Kill {
            before,
            at,
            published,
            after,
        }
    }

    /// Waits until `log()` holds `needle` (see [`wait_logged`]), then lets the held last
    /// quarter go and waits for the publisher: how long after `kill` the line came, how far
    /// the flow had gone by then, and each record's publication time.
    fn release_when_logged(
        self,
        kill: &Kill,
        log: impl Fn() -> String,
        needle: &str,
        never: &str,
    ) -> (Duration, usize, Vec<Instant>) {
        wait_logged(log, needle, never);
        let seen = kill.at.elapsed();
        let published = self.progress.load(Ordering::SeqCst);
        self.gate.store(true, Ordering::SeqCst);
        let at = self.publisher.join().unwrap();
        (seen, published, at)
    }
}

/// Waits (hang guard 60 s, failing with `never` and the log) until `log()` holds `needle`.
fn wait_logged(log: impl Fn() -> String, needle: &str, never: &str) {
    let t0 = Instant::now();
    while !log().contains(needle) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "{never}:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the `members` together hold every key of `want` (hang guard 60 s: the
/// assertions that follow say what is missing).
fn wait_group_holds(want: &BTreeMap<String, usize>, members: &[&Member]) {
    let t0 = Instant::now();
    loop {
        let u = union(members);
        if want.keys().all(|key| u.contains_key(key)) || t0.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits (hang guard 60 s) until `progress` reaches `n`.
fn wait_progress(progress: &AtomicUsize, n: usize) {
    let t0 = Instant::now();
    while progress.load(Ordering::SeqCst) < n {
        assert!(t0.elapsed() < Duration::from_secs(60), "publisher stuck");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The canonical key of each of `lines` (one JSON record each), in order.
fn keys(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| canonical(&serde_json::from_str(l).unwrap()))
        .collect()
}

/// Asserts every truth record is stored by exactly one member, exactly once.
fn assert_group_exactly_once(
    want: &BTreeMap<String, usize>,
    members: &[&Member],
) -> BTreeMap<String, usize> {
    let got = union(members);
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let twice = got.values().filter(|&&n| n > 1).count();
    let parts: Vec<usize> = members.iter().map(|m| m.stored().len()).collect();
    assert!(
        missing == 0 && extra == 0 && twice == 0,
        "{} expected, {} stored by the group {parts:?}: {missing} missing, {extra} extra, {twice} stored twice (within a member or by both)\n{}",
        want.len(),
        got.len(),
        members.iter().map(|m| m.log()).collect::<Vec<_>>().join("\n")
    );
    assert!(want.len() >= 300, "only {} truth records", want.len());
    got
}

// ---------------------------------------------------------------- (a)

/// A member is SIGKILLed mid-flow; the survivor keeps storing; about half of what is
/// published meanwhile waits in the dead member's session (mosquitto 2 keeps handing it
/// its share); the dead member restarted with the same client id and directory gets that
/// queue; together they hold every record exactly once.
#[test]
fn a_killed_member_restarted_gets_what_its_session_queued() {
    let dir = temp_dir("mqtt-failover-a");
    let mut broker = start_broker(&dir);
    let w1 = Member::new(&dir, 1, &broker, "");
    let w2 = Member::new(&dir, 2, &broker, "");
    let p1 = w1.start();
    let p2 = w2.start();
    w1.wait_subscribed(1);
    w2.wait_subscribed(1);

    let truth = truth_day(41);
    let want = multiset(&truth);
    assert_eq!(want.len(), truth.len(), "one sbe37 record per truth line");
    let n = truth.len();
    let kill_at = n / 3;
    let progress = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(AtomicBool::new(true));
    let publisher = paced_publisher(&broker, truth.clone(), progress.clone(), n, gate);

    wait_progress(&progress, kill_at);
    let before = (w1.stored().len(), w2.stored().len());
    kill9(p2.take());
    let t_kill = Instant::now();
    let published_at_kill = progress.load(Ordering::SeqCst);
    let after_kill = (w1.stored().len(), w2.stored().len());

    // while w2 is dead: the survivor's count grows
    let mut first_after_kill = None;
    while progress.load(Ordering::SeqCst) < n {
        if first_after_kill.is_none() && w1.stored().len() > after_kill.0 {
            first_after_kill = Some(t_kill.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let at = publisher.join().unwrap();
    let survivor_dead_end = w1.settled();
    let w1_keys = w1.stored();
    let w2_keys_dead = w2.stored();
    let k = keys(&truth);
    let queued_for_dead = k[published_at_kill..]
        .iter()
        .filter(|key| !w1_keys.contains_key(*key))
        .count();
    let unstored_before_kill = k[..published_at_kill]
        .iter()
        .filter(|key| !w1_keys.contains_key(*key) && !w2_keys_dead.contains_key(*key))
        .count();

    // the operator restarts it (same client id, same directory: on its machine, or on
    // another one that sees its directory)
    let t_restart = Instant::now();
    let p2 = w2.start();
    wait_group_holds(&want, &[&w1, &w2]);
    let drained = t_restart.elapsed();
    stop(p1.take());
    stop(p2.take());

    let got = assert_group_exactly_once(&want, &[&w1, &w2]);
    let (s1, s2) = (w1.stored(), w2.stored());
    assert!(
        s1.keys().all(|key| !s2.contains_key(key)),
        "a record stored by both members"
    );
    assert!(
        survivor_dead_end > after_kill.0,
        "the survivor stored nothing while the other member was dead ({after_kill:?} at the kill)"
    );
    // mosquitto 2.0 keeps giving the dead member its share (docs/mqtt.md §6): if this
    // changes, the documentation must change with it
    assert!(
        queued_for_dead > 0,
        "nothing was queued for the dead member: mosquitto now redistributes (update docs/mqtt.md §6)"
    );
    assert!(
        s2.len() >= w2_keys_dead.len() + queued_for_dead,
        "the restarted member got its queue"
    );
    let log2 = w2.log();
    assert!(
        log2.contains("the broker kept our session"),
        "the restarted member resumed its session:\n{log2}"
    );
    for m in [&w1, &w2] {
        assert!(m.log().contains("$share/writers/emso/"));
        assert!(m.log().contains("mqtt=5"));
    }
    let published_dead = n - published_at_kill;
    eprintln!(
        "(a) {n} records, {PACE:?} apart ({:.1} s of publishing); w2 SIGKILLed after {published_at_kill} published",
        (at[n - 1] - at[0]).as_secs_f64()
    );
    eprintln!(
        "(a) per member [w1, w2]: {before:?} when the kill was decided, {after_kill:?} right after it, [{survivor_dead_end}, {}] at the end of the flow with w2 dead, [{}, {}] at the end",
        w2_keys_dead.len(),
        s1.len(),
        s2.len()
    );
    eprintln!(
        "(a) while w2 was dead: {published_dead} published, {} stored by w1, {queued_for_dead} queued for w2's session ({:.0} %); {unstored_before_kill} published before the kill were stored by neither then (in flight to w2); first record stored by w1 {:?} after the kill",
        survivor_dead_end - after_kill.0,
        100.0 * queued_for_dead as f64 / published_dead as f64,
        first_after_kill
    );
    eprintln!(
        "(a) w2 restarted: the group held every record {drained:?} after the restart; {} records, each stored once",
        got.len()
    );
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- (b)

/// Both members with `session_expiry_s = 2`: a member is SIGKILLed mid-flow and never
/// returns. Until its session expires mosquitto still hands it its share (queued for the
/// dead session); at expiry mosquitto drops that queue and from then on the survivor gets
/// every record. The dropped records are published again (the operator's gap fill from the
/// gateway's files) and the group then holds every record exactly once; the dead member,
/// if it comes back after its session expired, warns that the broker had no session.
#[test]
fn b_a_member_that_never_returns_its_session_expires_and_the_survivor_takes_over() {
    let dir = temp_dir("mqtt-failover-b");
    let mut broker = start_broker(&dir);
    // no stand-in: this is what a session expiry alone does
    let w1 = Member::new(
        &dir,
        1,
        &broker,
        "session_expiry_s = 2\ntakeover_after_s = 0",
    );
    let w2 = Member::new(
        &dir,
        2,
        &broker,
        "session_expiry_s = 2\ntakeover_after_s = 0",
    );
    let (p1, p2) = start_both(&w1, &w2);
    let flow = HeldFlow::start(&broker, 42);
    let (truth, want, n, hold_at) = (flow.truth.clone(), flow.want.clone(), flow.n, flow.hold_at);
    let kill = flow.kill_w2(&w1, &w2, p2);
    let Kill {
        before,
        at: t_kill,
        published: published_at_kill,
        after: after_kill,
    } = kill;
    // mosquitto logs the end of the session
    let (expiry_seen, published_at_expiry, at) = flow.release_when_logged(
        &kill,
        || broker.log(),
        "Expiring client writer-2",
        "mosquitto never expired writer-2's session",
    );
    let survivor_end = w1.settled();
    let s1 = w1.stored();
    let s2_dead = w2.stored();
    let k = keys(&truth);

    // which records of the flow after the kill the survivor lacks: the dead session's share
    let lacking: Vec<usize> = (published_at_kill..n)
        .filter(|&i| !s1.contains_key(&k[i]))
        .collect();
    let takeover = lacking.last().map_or(published_at_kill, |&i| i + 1);
    let time_to_takeover = at
        .get(takeover)
        .map(|t| t.saturating_duration_since(t_kill));
    let unstored_before_kill = (0..published_at_kill)
        .filter(|&i| !s1.contains_key(&k[i]) && !s2_dead.contains_key(&k[i]))
        .count();
    assert!(
        !lacking.is_empty(),
        "the survivor got every record after the kill: mosquitto now redistributes (update docs/mqtt.md §6)"
    );
    assert!(
        takeover < n,
        "the survivor never took over: {} of the last records lacking",
        lacking.len()
    );
    assert!(
        n - takeover >= n - hold_at,
        "records published after the expiry all reached the survivor (takeover at {takeover}, expiry seen at {published_at_expiry})"
    );
    assert!(
        survivor_end > after_kill.0,
        "the survivor stored nothing while the other member was dead"
    );

    // the gap: what the broker dropped with the expired session is published again
    let missing: Vec<String> = (0..n)
        .filter(|&i| !s1.contains_key(&k[i]) && !s2_dead.contains_key(&k[i]))
        .map(|i| truth[i].clone())
        .collect();
    let mut p = Publisher::connect(&broker);
    for line in &missing {
        p.publish_record(line);
    }
    wait_for(&w1.dir, &multiset(&missing), Duration::from_secs(30));

    // the dead member comes back after all: its session is gone, it says so
    let p2 = w2.start();
    // its log is appended to: the first run subscribed once already
    w2.wait_subscribed(2);
    stop(p1.take());
    stop(p2.take());
    let got = assert_group_exactly_once(&want, &[&w1, &w2]);
    let log2 = w2.log();
    assert!(
        log2.contains("the broker has no session for us"),
        "the returning member warns that its session is gone:\n{log2}"
    );
    eprintln!(
        "(b) {n} records, {PACE:?} apart; session_expiry_s = 2; w2 SIGKILLed after {published_at_kill} published; per member [w1, w2] {before:?} when the kill was decided, {after_kill:?} right after it, [{survivor_end}, {}] at the end of the flow",
        s2_dead.len()
    );
    eprintln!(
        "(b) mosquitto expired w2's session {expiry_seen:?} after the kill ({} records published by then); {} records queued for the dead session and dropped with it ({} published before the kill and in flight to w2); the survivor got every record from record {takeover} on, {time_to_takeover:?} after the kill ({} records)",
        published_at_expiry - published_at_kill,
        lacking.len(),
        unstored_before_kill,
        n - takeover
    );
    eprintln!(
        "(b) {} records published again (gap fill); the group then held {} records, each once",
        missing.len(),
        got.len()
    );
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- (c)

/// Both members with `takeover_after_s = 2` and persistent sessions: a member is SIGKILLed
/// mid-flow and never returns. Its will says it is offline; 2 s later the survivor stands in
/// for it, drains the records mosquitto queued in its session into the dead member's store
/// (`member_dirs`: what it had stored but not acknowledged at the kill is recognised),
/// deletes the session, and from then on gets every record. Nothing is published again, and every record is stored
/// exactly once by the group.
#[test]
fn c_a_member_that_never_returns_gets_a_stand_in_and_nothing_is_lost() {
    let dir = temp_dir("mqtt-failover-c");
    let mut broker = start_broker(&dir);
    // w1 reaches w2's store (one machine here; a shared file system in production)
    let w2_store = dir.join("w2").join("writer");
    let w1 = Member::new(
        &dir,
        1,
        &broker,
        &format!(
            "takeover_after_s = 2\nmember_dirs = {{ writer-2 = {:?} }}",
            w2_store.display().to_string()
        ),
    );
    let w2 = Member::new(&dir, 2, &broker, "takeover_after_s = 2");
    let (p1, p2) = start_both(&w1, &w2);
    let flow = HeldFlow::start(&broker, 43);
    let (truth, want, n) = (flow.truth.clone(), flow.want.clone(), flow.n);
    let kill = flow.kill_w2(&w1, &w2, p2);
    let (published_at_kill, after_kill) = (kill.published, kill.after);
    let (took, published_at_drain, _) = flow.release_when_logged(
        &kill,
        || w1.log(),
        "its session is drained and deleted",
        "the survivor never stood in for writer-2",
    );
    wait_group_holds(&want, &[&w1, &w2]);
    let survivor_end = w1.settled();
    stop(p1.take());
    let got = assert_group_exactly_once(&want, &[&w1, &w2]);
    let log1 = w1.log();
    assert!(
        log1.contains("standing in for it") && log1.contains("w2/writer/albatross-writer.lock"),
        "the survivor says it stands in, into w2's store:\n{log1}"
    );
    let messages: u64 = log1
        .lines()
        .find(|l| l.contains("its session is drained and deleted"))
        .and_then(|l| l.split("messages=").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(
        messages > 0,
        "the stand-in drained nothing: mosquitto queued nothing for the dead member (update docs/mqtt.md §6)\n{log1}"
    );
    // the session is gone: the broker no longer hands the dead member a share, so every
    // record published after the drain is the survivor's
    let s1 = w1.stored();
    let k = keys(&truth);
    let not_survivors = (published_at_drain..n)
        .filter(|&i| !s1.contains_key(&k[i]))
        .count();
    assert_eq!(
        not_survivors, 0,
        "records published after the drain that did not reach the survivor"
    );
    eprintln!(
        "(c) {n} records, {PACE:?} apart; takeover_after_s = 2; w2 SIGKILLed after {published_at_kill} published; [w1, w2] {after_kill:?} right after the kill"
    );
    eprintln!(
        "(c) w1 stood in for w2 and deleted its session {took:?} after the kill ({} records published by then): {messages} messages drained from w2's session into w2's store; [{survivor_end}, {}] stored at the end, {} records, each once, none published again",
        published_at_drain - published_at_kill,
        w2.stored().len(),
        got.len()
    );
    // the broker autosaves into the directory every second: stop it first
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
