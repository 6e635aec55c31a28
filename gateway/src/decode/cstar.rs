//! WET Labs C-Star lines to `cstar` records (no clock on the wire: no `time`).

use std::io;

use protocol::instruments::cstar::{CStarDecoder, CStarEvent, CStarLine, CStarSample};

use super::{for_each_chunk, DecodeError, Emit, Input, Report};
use crate::record::{Record, Value};

/// The record of one sample.
fn sample_record(s: &CStarSample) -> Record {
    let mut r = Record::new("cstar", s.time, Some(s.serial.to_string()));
    if !s.suffix.is_empty() {
        r.push("model_suffix", Value::Text(s.suffix.to_string()));
    }
    r.push("reference_counts", Value::Int(s.reference_counts.into()))
        .push("signal_counts", Value::Int(s.signal_counts.into()))
        .push("corrected_counts", Value::Int(s.corrected_counts.into()))
        .push(
            "beam_attenuation_per_m",
            Value::Float(s.beam_attenuation_per_m),
        )
        .push("thermistor_counts", Value::Int(s.thermistor_counts.into()));
    r
}

/// Decodes a whole C-Star file, read in buffered chunks.
pub(super) fn decode(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut decoder: CStarDecoder = CStarDecoder::new();
    let mut line_no = 0u64;
    let mut handle = |event: CStarEvent<'_>, report: &mut Report| -> io::Result<()> {
        line_no += 1;
        match event {
            CStarEvent::Line { result, raw } => match result {
                Ok(CStarLine::Sample {
                    sample,
                    skipped_bytes,
                }) => {
                    if skipped_bytes > 0 {
                        report.garbage_before(line_no, skipped_bytes, "`CST-`");
                    }
                    emit(sample_record(&sample), report)?;
                }
                Ok(CStarLine::Blank) => {}
                Err(e) => report.not_a_record(line_no, raw.len(), e),
            },
            CStarEvent::Overflow { head } => report.overlong(line_no, head.len()),
        }
        Ok(())
    };
    for_each_chunk(input, |mut chunk| {
        while let Some(event) = decoder.next_event(&mut chunk) {
            handle(event, report)?;
        }
        Ok(())
    })?;
    if let Some(event) = decoder.finish() {
        handle(event, report)?;
    }
    Ok(())
}
