//! Link tasks: the thin tokio layer that moves bytes between a transport (TCP, serial
//! port, capture replay), the raw archive and a [`LinkDecoder`], and hands observations
//! to the sinks through a bounded channel.
//!
//! A live link reconnects (TCP) or reopens (serial) with exponential backoff when its
//! transport fails or the device disappears, forever, until shutdown. Every byte read is
//! archived (and synced) before the decoder sees it.

mod backoff;
mod replay;

pub use backoff::Backoff;
pub use replay::replay_capture;

use crate::archive::Archive;
use crate::config::{Parity, SerialTransport};
use crate::pipeline::{LinkDecoder, Notice, Observation, Output};
use protocol::capture::Direction;
use protocol::time::UtcTime;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

/// The current time as a [`UtcTime`] (the only clock read in the gateway's pipeline).
pub fn now() -> UtcTime {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    UtcTime::from_unix_millis(ms)
}

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
    /// Where observations go.
    pub out: mpsc::Sender<Vec<Observation>>,
    /// Becomes `true` at shutdown.
    pub shutdown: watch::Receiver<bool>,
    /// Where the decoder's checkpoint is kept across restarts (live links).
    pub state_file: Option<std::path::PathBuf>,
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
    out: mpsc::Sender<Vec<Observation>>,
    state_file: Option<std::path::PathBuf>,
    saved: Option<String>,
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

    async fn deliver(&self, out: Output) -> bool {
        for Notice { warning, text } in out.notices {
            if warning {
                warn!(link = %self.name, "{text}");
            } else {
                info!(link = %self.name, "{text}");
            }
        }
        if out.observations.is_empty() {
            return true;
        }
        self.out.send(out.observations).await.is_ok()
    }

    async fn on_bytes(&mut self, bytes: &[u8], time: UtcTime) -> bool {
        self.archive(Direction::Read, time, bytes).await;
        let mut out = Output::default();
        self.decoder.feed(bytes, time, &mut out);
        let delivered = self.deliver(out).await;
        self.save_checkpoint().await;
        delivered
    }

    /// Stores the decoder's checkpoint if it changed (temp file + fsync + rename).
    async fn save_checkpoint(&mut self) {
        let Some(path) = self.state_file.clone() else {
            return;
        };
        let state = self.decoder.checkpoint();
        if state.is_none() || state == self.saved {
            return;
        }
        let text = state.clone().unwrap_or_default();
        let r = tokio::task::spawn_blocking(move || write_atomically(&path, text.as_bytes())).await;
        match r {
            Ok(Ok(())) => self.saved = state,
            Ok(Err(e)) => warn!(link = %self.name, error = %e, "cannot store the link state"),
            Err(e) => warn!(link = %self.name, error = %e, "link state task failed"),
        }
    }

    async fn on_time(&mut self, time: UtcTime) -> bool {
        let mut out = Output::default();
        self.decoder.handle_time(time, &mut out);
        self.deliver(out).await
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
            state_file,
            saved,
        };
        if let Transport::Replay(path, paced) = &transport {
            replay::run(&mut st, path, *paced, &mut shutdown).await;
            return;
        }
        let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(60));
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
                        pump(s, &mut st, &mut shutdown).await
                    }
                    Err(e) => Err(e),
                },
                Transport::Serial(cfg) => match open_serial(cfg) {
                    Ok(s) => {
                        info!(link = %name, path = %cfg.path.display(), "serial port open");
                        backoff.reset();
                        pump(s, &mut st, &mut shutdown).await
                    }
                    Err(e) => Err(e),
                },
                Transport::Replay(..) => Ok(End::Shutdown),
            };
            match end {
                Ok(End::Shutdown) => break,
                Ok(End::Eof) => warn!(link = %name, "link closed by the other end; reopening"),
                Err(e) => warn!(link = %name, error = %e, "link failed; retrying"),
            }
            let wait = backoff.next_delay();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => break,
            }
        }
        info!(link = %name, "stopped: {}", st.decoder.summary());
    }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
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
            st.archive(Direction::Write, now(), &bytes).await;
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
            _ = shutdown.changed() => return Ok(End::Shutdown),
        }
    }
}
