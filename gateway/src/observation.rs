//! Observations: a record with the station metadata of where it comes from (platform,
//! instrument, link), taken from the configuration. The pipeline produces them; the sinks,
//! the daily files and the link tasks consume them.

use crate::config::{Config, InstrumentModel, Platform};
use crate::record::Record;
use std::sync::Arc;

/// A record and where it comes from: what every sink needs (MQTT topics, file names,
/// ERDDAP metadata).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The record (its JSON form is the brief's §4 record).
    pub record: Record,
    /// The platform it belongs to.
    pub platform: Arc<PlatformMeta>,
    /// The instrument, when the record is an instrument's measurement and it is known.
    pub instrument: Option<Arc<InstrumentMeta>>,
    /// The link it came in on.
    pub link: Arc<str>,
}

/// What the sinks need to know about a platform.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformMeta {
    /// Site id (topic root).
    pub site: String,
    /// Platform id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Latitude, degrees north.
    pub latitude: f64,
    /// Longitude, degrees east.
    pub longitude: f64,
    /// Acoustic node id of its line controller, if it has one.
    pub acoustic_source: Option<u8>,
    /// Its instruments.
    pub instruments: Vec<Arc<InstrumentMeta>>,
}

/// What the sinks need to know about an instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentMeta {
    /// Model from the configuration (or from the line's inventory).
    pub kind: InstrumentModel,
    /// Serial number.
    pub serial: String,
    /// Slot on the acoustic line.
    pub slot: Option<u8>,
    /// Nominal depth, metres.
    pub nominal_depth_m: f64,
}

impl PlatformMeta {
    /// The metadata of platform `p` of `config`.
    pub fn from_config(config: &Config, p: &Platform) -> Self {
        PlatformMeta {
            site: config.station.site.get_ref().clone(),
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            latitude: *p.latitude.get_ref(),
            longitude: *p.longitude.get_ref(),
            acoustic_source: p.acoustic_source.as_ref().map(|s| *s.get_ref()),
            instruments: p
                .instruments
                .iter()
                .map(|i| {
                    Arc::new(InstrumentMeta {
                        kind: i.kind,
                        serial: i.serial.get_ref().clone(),
                        slot: i.slot.as_ref().map(|s| *s.get_ref()),
                        nominal_depth_m: i.nominal_depth_m,
                    })
                })
                .collect(),
        }
    }

    /// A platform known only from what arrives (replay without a configuration).
    pub fn unconfigured(acoustic_source: Option<u8>) -> Self {
        PlatformMeta {
            site: "unknown".into(),
            id: "unknown".into(),
            name: "unconfigured platform".into(),
            latitude: f64::NAN,
            longitude: f64::NAN,
            acoustic_source,
            instruments: Vec::new(),
        }
    }

    /// The instrument with serial `serial`.
    pub fn by_serial(&self, serial: &str) -> Option<&Arc<InstrumentMeta>> {
        self.instruments.iter().find(|i| i.serial == serial)
    }

    /// The instrument configured in `slot`.
    pub fn by_slot(&self, slot: u8) -> Option<&Arc<InstrumentMeta>> {
        self.instruments.iter().find(|i| i.slot == Some(slot))
    }
}
