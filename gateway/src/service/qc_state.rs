//! The live QC state on disk (`<data>/state/qc/<platform>/<serial>.json`, one
//! [`SavedInstrument`] each), kept in step with the sinks and the link checkpoints so that a
//! restart of `albatross run`, even by SIGKILL, flags every new record as one run would.
//!
//! **When a state is stored.** The enrichment stage hands over, with each batch, the states
//! that batch changed; they are stored once the sinks acknowledged the batch, and only then
//! is the acknowledgement passed on to the link (which moves its checkpoint on it,
//! [`crate::links::checkpoint`]). So at any moment, link checkpoint ≤ QC state ≤ records
//! stored (each "covers the records up to"), and after a SIGKILL anywhere:
//! - the link re-decodes from its checkpoint. Records up to the QC state's newest were stored
//!   already: they come again as duplicates and, not newer than the state, get the point
//!   tests only (what one run gives a duplicate). Records after it (stored, or never) go
//!   through the sequence tests again in their order, so the state reaches exactly the one of
//!   a continuous run before the first new record arrives;
//! - a state stored *ahead* of the sinks (at enrichment) could not give that: a record
//!   enriched, then lost by the kill before any sink stored it, would come back "late" and be
//!   stored with its sequence tests not evaluated. A state stored *after* the link's
//!   checkpoint could miss records that are never re-decoded, and flag the next ones against
//!   a gap.
//!
//! The stage never waits for a store: it goes on enriching, and the saver coalesces the
//! states of every batch acknowledged meanwhile into one write per instrument
//! ([`crate::durable::replace`], in a blocking task). What waits is the link's checkpoint,
//! by one such write. A failed write is retried with the next batch; the acknowledgement
//! still goes on (a link's checkpoint matters more than its QC state: the flags of a few
//! records after the next restart may then differ, and a warning says so).
//!
//! Only instruments of batches from links that keep a checkpoint are stored (a replay link
//! reads its file from the start again at each run, and one run flags it afresh), and only
//! those whose platform id and serial are safe file names as they are ([`names::is_kept_as_is`]).
//! An unreadable file is a warning and a fresh start for that instrument.

use crate::durable;
use crate::links::Batch;
use crate::names;
use crate::pipeline::enrich::{Enricher, SavedInstrument};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

/// The file of one instrument's state under `dir`, or `None` when its platform id or serial
/// would not be a file name as it is.
pub fn file_of(dir: &Path, platform: &str, serial: &str) -> Option<PathBuf> {
    (names::is_kept_as_is(platform) && names::is_kept_as_is(serial))
        .then(|| dir.join(platform).join(format!("{serial}.json")))
}

/// Takes back into `enricher` every state stored under `dir`; returns how many. A file that
/// cannot be read, parsed, or does not belong where it lies is skipped with a warning.
pub fn restore(dir: &Path, enricher: &mut Enricher) -> usize {
    let Ok(platforms) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut restored = 0;
    for platform in platforms.flatten() {
        let Ok(files) = std::fs::read_dir(platform.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let saved = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| SavedInstrument::from_json(&t).map_err(|e| e.to_string()));
            match saved {
                Ok(s) if file_of(dir, &s.platform, &s.serial).as_deref() == Some(&*path) => {
                    if enricher.resume(&s) {
                        restored += 1;
                    } else {
                        warn!(file = %path.display(), "too many instruments: QC state not taken back");
                    }
                }
                Ok(_) => {
                    warn!(file = %path.display(), "QC state of another instrument: ignored, fresh start");
                }
                Err(e) => {
                    warn!(file = %path.display(), error = %e, "QC state unreadable: fresh start for that instrument");
                }
            }
        }
    }
    if restored > 0 {
        info!(instruments = restored, "live QC state restored");
    }
    restored
}

/// One batch on its way to the sinks, as the saver sees it.
struct InFlight {
    /// Fired by the sinks once they stored the batch.
    stored: oneshot::Receiver<()>,
    /// The states the batch changed.
    changed: Vec<SavedInstrument>,
    /// The link's acknowledgement, passed on once the states are stored.
    link: oneshot::Sender<()>,
}

/// The saver's end of the enrichment stage: created with [`Saver::start`], fed each batch
/// with [`Saver::route`].
pub struct Saver {
    tx: mpsc::UnboundedSender<InFlight>,
}

impl Saver {
    /// Starts the task storing states under `dir`; it ends once the `Saver` is dropped and
    /// every batch routed through it was stored or dropped by the sinks.
    pub fn start(dir: PathBuf) -> (Saver, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Saver { tx }, tokio::spawn(save_loop(dir, rx)))
    }

    /// Routes `batch`, which changed the states `changed`, through the saver: its
    /// acknowledgement reaches its link only once those states are stored. A batch of a
    /// link without checkpoint passes unchanged and its states are not stored.
    pub fn route(&self, batch: &mut Batch, changed: Vec<SavedInstrument>) {
        let Some(link) = batch.stored.take() else {
            return;
        };
        let (tx, stored) = oneshot::channel();
        batch.stored = Some(tx);
        let inflight = InFlight {
            stored,
            changed,
            link,
        };
        // the saver stopped (it cannot before this end is dropped): the link's
        // acknowledgement is dropped with it, and its checkpoint stays (a safe place)
        let _ = self.tx.send(inflight);
    }
}

/// Waits for each batch's acknowledgement in order, stores the states of all the batches
/// acknowledged so far, then passes their acknowledgements on.
async fn save_loop(dir: PathBuf, mut rx: mpsc::UnboundedReceiver<InFlight>) {
    let mut queue: VecDeque<InFlight> = VecDeque::new();
    let mut unsaved: BTreeMap<(String, String), SavedInstrument> = BTreeMap::new();
    let mut unsafe_names: BTreeSet<(String, String)> = BTreeSet::new();
    loop {
        while let Ok(f) = rx.try_recv() {
            queue.push_back(f);
        }
        let Some(mut front) = queue.pop_front() else {
            match rx.recv().await {
                Some(f) => {
                    queue.push_back(f);
                    continue;
                }
                None => return,
            }
        };
        if (&mut front.stored).await.is_err() {
            // a sink never stored it: nothing is acknowledged any more (as run_sinks does),
            // the states and the links' checkpoints stay at the last stored batch
            warn!("a batch was not stored by every sink: the live QC state stays at the last stored one");
            return;
        }
        let mut acked = vec![front];
        while let Some(next) = queue.front_mut() {
            if next.stored.try_recv().is_err() {
                break;
            }
            acked.extend(queue.pop_front());
        }
        let mut links = Vec::with_capacity(acked.len());
        for f in acked {
            for s in f.changed {
                unsaved.insert((s.platform.clone(), s.serial.clone()), s);
            }
            links.push(f.link);
        }
        let writes: Vec<(PathBuf, String)> = unsaved
            .values()
            .filter_map(|s| match file_of(&dir, &s.platform, &s.serial) {
                Some(path) => Some((path, s.to_json())),
                None => {
                    if unsafe_names.insert((s.platform.clone(), s.serial.clone())) {
                        warn!(platform = %s.platform, serial = %s.serial, "serial not usable as a file name: its live QC state is not stored");
                    }
                    None
                }
            })
            .collect();
        let stored = tokio::task::spawn_blocking(move || {
            writes
                .iter()
                .try_for_each(|(path, text)| durable::replace(path, text.as_bytes()))
        })
        .await;
        match stored {
            Ok(Ok(())) => unsaved.clear(),
            Ok(Err(e)) => {
                warn!(error = %e, "cannot store the live QC state (tried again with the next batch)")
            }
            Err(e) => {
                warn!(error = %e, "live QC state task failed (tried again with the next batch)")
            }
        }
        for link in links {
            // the link may have gone: nothing to do
            let _ = link.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::enrich::FORMAT;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("albatross-qcstate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn state(serial: &str, newest_ms: i64) -> SavedInstrument {
        SavedInstrument {
            format: FORMAT,
            platform: "albatross".into(),
            serial: serial.into(),
            newest_ms,
            variables: BTreeMap::from([(
                "temperature_c".to_owned(),
                vec![(newest_ms - 1_800_000, Some(13.2)), (newest_ms, None)],
            )]),
        }
    }

    fn batch() -> (Batch, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let b = Batch {
            observations: Vec::new(),
            stored: Some(tx),
        };
        (b, rx)
    }

    #[tokio::test]
    async fn states_are_stored_after_the_sinks_and_before_the_link_hears_of_it() {
        let dir = temp("order");
        let (saver, task) = Saver::start(dir.clone());
        let (mut b1, mut link1) = batch();
        let (mut b2, link2) = batch();
        saver.route(&mut b1, vec![state("3725001", 1_000_000_000)]);
        saver.route(
            &mut b2,
            vec![state("3725001", 1_001_800_000), state("bad/serial", 1)],
        );
        let file = dir.join("albatross/3725001.json");
        tokio::task::yield_now().await;
        assert!(
            link1.try_recv().is_err() && !file.exists(),
            "not stored by the sinks yet"
        );
        b1.acknowledge();
        link1.await.expect("acknowledged once stored");
        let saved = SavedInstrument::from_json(&std::fs::read_to_string(&file).unwrap());
        assert_eq!(saved.unwrap(), state("3725001", 1_000_000_000));
        b2.acknowledge();
        link2.await.unwrap();
        let saved = SavedInstrument::from_json(&std::fs::read_to_string(&file).unwrap());
        assert_eq!(saved.unwrap().newest_ms, 1_001_800_000);
        // a batch of a link without checkpoint passes as it is
        let mut b3 = Batch {
            observations: Vec::new(),
            stored: None,
        };
        saver.route(&mut b3, vec![state("3725002", 1)]);
        assert!(b3.stored.is_none());
        drop(saver);
        task.await.unwrap();
        let mut names: Vec<_> = std::fs::read_dir(dir.join("albatross"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["3725001.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_batch_the_sinks_never_stored_moves_nothing() {
        let dir = temp("dropped");
        let (saver, task) = Saver::start(dir.clone());
        let (mut b, link) = batch();
        saver.route(&mut b, vec![state("3725001", 1)]);
        drop(b);
        drop(saver);
        task.await.unwrap();
        assert!(link.await.is_err());
        assert!(!dir.exists());
    }

    #[test]
    fn restore_takes_back_good_files_and_skips_the_rest() {
        let dir = temp("restore");
        let good = state("3725001", 1_000_000_000);
        durable::replace(
            &dir.join("albatross/3725001.json"),
            good.to_json().as_bytes(),
        )
        .unwrap();
        durable::replace(&dir.join("albatross/3725002.json"), b"{not json").unwrap();
        // a state lying under another instrument's name
        durable::replace(
            &dir.join("albatross/3725003.json"),
            good.to_json().as_bytes(),
        )
        .unwrap();
        let mut e = Enricher::new(Default::default());
        assert_eq!(restore(&dir, &mut e), 1);
        assert_eq!(restore(&dir.join("absent"), &mut e), 0);
        assert_eq!(file_of(&dir, "albatross", "../x"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
