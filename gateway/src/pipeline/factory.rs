//! The one place that turns configuration into link decoders, for `albatross run` and
//! `albatross replay` alike: a replayed modem link reads its bytes exactly as the live one
//! does (`[link.modem]` framing, reassembly timeout), only without a downlink.

use super::instrument::InstrumentDecoder;
use super::modem::ModemDecoder;
use super::time_check::{TimeChecked, TimeWindow};
use super::LinkDecoder;
use crate::config::{Carries, Config, Framing, Link, ModemSettings};
use crate::observation::PlatformMeta;
use protocol::feedback::FeedbackConfig;
use protocol::hostif::{CommandEncoding, LineEnding, Mode};
use protocol::modem_link::ModemLinkConfig;
use protocol::reassembly::ReassemblerConfig;
use protocol::repair::RepairConfig;
use std::sync::Arc;

/// The metadata of every platform of `config`.
pub fn platforms(config: &Config) -> Vec<Arc<PlatformMeta>> {
    config
        .platforms
        .iter()
        .map(|p| Arc::new(PlatformMeta::from_config(config, p)))
        .collect()
}

/// The state-machine settings of a modem link from its `[link.modem]` table. `serial` picks
/// the serial line's `\r` command ending (TCP: `\n`); `downlink` off (a replay, a tap)
/// sends nothing whatever the table says.
pub fn modem_link_config(m: &ModemSettings, serial: bool, downlink: bool) -> ModemLinkConfig {
    let framed = m.framing == Framing::Data;
    let ms = |s: u32| i64::from(s) * 1000;
    ModemLinkConfig {
        reassembly: ReassemblerConfig {
            timeout_ms: ms(m.reassembly_timeout_s),
            ..Default::default()
        },
        repair: RepairConfig {
            grace_ms: ms(m.repair_grace_s),
            min_interval_ms: ms(m.repair_interval_s),
            retry_ms: ms(m.repair_retry_s),
            ..Default::default()
        },
        feedback: FeedbackConfig {
            ack_interval_ms: ms(m.ack_interval_s),
            probe_after_ms: ms(m.status_probe_after_s),
        },
        downlink: m.downlink && downlink,
        command_encoding: CommandEncoding {
            line_ending: if serial {
                LineEnding::Cr
            } else {
                LineEnding::Lf
            },
            framed,
        },
        mode: if framed { Mode::Data } else { Mode::Command },
        ..Default::default()
    }
}

/// The decoder link `link` of `config` needs, its record times checked against the
/// configuration's [`TimeWindow`]; `replay` turns its downlink off.
pub fn decoder_for(config: &Config, link: &Link, replay: bool) -> Box<dyn LinkDecoder> {
    Box::new(TimeChecked::new(
        link_decoder(config, link, replay),
        TimeWindow::from_config(config),
    ))
}

/// [`decoder_for`] without the time check.
fn link_decoder(config: &Config, link: &Link, replay: bool) -> Box<dyn LinkDecoder> {
    let name = link.name.get_ref();
    let mut mine = platforms(config)
        .into_iter()
        .filter(|p| p.id == *link.platform.get_ref());
    match link.carries {
        Carries::Modem => {
            let cfg = modem_link_config(&link.modem, link.serial.is_some(), !replay);
            Box::new(ModemDecoder::new(name, cfg, mine.collect()))
        }
        carries => {
            // validation guarantees the platform and the instrument exist
            let platform = mine
                .next()
                .unwrap_or_else(|| Arc::new(PlatformMeta::unconfigured(None)));
            let serial = link
                .instrument
                .as_ref()
                .map(|s| s.get_ref().clone())
                .unwrap_or_default();
            Box::new(InstrumentDecoder::new(name, carries, platform, &serial))
        }
    }
}

/// The decoder for a replay of bytes a link carrying `carries` recorded. When `config` has
/// a link that carries them (for an instrument link: the one of instrument `serial`, when
/// given), that link's decoder, so that its settings apply; otherwise a decoder with default settings
/// that takes platform and instrument names from `config` where it can (a modem link from
/// the platforms with an acoustic node, an instrument from the platform listing `serial`).
pub fn replay_decoder(
    config: Option<&Config>,
    carries: Carries,
    serial: Option<&str>,
) -> Box<dyn LinkDecoder> {
    if let Some(c) = config {
        let configured = c.links.iter().find(|l| {
            let instrument = l.instrument.as_ref().map(|i| i.get_ref().as_str());
            l.carries == carries
                && (carries == Carries::Modem || (serial.is_some() && instrument == serial))
        });
        if let Some(link) = configured {
            return decoder_for(c, link, true);
        }
    }
    let window = config.map_or_else(TimeWindow::default, TimeWindow::from_config);
    let platforms = config.map(platforms).unwrap_or_default();
    let inner: Box<dyn LinkDecoder> = match carries {
        Carries::Modem => {
            let cfg = modem_link_config(&ModemSettings::default(), false, false);
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
    Box::new(TimeChecked::new(inner, window))
}
