//! The gateway's TOML configuration: station metadata, platforms and their instruments,
//! links, archive and sinks.
//!
//! [`Config::load`] reads and validates a file; every error names the file, the line and
//! column, and the field ([`ConfigError`]), so the operator fixes it in one go. Unknown
//! fields are errors (a misspelt key never silently falls back to a default). The
//! commented example for EMSO Ligure Ouest is `gateway/albatross.example.toml`.

mod credentials;
mod error;
mod model;
mod simulated;
mod validate;

pub use credentials::{Credentials, CredentialsError, Secret};
pub use error::ConfigError;
pub use model::*;
pub use simulated::SimulatedPorts;

use std::path::Path;

impl Config {
    /// Reads, parses and validates the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, &e))?;
        Config::parse(&text, path)
    }

    /// Parses and validates configuration `text`; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        validate::check(&config, text, path)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
