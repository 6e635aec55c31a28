//! Link tasks: the thin tokio layer that moves bytes between a transport (TCP, serial
//! port, capture replay), the raw archive and a [`LinkDecoder`], and hands observations
//! to the sinks through a bounded channel.
//!
//! A live link reconnects (TCP) or reopens (serial) with exponential backoff when its
//! transport fails or the device disappears, forever, until shutdown. Every byte read is
//! archived (and synced) before the decoder sees it.
//!
//! A live link keeps its decoder's state across restarts (`<data>/state/<link>.seq`), and
//! moves that file only to a state whose observations every sink has stored
//! ([`checkpoint`]): a SIGKILL at any moment loses no record, it may only decode a few again.

mod backoff;
pub mod checkpoint;
mod replay;

pub use backoff::Backoff;
pub use checkpoint::Batch;
pub use replay::{feed_capture, replay_capture};

use crate::archive::Archive;
use crate::clock::now;
use crate::config::{Parity, SerialTransport};
use crate::metrics::Metrics;
use crate::pipeline::{LinkDecoder, Notice, Output};
use checkpoint::Checkpoints;
use protocol::capture::Direction;
use protocol::time::UtcTime;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{info, warn};

/// Where a link's bytes come from.
#[derive(Debug, Clone)]
pub enum Transport {
    /// A TCP connection to `host:port`.
    Tcp(String),
    /// A serial port.
    Serial(SerialTransport),
    /// A capture file, played at its recorded pace (`true`) or as fast as possible.
    Replay(std::path::PathBuf, bool),
}

/// Everything a link task needs.
pub struct LinkTask {
    /// Link name (logs, archive directory).
    pub name: Arc<str>,
    /// The transport.
    pub transport: Transport,
    /// The decoder.
    pub decoder: Box<dyn LinkDecoder>,
    /// The archive, if enabled.
    pub archive: Option<Archive>,
    /// Where observations go (the sink task acknowledges each stored batch).
    pub out: mpsc::Sender<Batch>,
    /// Becomes `true` at shutdown.
    pub shutdown: watch::Receiver<bool>,
    /// Where the decoder's checkpoint is kept across restarts (live links); it is moved
    /// only to states whose observations every sink has stored.
    pub state_file: Option<std::path::PathBuf>,
    /// Where the link's bytes and its decoder's counters are counted (`/metrics`).
    pub metrics: Arc<Metrics>,
}

/// Why a connection ended.
enum End {
    Shutdown,
    Eof,
}

struct State {
    name: Arc<str>,
    decoder: Box<dyn LinkDecoder>,
    archive: Option<Arc<Mutex<Archive>>>,
    out: mpsc::Sender<Batch>,
    checkpoints: Checkpoints,
    metrics: Arc<Metrics>,
}

impl State {
    async fn archive(&self, direction: Direction, time: UtcTime, bytes: &[u8]) {
        let Some(a) = self.archive.clone() else {
            return;
        };
        let bytes = bytes.to_vec();
        let name = self.name.clone();
        let r = tokio::task::spawn_blocking(move || match a.lock() {
            Ok(mut a) => a.append(direction, time, &bytes),
            Err(_) => Err(std::io::Error::other("archive lock poisoned")),
        })
        .await;
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!(link = %name, error = %e, "raw archive write failed"),
            Err(e) => warn!(link = %name, error = %e, "raw archive task failed"),
        }
    }

    /// Logs the notices, sends the observations to the sinks, and notes the decoder's new
    /// state behind their acknowledgement; `false` when the sinks are gone.
    async fn deliver(&mut self, out: Output) -> bool {
        self.log(out.notices);
        let mut stored = None;
        if !out.observations.is_empty() {
            let (tx, rx) = if self.checkpoints.enabled() {
                let (tx, rx) = oneshot::channel();
                (Some(tx), Some(rx))
            } else {
                (None, None)
            };
            let batch = Batch {
                observations: out.observations,
                stored: tx,
            };
            if self.out.send(batch).await.is_err() {
                return false;
            }
            stored = rx;
        }
        if self.checkpoints.enabled() {
            self.checkpoints.note(self.decoder.checkpoint(), stored);
            self.checkpoints.collect();
            self.checkpoints.save().await;
        }
        true
    }

    async fn on_bytes(&mut self, bytes: &[u8], time: UtcTime) -> bool {
        self.archive(Direction::FromModem, time, bytes).await;
        self.metrics
            .link_read(&self.name, bytes.len(), time.unix_millis());
        let mut out = Output::default();
        self.decoder.feed(bytes, time, &mut out);
        self.metrics
            .link_counters(&self.name, self.decoder.counters());
        self.deliver(out).await
    }

    async fn on_time(&mut self, time: UtcTime) -> bool {
        let mut out = Output::default();
        self.decoder.handle_time(time, &mut out);
        self.metrics
            .link_counters(&self.name, self.decoder.counters());
        self.deliver(out).await
    }

    /// The transport was (re)opened: the decoder drops what it held of a cut message.
    /// Only its notices are logged: no observation comes of it, and the link state is
    /// not touched (a link that just connected stores nothing before its first records).
    fn reconnected(&mut self) {
        let mut out = Output::default();
        self.decoder.reconnected(&mut out);
        self.log(out.notices);
    }

    fn log(&self, notices: Vec<Notice>) {
        for Notice { warning, text } in notices {
            if warning {
                warn!(link = %self.name, "{text}");
            } else {
                info!(link = %self.name, "{text}");
            }
        }
    }

    /// The sinks acknowledged a batch: store the state it made safe.
    async fn on_stored(&mut self) {
        self.checkpoints.collect();
        self.checkpoints.save().await;
    }
}

impl LinkTask {
    /// Runs the link until shutdown (or, for a replay, until the capture ends).
    pub async fn run(self) {
        let LinkTask {
            name,
            transport,
            mut decoder,
            archive,
            out,
            mut shutdown,
            state_file,
            metrics,
        } = self;
        let archive = match transport {
            Transport::Replay(..) => None,
            _ => archive.map(|a| Arc::new(Mutex::new(a))),
        };
        let mut saved = None;
        if let Some(text) = state_file
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
        {
            info!(link = %name, "resuming from the stored link state");
            decoder.restore(&text);
            saved = Some(text);
        }
        let mut st = State {
            name: name.clone(),
            decoder,
            archive,
            out,
            checkpoints: Checkpoints::new(name.clone(), state_file, saved),
            metrics,
        };
        if let Transport::Replay(path, paced) = &transport {
            replay::run(&mut st, path, *paced, &mut shutdown).await;
            st.checkpoints.finish().await;
            return;
        }
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(60));
        // where the link's bytes come from, for the log lines that say it ended
        let place = match &transport {
            Transport::Tcp(addr) => addr.clone(),
            Transport::Serial(cfg) => cfg.path.display().to_string(),
            Transport::Replay(path, _) => path.display().to_string(),
        };
        loop {
            if *shutdown.borrow() {
                break;
            }
            let end = match &transport {
                Transport::Tcp(addr) => match tokio::net::TcpStream::connect(addr).await {
                    Ok(s) => {
                        let _ = s.set_nodelay(true);
                        info!(link = %name, %addr, "connected");
                        backoff.reset();
                        st.reconnected();
                        pump(s, &mut st, &mut shutdown).await
                    }
                    Err(e) => Err(e),
                }
                .map_err(naming(addr)),
                Transport::Serial(cfg) => match open_serial(cfg) {
                    Ok(s) => {
                        info!(link = %name, path = %cfg.path.display(), "serial port open");
                        backoff.reset();
                        st.reconnected();
                        pump(s, &mut st, &mut shutdown).await
                    }
                    Err(e) => Err(e),
                }
                .map_err(naming(cfg.path.display())),
                Transport::Replay(..) => Ok(End::Shutdown),
            };
            match end {
                Ok(End::Shutdown) => break,
                Ok(End::Eof) => warn!(
                    link = %name,
                    at = %place,
                    "link closed by the other end (or its device went away); reopening"
                ),
                Err(e) => warn!(link = %name, error = %e, "link failed; retrying"),
            }
            let wait = backoff.next_delay();
            let sleep = tokio::time::sleep(wait);
            tokio::pin!(sleep);
            let stop = loop {
                tokio::select! {
                    _ = &mut sleep => break false,
                    _ = st.checkpoints.next_stored() => st.on_stored().await,
                    _ = shutdown.changed() => break true,
                }
            };
            if stop {
                break;
            }
        }
        // the sinks store what is still in the channel: keep the state that covers it
        st.checkpoints.finish().await;
        info!(link = %name, "stopped: {}", st.decoder.summary());
    }
}

/// The error `e` with the transport's address or device path in front, so that a failing
/// link's log line says which port or server it is (the kind is kept).
fn naming(place: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> std::io::Error {
    move |e| std::io::Error::new(e.kind(), format!("{place}: {e}"))
}

fn open_serial(cfg: &SerialTransport) -> std::io::Result<tokio_serial::SerialStream> {
    use tokio_serial::SerialPortBuilderExt;
    let parity = match cfg.parity {
        Parity::None => tokio_serial::Parity::None,
        Parity::Odd => tokio_serial::Parity::Odd,
        Parity::Even => tokio_serial::Parity::Even,
    };
    let data_bits = match cfg.data_bits.get_ref() {
        5 => tokio_serial::DataBits::Five,
        6 => tokio_serial::DataBits::Six,
        7 => tokio_serial::DataBits::Seven,
        _ => tokio_serial::DataBits::Eight,
    };
    let stop_bits = if *cfg.stop_bits.get_ref() == 2 {
        tokio_serial::StopBits::Two
    } else {
        tokio_serial::StopBits::One
    };
    let path = cfg.path.to_string_lossy().into_owned();
    tokio_serial::new(path, cfg.baud)
        .parity(parity)
        .data_bits(data_bits)
        .stop_bits(stop_bits)
        .open_native_async()
        .map_err(std::io::Error::other)
}

/// Moves bytes until the transport ends or shutdown.
async fn pump<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    st: &mut State,
    shutdown: &mut watch::Receiver<bool>,
) -> std::io::Result<End> {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut buf = vec![0u8; 4096];
    loop {
        while let Some(bytes) = st.decoder.poll_transmit() {
            st.archive(Direction::ToModem, now(), &bytes).await;
            wr.write_all(&bytes).await?;
            wr.flush().await?;
        }
        let wait = st
            .decoder
            .next_deadline()
            .map(|t| Duration::from_millis((t.0 - now().0).max(0) as u64));
        let timer = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            r = rd.read(&mut buf) => {
                let n = r?;
                if n == 0 {
                    return Ok(End::Eof);
                }
                if !st.on_bytes(&buf[..n], now()).await {
                    return Ok(End::Shutdown);
                }
            }
            _ = timer => {
                if !st.on_time(now()).await {
                    return Ok(End::Shutdown);
                }
            }
            _ = st.checkpoints.next_stored() => st.on_stored().await,
            _ = shutdown.changed() => return Ok(End::Shutdown),
        }
    }
}

#[cfg(test)]
mod tests;
