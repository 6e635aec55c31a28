//! Aanderaa optode lines to `optode` records.
//!
//! Oxygen is the instrument's µmol/L (`oxygen_umol_l`); the time is the data logger's
//! prefix when the line has one. Logger status lines are counted in a note, not as
//! problems; lines that are not records are reported with their reason. A logger timestamp
//! inside a line starts a logger line of its own (counted in a note), so a record never
//! takes the time of the garbage or line that lost its newline before it.

use std::io;

use protocol::instruments::optode::{OptodeDecoder, OptodeEvent, OptodeLine, OptodeSample};

use super::{for_each_chunk, DecodeError, Emit, Input, Report};
use crate::record::{Record, Value};

/// The record of one sample.
fn sample_record(s: &OptodeSample) -> Record {
    let mut r = Record::new("optode", s.time, Some(s.serial.to_string()));
    let model = s.model.map(|m| match s.model_suffix {
        Some(c) => format!("{m}{c}"),
        None => m.to_string(),
    });
    let opt = |v: Option<f64>| v.map(Value::Float);
    r.push_opt("model", model.map(Value::Text))
        .push("oxygen_umol_l", Value::Float(s.oxygen_umol_l))
        .push("oxygen_saturation_pct", Value::Float(s.saturation_pct))
        .push("temperature_c", Value::Float(s.temperature_c))
        .push_opt("calphase_deg", opt(s.calphase_deg))
        .push_opt("tcphase_deg", opt(s.tcphase_deg))
        .push_opt("c1rph_deg", opt(s.c1rph_deg))
        .push_opt("c2rph_deg", opt(s.c2rph_deg))
        .push_opt("c1amp_mv", opt(s.c1amp_mv))
        .push_opt("c2amp_mv", opt(s.c2amp_mv))
        .push_opt("rawtemp_mv", opt(s.rawtemp_mv));
    r
}

/// Decodes a whole optode file (or log), read in buffered chunks.
pub(super) fn decode(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut decoder: OptodeDecoder = OptodeDecoder::new();
    let mut line_no = 0u64;
    let mut logger_messages = 0u64;
    let mut glued_lines = 0u64;
    let mut handle = |event: OptodeEvent<'_>, report: &mut Report| -> io::Result<()> {
        // A logger line found at a timestamp inside a line is reported at that line.
        if matches!(event, OptodeEvent::Line { glued: true, .. }) {
            glued_lines += 1;
        } else {
            line_no += 1;
        }
        match event {
            OptodeEvent::Line { result, raw, .. } => match result {
                Ok(OptodeLine::Sample {
                    sample,
                    skipped_bytes,
                }) => {
                    if skipped_bytes > 0 {
                        report.garbage_before(line_no, skipped_bytes, "the record");
                    }
                    emit(sample_record(&sample), report)?;
                }
                Ok(OptodeLine::LoggerMessage { .. }) => logger_messages += 1,
                Ok(OptodeLine::Ack | OptodeLine::Blank) => {}
                Err(e) => report.not_a_record(line_no, raw.len(), e),
            },
            OptodeEvent::Overflow { head } => report.overlong(line_no, head.len()),
        }
        Ok(())
    };
    for_each_chunk(input, |mut chunk| {
        while let Some(event) = decoder.next_event(&mut chunk) {
            handle(event, report)?;
        }
        Ok(())
    })?;
    while let Some(event) = decoder.finish() {
        handle(event, report)?;
    }
    if logger_messages > 0 {
        report.note(format!("{logger_messages} data-logger status lines"));
    }
    if glued_lines > 0 {
        report.note(format!(
            "{glued_lines} logger lines began at a timestamp inside a line (newline lost)"
        ));
    }
    Ok(())
}
