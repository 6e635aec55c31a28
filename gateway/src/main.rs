//! `albatross`: the Albatross gateway command line.
//!
//! Exit codes: 0 ok (a file with bad records still decodes: they are reported on stderr),
//! 1 runtime failure (cannot write the output), 2 bad usage, unreadable file or a format
//! that is unknown or not recognised.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use gateway::decode::{DecodeError, Format};
use gateway::output::{write_csv_stream, write_jsonl_stream};

/// The allocator of the binary: mimalloc. A reprocess allocates and frees many short-lived
/// buffers (records, attribute text, file bytes) from several threads; glibc's malloc took
/// about a fifth of its CPU (BENCHMARKS.md, "The 10-year reprocess").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
#[cfg(feature = "demo")]
mod demo;
mod ingest_command;
mod reprocess_command;

/// Albatross telemetry gateway (EMSO Ligure Ouest).
#[derive(Debug, Parser)]
#[command(name = "albatross", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway service: read every configured link, archive, decode, store.
    Run(RunArgs),
    /// Everything on this machine: the simulated ALBATROSS line over loopback TCP, an
    /// embedded MQTT broker and the gateway, writing under ./albatross-data.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Decode an instrument file to records on stdout (summary and problems on stderr).
    Decode(DecodeArgs),
    /// Replay a capture or raw-archive day through the gateway's decoders (records on stdout).
    Replay(ReplayArgs),
    /// Rebuild every daily product (CSV + NetCDF) of every configured link from the raw
    /// archive, byte-identical to what the live gateway wrote from the same bytes.
    Reprocess(ReprocessArgs),
    /// Make recovered instruments' memory (SBE 37 .hex uploads, Nortek files, optode and
    /// C-Star logger files) into delayed-mode daily products, and report how they differ
    /// from the real-time ones over the same period.
    Ingest(IngestArgs),
    /// Print the ERDDAP datasets.xml entries (EDDTableFromNcCFFiles) for the daily files of
    /// the configured instruments.
    ErddapConfig(ErddapConfigArgs),
    /// A monitoring check (Nagios/Xymon) of the data directory alone: one line, and exit 0
    /// OK, 1 WARNING (an instrument late), 2 CRITICAL (an instrument stale or silent, a link
    /// down, the MQTT spool not draining), 3 UNKNOWN (cannot read the configuration or the
    /// data directory).
    Status(StatusArgs),
    /// Daily PNG plots, one per instrument, from the daily CSV files: one panel per
    /// variable, flagged points marked (suspect orange, bad red).
    Plot(PlotArgs),
    /// Shore-side MQTT subscriber: store every record the gateways publish (broker from
    /// [sinks.mqtt], settings from [writer]) in daily JSON-lines files, each record once.
    Writer(WriterArgs),
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The configuration file (TOML; see gateway/albatross.example.toml).
    #[arg(long)]
    config: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Args)]
struct WriterArgs {
    /// The configuration file (TOML): [station], [gateway], [sinks.mqtt] and [writer].
    #[arg(long)]
    config: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
struct DemoArgs {
    /// Where the demo writes (archive, records, spool).
    #[arg(long, default_value = "albatross-data")]
    data_dir: PathBuf,
    /// Simulated seconds per wall-clock second (600: a 30-min poll every 3 s).
    #[arg(long, default_value_t = 600.0)]
    speed: f64,
    /// Stop after this many wall-clock seconds (default: run until Ctrl-C).
    #[arg(long)]
    seconds: Option<u64>,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// The capture file (captures/FORMAT.md) or a raw-archive day file.
    capture: PathBuf,
    /// A configuration: records get its station metadata and instrument names.
    #[arg(long)]
    config: Option<PathBuf>,
    /// What the captured link carries.
    #[arg(long, value_enum, default_value_t = CarriesArg::Modem)]
    carries: CarriesArg,
    /// For an instrument link: the instrument's serial number.
    #[arg(long)]
    serial: Option<String>,
    /// Also write the daily CSV + NetCDF files (ERDDAP) of the replayed records under DIR,
    /// with the configuration's [files.qc] (merged with files already there).
    #[arg(long, value_name = "DIR")]
    files_dir: Option<PathBuf>,
    /// Output encoding.
    #[arg(long, value_enum, default_value_t = Output::Jsonl)]
    output: Output,
}

#[derive(Debug, Args)]
struct ReprocessArgs {
    /// The configuration file (TOML): links, [station], [[platform]] and [files.qc].
    #[arg(long)]
    config: PathBuf,
    /// The raw archive (`<DIR>/<link>/<YYYYMMDD>.cap`); default: the configuration's.
    #[arg(long, value_name = "DIR")]
    raw: Option<PathBuf>,
    /// Where the daily files go (`<DIR>/<platform>/<YYYY>/...`, as [files]).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The first day rebuilt (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    from: Option<gateway::dailyfiles::Day>,
    /// The last day rebuilt (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    to: Option<gateway::dailyfiles::Day>,
    /// Days written per slice (memory against boundary days rebuilt twice; the files do
    /// not depend on it).
    #[arg(long, value_name = "N", default_value_t = gateway::reprocess::SLICE_DAYS,
        value_parser = clap::value_parser!(i64).range(1..=3660))]
    slice_days: i64,
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// The recovered files (format recognised from the content, as `decode --format auto`).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The configuration file (TOML): [station], [[platform]] (the instruments, by serial
    /// number) and [files.qc].
    #[arg(long)]
    config: PathBuf,
    /// Where the delayed-mode daily files go (`<DIR>/<platform>/<YYYY>/...`, merged with
    /// files already there).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The real-time daily files to compare with; default: the configuration's [files].
    #[arg(long, value_name = "DIR")]
    real_time: Option<PathBuf>,
    /// Real-time and memory samples at most this many seconds apart are the same sample.
    #[arg(long, value_name = "SECONDS", default_value_t = gateway::ingest::TOLERANCE_MS as f64 / 1000.0)]
    match_within: f64,
    /// The serial number of records that carry none (e.g. a logger file's lines).
    #[arg(long)]
    serial: Option<String>,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The gateway's configuration file (TOML): its data directory, instruments, links,
    /// and the thresholds of [status].
    #[arg(long)]
    config: PathBuf,
    /// Judge as if it were TIME (RFC 3339 UTC, e.g. 2026-03-01T12:00:00Z) instead of now:
    /// for a copy of a data directory.
    #[arg(long, value_name = "TIME", value_parser = parse_utc)]
    now: Option<protocol::time::UtcTime>,
}

#[derive(Debug, Args)]
struct PlotArgs {
    /// The configuration file (TOML): [station], [[platform]] and [files].
    #[arg(long)]
    config: PathBuf,
    /// The day plotted (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    day: gateway::dailyfiles::Day,
    /// Where the PNG files go (`<DIR>/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>.png`).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The daily files plotted; default: the configuration's [files] directory.
    #[arg(long, value_name = "DIR")]
    files: Option<PathBuf>,
}

/// An RFC 3339 UTC time on the command line.
fn parse_utc(s: &str) -> Result<protocol::time::UtcTime, String> {
    gateway::record::parse_time(s).ok_or_else(|| format!("`{s}` is not an RFC 3339 UTC time"))
}

#[derive(Debug, Args)]
struct ErddapConfigArgs {
    /// The configuration file (TOML): [station], [[platform]] and [files].
    #[arg(long)]
    config: PathBuf,
    /// Also list the delayed-mode datasets of the files `albatross ingest` wrote under DIR.
    #[arg(long, value_name = "DIR")]
    delayed: Option<PathBuf>,
    /// Point the real-time datasets at the shore writer's files (`[writer] files_dir`,
    /// default `<data_dir>/writer-erddap`) instead of the gateway's `[files]`.
    #[arg(long)]
    writer: bool,
}

/// What a replayed link carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CarriesArg {
    /// The acoustic modem's host interface.
    Modem,
    /// SBE 37 ASCII lines.
    Sbe37Ascii,
    /// Nortek binary.
    Nortek,
    /// Optode lines.
    Optode,
    /// C-Star lines.
    Cstar,
}

/// Output encodings of `decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    /// One JSON object per line.
    Jsonl,
    /// A header line, then one row per record of the file's main record type.
    Csv,
}

#[derive(Debug, Args)]
struct DecodeArgs {
    /// The file to decode.
    file: PathBuf,
    /// Input format; `auto` recognises it from the content.
    #[arg(long, value_parser = format_parser(), default_value = "auto")]
    format: Format,
    /// Output encoding.
    #[arg(long, value_enum, default_value_t = Output::Jsonl)]
    output: Output,
}

/// `--format`: every [`Format`] by name, with its summary in `--help`.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(Format::ALL.map(|f| PossibleValue::new(f.name()).help(f.summary())))
        .try_map(|name| name.parse::<Format>())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            init_logs(args.log_format);
            commands::run(&args.config)
        }
        #[cfg(feature = "demo")]
        Command::Demo(args) => {
            init_logs(args.log_format);
            demo::demo(&args.data_dir, args.speed, args.seconds)
        }
        Command::Writer(args) => {
            init_logs(args.log_format);
            commands::writer(&args.config)
        }
        Command::Decode(args) => match decode(&args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("albatross decode: {e:#}");
                ExitCode::from(1)
            }
        },
        Command::ErddapConfig(args) => {
            commands::erddap_config(&args.config, args.delayed.as_deref(), args.writer)
        }
        Command::Status(a) => commands::status(&a.config, a.now),
        Command::Plot(a) => commands::plot(&a.config, a.day, &a.out, a.files.as_deref()),
        Command::Ingest(a) => ingest_command::run(&ingest_command::Args {
            files: &a.files,
            config: &a.config,
            out: &a.out,
            real_time: a.real_time.as_deref(),
            match_within_s: a.match_within,
            serial: a.serial.as_deref(),
            json: a.json.as_deref(),
        }),
        Command::Reprocess(a) => reprocess_command::run(&reprocess_command::Args {
            config: &a.config,
            raw: a.raw.as_deref(),
            out: &a.out,
            from: a.from,
            to: a.to,
            slice_days: a.slice_days,
        }),
        Command::Replay(args) => {
            let carries = match args.carries {
                CarriesArg::Modem => gateway::config::Carries::Modem,
                CarriesArg::Sbe37Ascii => gateway::config::Carries::Sbe37Ascii,
                CarriesArg::Nortek => gateway::config::Carries::Nortek,
                CarriesArg::Optode => gateway::config::Carries::Optode,
                CarriesArg::Cstar => gateway::config::Carries::Cstar,
            };
            commands::replay(
                &args.capture,
                args.config.as_deref(),
                carries,
                args.serial.as_deref(),
                args.output == Output::Csv,
                args.files_dir.as_deref(),
            )
        }
    }
}

/// Structured logs on stderr (`RUST_LOG` filters, default `info`).
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // colours only on a terminal: log files and journald get plain text
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Bytes read from the file at a time by `decode`.
const READ_BUFFER: usize = 64 * 1024;

/// Runs `decode`; `Err` is a runtime failure (exit 1).
fn decode(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    // The file is read in chunks as the decoding goes (memory does not grow with it).
    let file = match std::fs::File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("albatross decode: cannot read {name}: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut input = io::BufReader::with_capacity(READ_BUFFER, file);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match args.output {
        Output::Jsonl => write_jsonl_stream(args.format, &mut input, &mut out).map(|r| (r, None)),
        Output::Csv => write_csv_stream(args.format, &mut input, &mut out),
    };
    let result = result.and_then(|r| out.flush().map(|()| r).map_err(DecodeError::Output));
    match result {
        Ok((report, note)) => {
            eprint!("{}", report.summary(&name));
            if let Some(note) = note {
                eprintln!("  {note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(DecodeError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            // The reader went away (`| head`): not a failure of ours.
            Ok(ExitCode::SUCCESS)
        }
        Err(DecodeError::Output(e)) => Err(e).context(format!("writing the records of {name}")),
        Err(DecodeError::Input(e)) => {
            eprintln!("albatross decode: cannot read {name}: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => {
            eprintln!("albatross decode: {name}: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
