//! `albatross reprocess`: the command line around [`gateway::reprocess`], with its
//! progress bar (drawn only on a terminal) and final summary.

use gateway::config::Config;
use gateway::dailyfiles::Day;
use gateway::reprocess::{reprocess, DayRange, Options, Progress};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;

/// What the command line asked for.
pub struct Args<'a> {
    /// The configuration file.
    pub config: &'a Path,
    /// The raw archive (default: the configuration's).
    pub raw: Option<&'a Path>,
    /// Where the daily files go.
    pub out: &'a Path,
    /// The first day rebuilt.
    pub from: Option<Day>,
    /// The last day rebuilt.
    pub to: Option<Day>,
    /// Days written per slice.
    pub slice_days: i64,
}

/// Runs a reprocess of the configuration's links from the raw archive into `out`; prints
/// the summary on stderr.
pub fn run(a: &Args) -> ExitCode {
    let Args {
        config,
        raw,
        out,
        from,
        to,
        slice_days,
    } = *a;
    let config = match Config::load(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("albatross reprocess: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            eprintln!("albatross reprocess: --from is after --to");
            return ExitCode::from(2);
        }
    }
    let raw = raw.map_or_else(|| config.archive_dir(), Path::to_owned);
    if !raw.is_dir() {
        eprintln!(
            "albatross reprocess: {}: no raw archive there",
            raw.display()
        );
        return ExitCode::from(2);
    }
    let bar = ProgressBar::new(0);
    // the template is a constant known to be valid
    let style =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} decoded, {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let progress = |p: Progress| match p {
        Progress::Decoded { bytes, total } => {
            bar.set_length(total);
            bar.set_position(bytes);
        }
        Progress::Written { days } => bar.set_message(format!("{days} days written")),
    };
    let options = Options {
        range: DayRange { from, to },
        slice_days,
    };
    let result = reprocess(&config, &raw, out, &options, &progress);
    bar.finish_and_clear();
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("albatross reprocess: {e}");
            return ExitCode::from(1);
        }
    };
    for (link, counters) in &s.links {
        eprintln!("{link}: {counters}");
    }
    for (path, e) in &s.damaged {
        eprintln!(
            "warning: {}: capture damaged, read up to the damage: {e}",
            path.display()
        );
    }
    let secs = s.elapsed.as_secs_f64();
    eprintln!(
        "reprocessed {} day{}: {} day files ({} rows) under {}; {} records decoded from {} archive files ({} capture records), {} samples, {} records without daily files, {} bad bytes; {:.2} s (archive decoded after {:.2} s, files finished {:.2} s later; {:.0} records/s)",
        s.days,
        if s.days == 1 { "" } else { "s" },
        s.day_files,
        s.rows,
        out.display(),
        s.records,
        s.capture_files,
        s.capture_records,
        s.samples,
        s.skipped,
        s.bad_bytes,
        secs,
        s.decode_time.as_secs_f64(),
        s.write_time.as_secs_f64(),
        s.records as f64 / secs.max(1e-9),
    );
    ExitCode::SUCCESS
}
