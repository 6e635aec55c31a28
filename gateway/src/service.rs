//! `albatross run`: builds the links, decoders and sinks from the configuration and runs
//! them until shutdown.
//!
//! Tasks: one per link (transport + archive + decoder), one for the sinks; joined by a
//! bounded channel, so a slow sink slows the links (back-pressure) instead of growing
//! memory. A failing sink is retried with backoff and never drops a batch.

use crate::archive::Archive;
use crate::config::{Carries, Config, Framing, Link};
use crate::links::{Backoff, LinkTask, Transport};
use crate::pipeline::instrument::InstrumentDecoder;
use crate::pipeline::modem::ModemDecoder;
use crate::pipeline::{LinkDecoder, Observation, PlatformMeta};
use crate::sinks::jsonl::JsonlSink;
use crate::sinks::Sink;
use protocol::hostif::{CommandEncoding, LineEnding, Mode};
use protocol::modem_link::ModemLinkConfig;
use protocol::reassembly::ReassemblerConfig;
use protocol::repair::RepairConfig;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

/// Observations in flight between the links and the sinks (batches).
const CHANNEL: usize = 256;

/// The decoder a link needs.
pub fn decoder_for(config: &Config, link: &Link, replay: bool) -> Box<dyn LinkDecoder> {
    let platforms: Vec<Arc<PlatformMeta>> = config
        .platforms
        .iter()
        .map(|p| Arc::new(PlatformMeta::from_config(config, p)))
        .collect();
    let name = link.name.get_ref();
    match link.carries {
        Carries::Modem => {
            let m = &link.modem;
            let line_ending = if link.serial.is_some() {
                LineEnding::Cr
            } else {
                LineEnding::Lf
            };
            let framed = m.framing == Framing::Data;
            let cfg = ModemLinkConfig {
                reassembly: ReassemblerConfig {
                    timeout_ms: i64::from(m.reassembly_timeout_s) * 1000,
                    ..Default::default()
                },
                repair: RepairConfig {
                    grace_ms: i64::from(m.repair_grace_s) * 1000,
                    min_interval_ms: i64::from(m.repair_interval_s) * 1000,
                    retry_ms: i64::from(m.repair_retry_s) * 1000,
                    ..Default::default()
                },
                downlink: m.downlink && !replay,
                command_encoding: CommandEncoding {
                    line_ending,
                    framed,
                },
                mode: if framed { Mode::Data } else { Mode::Command },
                ..Default::default()
            };
            let mine = platforms
                .into_iter()
                .filter(|p| p.id == *link.platform.get_ref())
                .collect();
            Box::new(ModemDecoder::new(name, cfg, mine))
        }
        carries => {
            // validation guarantees the platform and the instrument exist
            let platform = platforms
                .into_iter()
                .find(|p| p.id == *link.platform.get_ref())
                .unwrap_or_else(|| Arc::new(PlatformMeta::unconfigured(None)));
            let serial = link
                .instrument
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_default();
            Box::new(InstrumentDecoder::new(name, carries, platform, &serial))
        }
    }
}

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
pub async fn run_sinks(
    mut sinks: Vec<Box<dyn Sink>>,
    mut rx: mpsc::Receiver<Vec<Observation>>,
    mut observe: impl FnMut(&[Observation]) + Send,
) -> u64 {
    let mut written = 0u64;
    while let Some(batch) = rx.recv().await {
        observe(&batch);
        let batch = Arc::new(batch);
        let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
        let mut pending: Vec<Box<dyn Sink>> = std::mem::take(&mut sinks);
        while !pending.is_empty() {
            let b = batch.clone();
            let result = tokio::task::spawn_blocking(move || {
                let mut failed = Vec::new();
                let mut done = Vec::new();
                for mut s in pending {
                    match s.write(&b) {
                        Ok(()) => done.push(s),
                        Err(e) => {
                            let text = format!("{}: {e}", s.name());
                            failed.push((s, text));
                        }
                    }
                }
                (done, failed)
            })
            .await;
            let Ok((done, failed)) = result else {
                error!(
                    "sink task panicked; batch of {} kept for the next attempt",
                    batch.len()
                );
                pending = Vec::new();
                break;
            };
            sinks.extend(done);
            pending = failed
                .into_iter()
                .map(|(s, text)| {
                    warn!("sink write failed, will retry: {text}");
                    s
                })
                .collect();
            if !pending.is_empty() {
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
        written += batch.len() as u64;
    }
    written
}

/// Runs the gateway of `config` until `shutdown` turns `true` (or, when every link is a
/// replay, until they have all finished). Returns the number of observations stored.
pub async fn run(config: Config, mut shutdown: watch::Receiver<bool>) -> u64 {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let mut sinks = sinks_for(&config);
    let mqtt_task = match crate::sinks::mqtt::start(&config) {
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
    let sink_task = tokio::spawn(run_sinks(sinks, rx, |_| {}));
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
    if let Some(task) = mqtt_task {
        // the sinks are dropped: the publisher drains for up to 2 s, then says offline
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    info!(written, "gateway stopped");
    written
}
