//! `albatross run`: builds the links, decoders and sinks from the configuration and runs
//! them until shutdown.
//!
//! Tasks: one per link (transport + archive + decoder), one for the sinks; joined by a
//! bounded channel, so a slow sink slows the links (back-pressure) instead of growing
//! memory. On that channel, one enrichment task ([`crate::pipeline::enrich`]) adds the
//! derived variables and live QC flags; its per-instrument QC state is stored under
//! `<data>/state/qc/` in step with the sinks and taken back at start ([`qc_state`]). A
//! failing sink is retried with backoff and never drops a batch.

pub mod qc_state;

use crate::archive::Archive;
use crate::config::{Config, Link};
use crate::links::{Backoff, Batch, LinkTask, Transport};
use crate::metrics::Metrics;
use crate::observation::Observation;
use crate::pipeline::factory::decoder_for;
use crate::sinks::jsonl::JsonlSink;
use crate::sinks::Sink;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

/// Observations in flight between the links and the sinks (batches).
const CHANNEL: usize = 256;

fn transport_of(link: &Link) -> Transport {
    if let Some(t) = &link.tcp {
        Transport::Tcp(t.address.get_ref().clone())
    } else if let Some(s) = &link.serial {
        Transport::Serial(s.clone())
    } else if let Some(r) = &link.replay {
        Transport::Replay(r.file.clone(), r.pace == crate::config::Pace::Recorded)
    } else {
        // validation requires exactly one transport
        Transport::Replay(std::path::PathBuf::new(), false)
    }
}

/// The sinks the configuration enables.
pub fn sinks_for(config: &Config) -> Vec<Box<dyn Sink>> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if config.sinks.jsonl.enabled {
        sinks.push(Box::new(JsonlSink::new(&config.jsonl_dir())));
    }
    if config.files.enabled {
        sinks.push(Box::new(crate::sinks::files::FilesSink::new(config)));
    }
    sinks
}

/// Writes every batch to every sink, retrying a failing sink until it succeeds or
/// shutdown; returns the number of observations written when the channel closes.
///
/// Batches are stored one at a time, in the order received (the sinks of one batch in
/// parallel, each in a blocking task), and each is acknowledged to
/// its link ([`Batch::acknowledge`]) only once every sink has stored it: the link moves its
/// state file only then. After a sink was lost (its write panicked), nothing is
/// acknowledged any more, so no link state moves past records that sink never got.
pub async fn run_sinks(
    mut sinks: Vec<Box<dyn Sink>>,
    mut rx: mpsc::Receiver<Batch>,
    mut observe: impl FnMut(&[Observation]) + Send,
) -> u64 {
    let mut written = 0u64;
    let mut lost_sink = false;
    while let Some(mut received) = rx.recv().await {
        let batch = std::mem::take(&mut received.observations);
        observe(&batch);
        let batch = Arc::new(batch);
        let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
        let mut pending: Vec<Box<dyn Sink>> = std::mem::take(&mut sinks);
        while !pending.is_empty() {
            // every sink in its own blocking task, at the same time: the MQTT spool's fsync
            // does not wait for the record files' (live latency), and a panicking sink
            // loses only itself
            let tasks: Vec<_> = pending
                .drain(..)
                .map(|mut s| {
                    let b = batch.clone();
                    tokio::task::spawn_blocking(move || {
                        let r = s.write(&b).map_err(|e| format!("{}: {e}", s.name()));
                        (s, r)
                    })
                })
                .collect();
            for task in tasks {
                match task.await {
                    Ok((s, Ok(()))) => sinks.push(s),
                    Ok((s, Err(text))) => {
                        warn!("sink write failed, will retry: {text}");
                        pending.push(s);
                    }
                    Err(_) => {
                        error!(
                            "sink task panicked: that sink is gone; batch of {} not acknowledged",
                            batch.len()
                        );
                        lost_sink = true;
                    }
                }
            }
            if !pending.is_empty() {
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
        if !lost_sink {
            received.acknowledge();
        }
        written += batch.len() as u64;
    }
    written
}

/// The enrichment stage between the links and the sinks: one task owning `enricher` (the
/// per-instrument QC state) adds derived variables and QC flags to every batch, in arrival
/// order, and passes it on with its acknowledgement through `saver` (which stores the
/// state, [`qc_state`]). Capacity 1, so the links' channel still provides the
/// back-pressure. Ends when the links' channel closes.
fn enrich_stage(
    mut enricher: crate::pipeline::enrich::Enricher,
    mut rx: mpsc::Receiver<Batch>,
    saver: qc_state::Saver,
) -> (mpsc::Receiver<Batch>, tokio::task::JoinHandle<()>) {
    let (tx, out) = mpsc::channel(1);
    let task = tokio::spawn(async move {
        while let Some(mut batch) = rx.recv().await {
            enricher.enrich_all(&mut batch.observations);
            let changed = enricher.take_changed();
            saver.route(&mut batch, changed);
            // the sink task is gone: the batch stays unacknowledged, its link keeps its state
            if tx.send(batch).await.is_err() {
                break;
            }
        }
        let s = enricher.stats();
        info!(
            enriched = s.enriched,
            late = s.late,
            derive_errors = s.derive_errors,
            untracked = s.untracked,
            "enrichment stage stopped"
        );
    });
    (out, task)
}

/// Runs the gateway of `config` until `shutdown` turns `true` (or, when every link is a
/// replay, until they have all finished). Returns the number of observations stored.
pub async fn run(config: Config, mut shutdown: watch::Receiver<bool>) -> u64 {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let metrics = Arc::new(Metrics::default());
    let dashboard = Arc::new(crate::dashboard::Dashboard::from_config(
        &config,
        metrics.clone(),
        crate::dashboard::Source::Gateway,
    ));
    if config.sinks.jsonl.enabled {
        // the last 24 h at once on the page, from the record files
        let seeded = dashboard.seed_from(&config.jsonl_dir());
        info!(samples = seeded, "dashboard filled from the record files");
    }
    let listen = config.http.as_ref().and_then(|h| h.listen_addr());
    let http_task = crate::http::start("gateway", listen, &metrics, &dashboard, &shutdown).await;
    let mut sinks = sinks_for(&config);
    let mqtt_task = match crate::sinks::mqtt::start(&config, metrics.clone()) {
        Ok(Some((sink, task))) => {
            sinks.push(Box::new(sink));
            Some(task)
        }
        Ok(None) => None,
        Err(e) => {
            error!("MQTT sink not started: {e}");
            None
        }
    };
    // derived variables and live QC flags, one state per instrument (pipeline::enrich),
    // continuing from the stored one
    let mut enricher = crate::pipeline::enrich::Enricher::from_config(&config);
    let qc_dir = config.gateway.data_dir.join("state").join("qc");
    qc_state::restore(&qc_dir, &mut enricher);
    let (saver, saver_task) = qc_state::Saver::start(qc_dir);
    let (rx, enrich_task) = enrich_stage(enricher, rx, saver);
    let counted = metrics.clone();
    let sink_task = tokio::spawn(run_sinks(sinks, rx, move |batch| {
        dashboard.observe(batch, crate::clock::now().unix_millis());
        for o in batch {
            let r = &o.record;
            let time = r.time.map(|t| t.unix_millis());
            counted.record(&o.platform.id, r.kind, r.serial.as_deref(), time);
        }
    }));
    let mut links = Vec::new();
    for link in &config.links {
        let transport = transport_of(link);
        let replay = matches!(transport, Transport::Replay(..));
        let archive = config
            .archive
            .enabled
            .then(|| Archive::new(&config.archive_dir(), link.name.get_ref()));
        let task = LinkTask {
            name: link.name.get_ref().as_str().into(),
            transport,
            decoder: decoder_for(&config, link, replay),
            archive,
            out: tx.clone(),
            shutdown: shutdown.clone(),
            metrics: metrics.clone(),
            state_file: (!replay).then(|| {
                config
                    .gateway
                    .data_dir
                    .join("state")
                    .join(format!("{}.seq", link.name.get_ref()))
            }),
        };
        links.push((replay, tokio::spawn(task.run())));
    }
    drop(tx);
    info!(links = links.len(), "gateway running");
    let all_replays = links.iter().all(|(r, _)| *r);
    if all_replays {
        for (_, h) in links {
            let _ = h.await;
        }
    } else {
        while !*shutdown.borrow() {
            if shutdown.changed().await.is_err() {
                break;
            }
        }
        for (_, h) in links {
            let _ = h.await;
        }
    }
    let written = sink_task.await.unwrap_or(0);
    // the last states are stored before the links' last acknowledgements: both are done
    let _ = enrich_task.await;
    let _ = saver_task.await;
    if let Some(task) = mqtt_task {
        // the sinks are dropped: the publisher drains for up to 2 s, then says offline
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    if let Some(task) = http_task {
        task.abort();
    }
    info!(written, "gateway stopped");
    written
}

#[cfg(test)]
mod ack_tests {
    use super::*;
    use crate::observation::PlatformMeta;
    use crate::record::Record;
    use std::sync::mpsc as std_mpsc;
    use tokio::sync::oneshot;

    /// A sink that says when it is entered, then waits to be released; `fail` first
    /// answers an error that many times.
    struct Held {
        entered: mpsc::UnboundedSender<()>,
        release: std_mpsc::Receiver<()>,
        fail: usize,
    }

    impl Sink for Held {
        fn name(&self) -> &str {
            "held"
        }
        fn write(&mut self, _batch: &[Observation]) -> std::io::Result<()> {
            let _ = self.entered.send(());
            let _ = self.release.recv();
            if self.fail > 0 {
                self.fail -= 1;
                return Err(std::io::Error::other("disk full"));
            }
            Ok(())
        }
    }

    fn batch() -> (Batch, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let o = Observation {
            record: Record::new("test", None, None),
            platform: Arc::new(PlatformMeta::unconfigured(None)),
            instrument: None,
            link: "test".into(),
        };
        (
            Batch {
                observations: vec![o],
                stored: Some(tx),
            },
            rx,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_is_acknowledged_only_once_every_sink_stored_it() {
        let (entered_tx, mut entered) = mpsc::unbounded_channel();
        let (release, release_rx) = std_mpsc::channel();
        let held = Held {
            entered: entered_tx,
            release: release_rx,
            fail: 1,
        };
        let quick = crate::sinks::jsonl::JsonlSink::new(
            &std::env::temp_dir().join(format!("albatross-ack-{}", std::process::id())),
        );
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(run_sinks(vec![Box::new(quick), Box::new(held)], rx, |_| {}));
        let (b1, mut ack1) = batch();
        let (b2, mut ack2) = batch();
        tx.send(b1).await.unwrap();
        tx.send(b2).await.unwrap();

        // the held sink is writing batch 1 (the other sink has stored it): no ack yet
        entered.recv().await.unwrap();
        assert!(ack1.try_recv().is_err());
        // it fails: still no ack; it is retried
        release.send(()).unwrap();
        entered.recv().await.unwrap();
        assert!(ack1.try_recv().is_err());
        assert!(ack2.try_recv().is_err());
        release.send(()).unwrap();
        ack1.await
            .expect("batch 1 acknowledged once stored everywhere");
        // batch 2 waits for its own write
        entered.recv().await.unwrap();
        assert!(ack2.try_recv().is_err());
        release.send(()).unwrap();
        ack2.await.expect("batch 2 acknowledged");
        drop(tx);
        assert_eq!(task.await.unwrap(), 2);
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("albatross-ack-{}", std::process::id())),
        );
    }

    struct Panics;

    impl Sink for Panics {
        fn name(&self) -> &str {
            "panics"
        }
        fn write(&mut self, _batch: &[Observation]) -> std::io::Result<()> {
            panic!("a sink bug (expected in this test)")
        }
    }

    #[tokio::test]
    async fn after_a_sink_is_lost_nothing_is_acknowledged() {
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(run_sinks(vec![Box::new(Panics)], rx, |_| {}));
        let (b1, ack1) = batch();
        let (b2, ack2) = batch();
        tx.send(b1).await.unwrap();
        tx.send(b2).await.unwrap();
        drop(tx);
        task.await.unwrap();
        assert!(ack1.await.is_err(), "batch 1 never stored");
        assert!(
            ack2.await.is_err(),
            "batch 2 stored by no sink of the configuration"
        );
    }
}
