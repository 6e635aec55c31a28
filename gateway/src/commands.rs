//! The long-running subcommands: `run`, `demo`, `replay`, `writer`.

use gateway::config::{Carries, Config};
use gateway::output::write_records_csv;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, info};

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// Turns `true` on SIGINT or SIGTERM (or after `limit`).
async fn shutdown_signal(tx: watch::Sender<bool>, limit: Option<Duration>) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            error!(error = %e, "cannot watch SIGTERM");
            return;
        }
    };
    #[cfg(unix)]
    let term = term.recv();
    #[cfg(not(unix))]
    let term = std::future::pending::<Option<()>>();
    let timer = async {
        match limit {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => info!("SIGINT: shutting down"),
        _ = term => info!("SIGTERM: shutting down"),
        _ = timer => info!("time limit reached: shutting down"),
    }
    let _ = tx.send(true);
}

/// `albatross run --config FILE`.
pub fn run(path: &Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross run: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("albatross run: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(shutdown_signal(tx, None));
        gateway::service::run(config, rx).await;
    });
    ExitCode::SUCCESS
}

/// `albatross writer --config FILE`: exit 2 for a bad configuration, 1 when the writer
/// cannot run (output directory), 0 after a clean stop (SIGINT/SIGTERM).
pub fn writer(path: &Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross writer: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = match gateway::writer::WriterOptions::from_config(&config) {
        Ok(o) => o,
        Err(e) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let at = e.span.as_ref().map_or(0, |s| s.start);
            let err = gateway::config::ConfigError::at(path, &text, at, &e.field, e.message);
            eprintln!("albatross writer: {err}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("albatross writer: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(shutdown_signal(tx, None));
        gateway::writer::run(opts, rx).await
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error = %e, "writer failed");
            eprintln!("albatross writer: {e}");
            ExitCode::from(1)
        }
    }
}

/// The example configuration, adapted to the demo's simulated line on `sim_addr`.
fn demo_config(
    data_dir: &Path,
    sim_addr: &str,
    broker: std::net::SocketAddr,
    speed: f64,
) -> Result<Config, String> {
    let text = include_str!("../albatross.example.toml");
    let mut config =
        Config::parse(text, Path::new("albatross.example.toml")).map_err(|e| e.to_string())?;
    config.gateway.data_dir = data_dir.to_owned();
    config.links.retain(|l| l.carries == Carries::Modem);
    // the simulated clock runs `speed` times faster: shrink the repair delays to match
    let scale = |s: u32| ((f64::from(s) / speed).ceil() as u32).max(1);
    for l in &mut config.links {
        if let Some(t) = l.tcp.as_mut() {
            *t.address.get_mut() = sim_addr.to_owned();
        }
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
    Ok(config)
}

/// `albatross demo`.
pub fn demo(data_dir: &Path, speed: f64, seconds: Option<u64>) -> ExitCode {
    if !(speed.is_finite() && speed > 0.0) {
        eprintln!("albatross demo: --speed must be a positive number");
        return ExitCode::from(2);
    }
    let broker = match gateway::broker::start_embedded() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("albatross demo: cannot start the MQTT broker: {e}");
            return ExitCode::from(1);
        }
    };
    // the simulated ALBATROSS line: 8 MicroCATs, a lossy channel, the MII modem on loopback
    let (log_tx, log_rx) = mpsc::channel::<String>();
    let sim = firmware_shim::sim::engine::SimConfig {
        channel: firmware_shim::sim::channel::ChannelConfig {
            good_loss: 0.05,
            bad_loss: 0.5,
            ..Default::default()
        },
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
    let sim_addr = match log_rx.recv_timeout(Duration::from_secs(10)) {
        Ok(line) => match line.split("tcp://").nth(1) {
            Some(a) => a.split_whitespace().next().unwrap_or("").to_owned(),
            None => {
                eprintln!("albatross demo: simulator: {line}");
                return ExitCode::from(1);
            }
        },
        Err(_) => {
            eprintln!("albatross demo: the simulator did not start");
            return ExitCode::from(1);
        }
    };
    let config = match demo_config(data_dir, &sim_addr, broker, speed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross demo: {e}");
            return ExitCode::from(1);
        }
    };
    println!("Albatross demo — everything on this machine, nothing leaves 127.0.0.1");
    println!("  simulated ALBATROSS line (8 MicroCATs, lossy acoustic channel): modem host interface on tcp://{sim_addr}");
    println!(
        "  simulated time runs {speed}x faster: a 30-min poll every {:.1} s",
        1800.0 / speed
    );
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
    println!("  stop with Ctrl-C");
    let _ = std::io::stdout().flush();
    std::thread::spawn(move || {
        for line in log_rx {
            info!(target: "simulator", "{line}");
        }
    });
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("albatross demo: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let written = rt.block_on(async {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(shutdown_signal(tx, seconds.map(Duration::from_secs)));
        gateway::service::run(config, rx).await
    });
    println!("demo stopped: {written} records stored");
    ExitCode::SUCCESS
}

/// `albatross replay CAPTURE`.
pub fn replay(
    path: &Path,
    config: Option<&Path>,
    carries: Carries,
    serial: Option<&str>,
    csv: bool,
    files_dir: Option<&Path>,
) -> ExitCode {
    let config = match config.map(Config::load).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross replay: {e}");
            return ExitCode::from(2);
        }
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("albatross replay: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let r = match gateway::replay::replay(&data, config.as_ref(), carries, serial) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("albatross replay: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let records: Vec<_> = r
        .output
        .observations
        .iter()
        .map(|o| o.record.clone())
        .collect();
    let written = if csv {
        write_records_csv(&records, &mut out)
    } else {
        records
            .iter()
            .try_for_each(|rec| writeln!(out, "{}", rec.to_json()))
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("albatross replay: writing records: {e}");
            return ExitCode::from(1);
        }
    }
    for n in &r.output.notices {
        eprintln!("{}: {}", if n.warning { "warning" } else { "note" }, n.text);
    }
    if let Some(dir) = files_dir {
        if let Err(code) = replay_files(dir, config.as_ref(), &r.output.observations) {
            return code;
        }
    }
    eprintln!(
        "{}: {} capture records read; {}",
        path.display(),
        r.records_read,
        r.summary
    );
    if let Some(e) = r.error {
        eprintln!(
            "{}: capture damaged, replay stopped there: {e}",
            path.display()
        );
    }
    ExitCode::SUCCESS
}

/// The daily files of a replay (`replay --files-dir DIR`).
fn replay_files(
    dir: &Path,
    config: Option<&Config>,
    observations: &[gateway::observation::Observation],
) -> Result<(), ExitCode> {
    let Some(config) = config else {
        eprintln!("albatross replay: --files-dir needs --config (station and instrument metadata)");
        return Err(ExitCode::from(2));
    };
    if let Err(e) = config.files.qc.validate() {
        eprintln!("albatross replay: [files.{}]: {}", e.field, e.reason);
        return Err(ExitCode::from(2));
    }
    let writer = gateway::dailyfiles::DailyWriter::new(dir, config.files.qc.clone());
    let station = gateway::dailyfiles::StationInfo::from(&config.station);
    match writer.write_observations(&station, observations, true) {
        Ok(report) => {
            let rows: usize = report.days.iter().map(|d| d.rows).sum();
            eprintln!(
                "daily files: {} day files ({rows} rows) under {}; {} observations without daily files",
                report.days.len(),
                dir.display(),
                report.skipped
            );
            Ok(())
        }
        Err(e) => {
            eprintln!("albatross replay: daily files: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// `albatross erddap-config --config FILE`: the datasets.xml entries on stdout.
pub fn erddap_config(path: &Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross erddap-config: {e}");
            return ExitCode::from(2);
        }
    };
    let xml = gateway::dailyfiles::erddap::datasets_xml(&config);
    let mut out = std::io::stdout().lock();
    match out.write_all(xml.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("albatross erddap-config: {e}");
            ExitCode::from(1)
        }
    }
}
