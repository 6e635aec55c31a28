//! `albatross demo`: the simulated ALBATROSS line (the firmware-shim simulator: 8
//! MicroCATs and an Aquadopp behind the acoustic modem) and the MII node's own instruments
//! (MicroCAT, Aquadopp, optode, C-Star, each on its own port) over loopback TCP, an
//! embedded MQTT broker and the gateway with every link of the example configuration, all
//! on this machine.
//!
//! Compiled only with the `demo` cargo feature (on by default): a production build
//! (`--no-default-features`) links neither the simulator nor the embedded broker, and its
//! `albatross --help` has no `demo` command.

use crate::commands::until_shutdown;
use firmware_shim::sim::serve::{served, Served};
use gateway::config::{Config, SimulatedPorts};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;
use tracing::info;

/// The example configuration, adapted to the demo's simulator on `ports`.
fn demo_config(
    data_dir: &Path,
    ports: &SimulatedPorts,
    broker: std::net::SocketAddr,
    speed: f64,
) -> Result<Config, String> {
    let text = include_str!("../albatross.example.toml");
    let mut config =
        Config::parse(text, Path::new("albatross.example.toml")).map_err(|e| e.to_string())?;
    config.gateway.data_dir = data_dir.to_owned();
    let unplayed = config.point_at_simulator(ports);
    if !unplayed.is_empty() {
        return Err(format!(
            "the simulator plays no instrument for link(s) {}",
            unplayed.join(", ")
        ));
    }
    // the simulated clock runs `speed` times faster: shrink the repair delays to match
    let scale = |s: u32| ((f64::from(s) / speed).ceil() as u32).max(1);
    for l in &mut config.links {
        l.modem.repair_grace_s = scale(l.modem.repair_grace_s);
        l.modem.repair_interval_s = scale(l.modem.repair_interval_s);
        l.modem.repair_retry_s = scale(l.modem.repair_retry_s);
        l.modem.ack_interval_s = scale(l.modem.ack_interval_s);
        l.modem.status_probe_after_s = scale(l.modem.status_probe_after_s);
    }
    // every sink: record files, MQTT to the embedded broker, daily ERDDAP files
    let mqtt = format!("address = \"{broker}\"\n");
    config.sinks.mqtt = Some(toml::from_str(&mqtt).map_err(|e| e.to_string())?);
    config.files.enabled = true;
    // the example's /metrics and /healthz port, or any free one when it is taken
    let http = [gateway::config::HttpSettings::DEFAULT_LISTEN, "127.0.0.1:0"]
        .into_iter()
        .find_map(|a| std::net::TcpListener::bind(a).ok()?.local_addr().ok())
        .ok_or("no free loopback port for the http endpoints")?;
    config.http =
        Some(toml::from_str(&format!("listen = \"{http}\"\n")).map_err(|e| e.to_string())?);
    Ok(config)
}

/// `albatross demo`.
pub fn demo(data_dir: &Path, speed: f64, seconds: Option<u64>) -> ExitCode {
    if !(speed.is_finite() && speed > 0.0) {
        eprintln!("albatross demo: --speed must be a positive number");
        return ExitCode::from(2);
    }
    // one demo or run per data directory, before its state is touched
    let _lock = match crate::commands::lock_dir("demo", data_dir, gateway::instance_lock::RUN_LOCK)
    {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The simulated line starts afresh at the same instant every run: the link and QC state
    // of an earlier demo (sequence numbers, QC history) would make it look old and late.
    // Records and daily files stay: a record seen again is stored once.
    let state = data_dir.join("state");
    if state.is_dir() {
        if let Err(e) = std::fs::remove_dir_all(&state) {
            eprintln!("albatross demo: cannot clear {}: {e}", state.display());
            return ExitCode::from(1);
        }
        println!(
            "cleared the previous demo's link and QC state in {}",
            state.display()
        );
    }
    let broker = match gateway::broker::start_embedded() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("albatross demo: cannot start the MQTT broker: {e}");
            return ExitCode::from(1);
        }
    };
    // the simulated ALBATROSS line: 8 MicroCATs and an Aquadopp, a lossy channel, the MII
    // modem on loopback; the MII's instruments on their own ports
    let (log_tx, log_rx) = mpsc::channel::<String>();
    let sim = firmware_shim::sim::engine::SimConfig {
        channel: firmware_shim::sim::channel::ChannelConfig {
            good_loss: 0.05,
            bad_loss: 0.5,
            ..Default::default()
        },
        aquadopp: Some(firmware_shim::sim::aquadopp::AquadoppSpec::albatross()),
        ..Default::default()
    };
    let opts = firmware_shim::sim::serve::ServeOptions {
        tcp: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        pty: false,
        speed: firmware_shim::sim::serve::Speed::Factor(speed),
        duration_ms: None,
        wait_for_client: true,
        truth: None,
        capture: None,
        mii: Some(firmware_shim::sim::mii::MiiConfig::default()),
    };
    let spawned = std::thread::Builder::new()
        .name("simulated-line".into())
        .spawn(move || {
            let tx = log_tx.clone();
            let r = firmware_shim::sim::serve::serve(sim, opts, move |line| {
                let _ = tx.send(line.to_owned());
            });
            if let Err(e) = r {
                let _ = log_tx.send(format!("simulator stopped: {e}"));
            }
        });
    if let Err(e) = spawned {
        eprintln!("albatross demo: cannot start the simulator: {e}");
        return ExitCode::from(1);
    }
    // the modem's port, then one per MII instrument, then the wait for the gateway
    let mut ports = SimulatedPorts::default();
    let mut streams: Vec<String> = Vec::new();
    loop {
        let line = match log_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(_) => {
                eprintln!("albatross demo: the simulator did not start");
                return ExitCode::from(1);
            }
        };
        match served(&line) {
            Some(Served::Modem(a)) => ports.modem = a,
            Some(Served::Mii {
                kind,
                serial,
                address,
            }) => {
                streams.push(format!(
                    "  simulated MII {kind} {serial}: its serial line on tcp://{address}"
                ));
                ports.instruments.insert(serial.to_string(), address);
            }
            None if line.starts_with("waiting for the gateway") => break,
            None => {
                eprintln!("albatross demo: simulator: {line}");
                return ExitCode::from(1);
            }
        }
    }
    let sim_addr = ports.modem.clone();
    let config = match demo_config(data_dir, &ports, broker, speed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross demo: {e}");
            return ExitCode::from(1);
        }
    };
    println!("Albatross demo — everything on this machine, nothing leaves 127.0.0.1");
    println!("  simulated ALBATROSS line (8 MicroCATs and an Aquadopp, lossy acoustic channel): modem host interface on tcp://{sim_addr}");
    for s in &streams {
        println!("{s}");
    }
    println!("  every instrument stream, as the gateway stores and publishes it:");
    for l in &config.links {
        let what = l
            .instrument
            .as_ref()
            .map_or("its line's instruments".to_owned(), |i| {
                format!("instrument {}", i.get_ref())
            });
        println!(
            "    link {} ({:?}): platform {}, {what}",
            l.name.get_ref(),
            l.carries,
            l.platform.get_ref()
        );
    }
    for p in &config.platforms {
        for i in &p.instruments {
            println!(
                "    {} {:?} {} at {} m",
                p.id.get_ref(),
                i.kind,
                i.serial.get_ref(),
                i.nominal_depth_m
            );
        }
    }
    println!(
        "  simulated time runs {speed}x faster: a 30-min poll every {:.1} s",
        1800.0 / speed
    );
    if let Some(a) = config.http.as_ref().and_then(|h| h.listen_addr()) {
        println!("  live dashboard: http://{a}/");
        println!("  metrics: http://{a}/metrics (Prometheus), health: http://{a}/healthz");
    }
    println!("  embedded MQTT broker: mqtt://{broker}");
    println!(
        "    live records: mosquitto_sub -h 127.0.0.1 -p {} -t 'emso/#' -v",
        broker.port()
    );
    println!(
        "  daily ERDDAP files (CSV + NetCDF): {}",
        config.files_dir().display()
    );
    println!(
        "  raw archive (every byte, fsynced): {}",
        config.archive_dir().display()
    );
    println!(
        "  records, one JSON line each, per instrument per day: {}",
        config.jsonl_dir().display()
    );
    println!(
        "  try: tail -f {}/albatross/*/sbe37_3725001_*.jsonl",
        config.jsonl_dir().display()
    );
    println!(
        "       tail -f {}/mii/*/aquadopp_velocity_11402_*.jsonl",
        config.jsonl_dir().display()
    );
    println!("  stop with Ctrl-C");
    let _ = std::io::stdout().flush();
    std::thread::spawn(move || {
        for line in log_rx {
            info!(target: "simulator", "{line}");
        }
    });
    let limit = seconds.map(Duration::from_secs);
    let written = match until_shutdown("demo", limit, |rx| gateway::service::run(config, rx)) {
        Ok(n) => n,
        Err(code) => return code,
    };
    println!("demo stopped: {written} records stored");
    ExitCode::SUCCESS
}
