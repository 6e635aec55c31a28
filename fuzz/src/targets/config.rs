//! The gateway configuration: `Config::parse` on arbitrary text.

use std::path::Path;

use gateway::config::Config;

use crate::seeds;

/// The example configuration.
pub fn seeds() -> Vec<Vec<u8>> {
    let root = seeds::repo_root();
    std::fs::read(root.join(seeds::CONFIG))
        .map(|c| vec![c])
        .unwrap_or_default()
}

/// Parses (and validates) the input as a configuration file: an error, never a panic.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = Config::parse(&text, Path::new("fuzz.toml"));
}
