//! SBE 37 MicroCAT files: converted ASCII and IM lines, raw decimal (`OutputFormat=0`) lines, `.hex` uploads, `#MCAT Status`
//! dumps and OOI SIO (`ctdmo`) block streams, all to `sbe37` records (plus
//! `sbe37_clock_offset` for the SIO CO blocks).

use std::borrow::Cow;
use std::io;

use protocol::instruments::sbe37::sio::{CtdmoRecord, CtdmoRecords, SioErrorKind};
use protocol::instruments::sbe37::Sbe37Sample;
use protocol::instruments::sbe37::{ascii, compat, im, raw, AsciiError, AsciiLayout, HexHeader};
use protocol::time::UtcTime;

use super::{DecodeError, Emit, Report};
use crate::record::{Record, Value};

/// The record of one sample; `serial` is used when the sample itself carries none.
pub(super) fn sample_record(s: &Sbe37Sample, serial: Option<&str>) -> Record {
    let serial = s
        .serial
        .map(|n| n.to_string())
        .or_else(|| serial.map(str::to_owned));
    let mut r = Record::new("sbe37", s.time, serial);
    r.push_opt("inductive_id", s.id.map(|i| Value::Int(i.into())))
        .push("temperature_c", Value::Fixed(s.temperature_c, 4))
        .push("conductivity_s_m", Value::Fixed(s.conductivity_s_m, 6))
        .push_opt("pressure_dbar", s.pressure_dbar.map(|v| Value::Fixed(v, 3)))
        .push_opt("oxygen_ml_l", s.oxygen_ml_l.map(|v| Value::Fixed(v, 4)))
        .push_opt(
            "oxygen_umol_kg",
            s.oxygen_umol_kg.map(|v| Value::Fixed(v, 3)),
        )
        .push_opt("salinity_psu", s.salinity_psu.map(|v| Value::Fixed(v, 4)))
        .push_opt(
            "sound_speed_m_s",
            s.sound_velocity_m_s.map(|v| Value::Fixed(v, 3)),
        )
        .push_opt(
            "specific_conductivity_s_m",
            s.specific_conductivity_s_m.map(|v| Value::Fixed(v, 6)),
        )
        .push_opt(
            "sample_number",
            s.sample_number.map(|n| Value::Int(n.into())),
        );
    r
}

/// Converted decimal lines (`im == false`) or IM replies (`im == true`), one sample per line.
///
/// The optional fields of a line are positional, so a line alone can be ambiguous. A first
/// pass learns the layout of every line that fits exactly one layout (per serial number for
/// IM replies, several MicroCATs sharing a line); ambiguous lines are then read with the
/// layout learnt for them. Blank lines are skipped; any other line that is not a sample is
/// reported.
pub(super) fn ascii(
    data: &[u8],
    im: bool,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> io::Result<()> {
    let text = String::from_utf8_lossy(data);
    let auto = |l: &str| {
        if im {
            im::parse_auto(l)
        } else {
            ascii::parse_auto(l)
        }
    };
    let fixed = |l: &str, layout: &AsciiLayout| {
        if im {
            im::parse(l, layout)
        } else {
            ascii::parse(l, layout)
        }
    };
    let mut layouts: Vec<(Option<u32>, AsciiLayout)> = Vec::new();
    for line in text.lines() {
        if let Ok((s, layout)) = auto(line) {
            if !layouts.iter().any(|(k, l)| *k == s.serial && *l == layout) {
                layouts.push((s.serial, layout));
            }
        }
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = match auto(line) {
            Ok((s, _)) => Ok(s),
            Err(e @ (AsciiError::Ambiguous { .. } | AsciiError::NoLayoutFits)) => layouts
                .iter()
                .find_map(|(serial, layout)| {
                    fixed(line, layout)
                        .ok()
                        .filter(|s| !im || s.serial == *serial)
                })
                .ok_or(e),
            Err(e) => Err(e),
        };
        match parsed {
            Ok(s) => emit(sample_record(&s, None), report)?,
            Err(e) => bad_line(report, i, line, e),
        }
    }
    Ok(())
}

/// `OutputFormat=0` raw decimal lines, one `sbe37_raw` record of counts per line (not
/// converted: the reference does not tie these counts to the calibration equations). A
/// line with one number more than T, C, P, PT [, O2 phase, O2 voltage] is read as an IM
/// reply behind its `ii,` ID. Blank lines are skipped; any other line is reported.
pub(super) fn raw(data: &[u8], report: &mut Report, emit: &mut Emit<'_>) -> io::Result<()> {
    let text = String::from_utf8_lossy(data);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = raw::parse(line, false).or_else(|e| match e {
            AsciiError::NoLayoutFits => raw::parse(line, true),
            e => Err(e),
        });
        match parsed {
            Ok(s) => {
                let float = |v: Option<f64>| v.map(Value::Float);
                let mut r = Record::new("sbe37_raw", Some(s.time), None);
                r.push_opt("inductive_id", s.id.map(|i| Value::Int(i.into())))
                    .push(
                        "temperature_counts",
                        Value::Int(s.temperature_counts.into()),
                    )
                    .push("conductivity_hz", Value::Float(s.conductivity_hz))
                    .push("pressure_counts", Value::Int(s.pressure_counts.into()))
                    .push(
                        "pressure_temperature_counts",
                        Value::Int(s.pressure_temperature_counts.into()),
                    )
                    .push_opt("oxygen_phase_us", float(s.oxygen_phase_us))
                    .push_opt("oxygen_thermistor_v", float(s.oxygen_thermistor_v));
                emit(r, report)?;
            }
            Err(e) => bad_line(report, i, line, e),
        }
    }
    Ok(())
}

/// Reports line `index` (0-based) as not a sample, with the reason and its first characters.
fn bad_line(report: &mut Report, index: usize, line: &str, e: AsciiError) {
    report.issue(
        format!("line {}", index + 1),
        None,
        "bad line",
        format!("{e}: {:?}", truncate(line)),
    );
}

/// The first 60 characters of a line, for error messages.
fn truncate(line: &str) -> Cow<'_, str> {
    match line.char_indices().nth(60) {
        Some((i, _)) => Cow::Owned(format!("{}…", line.get(..i).unwrap_or(line))),
        None => Cow::Borrowed(line),
    }
}

/// A `.hex` memory upload: the header's calibration converts every scan.
pub(super) fn hex(
    data: &[u8],
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let text = String::from_utf8_lossy(data);
    let header = HexHeader::parse(&text).map_err(|e| DecodeError::BadHeader {
        format: "sbe37-hex",
        reason: e.to_string(),
    })?;
    let serial = header.serial.map(|s| s.to_string());
    report.note(format!(
        "header: {} serial {}, {} scans announced, {}-byte scans",
        header.device_type,
        serial.as_deref().unwrap_or("unknown"),
        header
            .samples
            .map_or_else(|| "no count of".to_owned(), |n| n.to_string()),
        header.layout.sample_length()
    ));
    for scan in header.scans(&text) {
        match scan {
            Ok(s) => emit(sample_record(&s, serial.as_deref()), report)?,
            Err(e) => report.issue(
                format!("line {}", e.line),
                None,
                "bad scan",
                e.kind.to_string(),
            ),
        }
    }
    Ok(())
}

/// A `#MCAT Status … #Begin Data … #End Data` dump (OOI `ctdmo_ghqr_imodem`): serial and
/// pressure range come from the status lines.
pub(super) fn mcat_dump(
    data: &[u8],
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let text = String::from_utf8_lossy(data);
    let (status, samples) = compat::parse_dump(&text).map_err(|e| DecodeError::BadHeader {
        format: "sbe37-ooi-im",
        reason: e.to_string(),
    })?;
    let serial = status.serial.map(|s| s.to_string());
    let range = status.pressure_range_psia.map(f64::from);
    report.note(format!(
        "status: {} v{} serial {}, pressure range {} psia, {} samples recorded",
        status.model,
        status.firmware,
        serial.as_deref().unwrap_or("unknown"),
        status
            .pressure_range_psia
            .map_or_else(|| "unknown".to_owned(), |r| r.to_string()),
        status
            .samples_recorded
            .map_or_else(|| "unknown".to_owned(), |n| n.to_string()),
    ));
    for item in samples {
        match item {
            Ok(d) => {
                let s = d.sample.to_sample(range);
                emit(sample_record(&s, serial.as_deref()), report)?;
            }
            Err(e @ compat::CompatError::MissingEndData) => {
                report.issue("end of file".into(), None, "truncated dump", e.to_string())
            }
            Err(e) => {
                let at = match e {
                    compat::CompatError::Length { line, .. }
                    | compat::CompatError::NotHex { line, .. } => format!("line {line}"),
                    _ => "sample".to_owned(),
                };
                report.issue(at, None, "bad sample", e.to_string());
            }
        }
    }
    Ok(())
}

/// OOI SIO controller blocks: CT records (counts; no serial, no pressure range on the wire,
/// so pressure stays in counts) and CO clock offsets.
pub(super) fn ctdmo(data: &[u8], report: &mut Report, emit: &mut Emit<'_>) -> io::Result<()> {
    for item in CtdmoRecords::new(data) {
        match item {
            Ok(CtdmoRecord::Ct(ct)) => {
                let mut s = ct.sample.to_sample(None);
                s.id = Some(ct.id);
                let mut r = sample_record(&s, None);
                r.push_opt(
                    "pressure_counts",
                    ct.sample.pressure.map(|p| Value::Int(p.into())),
                )
                .push(
                    "controller_time",
                    Value::Time(UtcTime::from_unix_seconds(ct.controller_time.into())),
                );
                emit(r, report)?;
            }
            Ok(CtdmoRecord::Co(co)) => {
                let t = UtcTime::from_unix_seconds(co.controller_time.into());
                let mut r = Record::new("sbe37_clock_offset", Some(t), None);
                r.push("inductive_id", Value::Int(co.id.into()))
                    .push("clock_offset_s", Value::Int(co.offset_s.into()));
                emit(r, report)?;
            }
            Err(e) => {
                let category = match e.kind {
                    SioErrorKind::UnexpectedData => "unexpected data",
                    SioErrorKind::Truncated => "truncated block",
                    SioErrorKind::BadBlockEnd => "bad block end",
                    SioErrorKind::BadCrc { .. } => "bad CRC",
                    SioErrorKind::UnexpectedBlockType(_) => "other block type",
                    SioErrorKind::BadRecord { .. } => "bad record",
                };
                report.issue(
                    format!("offset {}", e.offset),
                    Some(e.len as u64),
                    category,
                    e.kind.to_string(),
                );
            }
        }
    }
    Ok(())
}
