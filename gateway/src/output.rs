//! Writing decoded records: JSON lines, or CSV.
//!
//! CSV holds one record type per file, so that every row has the header's columns: the
//! file's main type (the type with the most records; the first seen on a tie) is written,
//! and what was left out is returned for the caller to say on stderr. The decoding runs
//! twice (once to learn the types and the union of their columns, once to write), reading
//! the input again the second time, which keeps memory flat whatever the file's size.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::decode::{decode_stream, rewind, DecodeError, Format, Input, Report};
use crate::record::{CsvRows, Record, Shape};

/// Bytes of JSON lines or CSV rows gathered before one write to the output.
const JSONL_CHUNK: usize = 64 * 1024;

/// Decodes `data` and writes one JSON object per line to `out`.
pub fn write_jsonl(
    format: Format,
    data: &[u8],
    out: &mut dyn Write,
) -> Result<Report, DecodeError> {
    write_jsonl_stream(format, &mut io::Cursor::new(data), out)
}

/// Decodes `input` (streaming: see [`decode_stream`]) and writes one JSON object per line
/// to `out`; the same bytes as [`write_jsonl`] of the input's content.
pub fn write_jsonl_stream(
    format: Format,
    input: &mut dyn Input,
    out: &mut dyn Write,
) -> Result<Report, DecodeError> {
    // Records are serialised into a local buffer and written in chunks: one call through
    // `dyn Write` per chunk rather than per JSON token.
    let mut buf: Vec<u8> = Vec::with_capacity(JSONL_CHUNK + 4096);
    let mut sink = |r: Record| -> io::Result<()> {
        r.write_json(&mut buf);
        buf.push(b'\n');
        if buf.len() >= JSONL_CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
        Ok(())
    };
    let report = decode_stream(format, input, &mut sink)?;
    out.write_all(&buf)?;
    Ok(report)
}

/// Per record type: count and CSV columns in first-seen order.
#[derive(Default)]
struct TypeColumns {
    kinds: Vec<(&'static str, u64, Vec<String>, HashSet<String>)>,
    /// Shapes whose columns are already in `kinds` (records of one shape have the same
    /// columns: see [`Shape`]).
    seen: HashSet<Vec<u8>>,
    shape: Shape,
}

impl TypeColumns {
    fn add(&mut self, r: &Record) {
        let i = match self.kinds.iter().position(|(k, ..)| *k == r.kind) {
            Some(i) => i,
            None => {
                self.kinds.push((r.kind, 0, Vec::new(), HashSet::new()));
                self.kinds.len() - 1
            }
        };
        let new_shape = {
            let key = self.shape.of(r);
            !self.seen.contains(key) && self.seen.insert(key.to_vec())
        };
        if let Some((_, n, cols, seen)) = self.kinds.get_mut(i) {
            *n += 1;
            if new_shape {
                for c in r.csv_columns() {
                    if seen.insert(c.clone()) {
                        cols.push(c);
                    }
                }
            }
        }
    }

    /// The main type: most records, first seen on a tie.
    fn main(&self) -> Option<&(&'static str, u64, Vec<String>, HashSet<String>)> {
        let most = self.kinds.iter().map(|(_, n, ..)| *n).max()?;
        self.kinds.iter().find(|(_, n, ..)| *n == most)
    }
}

/// Writes the rows of the `main` type's records for the header `columns` to `out`, in
/// chunks of about [`JSONL_CHUNK`] bytes.
struct RowWriter<'a> {
    main: &'static str,
    rows: CsvRows,
    buf: Vec<u8>,
    out: &'a mut dyn Write,
}

impl<'a> RowWriter<'a> {
    fn new(main: &'static str, columns: &[String], out: &'a mut dyn Write) -> io::Result<Self> {
        out.write_all(columns.join(",").as_bytes())?;
        out.write_all(b"\n")?;
        Ok(RowWriter {
            main,
            rows: CsvRows::new(columns),
            buf: Vec::with_capacity(JSONL_CHUNK + 4096),
            out,
        })
    }

    fn push(&mut self, r: &Record) -> io::Result<()> {
        if r.kind == self.main {
            self.rows.write(r, &mut self.buf);
            self.buf.push(b'\n');
            if self.buf.len() >= JSONL_CHUNK {
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        self.out.write_all(&self.buf)
    }
}

/// Decodes `data` and writes a CSV header and one row per record of the main type to `out`.
/// Returns the report and, when other types were left out, a sentence saying which.
pub fn write_csv(
    format: Format,
    data: &[u8],
    out: &mut dyn Write,
) -> Result<(Report, Option<String>), DecodeError> {
    write_csv_stream(format, &mut io::Cursor::new(data), out)
}

/// Decodes `input` and writes a CSV header and one row per record of the main type to
/// `out`, as [`write_csv`] does with the input's content: the input is decoded twice
/// (streaming, see [`decode_stream`]), seeking back to where it started for the second pass.
pub fn write_csv_stream(
    format: Format,
    input: &mut dyn Input,
    out: &mut dyn Write,
) -> Result<(Report, Option<String>), DecodeError> {
    let start = input.stream_position().map_err(DecodeError::Input)?;
    let mut types = TypeColumns::default();
    let first = decode_stream(format, input, &mut |r: Record| {
        types.add(&r);
        Ok(())
    })?;
    let Some((main, _, columns, _)) = types.main() else {
        return Ok((first, None));
    };
    let mut rows = RowWriter::new(main, columns, out)?;
    rewind(input, start)?;
    let mut report = decode_stream(first.format, input, &mut |r: Record| rows.push(&r))?;
    rows.finish()?;
    report.detected = first.detected;
    let left_out: Vec<String> = types
        .kinds
        .iter()
        .filter(|(k, ..)| k != main)
        .map(|(k, n, ..)| format!("{n} {k}"))
        .collect();
    let note = (!left_out.is_empty()).then(|| {
        format!(
            "csv holds the {main} records only; left out: {} (use --output jsonl for every record)",
            left_out.join(", ")
        )
    });
    Ok((report, note))
}

/// Writes records already decoded (e.g. by a replay) as CSV: a header and one row per
/// record of the most numerous type; the other types are left out (use JSON lines).
pub fn write_records_csv(records: &[Record], out: &mut dyn Write) -> io::Result<()> {
    let mut types = TypeColumns::default();
    for r in records {
        types.add(r);
    }
    let Some((main, _, columns, _)) = types.main() else {
        return Ok(());
    };
    let mut rows = RowWriter::new(main, columns, out)?;
    records.iter().try_for_each(|r| rows.push(r))?;
    rows.finish()
}
