//! One instrument's streaming QC state as text, so that the sequence tests (spike, rate of
//! change, flat line) continue after a restart of `albatross run` as if it had not stopped.
//!
//! The stage hands out the states that changed ([`super::Enricher::take_changed`]) and
//! takes saved ones back at start ([`super::Enricher::resume`]); where and when they are
//! stored is the service's business (`crate::service`, which keeps it in step with the
//! sinks and the link checkpoints).
//!
//! A value is kept as a JSON number: the stage's values are rounded to the daily files'
//! decimals, so the shortest decimal form JSON writes reads back as the same `f64`. A
//! missing value (NaN) is `null`.

use protocol::time::UtcTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version written in every saved state.
pub const FORMAT: u32 = 1;

/// The streaming QC state of one instrument, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedInstrument {
    /// [`FORMAT`].
    pub format: u32,
    /// The platform id of the instrument's records.
    pub platform: String,
    /// The instrument's serial number, as its records carry it.
    pub serial: String,
    /// Time of the newest record that went through the sequence tests, Unix ms.
    pub newest_ms: i64,
    /// Each variable's kept samples, oldest first: (Unix ms, value or `null`).
    pub variables: BTreeMap<String, Vec<(i64, Option<f64>)>>,
}

/// Why a saved state was not taken back.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    /// Not JSON of the saved shape.
    #[error("unreadable QC state: {0}")]
    Json(#[from] serde_json::Error),
    /// Written by another version of the gateway.
    #[error("QC state of format {0}, this gateway reads format {FORMAT}")]
    Format(u32),
}

impl SavedInstrument {
    /// The state as one line of JSON.
    pub fn to_json(&self) -> String {
        // a map of strings and arrays of numbers: serialisation cannot fail
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what [`SavedInstrument::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Self, SavedError> {
        let s: SavedInstrument = serde_json::from_str(text)?;
        if s.format != FORMAT {
            return Err(SavedError::Format(s.format));
        }
        Ok(s)
    }

    /// The kept samples of every variable, with NaN for a missing value.
    pub(super) fn histories(&self) -> BTreeMap<String, Vec<(UtcTime, f64)>> {
        self.variables
            .iter()
            .map(|(k, v)| {
                let h = v
                    .iter()
                    .map(|&(t, x)| (UtcTime(t), x.unwrap_or(f64::NAN)))
                    .collect();
                (k.clone(), h)
            })
            .collect()
    }
}
