//! The bounded driver: runs a target on its seeds, then on a fixed number of mutated
//! inputs, and turns a panic into a [`Crash`] that keeps the input.
//!
//! Promises: a run is deterministic (the PRNG is seeded from the target's name and the
//! `seed` argument) and bounded in work (`executions` inputs), not in wall-clock time.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::mutate::{mutate, Rng};

/// One fuzz target: a parser entry point and the seeds its inputs are mutated from.
pub struct Target {
    /// Name (also the folder of its regression inputs under `fuzz/regressions/`).
    pub name: &'static str,
    /// Mutated inputs of the bounded run in `cargo test`.
    pub executions: u64,
    /// The seed corpus.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Feeds one input to the parser; panics (an assertion) when a property fails.
    pub run: fn(&[u8]),
}

/// What a finished run did.
#[derive(Debug, Clone, Copy)]
pub struct RunStats {
    /// Inputs executed (seeds included).
    pub executions: u64,
    /// Seeds in the corpus.
    pub seeds: usize,
    /// Wall-clock time taken.
    pub elapsed: Duration,
}

/// An input that made the target panic.
#[derive(Debug)]
pub struct Crash {
    /// The target.
    pub target: &'static str,
    /// The input.
    pub input: Vec<u8>,
    /// The panic message.
    pub message: String,
    /// Where the input was saved (`fuzz/crashes/<target>/<hash>`), when it could be.
    pub saved: Option<PathBuf>,
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fuzz target {} panicked on a {}-byte input ({}): {}",
            self.target,
            self.input.len(),
            self.saved
                .as_ref()
                .map_or("not saved".to_owned(), |p| format!(
                    "saved as {}",
                    p.display()
                )),
            self.message
        )
    }
}

/// Runs `target` on its seeds and then on `executions` mutated inputs.
pub fn run(target: &Target, executions: u64, seed: u64) -> Result<RunStats, Crash> {
    let start = Instant::now();
    let corpus = (target.seeds)();
    let mut rng = Rng::new(fnv1a(target.name.as_bytes()) ^ seed);
    for input in &corpus {
        execute(target, input)?;
    }
    for _ in 0..executions {
        let input = mutate(&mut rng, &corpus);
        execute(target, &input)?;
    }
    Ok(RunStats {
        executions: executions + corpus.len() as u64,
        seeds: corpus.len(),
        elapsed: start.elapsed(),
    })
}

/// Runs one input, catching a panic.
pub fn execute(target: &Target, input: &[u8]) -> Result<(), Crash> {
    panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".to_owned());
        Crash {
            target: target.name,
            input: input.to_vec(),
            message,
            saved: save(target.name, input),
        }
    })
}

/// The folder of `target`'s regression inputs.
pub fn regressions_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
}

/// Writes a crashing input under `fuzz/crashes/<target>/`, to be moved into
/// `fuzz/regressions/<target>/` once fixed.
fn save(target: &str, input: &[u8]) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crashes")
        .join(target);
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{:016x}", fnv1a(input)));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// FNV-1a, 64 bits: names crash files and seeds the PRNG per target.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
