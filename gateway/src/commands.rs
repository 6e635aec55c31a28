//! The long-running subcommands: `run`, `replay`, `writer` (and the runtime and shutdown
//! signal they share with `demo`, in [`crate::demo`]).

use gateway::config::{Carries, Config};
use gateway::instance_lock::{InstanceLock, RUN_LOCK, WRITER_LOCK};
use gateway::output::write_records_csv;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, info};

/// The multi-threaded tokio runtime of a long-running subcommand.
/// Runs `work` to its end on a new multi-thread runtime, handing it a shutdown watch that
/// turns `true` on SIGINT or SIGTERM (or after `limit`). When the runtime cannot start, the
/// error is printed as `albatross <command>: …` and the exit code (1) is returned instead.
pub(crate) fn until_shutdown<T, F: std::future::Future<Output = T>>(
    command: &str,
    limit: Option<Duration>,
    work: impl FnOnce(watch::Receiver<bool>) -> F,
) -> Result<T, ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("albatross {command}: cannot start the runtime: {e}");
            ExitCode::from(1)
        })?;
    Ok(rt.block_on(async {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(shutdown_signal(tx, limit));
        work(rx).await
    }))
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

/// Takes the instance lock `name` of `dir` for `albatross <command>` (held until the
/// returned lock is dropped, or the process ends); when another live process holds it, or
/// it cannot be taken, says so on stderr (naming the holder) and returns exit code 1.
pub(crate) fn lock_dir(command: &str, dir: &Path, name: &str) -> Result<InstanceLock, ExitCode> {
    InstanceLock::acquire(dir, name, &format!("albatross {command}")).map_err(|e| {
        eprintln!("albatross {command}: {e}");
        ExitCode::from(1)
    })
}

/// `albatross run --config FILE`: exit 2 for a bad configuration, 1 when another
/// process runs on the same data directory.
pub fn run(path: &Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross run: {e}");
            return ExitCode::from(2);
        }
    };
    let _lock = match lock_dir("run", &config.gateway.data_dir, RUN_LOCK) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match until_shutdown("run", None, |rx| gateway::service::run(config, rx)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `albatross writer --config FILE`: exit 2 for a bad configuration, 1 when the writer
/// cannot run (output directory, or another writer on the same store), 0 after a clean stop
/// (SIGINT/SIGTERM).
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
    let _lock = match lock_dir("writer", &opts.dir, WRITER_LOCK) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let result = match until_shutdown("writer", None, |rx| async move {
        gateway::writer::run_configured(&config, opts, rx).await
    }) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error = %e, "writer failed");
            eprintln!("albatross writer: {e}");
            ExitCode::from(1)
        }
    }
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
    let r = match gateway::offline_replay::replay(&data, config.as_ref(), carries, serial) {
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
    let station = gateway::dailyfiles::StationInfo::from(config);
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

/// `albatross erddap-config --config FILE [--delayed DIR] [--writer]`: the datasets.xml
/// entries on stdout (with the delayed-mode datasets of the files under DIR; with
/// `--writer`, for the shore writer's files).
pub fn erddap_config(path: &Path, delayed: Option<&Path>, writer: bool) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross erddap-config: {e}");
            return ExitCode::from(2);
        }
    };
    use gateway::dailyfiles::erddap::{datasets_xml_under, datasets_xml_with_delayed};
    let root = if writer {
        config.writer_files_dir()
    } else {
        config.files_dir()
    };
    let xml = match delayed {
        None => datasets_xml_under(&config, &root),
        Some(d) => datasets_xml_with_delayed(&config, &root, d),
    };
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

/// `albatross status`: judges the data directory of the configuration at `path` (at `now`,
/// default the clock), prints the one line and returns the Nagios exit code.
pub fn status(path: &Path, now: Option<protocol::time::UtcTime>) -> ExitCode {
    use gateway::status::{judge, survey::survey, unknown, Thresholds};
    let verdict = match Config::load(path) {
        Err(e) => unknown(&e.to_string()),
        Ok(config) => match survey(&config) {
            Err(e) => unknown(&e.to_string()),
            Ok(facts) => judge(
                &facts,
                &Thresholds::of(&config.status),
                now.unwrap_or_else(gateway::clock::now),
            ),
        },
    };
    println!("{}", verdict.line);
    ExitCode::from(verdict.state.exit_code())
}

/// `albatross plot`: the PNG plots of `day` from the daily files (`files`, default the
/// configuration's) into `out`; their paths on stdout. Exit 1 when nothing could be plotted.
pub fn plot(
    path: &Path,
    day: gateway::dailyfiles::Day,
    out: &Path,
    files: Option<&Path>,
) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross plot: {e}");
            return ExitCode::from(2);
        }
    };
    let files = files.map_or_else(|| config.files_dir(), Path::to_owned);
    match gateway::plot::plot_day(&config, &files, day, out) {
        Ok(p) => {
            for f in &p.files {
                println!("{}", f.display());
            }
            if !p.without_data.is_empty() {
                eprintln!(
                    "albatross plot: no data on {} for {}",
                    day.compact(),
                    p.without_data.join(", ")
                );
            }
            if p.files.is_empty() {
                eprintln!(
                    "albatross plot: nothing to plot on {} under {}",
                    day.compact(),
                    files.display()
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("albatross plot: {e}");
            ExitCode::from(1)
        }
    }
}
