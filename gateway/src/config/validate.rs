//! Checks that serde cannot make: uniqueness, references between sections, safe names,
//! ranges. Each failure points at the offending value's place in the file.

use super::{Carries, Config, ConfigError, InstrumentModel};
use crate::names::{is_safe_id, is_safe_serial};
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Checker<'_> {
    fn err<T>(&self, span: &Spanned<T>, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.path, self.text, span.span().start, field, message)
    }
}

pub(super) fn check(config: &Config, text: &str, path: &Path) -> Result<(), ConfigError> {
    let c = Checker { text, path };
    if !is_safe_id(config.station.site.get_ref()) {
        return Err(c.err(
            &config.station.site,
            "station.site",
            "must match [a-z0-9_-]+ (it is used in topics and paths)",
        ));
    }
    if !is_safe_id(config.gateway.id.get_ref()) {
        return Err(c.err(&config.gateway.id, "gateway.id", "must match [a-z0-9_-]+"));
    }
    if let Some(t) = &config.gateway.earliest_record_time {
        if crate::record::parse_time(t.get_ref()).is_none() {
            return Err(c.err(
                t,
                "gateway.earliest_record_time",
                "must be an RFC 3339 UTC time such as 2005-01-01T00:00:00Z",
            ));
        }
    }
    check_status(&c, &config.status)?;
    let listens = [
        (
            "http.listen",
            config.http.as_ref().and_then(|h| h.listen.as_ref()),
        ),
        (
            "writer.http_listen",
            config.writer.as_ref().and_then(|w| w.http_listen.as_ref()),
        ),
    ];
    for (field, l) in listens {
        let Some(l) = l else { continue };
        if l.get_ref().parse::<std::net::SocketAddr>().is_err() {
            return Err(c.err(l, field, "must be an ip:port such as 127.0.0.1:9464"));
        }
    }
    let mut platforms = HashMap::new();
    let mut serials: HashMap<&str, &Spanned<String>> = HashMap::new();
    let mut sources = HashMap::new();
    for p in &config.platforms {
        let id = p.id.get_ref().as_str();
        if !is_safe_id(id) {
            return Err(c.err(
                &p.id,
                "platform.id",
                "must match [a-z0-9_-]+ (it is used in topics and paths)",
            ));
        }
        if platforms.insert(id, p).is_some() {
            return Err(c.err(
                &p.id,
                "platform.id",
                format!("duplicate platform id `{id}`"),
            ));
        }
        if !(-90.0..=90.0).contains(p.latitude.get_ref()) {
            return Err(c.err(
                &p.latitude,
                "platform.latitude",
                "must be within -90..=90 degrees",
            ));
        }
        if !(-180.0..=180.0).contains(p.longitude.get_ref()) {
            return Err(c.err(
                &p.longitude,
                "platform.longitude",
                "must be within -180..=180 degrees",
            ));
        }
        if let Some(src) = &p.acoustic_source {
            if !(1..=15).contains(src.get_ref()) {
                return Err(c.err(
                    src,
                    "platform.acoustic_source",
                    "must be 1..=15 (0 is the gateway)",
                ));
            }
            if sources.insert(*src.get_ref(), id).is_some() {
                return Err(c.err(
                    src,
                    "platform.acoustic_source",
                    format!("acoustic source {} used twice", src.get_ref()),
                ));
            }
        }
        let mut slots = HashMap::new();
        for i in &p.instruments {
            let serial = i.serial.get_ref().as_str();
            if !is_safe_serial(serial) {
                return Err(c.err(
                    &i.serial,
                    "instrument.serial",
                    "must match [A-Za-z0-9_-]+ (it is used in file names)",
                ));
            }
            if let Some(first) = serials.insert(serial, &i.serial) {
                let (line, _) = line_of(text, first.span().start);
                return Err(c.err(
                    &i.serial,
                    "instrument.serial",
                    format!("duplicate serial `{serial}` (first at line {line})"),
                ));
            }
            if let Some(slot) = &i.slot {
                if *slot.get_ref() > 15 {
                    return Err(c.err(slot, "instrument.slot", "must be 0..=15"));
                }
                if slots.insert(*slot.get_ref(), serial).is_some() {
                    return Err(c.err(
                        slot,
                        "instrument.slot",
                        format!("slot {} used twice on platform `{id}`", slot.get_ref()),
                    ));
                }
            }
        }
    }
    let mut names = HashMap::new();
    for l in &config.links {
        let name = l.name.get_ref().as_str();
        if !is_safe_id(name) {
            return Err(c.err(
                &l.name,
                "link.name",
                "must match [a-z0-9_-]+ (it is used in archive paths)",
            ));
        }
        if names.insert(name, ()).is_some() {
            return Err(c.err(
                &l.name,
                "link.name",
                format!("duplicate link name `{name}`"),
            ));
        }
        let Some(platform) = platforms.get(l.platform.get_ref().as_str()) else {
            return Err(c.err(
                &l.platform,
                "link.platform",
                format!("no platform `{}` is defined", l.platform.get_ref()),
            ));
        };
        let transports = [l.tcp.is_some(), l.serial.is_some(), l.replay.is_some()]
            .iter()
            .filter(|&&t| t)
            .count();
        if transports != 1 {
            return Err(c.err(&l.name, "link", format!("link `{name}` needs exactly one of [link.tcp], [link.serial], [link.replay] (has {transports})")));
        }
        if let Some(tcp) = &l.tcp {
            let a = tcp.address.get_ref();
            if a.rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok())
                .is_none()
            {
                return Err(c.err(&tcp.address, "link.tcp.address", "must be host:port"));
            }
        }
        if let Some(s) = &l.serial {
            if !(5..=8).contains(s.data_bits.get_ref()) {
                return Err(c.err(&s.data_bits, "link.serial.data_bits", "must be 5..=8"));
            }
            if !(1..=2).contains(s.stop_bits.get_ref()) {
                return Err(c.err(&s.stop_bits, "link.serial.stop_bits", "must be 1 or 2"));
            }
        }
        match (l.carries, &l.instrument) {
            (Carries::Modem, Some(i)) => {
                return Err(c.err(
                    i,
                    "link.instrument",
                    "a modem link carries the platform's acoustic line, not one instrument",
                ));
            }
            (Carries::Modem, None) => {
                if platform.acoustic_source.is_none() {
                    return Err(c.err(
                        &l.platform,
                        "link.platform",
                        format!(
                            "platform `{}` has no acoustic_source for a modem link",
                            platform.id.get_ref()
                        ),
                    ));
                }
            }
            (carries, Some(serial)) => {
                let Some(inst) = platform
                    .instruments
                    .iter()
                    .find(|i| i.serial.get_ref() == serial.get_ref())
                else {
                    return Err(c.err(
                        serial,
                        "link.instrument",
                        format!(
                            "no instrument `{}` on platform `{}`",
                            serial.get_ref(),
                            platform.id.get_ref()
                        ),
                    ));
                };
                let fits = matches!(
                    (carries, inst.kind),
                    (
                        Carries::Sbe37Ascii,
                        InstrumentModel::Sbe37 | InstrumentModel::Sbe37Odo
                    ) | (Carries::Nortek, InstrumentModel::Aquadopp)
                        | (Carries::Optode, InstrumentModel::Optode)
                        | (Carries::Cstar, InstrumentModel::Cstar)
                );
                if !fits {
                    return Err(c.err(
                        serial,
                        "link.instrument",
                        format!(
                            "instrument `{}` is a {:?}, not what a {:?} link carries",
                            serial.get_ref(),
                            inst.kind,
                            carries
                        ),
                    ));
                }
            }
            (_, None) => {
                return Err(c.err(
                    &l.name,
                    "link.instrument",
                    format!("link `{name}` carries one instrument: name its serial"),
                ))
            }
        }
    }
    if let Some(key) = config
        .files
        .qc
        .variables
        .keys()
        .find(|k| !crate::science::products::is_qc_key(k))
    {
        let offset = text.find(&format!("files.qc.variables.{key}")).unwrap_or(0);
        return Err(ConfigError::at(
            path,
            text,
            offset,
            &format!("files.qc.variables.{key}"),
            "not a variable of any product (MicroCAT keys are record fields such as \
             temperature_c; the other instruments' are prefixed: aquadopp_temperature_c, \
             optode_oxygen_umol_l, cstar_beam_attenuation_per_m, status_battery_v; see \
             docs/products.md)",
        ));
    }
    if let Err(e) = config.files.qc.validate() {
        // point at the offending key inside the [files.qc…] tables when it is written there
        let key = e.field.rsplit('.').next().unwrap_or_default();
        let offset = text
            .find("[files.qc")
            .and_then(|start| text[start..].find(key).map(|o| start + o))
            .unwrap_or(0);
        return Err(ConfigError::at(
            path,
            text,
            offset,
            &format!("files.qc.{}", e.field),
            e.reason,
        ));
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    (text[..offset].matches('\n').count() + 1, 0)
}

/// Every `[status]` threshold is a positive number of hours, the warning age below the
/// critical one.
fn check_status(c: &Checker<'_>, s: &super::StatusSettings) -> Result<(), ConfigError> {
    for (name, v, _) in s.fields() {
        if let Some(v) = v.filter(|v| !(v.get_ref().is_finite() && *v.get_ref() > 0.0)) {
            let field = format!("status.{name}");
            return Err(c.err(v, &field, "must be a positive number of hours"));
        }
    }
    let [warning, critical, ..] = s.hours();
    let written = s.sample_warning_h.as_ref().or(s.sample_critical_h.as_ref());
    if let Some(span) = written.filter(|_| warning >= critical) {
        return Err(c.err(
            span,
            "status.sample_warning_h",
            format!("must be less than sample_critical_h ({warning} h >= {critical} h)"),
        ));
    }
    Ok(())
}
