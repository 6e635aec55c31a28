//! Recognising a file's format from its content (`--format auto`).
//!
//! Only the first [`SNIFF_BYTES`] are looked at. The checks run from the most specific to
//! the least, and each asks the real decoder rather than trusting a magic string alone:
//!
//! 1. first line `*` and `* Sea-Bird`, `<InstrumentState` or `*END*` → `sbe37-hex`;
//! 2. `#MCAT Status` → `sbe37-ooi-im`;
//! 3. a complete OOI SIO `CT`/`CO` block with a good CRC → `ooi-ctdmo`;
//! 4. a Nortek structure (`0xA5`, known id, size) with a valid checksum → `nortek`;
//! 5. otherwise the text lines are tried as optode records (`MEASUREMENT`, 4831 TAB lines,
//!    logger prefix), C-Star lines (`CST-`), SBE 37 IM replies (`ii, nnnnn, …`) and SBE 37
//!    converted lines; the format with the most lines that decode wins (ties in that order).

use protocol::instruments::nortek::{decode_slice, Event};
use protocol::instruments::sbe37::sio::{BlockKind, SioBlocks};
use protocol::instruments::sbe37::{ascii, im, AsciiError};
use protocol::instruments::{cstar, optode};

use super::Format;

/// How much of the file is looked at.
pub const SNIFF_BYTES: usize = 64 * 1024;
/// How many text lines are tried in step 5.
const SNIFF_LINES: usize = 200;

/// The format of `data`, or `None` when nothing fits.
pub fn sniff(data: &[u8]) -> Option<Format> {
    let head = data.get(..SNIFF_BYTES).unwrap_or(data);
    let text = String::from_utf8_lossy(head);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first_line.trim_start().starts_with('*')
        && (first_line.contains("Sea-Bird")
            || text.contains("<InstrumentState")
            || text.lines().any(|l| l.trim() == "*END*"))
    {
        return Some(Format::Sbe37Hex);
    }
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("#MCAT Status"))
    {
        return Some(Format::Sbe37OoiIm);
    }
    let sio_block = SioBlocks::new(head)
        .filter_map(Result::ok)
        .any(|b| matches!(b.kind, BlockKind::Ct | BlockKind::Co));
    if sio_block {
        return Some(Format::OoiCtdmo);
    }
    if decode_slice(head).any(|e| matches!(e, Event::Record { .. })) {
        return Some(Format::Nortek);
    }
    line_format(&text)
}

/// Step 5: the line format most lines decode as.
fn line_format(text: &str) -> Option<Format> {
    let shaped =
        |r: Result<(), AsciiError>| matches!(r, Ok(()) | Err(AsciiError::Ambiguous { .. }));
    let mut hits = [0usize; 4];
    for line in text.lines().take(SNIFF_LINES) {
        if matches!(
            optode::decode_line(line.as_bytes()),
            Ok(optode::OptodeLine::Sample { .. })
        ) {
            hits[0] += 1;
        }
        if matches!(
            cstar::decode_line(line.as_bytes()),
            Ok(cstar::CStarLine::Sample { .. })
        ) {
            hits[1] += 1;
        }
        if shaped(im::parse_auto(line).map(|_| ())) {
            hits[2] += 1;
        }
        if shaped(ascii::parse_auto(line).map(|_| ())) {
            hits[3] += 1;
        }
    }
    let formats = [
        Format::Optode,
        Format::Cstar,
        Format::Sbe37Im,
        Format::Sbe37Ascii,
    ];
    let best = hits.iter().copied().max().filter(|&n| n > 0)?;
    let i = hits.iter().position(|&n| n == best)?;
    formats.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lines() {
        // instruments.md §2.1, §2.2, §4, §5.
        let cases: [(&str, Format); 6] = [
            (
                "24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n",
                Format::Sbe37Ascii,
            ),
            (
                "#55.9044,41.40609, 572.170,   34.2583, 1505.948, 05 Feb 2013, 19:16:59\r\n",
                Format::Sbe37Ascii,
            ),
            (
                " 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28\r\n \
                 01247, 23.3810, 0.08525, -0.739, 21 Jul 2003, 23:02:50, 24941\r\n",
                Format::Sbe37Im,
            ),
            (
                "2015/03/30 00:00:15.376 4831\t379\t354.255\t94.962\t7.658\t32.971\t32.971\t\
                 41.373\t8.402\t738.5\t797.6\t448.6\r\n",
                Format::Optode,
            ),
            (
                "MEASUREMENT\t4531\t395\tO2Concentration[uM]\t259.160\tAirSaturation[%]\t\
                 97.999\tTemperature[Deg.C]\t23.662\r\n",
                Format::Optode,
            ),
            (
                "CST-2405PR  11531  15780  15783  -0.087  544\r\n",
                Format::Cstar,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(sniff(text.as_bytes()), Some(want), "{text:?}");
        }
    }

    #[test]
    fn nortek_record_and_garbage() {
        // instruments.md §3.3, OOI driver test record.
        let rec: [u8; 42] = [
            0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00,
            0x93, 0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00,
            0xe3, 0x09, 0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
        ];
        assert_eq!(sniff(&rec), Some(Format::Nortek));
        let mut bad = rec;
        bad[41] ^= 1;
        assert_eq!(sniff(&bad), None);
        assert_eq!(sniff(b"hello world\n"), None);
        assert_eq!(sniff(b""), None);
    }
}
