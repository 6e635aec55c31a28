//! The bounded fuzz run of the test command: every target on its seeds and a fixed
//! number of mutated inputs, then every kept regression input replayed.

use std::time::Instant;

use albatross_fuzz::driver::{execute, regressions_dir, run};
use albatross_fuzz::targets::ALL;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs every target (sequentially, so the per-target figures are not skewed by the
/// other test threads) and prints executions and time per target.
#[test]
fn every_target_survives_its_bounded_run() {
    let override_execs = env_u64("ALBATROSS_FUZZ_EXECS");
    let seed = env_u64("ALBATROSS_FUZZ_SEED").unwrap_or(0);
    let only = std::env::var("ALBATROSS_FUZZ_TARGET").ok();
    let start = Instant::now();
    let mut failures = Vec::new();
    for target in ALL {
        if only.as_deref().is_some_and(|o| o != target.name) {
            continue;
        }
        match run(target, override_execs.unwrap_or(target.executions), seed) {
            Ok(stats) => eprintln!(
                "fuzz {:<20} {:>7} executions ({:>3} seeds) in {:>6.2} s",
                target.name,
                stats.executions,
                stats.seeds,
                stats.elapsed.as_secs_f64()
            ),
            Err(crash) => {
                eprintln!("{crash}");
                failures.push(crash.to_string());
            }
        }
    }
    eprintln!("fuzz total {:.1} s", start.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{} targets crashed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every input under `fuzz/regressions/<target>/` (once a crash, now fixed) runs cleanly.
#[test]
fn every_regression_input_runs_cleanly() {
    let mut replayed = 0;
    for target in ALL {
        let Ok(entries) = std::fs::read_dir(regressions_dir(target.name)) else {
            continue;
        };
        for entry in entries.flatten() {
            let input = std::fs::read(entry.path()).expect("regression input readable");
            if let Err(crash) = execute(target, &input) {
                panic!("regression {}: {crash}", entry.path().display());
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} regression inputs");
}

/// Every regression folder names a target (a renamed target must take its inputs along).
#[test]
fn regression_folders_name_targets() {
    let dir = regressions_dir("");
    for entry in std::fs::read_dir(&dir)
        .expect("fuzz/regressions exists")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            assert!(ALL.iter().any(|t| t.name == name), "no target {name}");
        }
    }
}
