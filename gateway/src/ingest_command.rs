//! `albatross ingest`: the command line around [`gateway::ingest`]: what each file gave
//! and what was written on stderr, the real-time versus delayed-mode report on stdout (and
//! as JSON with `--json`).

use gateway::config::Config;
use gateway::ingest::{ingest, Options, Summary};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What the command line asked for.
pub struct Args<'a> {
    /// The recovered files.
    pub files: &'a [PathBuf],
    /// The configuration file.
    pub config: &'a Path,
    /// Where the delayed-mode files go.
    pub out: &'a Path,
    /// The real-time files (default: the configuration's).
    pub real_time: Option<&'a Path>,
    /// The matching tolerance, seconds.
    pub match_within_s: f64,
    /// The serial number of records without one.
    pub serial: Option<&'a str>,
    /// Where the JSON report goes.
    pub json: Option<&'a Path>,
}

/// The JSON report: per file what it gave, per instrument its comparison.
fn json(s: &Summary) -> serde_json::Value {
    let files: Vec<serde_json::Value> = s
        .files
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f.path.display().to_string(),
                "format": f.format,
                "failed": f.failed,
                "records": f.records,
                "samples": f.samples,
                "issues": f.issues,
                "untimed": f.untimed,
                "no_product": f.no_product,
                "unknown_serials": f.unknown,
                "not_samples": f.not_samples,
            })
        })
        .collect();
    serde_json::json!({
        "files": files,
        "day_files": s.day_files,
        "rows": s.rows,
        "instruments": s.comparisons,
    })
}

/// Runs an ingest; exit 2 for a broken configuration or argument, 1 when a file could not
/// be decoded or a file could not be written (the other files are still ingested).
pub fn run(a: &Args) -> ExitCode {
    let config = match Config::load(a.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross ingest: {e}");
            return ExitCode::from(2);
        }
    };
    if !(a.match_within_s.is_finite() && a.match_within_s >= 0.0) {
        eprintln!("albatross ingest: --match-within must be a number of seconds, 0 or more");
        return ExitCode::from(2);
    }
    let options = Options {
        real_time: a
            .real_time
            .map_or_else(|| config.files_dir(), Path::to_owned),
        tolerance_ms: (a.match_within_s * 1000.0).round() as i64,
        serial: a.serial.map(str::to_owned),
    };
    let s = match ingest(&config, a.files, a.out, &options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("albatross ingest: {e}");
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    for f in &s.files {
        let path = f.path.display();
        if let Some(e) = &f.failed {
            eprintln!("error: {path}: {e}");
            failed = true;
            continue;
        }
        eprintln!(
            "{path}: {}: {} records, {} samples, {} issues",
            f.format, f.records, f.samples, f.issues
        );
        for (kind, n) in &f.no_product {
            eprintln!("  {n} {kind} records: no daily product of that kind");
        }
        if f.untimed > 0 {
            eprintln!("  {} records without a time", f.untimed);
        }
        if f.not_samples > 0 {
            eprintln!("  {} records that are not a measurement", f.not_samples);
        }
        for (serial, n) in &f.unknown {
            eprintln!("  warning: {n} records of serial {serial}: not a configured instrument");
        }
    }
    eprintln!(
        "ingested {} file{}: {} delayed-mode day files ({} rows) under {}",
        s.files.len(),
        if s.files.len() == 1 { "" } else { "s" },
        s.day_files,
        s.rows,
        a.out.display()
    );
    println!(
        "Real time ({}) versus delayed mode ({}), samples matched within {} s",
        options.real_time.display(),
        a.out.display(),
        a.match_within_s
    );
    for c in &s.comparisons {
        print!("{c}");
    }
    if let Some(path) = a.json {
        let text = match serde_json::to_string_pretty(&json(&s)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("albatross ingest: the JSON report: {e}");
                return ExitCode::from(1);
            }
        };
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("albatross ingest: {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
