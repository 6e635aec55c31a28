//! `albatross-sim`: the simulated ALBATROSS line (MicroCATs, line controller, acoustic
//! modems, channel) serving an EvoLogics-style modem host interface to a gateway, or
//! recording a whole scenario into a capture file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use firmware_shim::sim::aquadopp::AquadoppSpec;
use firmware_shim::sim::archive::DayFiles;
use firmware_shim::sim::battery::Battery;
use firmware_shim::sim::channel::{parse_duration_ms, ChannelConfig, Outage};
use firmware_shim::sim::faults::{describe, FaultConfig};
use firmware_shim::sim::instruments::{albatross_line, InstrumentSpec, ValueSource};
use firmware_shim::sim::mii::MiiConfig;
use firmware_shim::sim::modem::HostFraming;
use firmware_shim::sim::serve::{serve, ServeOptions, Speed};
use firmware_shim::sim::{record, SimConfig};
use protocol::capture::CaptureWriter;
use protocol::message::InstrumentKind;
use protocol::modem_link::ModemLinkConfig;
use protocol::time::UtcTime;

#[derive(Parser, Debug)]
#[command(
    name = "albatross-sim",
    version,
    about = "Simulated ALBATROSS mooring line: MicroCATs, line controller, acoustic modems and channel",
    long_about = "Simulates the ALBATROSS line: SBE 37-IM MicroCATs answering the line controller \
(firmware_shim::controller), the line's acoustic modem, a lossy ~7 km acoustic channel, and the \
MII's modem whose EvoLogics S2C host interface (RECVIM, DELIVEREDIM, AT*SENDIM...) is served to a \
gateway over TCP and/or a pseudo-terminal (`serve`), or recorded with receive times into a capture \
file (`record`, format in captures/FORMAT.md). Everything random is seeded by --seed: the same \
seed and the same host input give the same bytes."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Serve the MII modem's host interface to a gateway (TCP on loopback, and/or a pty).
    Serve(ServeArgs),
    /// Play a whole scenario in simulated time, as fast as possible, into a capture file.
    Record(RecordArgs),
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// TCP port to listen on (EvoLogics modems use 9200); 0 picks a free port.
    #[arg(long, default_value_t = 9200)]
    port: u16,
    /// Address to bind. Loopback by default; anything else exposes the simulator on the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Do not listen on TCP (use with --pty).
    #[arg(long)]
    no_tcp: bool,
    /// Also serve the host interface on a pseudo-terminal (a serial line); its path is printed.
    #[arg(long)]
    pty: bool,
    /// Time acceleration: simulated seconds per wall-clock second (1 = real time,
    /// 86400 = a simulated day per second), or `max` to run as fast as possible.
    #[arg(long, default_value = "1", value_parser = Speed::parse)]
    speed: Speed,
    /// Stop after this much simulated time (e.g. `1d`, `36h`); default: run until killed.
    #[arg(long, value_parser = parse_duration_ms)]
    duration: Option<u64>,
    /// Start the clock immediately instead of when the first TCP client connects.
    #[arg(long)]
    no_wait: bool,
    /// Write a capture (captures/FORMAT.md) of everything served and received.
    #[arg(long)]
    capture: Option<String>,
    /// Also serve the MII node's instruments (MicroCAT 3716125, Aquadopp 11402, optode 379,
    /// C-Star 1234), each on its own loopback TCP port (printed); the clock then waits for
    /// a client on every port.
    #[arg(long)]
    mii: bool,
    /// With --mii: the MicroCAT sends the samples of this SBE 37 memory upload (`.hex`),
    /// each at its own time, as it did while storing them (start the scenario in its
    /// period with --start); the oxygen is generated.
    #[arg(long, value_name = "HEX", requires = "mii")]
    mii_memory: Option<String>,
    #[command(flatten)]
    scenario: ScenarioArgs,
}

#[derive(Args, Debug)]
struct RecordArgs {
    /// Capture file to write (captures/FORMAT.md).
    #[arg(
        long,
        short,
        required_unless_present = "archive",
        conflicts_with = "archive"
    )]
    out: Option<String>,
    /// Instead of one capture file, one per UTC day under DIR (`DIR/<YYYYMMDD>.cap`): the
    /// gateway's raw archive of the modem link, for `albatross reprocess --raw` (with DIR
    /// = `<raw>/<link name>`).
    #[arg(long, value_name = "DIR")]
    archive: Option<String>,
    /// Simulated time to play (e.g. `1d`, `36h`, `2d`).
    #[arg(long, value_parser = parse_duration_ms, default_value = "1d")]
    duration: u64,
    /// Also record what the built-in repairer wrote to the modem (`>` records).
    #[arg(long)]
    with_host_writes: bool,
    #[command(flatten)]
    scenario: ScenarioArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SourceArg {
    /// Synthetic deep-Mediterranean values (T 13.2-13.9 °C, S 38.5, O2 4.0-4.6 ml/l).
    Generated,
    /// The real OOI 12-MicroCAT line series (T, C, pressure variation); O2 synthetic.
    Replay,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FramingArg {
    /// Command mode: `RECVIM,...\r\n` lines.
    Line,
    /// Data mode: `+++AT:<len>:RECVIM,...\r\n` frames.
    Data,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FaultsArg {
    /// A clean host interface.
    None,
    /// Junk bytes, split reads, BUSY/ERROR lines, status lines and reboot banners, often.
    Stress,
}

#[derive(Args, Debug)]
struct ScenarioArgs {
    /// Seed of every random draw (channel, instrument noise, faults).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Scenario start: `YYYY-MM-DDTHH:MM:SSZ` or Unix seconds.
    #[arg(long, default_value = "2026-03-01T00:00:00Z", value_parser = parse_start)]
    start: u64,
    /// Number of MicroCATs (1-16): the first N of the ALBATROSS line (500, 750, 1000, 1250,
    /// 1500, 2000, 2200, 2400 m; ODO except 1250 and 2200 m), then extra CTD-ODOs.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=16))]
    instruments: u8,
    /// Where the instruments' values come from.
    #[arg(long, value_enum, default_value_t = SourceArg::Generated)]
    source: SourceArg,
    /// Instruments stop answering after this much simulated time (e.g. `1d`), so the
    /// rest of the run only drains and repairs.
    #[arg(long, value_parser = parse_duration_ms)]
    sample_for: Option<u64>,
    /// Seconds between polls of the line.
    #[arg(long, default_value_t = 1800)]
    poll_interval: u32,
    /// Seconds between line status messages.
    #[arg(long, default_value_t = 21_600)]
    status_interval: u32,
    /// Largest frame (modem MTU), bytes, 16-64.
    #[arg(long, default_value_t = 64)]
    mtu: usize,
    /// Frame loss probability in the channel's good state.
    #[arg(long, default_value_t = 0.0)]
    loss_good: f64,
    /// Frame loss probability in the channel's bad state.
    #[arg(long, default_value_t = 0.0)]
    loss_bad: f64,
    /// Mean dwell time in the good state (e.g. `4h`).
    #[arg(long, value_parser = parse_duration_ms, default_value = "4h")]
    good_dwell: u64,
    /// Mean dwell time in the bad state (e.g. `30m`).
    #[arg(long, value_parser = parse_duration_ms, default_value = "30m")]
    bad_dwell: u64,
    /// Probability that a delivered frame has 1-3 bits flipped (our CRC must catch it).
    #[arg(long, default_value_t = 0.0)]
    corrupt: f64,
    /// Probability that the acoustic acknowledgement of a delivered frame is lost: the modem
    /// resends and the receiver gets the frame twice.
    #[arg(long, default_value_t = 0.0)]
    ack_loss: f64,
    /// One-way propagation delay (7 km ≈ 4.5 s).
    #[arg(long, value_parser = parse_duration_ms, default_value = "4.5s")]
    propagation: u64,
    /// Instant-message bit rate, bit/s (airtime = len*8/bitrate).
    #[arg(long, default_value_t = 976)]
    bitrate: u32,
    /// A total outage `START+DURATION` from the scenario start, e.g. `6h+8h`, `1d+26h`
    /// (units s, m, h, d; repeatable).
    #[arg(long, value_parser = Outage::parse)]
    outage: Vec<Outage>,
    /// Modem IM retry count (AT!RI): resends of an unacknowledged IM.
    #[arg(long, default_value_t = 2)]
    modem_retries: u8,
    /// Host-interface framing of the MII modem.
    #[arg(long, value_enum, default_value_t = FramingArg::Line)]
    framing: FramingArg,
    /// Host-interface faults.
    #[arg(long, value_enum, default_value_t = FaultsArg::None)]
    faults: FaultsArg,
    /// Play the shore side too, with the gateway's own link state machine: after gaps it
    /// sends RepeatRequests, to a quiet line StatusRequests, and it acknowledges what
    /// arrived, through the modem (what `albatross run` does on a real link).
    #[arg(long)]
    repair: bool,
    /// Write the ground truth (every sample measured) as JSON lines to this file.
    #[arg(long)]
    truth: Option<String>,
    /// Put an Aquadopp (serial 12345, slot 8, 2300 m, a record every 30 min) on the line's
    /// serial input: its records go up as AquadoppSample frames (type 3).
    #[arg(long)]
    aquadopp: bool,
    /// Report this constant battery voltage (millivolts) instead of the modelled lithium
    /// pack (`0` reproduces the captures recorded before the simulator modelled it).
    #[arg(long)]
    battery_mv: Option<u16>,
}

fn parse_start(text: &str) -> Result<u64, String> {
    if let Ok(s) = text.parse::<u64>() {
        return Ok(s * 1000);
    }
    let bad = || format!("start {text:?}: expected YYYY-MM-DDTHH:MM:SSZ or Unix seconds");
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| {
        text.get(r)
            .and_then(|x| x.parse::<u32>().ok())
            .ok_or_else(bad)
    };
    let t = UtcTime::from_civil(
        n(0..4)? as i32,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
        0,
    )
    .ok_or_else(bad)?;
    u64::try_from(t.unix_millis()).map_err(|_| bad())
}

fn instruments(n: u8) -> Vec<InstrumentSpec> {
    let mut v = albatross_line();
    let mut depth = 300u16;
    while v.len() < usize::from(n) {
        let i = v.len() as u8;
        v.push(InstrumentSpec {
            slot: i,
            im_id: i + 1,
            kind: InstrumentKind::Sbe37CtdOdo,
            serial: 3_725_001 + u32::from(i),
            depth_m: depth,
        });
        depth += 100;
    }
    v.truncate(usize::from(n));
    v
}

fn build(s: &ScenarioArgs) -> SimConfig {
    let channel = ChannelConfig {
        good_loss: s.loss_good,
        bad_loss: s.loss_bad,
        good_dwell_s: s.good_dwell as f64 / 1000.0,
        bad_dwell_s: s.bad_dwell as f64 / 1000.0,
        corrupt_rate: s.corrupt,
        ack_loss: s.ack_loss,
        propagation_ms: s.propagation,
        bitrate: s.bitrate.max(1),
        outages: s.outage.clone(),
    };
    SimConfig {
        seed: s.seed,
        start_ms: s.start,
        instruments: instruments(s.instruments),
        source: match s.source {
            SourceArg::Generated => ValueSource::Generated,
            SourceArg::Replay => ValueSource::Replay,
        },
        channel,
        poll_interval_s: s.poll_interval,
        status_interval_s: s.status_interval,
        mtu: s.mtu,
        modem_retries: s.modem_retries,
        framing: match s.framing {
            FramingArg::Line => HostFraming::Line,
            FramingArg::Data => HostFraming::Data,
        },
        faults: match s.faults {
            FaultsArg::None => FaultConfig::default(),
            FaultsArg::Stress => FaultConfig::stress(),
        },
        repair: s.repair.then(ModemLinkConfig::default),
        sample_until_s: s.sample_for.map(|d| ((s.start + d) / 1000) as u32),
        battery: s.battery_mv.map_or_else(Battery::default, Battery::Fixed),
        aquadopp: s.aquadopp.then(AquadoppSpec::albatross),
        ..SimConfig::default()
    }
}

fn check(s: &ScenarioArgs) -> Result<(), String> {
    for (name, p) in [
        ("--loss-good", s.loss_good),
        ("--loss-bad", s.loss_bad),
        ("--corrupt", s.corrupt),
        ("--ack-loss", s.ack_loss),
    ] {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("{name} {p}: a probability must be within 0..1"));
        }
    }
    if !(16..=64).contains(&s.mtu) {
        return Err(format!(
            "--mtu {}: must be 16..64 (the EvoLogics IM limit is 64)",
            s.mtu
        ));
    }
    if s.poll_interval == 0 || s.status_interval == 0 {
        return Err("--poll-interval and --status-interval must be positive".into());
    }
    Ok(())
}

fn open(path: &str) -> Result<BufWriter<File>, String> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| format!("{path}: {e}"))
}

fn run(cli: Cli) -> Result<(), (u8, String)> {
    match cli.command {
        Cmd::Record(a) => {
            check(&a.scenario).map_err(|e| (2, e))?;
            let config = build(&a.scenario);
            let truth: Box<dyn Write> = match &a.scenario.truth {
                Some(p) => Box::new(open(p).map_err(|e| (1, e))?),
                None => Box::new(std::io::sink()),
            };
            let argv: Vec<String> = std::env::args().skip(1).collect();
            let comments = vec![
                format!("albatross-sim {}", argv.join(" ")),
                format!(
                    "start {} duration_ms {} seed {}",
                    UtcTime::from_unix_millis(config.start_ms as i64),
                    a.duration,
                    config.seed
                ),
                format!("channel {:?}", config.channel),
                format!("faults {}", describe(&config.faults)),
                "direction < modem->host, > host->modem; times are simulated Unix ms".to_string(),
            ];
            let sum = match (&a.out, &a.archive) {
                (Some(out), _) => {
                    let file = open(out).map_err(|e| (1, e))?;
                    let capture = CaptureWriter::new(file, &comments)
                        .map_err(|e| (1, format!("{out}: {e}")))?;
                    record(config, a.duration, capture, truth, a.with_host_writes)
                }
                (None, Some(dir)) => {
                    let days = DayFiles::create(dir.into(), &comments)
                        .map_err(|e| (1, format!("{dir}: {e}")))?;
                    record(config, a.duration, days, truth, a.with_host_writes)
                }
                // clap requires one of them
                (None, None) => return Err((2, "--out or --archive is needed".into())),
            }
            .map_err(|e| (1, e.to_string()))?;
            eprintln!(
                "recorded {} capture records, {} samples measured; uplink sends {} copies received {}; downlink {}; channel {:?}",
                sum.capture_records, sum.samples, sum.stats.uplink_sends, sum.stats.uplink_received, sum.stats.downlink_sends, sum.channel
            );
            if let Some(r) = sum.repair {
                eprintln!("repairer {r:?}; still missing {:?}", sum.still_missing);
            }
            eprintln!("controller {:?}", sum.controller);
            Ok(())
        }
        Cmd::Serve(a) => {
            check(&a.scenario).map_err(|e| (2, e))?;
            if a.no_tcp && !a.pty {
                return Err((2, "--no-tcp without --pty leaves nothing to serve".into()));
            }
            let config = build(&a.scenario);
            let truth: Option<Box<dyn Write + Send>> = match &a.scenario.truth {
                Some(p) => Some(Box::new(open(p).map_err(|e| (1, e))?)),
                None => None,
            };
            let capture: Option<Box<dyn Write + Send>> = match &a.capture {
                Some(p) => Some(Box::new(open(p).map_err(|e| (1, e))?)),
                None => None,
            };
            if !a.bind.is_loopback() {
                eprintln!(
                    "warning: binding {} exposes the simulator beyond this machine",
                    a.bind
                );
            }
            let memory = match &a.mii_memory {
                None => None,
                Some(path) => {
                    let text =
                        std::fs::read_to_string(path).map_err(|e| (2, format!("{path}: {e}")))?;
                    Some(
                        firmware_shim::sim::mii::sbe37::memory_samples(&text)
                            .map_err(|e| (2, format!("{path}: {e}")))?,
                    )
                }
            };
            let opts = ServeOptions {
                tcp: (!a.no_tcp).then_some(SocketAddr::new(a.bind, a.port)),
                pty: a.pty,
                speed: a.speed,
                duration_ms: a.duration,
                wait_for_client: !a.no_wait && !a.no_tcp,
                truth,
                capture,
                mii: a.mii.then(|| MiiConfig {
                    seed: a.scenario.seed,
                    sbe37_memory: memory,
                    ..MiiConfig::default()
                }),
            };
            serve(config, opts, |l| eprintln!("albatross-sim: {l}"))
                .map(|_| ())
                .map_err(|e| (1, e.to_string()))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, msg)) => {
            eprintln!("albatross-sim: {msg}");
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_binds_loopback_unless_told() {
        let Cmd::Serve(a) = Cli::try_parse_from(["albatross-sim", "serve", "--mii"])
            .unwrap()
            .command
        else {
            panic!("not serve");
        };
        assert!(a.bind.is_loopback() && a.mii);
        let Cmd::Serve(a) = Cli::try_parse_from(["albatross-sim", "serve", "--bind", "0.0.0.0"])
            .unwrap()
            .command
        else {
            panic!("not serve");
        };
        assert!(!a.bind.is_loopback());
    }
}
