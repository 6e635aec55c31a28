//! `albatross decode`: every instrument format through the gateway's whole-file decoders
//! and output writers (JSON lines and CSV, as the command writes them).

use gateway::decode::Format;
use gateway::output::{write_csv, write_jsonl};

use crate::seeds::instruments_matching;

/// SBE 37 memory uploads.
pub fn hex_seeds() -> Vec<Vec<u8>> {
    instruments_matching(&[".hex"])
}

/// SBE 37-IM dumps and OOI SIO blocks.
pub fn ooi_seeds() -> Vec<Vec<u8>> {
    instruments_matching(&["ctdmo", "SBE37-IM"])
}

/// Nortek binary files.
pub fn nortek_seeds() -> Vec<Vec<u8>> {
    instruments_matching(&[".aqd", ".wpr", "velpt"])
}

/// SBE 37 real-time lines (converted, IM replies), optode and C-Star lines.
pub fn line_seeds() -> Vec<Vec<u8>> {
    instruments_matching(&["dosta", ", ", "CST-", "4831"])
}

/// Decodes `data` as `format` and writes the records (JSON lines for even lengths, CSV for
/// odd ones): an error or a report, never a panic.
fn decode(format: Format, data: &[u8]) {
    let mut out = Vec::new();
    if data.len().is_multiple_of(2) {
        let _ = write_jsonl(format, data, &mut out);
    } else {
        let _ = write_csv(format, data, &mut out);
    }
}

/// `--format auto`: sniffing, then the format found.
pub fn auto(data: &[u8]) {
    decode(Format::Auto, data);
}

/// `--format sbe37-ascii`.
pub fn sbe37_ascii(data: &[u8]) {
    decode(Format::Sbe37Ascii, data);
}

/// `--format sbe37-im`.
pub fn sbe37_im(data: &[u8]) {
    decode(Format::Sbe37Im, data);
}

/// `--format sbe37-raw`.
pub fn sbe37_raw(data: &[u8]) {
    decode(Format::Sbe37Raw, data);
}

/// `--format sbe37-hex`.
pub fn sbe37_hex(data: &[u8]) {
    decode(Format::Sbe37Hex, data);
}

/// `--format sbe37-ooi-im`.
pub fn sbe37_ooi_im(data: &[u8]) {
    decode(Format::Sbe37OoiIm, data);
}

/// `--format ooi-ctdmo`.
pub fn ooi_ctdmo(data: &[u8]) {
    decode(Format::OoiCtdmo, data);
}

/// `--format nortek`.
pub fn nortek(data: &[u8]) {
    decode(Format::Nortek, data);
}

/// `--format optode`.
pub fn optode(data: &[u8]) {
    decode(Format::Optode, data);
}

/// `--format cstar`.
pub fn cstar(data: &[u8]) {
    decode(Format::Cstar, data);
}
