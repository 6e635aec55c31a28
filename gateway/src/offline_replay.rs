//! `albatross replay`: a capture (or a raw-archive day) through the same decoders and the
//! same enrichment stage (derived variables, live QC flags: [`crate::pipeline::enrich`]) as
//! the live gateway, offline and as fast as possible.

use crate::config::{Carries, Config};
use crate::links::replay_capture;
use crate::pipeline::enrich::{EnrichStats, Enricher};
use crate::pipeline::factory::replay_decoder;
use crate::pipeline::Output;
use protocol::capture::CaptureError;

/// What a replay produced.
#[derive(Debug)]
pub struct Replayed {
    /// Observations and notices, in order.
    pub output: Output,
    /// Capture records read.
    pub records_read: u64,
    /// The decoder's counters, one line.
    pub summary: String,
    /// Set when the capture is damaged: what came before is in `output`.
    pub error: Option<CaptureError>,
    /// What the enrichment stage did (records enriched, late, derivation refused).
    pub enrichment: EnrichStats,
}

/// Replays `data` (a capture) as a link carrying `carries`, through the decoder
/// [`replay_decoder`] builds: with a configuration, records get its station metadata (and
/// the instrument `serial` for instrument links) and the configured link's settings apply
/// (`[link.modem]` framing and timeouts); without, a modem link names instruments from the
/// line's own inventory (line status). MicroCAT
/// records then go through the enrichment stage in arrival order, as live, with the
/// configuration's `[files.qc]` (the default QC without a configuration; no position, so no
/// derived variables).
pub fn replay(
    data: &[u8],
    config: Option<&Config>,
    carries: Carries,
    serial: Option<&str>,
) -> Result<Replayed, CaptureError> {
    let mut decoder = replay_decoder(config, carries, serial);
    let mut output = Output::default();
    // a damaged capture keeps what came before the damage
    let (records_read, error) = match replay_capture(data, decoder.as_mut(), &mut output) {
        Ok(n) => (n, None),
        Err(CaptureError::BadMagic) => return Err(CaptureError::BadMagic),
        Err(e) => {
            decoder.finish(protocol::time::UtcTime(0), &mut output);
            (0, Some(e))
        }
    };
    let mut enricher = match config {
        Some(c) => Enricher::from_config(c),
        None => Enricher::new(crate::science::default_qc()),
    };
    enricher.enrich_all(&mut output.observations);
    Ok(Replayed {
        output,
        records_read,
        summary: decoder.summary(),
        error,
        enrichment: enricher.stats(),
    })
}
