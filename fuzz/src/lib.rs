//! A stable-toolchain fuzzer for every Albatross parser.
//!
//! Only the stable toolchain is available where Albatross is built, so there is no
//! libFuzzer (cargo-fuzz needs nightly). Instead: a seeded, coverage-less but
//! mutation-based driver. Each [`targets::ALL`] entry is one parser entry point with its
//! seed corpus (the captures, the real instrument files, the example configuration, the
//! golden frames); [`driver::run`] feeds it the seeds and then a fixed number of inputs
//! made by stacking [`mutate`] mutations (bit flips, byte overwrites, insertions,
//! deletions, chunk repeats, splices across seeds, truncations, format tokens).
//!
//! Each target asserts that its parser never panics and, where an inverse exists, that
//! what it decoded round-trips (frames, messages, fragmentation, framed mode, captures) or
//! does not depend on how the input was chunked (the streaming decoders).
//!
//! `cargo test -p albatross-fuzz` runs the bounded run (`tests/bounded.rs`) and replays
//! every input kept under `fuzz/regressions/<target>/`. `ALBATROSS_FUZZ_EXECS=N` overrides
//! the executions per target and `ALBATROSS_FUZZ_SEED=S` the PRNG seed, for longer hunts:
//! `ALBATROSS_FUZZ_EXECS=200000 cargo test --release -p albatross-fuzz`.

pub mod driver;
pub mod mutate;
pub mod seeds;
pub mod targets;
