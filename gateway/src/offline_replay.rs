//! `albatross replay`: a capture (or a raw-archive day) through the same decoders and the
//! same enrichment stage (derived variables, live QC flags: [`crate::pipeline::enrich`]) as
//! the live gateway, offline and as fast as possible.

use crate::config::{Carries, Config};
use crate::links::replay_capture;
use crate::pipeline::enrich::{EnrichStats, Enricher};
use crate::pipeline::instrument::InstrumentDecoder;
use crate::pipeline::modem::ModemDecoder;
use crate::pipeline::{LinkDecoder, Output, PlatformMeta};
use protocol::capture::CaptureError;
use protocol::modem_link::ModemLinkConfig;
use std::sync::Arc;

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

/// Replays `data` (a capture) as a link carrying `carries`. With a configuration, records
/// get its station metadata (and the instrument `serial` for instrument links); without,
/// a modem link names instruments from the line's own inventory (line status). MicroCAT
/// records then go through the enrichment stage in arrival order, as live, with the
/// configuration's `[files.qc]` (the default QC without a configuration; no position, so no
/// derived variables).
pub fn replay(
    data: &[u8],
    config: Option<&Config>,
    carries: Carries,
    serial: Option<&str>,
) -> Result<Replayed, CaptureError> {
    let platforms: Vec<Arc<PlatformMeta>> = config
        .map(|c| {
            c.platforms
                .iter()
                .map(|p| Arc::new(PlatformMeta::from_config(c, p)))
                .collect()
        })
        .unwrap_or_default();
    let mut decoder: Box<dyn LinkDecoder> = match carries {
        Carries::Modem => {
            let cfg = ModemLinkConfig {
                downlink: false,
                ..Default::default()
            };
            let modem_platforms = platforms
                .into_iter()
                .filter(|p| p.acoustic_source.is_some())
                .collect();
            Box::new(ModemDecoder::new("replay", cfg, modem_platforms))
        }
        other => {
            let serial = serial.unwrap_or("");
            let platform = platforms
                .into_iter()
                .find(|p| p.by_serial(serial).is_some())
                .unwrap_or_else(|| Arc::new(PlatformMeta::unconfigured(None)));
            Box::new(InstrumentDecoder::new("replay", other, platform, serial))
        }
    };
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
        None => Enricher::new(crate::dailyfiles::schema::default_qc()),
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
