//! Serving the MII modem's host interface to a real gateway: over TCP (loopback unless
//! asked otherwise) and/or a pseudo-terminal, in real time, accelerated time or as fast as
//! possible.
//!
//! Every connected TCP client and the pty get every byte the MII modem writes; commands from
//! any of them are obeyed. Bytes written while nobody is connected (or nobody reads the pty)
//! are lost, as with a real modem whose host is away. The clock starts when the first TCP
//! client connects unless `wait_for_client` is off.

use std::boxed::Box;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::string::{String, ToString};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::vec::Vec;

use super::engine::{SimConfig, Simulation};
use super::write_truth;
use crate::controller::Counters;
use protocol::capture::{CaptureWriter, Direction};

/// How fast simulated time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Simulated seconds per wall-clock second (1 = real time, 86400 = a day a second).
    Factor(f64),
    /// As fast as possible.
    Max,
}

impl Speed {
    /// Parses `max` or a positive number.
    pub fn parse(text: &str) -> Result<Speed, String> {
        if text.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Speed::Factor(v)),
            _ => Err(std::format!(
                "speed {text:?}: expected a positive number or `max`"
            )),
        }
    }
}

/// Where and how to serve.
pub struct ServeOptions {
    /// TCP address to listen on (one gateway at a time is typical; all get the output).
    pub tcp: Option<SocketAddr>,
    /// Also open a pseudo-terminal (serial line) and print its path.
    pub pty: bool,
    /// Time acceleration.
    pub speed: Speed,
    /// Stop after this much simulated time, if set.
    pub duration_ms: Option<u64>,
    /// Start the clock only when the first TCP client connects.
    pub wait_for_client: bool,
    /// Ground truth output.
    pub truth: Option<Box<dyn Write + Send>>,
    /// Optional capture of everything served.
    pub capture: Option<Box<dyn Write + Send>>,
}

type Clients = Arc<Mutex<Vec<TcpStream>>>;

fn spawn_reader<R: Read + Send + 'static>(mut r: R, tx: Sender<Vec<u8>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                // The pty master is non-blocking (so that writes never stall the clock).
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::Interrupted =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => break,
            }
        }
    });
}

/// Opens a raw-mode pseudo-terminal; returns the master side and the slave's path. The
/// slave stays open (leaked on purpose for the process's life) so that the master never
/// reads end-of-file while no program has the serial port open.
fn open_pty() -> io::Result<(File, String)> {
    use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
    let pty = nix::pty::openpty(None, None).map_err(io::Error::from)?;
    let mut t = tcgetattr(&pty.slave).map_err(io::Error::from)?;
    cfmakeraw(&mut t);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).map_err(io::Error::from)?;
    let path = nix::unistd::ttyname(&pty.slave).map_err(io::Error::from)?;
    // Writes must never block the simulation when nobody reads the serial port: bytes that
    // do not fit the pty buffer are dropped, as on a real line with nothing listening.
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    fcntl(&pty.master, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(io::Error::from)?;
    std::mem::forget(pty.slave);
    Ok((File::from(pty.master), path.display().to_string()))
}

/// Runs the simulation against live hosts until `duration_ms` (or for ever). `log` gets
/// human-readable progress lines. Returns the line controller's counters at the end
/// (`ring_dropped`: frames its ring overwrote that the gateway had not acknowledged).
pub fn serve(
    config: SimConfig,
    mut opts: ServeOptions,
    mut log: impl FnMut(&str),
) -> io::Result<Counters> {
    let (tx, rx): (Sender<Vec<u8>>, Receiver<Vec<u8>>) = mpsc::channel();
    let clients: Clients = Arc::new(Mutex::new(Vec::new()));
    let mut first_client: Option<Receiver<()>> = None;
    if let Some(addr) = opts.tcp {
        let listener = TcpListener::bind(addr)?;
        log(&std::format!(
            "listening on tcp://{} (EvoLogics host interface)",
            listener.local_addr()?
        ));
        let (ctx, crx) = mpsc::channel();
        first_client = Some(crx);
        let clients = clients.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_nodelay(true);
                if let Ok(r) = stream.try_clone() {
                    spawn_reader(r, tx.clone());
                }
                if let Ok(mut c) = clients.lock() {
                    c.push(stream);
                }
                let _ = ctx.send(());
            }
        });
    }
    let mut pty: Option<File> = None;
    if opts.pty {
        let (master, path) = open_pty()?;
        log(&std::format!(
            "serial host interface on pseudo-terminal {path}"
        ));
        spawn_reader(master.try_clone()?, tx.clone());
        pty = Some(master);
    }
    drop(tx);
    if let (true, Some(crx)) = (opts.wait_for_client, first_client.as_ref()) {
        log("waiting for the gateway to connect before starting the clock");
        let _ = crx.recv();
        log("gateway connected: clock started");
    }
    let start_ms = config.start_ms;
    let end_ms = opts.duration_ms.map(|d| start_ms + d);
    let mut sim = Simulation::new(config);
    let mut capture = match opts.capture.take() {
        Some(w) => Some(CaptureWriter::new(
            w,
            &[String::from("served live by albatross-sim")],
        )?),
        None => None,
    };
    let wall0 = Instant::now();
    let mut last_report = start_ms;
    loop {
        let target = match opts.speed {
            Speed::Max => sim.next_event_ms().unwrap_or(sim.now_ms() + 1000),
            Speed::Factor(f) => start_ms + (wall0.elapsed().as_secs_f64() * f * 1000.0) as u64,
        };
        let target = end_ms.map_or(target, |e| target.min(e));
        sim.run_until(target);
        for (t, b) in sim.take_host_output() {
            if let Some(c) = capture.as_mut() {
                c.record(Direction::FromModem, t as i64, &b)?;
            }
            if let Ok(mut cs) = clients.lock() {
                cs.retain_mut(|s| s.write_all(&b).is_ok());
            }
            if let Some(p) = pty.as_mut() {
                // Nobody reading the pty is not an error: the bytes are lost like on a real line.
                let _ = p.write_all(&b);
            }
        }
        sim.take_host_sent();
        if let Some(t) = opts.truth.as_mut() {
            for r in sim.take_truth() {
                write_truth(t, &r)?;
            }
            t.flush()?;
        } else {
            sim.take_truth();
        }
        if sim.now_ms() >= last_report + 6 * 3_600_000 {
            last_report = sim.now_ms();
            let s = sim.stats();
            log(&std::format!(
                "t={} uplink sends {} received {} downlink {} samples polled {}",
                protocol::time::UtcTime::from_unix_millis(sim.now_ms() as i64),
                s.uplink_sends,
                s.uplink_received,
                s.downlink_sends,
                sim.controller().counters().replies
            ));
        }
        if end_ms.is_some_and(|e| sim.now_ms() >= e) {
            let c = sim.controller().counters();
            log(&std::format!(
                "scenario finished: controller acknowledged {} times, ring overwrote {} frames, {} of them unacknowledged (ring_dropped)",
                c.acks, c.ring_overwritten, c.ring_dropped
            ));
            break;
        }
        // Wait for host input or the next event, whichever comes first.
        let wait = match opts.speed {
            Speed::Max => Duration::ZERO,
            Speed::Factor(f) => {
                let next = sim.next_event_ms().unwrap_or(sim.now_ms() + 1000);
                let sim_wait = next.saturating_sub(sim.now_ms()) as f64 / f;
                Duration::from_millis(sim_wait.clamp(1.0, 50.0) as u64)
            }
        };
        let first = if wait.is_zero() {
            rx.try_recv().map_err(|e| match e {
                mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            })
        } else {
            rx.recv_timeout(wait)
        };
        if let Ok(bytes) = first {
            if let Some(c) = capture.as_mut() {
                c.record(Direction::ToModem, sim.now_ms() as i64, &bytes)?;
            }
            sim.host_input(&bytes);
            while let Ok(more) = rx.try_recv() {
                if let Some(c) = capture.as_mut() {
                    c.record(Direction::ToModem, sim.now_ms() as i64, &more)?;
                }
                sim.host_input(&more);
            }
        }
    }
    if let Some(c) = capture {
        c.finish()?;
    }
    Ok(sim.controller().counters())
}
