//! SBE 37 MicroCAT files: converted ASCII and IM lines, raw decimal (`OutputFormat=0`) lines, `.hex` uploads, `#MCAT Status`
//! dumps and OOI SIO (`ctdmo`) block streams, all to `sbe37` records (plus
//! `sbe37_clock_offset` for the SIO CO blocks).

use std::borrow::Cow;
use std::io;

use protocol::instruments::sbe37::hex::{RawScan, ScanConverter};
use protocol::instruments::sbe37::sio::{
    CtdmoRecord, CtdmoRecords, SioBlocks, SioError, SioErrorKind,
};
use protocol::instruments::sbe37::Sbe37Sample;
use protocol::instruments::sbe37::{ascii, compat, im, raw, AsciiError, AsciiLayout, HexHeader};
use protocol::time::UtcTime;

use super::{rewind, DecodeError, Emit, Input, LineReader, Report};
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
/// reported. The first pass reads the input from `start` to its end, the second reads it
/// again from `start`.
pub(super) fn ascii(
    input: &mut dyn Input,
    start: u64,
    im: bool,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
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
    let mut lines = LineReader::new(input);
    while let Some(line) = lines.next_line()? {
        if let Ok((s, layout)) = auto(line) {
            if !layouts.iter().any(|(k, l)| *k == s.serial && *l == layout) {
                layouts.push((s.serial, layout));
            }
        }
    }
    rewind(input, start)?;
    let mut lines = LineReader::new(input);
    let mut next_index = 0usize;
    while let Some(line) = lines.next_line()? {
        let i = next_index;
        next_index += 1;
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
pub(super) fn raw(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut lines = LineReader::new(input);
    let mut next_index = 0usize;
    while let Some(line) = lines.next_line()? {
        let i = next_index;
        next_index += 1;
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

/// A `.hex` memory upload: the header's calibration converts every scan. The header is
/// read (and held) up to `*END*`, or up to the first line that is not a `*` header line
/// (where the header parser stops too); the scan lines are then read one at a time.
pub(super) fn hex(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut lines = LineReader::new(input);
    let mut text = String::new();
    while let Some(raw) = lines.next_raw()? {
        text.push_str(raw);
        let line = raw.trim();
        if line.eq_ignore_ascii_case("*END*") || !(line.is_empty() || line.starts_with('*')) {
            break;
        }
    }
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
    drop(text);
    let converter = ScanConverter::from(&header);
    let mut line_no = header.data_line;
    while let Some(line) = lines.next_line()? {
        let no = line_no;
        line_no += 1;
        if line.trim().is_empty() {
            continue;
        }
        let scan = RawScan::parse(line, header.layout, no).and_then(|r| converter.convert(&r));
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
/// pressure range come from the status lines. The lines are read one at a time; reading
/// stops at `#End Data`.
pub(super) fn mcat_dump(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let bad_header = |e: compat::CompatError| DecodeError::BadHeader {
        format: "sbe37-ooi-im",
        reason: e.to_string(),
    };
    let mut lines = LineReader::new(input);
    let mut dump = compat::DumpParser::new();
    let mut line_no = 0usize;
    let status = loop {
        let Some(line) = lines.next_line()? else {
            return Err(bad_header(compat::CompatError::NoBeginData));
        };
        line_no += 1;
        if dump.header_line(line, line_no).map_err(bad_header)? {
            break dump.status().clone();
        }
    };
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
    loop {
        let item = match lines.next_line()? {
            Some(line) => {
                line_no += 1;
                match compat::DumpParser::sample_line(line, line_no) {
                    compat::DumpLine::Blank => continue,
                    compat::DumpLine::End => break,
                    compat::DumpLine::Sample(item) => item,
                }
            }
            None => Err(compat::CompatError::MissingEndData),
        };
        match item {
            Ok(d) => {
                let s = d.sample.to_sample(range);
                emit(sample_record(&s, serial.as_deref()), report)?;
            }
            Err(e @ compat::CompatError::MissingEndData) => {
                report.issue("end of file".into(), None, "truncated dump", e.to_string());
                break;
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

/// Bytes of the longest SIO block: the 33-byte header, a payload of at most `0xFFFF` bytes
/// (4 hex digits of length), the `0x03`.
const SIO_MAX_BLOCK: usize = 33 + 0xFFFF + 1;
/// Bytes a header needs before it can be recognised (a `0x01` closer than this to the end
/// of the window may still start one).
const SIO_HEADER: usize = 33;
/// Bytes of the input held in the window before blocks are taken from it: every block or
/// error found at least [`SIO_MAX_BLOCK`] before the window's end is what the whole input
/// gives there.
const SIO_WINDOW: usize = 2 * SIO_MAX_BLOCK;

/// OOI SIO controller blocks: CT records (counts; no serial, no pressure range on the wire,
/// so pressure stays in counts) and CO clock offsets.
///
/// The input is read through a window of [`SIO_WINDOW`] bytes: the protocol's
/// `SioBlocks` runs on the window, and what it finds is taken only while it cannot depend
/// on bytes beyond the window (a whole block; an error whose kind and next header both lie
/// inside); the window then moves on. A run of junk longer than the window is reported once,
/// as the whole input would give it, without holding it.
pub(super) fn ctdmo(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut buf: Vec<u8> = Vec::with_capacity(SIO_WINDOW + 64 * 1024);
    // Stream offset of buf[0].
    let mut base = 0u64;
    let mut eof = false;
    // A run of unexpected data (stream offset, kind) whose end is not found yet.
    let mut run: Option<(u64, SioErrorKind)> = None;
    loop {
        while !eof && buf.len() < SIO_WINDOW {
            let chunk = input.fill_buf().map_err(DecodeError::Input)?;
            if chunk.is_empty() {
                eof = true;
            } else {
                buf.extend_from_slice(chunk);
                let n = chunk.len();
                input.consume(n);
            }
        }
        let mut pos = 0usize;
        if let Some((start, kind)) = run {
            // The run ends at the first header at or after buf[0].
            let end = match SioBlocks::new(&buf).next() {
                Some(Err(e)) if e.kind == SioErrorKind::UnexpectedData => e.len,
                Some(_) => 0,
                None => 0,
            };
            if end >= buf.len() && !eof {
                // No header in the window: keep only the bytes that may begin one.
                let keep = buf.len().min(SIO_HEADER - 1);
                let drop = buf.len() - keep;
                buf.drain(..drop);
                base += drop as u64;
                continue;
            }
            let end_at = base + end as u64;
            sio_issue(report, start, end_at - start, kind);
            run = None;
            pos = end;
        }
        let mut blocks = SioBlocks::new(buf.get(pos..).unwrap_or(&[]));
        // Where the window stops being taken (relative to buf), when it does.
        let mut stop: Option<usize> = None;
        for item in blocks.by_ref() {
            match item {
                Ok(block) => {
                    let at = pos + block.offset;
                    let end = at + SIO_HEADER + block.payload.len() + 1;
                    let bytes = buf.get(at..end).unwrap_or(&[]);
                    for item in CtdmoRecords::new(bytes) {
                        ctdmo_item(item, base + at as u64, report, emit)?;
                    }
                }
                Err(e) => {
                    let at = pos + e.offset;
                    let end = at + e.len;
                    let kind_known = eof || at + SIO_MAX_BLOCK <= buf.len();
                    if !kind_known {
                        stop = Some(at);
                        break;
                    }
                    if end >= buf.len() && !eof {
                        // The next header lies beyond the window: the run goes on.
                        // (The whole input reports the bytes from a bad block to the next
                        // header as one run of the bad block's kind, as for junk.)
                        run = Some((base + at as u64, e.kind));
                        // Positions up to 32 bytes before the end were checked for a
                        // header; the last ones were not (too few bytes after them).
                        stop = Some(buf.len().saturating_sub(SIO_HEADER - 1).max(at + 1));
                        break;
                    }
                    let e = SioError {
                        offset: 0,
                        len: e.len,
                        kind: e.kind,
                    };
                    ctdmo_item(Err(e), base + at as u64, report, emit)?;
                }
            }
        }
        match stop {
            Some(at) => {
                let at = at.min(buf.len());
                buf.drain(..at);
                base += at as u64;
            }
            None => {
                base += buf.len() as u64;
                buf.clear();
                if eof {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Reports a run of `len` bytes at stream offset `offset` that gave no block.
fn sio_issue(report: &mut Report, offset: u64, len: u64, kind: SioErrorKind) {
    report.issue(
        format!("offset {offset}"),
        Some(len),
        sio_category(&kind),
        kind.to_string(),
    );
}

/// Short category of an SIO error kind, for the summary counts.
fn sio_category(kind: &SioErrorKind) -> &'static str {
    match kind {
        SioErrorKind::UnexpectedData => "unexpected data",
        SioErrorKind::Truncated => "truncated block",
        SioErrorKind::BadBlockEnd => "bad block end",
        SioErrorKind::BadCrc { .. } => "bad CRC",
        SioErrorKind::UnexpectedBlockType(_) => "other block type",
        SioErrorKind::BadRecord { .. } => "bad record",
    }
}

/// One item of [`CtdmoRecords`] run on bytes that start at stream offset `base`.
fn ctdmo_item(
    item: Result<CtdmoRecord, SioError>,
    base: u64,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> io::Result<()> {
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
        Err(e) => sio_issue(report, base + e.offset as u64, e.len as u64, e.kind),
    }
    Ok(())
}
