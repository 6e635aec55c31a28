//! Serving the MII modem's host interface to a real gateway: over TCP (loopback unless
//! asked otherwise) and/or a pseudo-terminal, in real time, accelerated time or as fast as
//! possible.
//!
//! Every connected TCP client and the pty get every byte the MII modem writes; commands from
//! any of them are obeyed. Bytes written while nobody is connected (or nobody reads the pty)
//! are lost, as with a real modem whose host is away. The clock starts when the first TCP
//! client connects unless `wait_for_client` is off.
//!
//! With [`ServeOptions::mii`], the MII node's own instruments ([`super::mii`]) are served
//! too, each on its own TCP port (a serial-over-IP server, one port per serial line), on the
//! same clock; each is logged as `mii <kind> <serial> on tcp://ADDR`, after the modem's
//! line. The clock then waits for a client on every port.

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
use super::mii::{MiiConfig, MiiNode};
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
    /// Also serve the MII node's instruments, each on its own TCP port.
    pub mii: Option<MiiConfig>,
}

/// A port one of [`serve`]'s log lines announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// `listening on tcp://ADDR (EvoLogics host interface)`: the MII modem's host interface.
    Modem(String),
    /// `mii <kind> <serial> on tcp://ADDR`: one of the MII's instruments.
    Mii {
        /// Its kind (`sbe37-odo`, `aquadopp`, `optode`, `cstar`).
        kind: String,
        /// Its serial number.
        serial: u32,
        /// `host:port`.
        address: String,
    },
}

/// The port `line` (one of [`serve`]'s log lines) announces, if any.
pub fn served(line: &str) -> Option<Served> {
    let address = line
        .split("tcp://")
        .nth(1)?
        .split_whitespace()
        .next()?
        .to_string();
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("mii"), Some(kind), Some(serial), Some("on")) => Some(Served::Mii {
            kind: kind.to_string(),
            serial: serial.parse().ok()?,
            address,
        }),
        (Some("listening"), Some("on"), ..) => Some(Served::Modem(address)),
        _ => None,
    }
}

type Clients = Arc<Mutex<Vec<TcpStream>>>;

/// Accepts clients on `listener` for ever, in a thread: each is added to `clients`, its
/// input (if `input` is given) goes to that channel, and `connected` gets `port`.
fn spawn_acceptor(
    listener: TcpListener,
    clients: Clients,
    input: Option<Sender<Vec<u8>>>,
    connected: Sender<usize>,
    port: usize,
) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_nodelay(true);
            if let Some(tx) = &input {
                if let Ok(r) = stream.try_clone() {
                    spawn_reader(r, tx.clone());
                }
            }
            if let Ok(mut c) = clients.lock() {
                c.push(stream);
            }
            let _ = connected.send(port);
        }
    });
}

/// Writes `bytes` to every client of `clients`, dropping those that fail.
fn broadcast(clients: &Clients, bytes: &[u8]) {
    if let Ok(mut cs) = clients.lock() {
        cs.retain_mut(|s| s.write_all(bytes).is_ok());
    }
}

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
    let (ctx, crx) = mpsc::channel::<usize>();
    // ports whose first client starts the clock: the modem's (0), the MII's (1…)
    let mut awaited = std::collections::BTreeSet::new();
    if let Some(addr) = opts.tcp {
        let listener = TcpListener::bind(addr)?;
        log(&std::format!(
            "listening on tcp://{} (EvoLogics host interface)",
            listener.local_addr()?
        ));
        spawn_acceptor(listener, clients.clone(), Some(tx.clone()), ctx.clone(), 0);
        awaited.insert(0);
    }
    let mut mii: Option<(MiiNode, Vec<Clients>)> = None;
    if let Some(mc) = opts.mii.take() {
        let ip = opts
            .tcp
            .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), |a| {
                a.ip()
            });
        let node = MiiNode::new(&mc, config.start_ms);
        let mut port_clients = Vec::new();
        for (i, (kind, serial)) in node.ports().into_iter().enumerate() {
            let listener = TcpListener::bind(SocketAddr::new(ip, 0))?;
            log(&std::format!(
                "mii {} {serial} on tcp://{}",
                kind.name(),
                listener.local_addr()?
            ));
            let c: Clients = Arc::new(Mutex::new(Vec::new()));
            spawn_acceptor(listener, c.clone(), None, ctx.clone(), i + 1);
            awaited.insert(i + 1);
            port_clients.push(c);
        }
        mii = Some((node, port_clients));
    }
    drop(ctx);
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
    if opts.wait_for_client && !awaited.is_empty() {
        log("waiting for the gateway to connect before starting the clock");
        while !awaited.is_empty() {
            match crx.recv() {
                Ok(port) => {
                    awaited.remove(&port);
                }
                Err(_) => break,
            }
        }
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
        let next_event = |sim: &Simulation, mii: &Option<(MiiNode, Vec<Clients>)>| {
            let line = sim.next_event_ms().unwrap_or(sim.now_ms() + 1000);
            mii.as_ref()
                .and_then(|(n, _)| n.next_event_ms())
                .map_or(line, |m| m.min(line))
        };
        let target = match opts.speed {
            Speed::Max => next_event(&sim, &mii),
            Speed::Factor(f) => start_ms + (wall0.elapsed().as_secs_f64() * f * 1000.0) as u64,
        };
        let target = end_ms.map_or(target, |e| target.min(e));
        sim.run_until(target);
        let mut mii_truth = Vec::new();
        if let Some((node, port_clients)) = mii.as_mut() {
            for (port, _, bytes) in node.run_until(target) {
                if let Some(c) = port_clients.get(port) {
                    broadcast(c, &bytes);
                }
            }
            mii_truth = node.take_truth();
        }
        for (t, b) in sim.take_host_output() {
            if let Some(c) = capture.as_mut() {
                c.record(Direction::FromModem, t as i64, &b)?;
            }
            broadcast(&clients, &b);
            if let Some(p) = pty.as_mut() {
                // Nobody reading the pty is not an error: the bytes are lost like on a real line.
                let _ = p.write_all(&b);
            }
        }
        sim.take_host_sent();
        if let Some(t) = opts.truth.as_mut() {
            for r in sim.take_truth().iter().chain(&mii_truth) {
                write_truth(t, r)?;
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
                let next = next_event(&sim, &mii);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_name_their_ports() {
        assert_eq!(
            served("listening on tcp://127.0.0.1:9200 (EvoLogics host interface)"),
            Some(Served::Modem("127.0.0.1:9200".into()))
        );
        assert_eq!(
            served("mii aquadopp 11402 on tcp://127.0.0.1:40001"),
            Some(Served::Mii {
                kind: "aquadopp".into(),
                serial: 11402,
                address: "127.0.0.1:40001".into()
            })
        );
        assert_eq!(served("gateway connected: clock started"), None);
    }
}
