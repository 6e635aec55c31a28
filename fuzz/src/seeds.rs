//! Seed inputs: the repository's recorded captures, real instrument files, the example
//! configuration and the specification's golden frames.
//!
//! Promises: every seed is at most [`MAX_SEED`] bytes (long files are cut, so each
//! execution stays cheap in a debug build), and a missing file is skipped, not fatal.

use std::path::{Path, PathBuf};

/// Longest seed kept, in bytes.
pub const MAX_SEED: usize = 4 * 1024;

/// The repository root (the parent of this crate's directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The first [`MAX_SEED`] bytes of each existing file at `paths` (relative to the root);
/// a file with a header (an SBE 37 `.hex` up to `*END*`) keeps its whole header and
/// [`MAX_SEED`] bytes after it, so its data stays reachable.
pub fn files(paths: &[&str]) -> Vec<Vec<u8>> {
    let root = repo_root();
    paths
        .iter()
        .filter_map(|p| std::fs::read(root.join(p)).ok())
        .map(|mut bytes| {
            let header_end = bytes
                .windows(HEADER_END.len())
                .position(|w| w == HEADER_END)
                .map_or(0, |i| i + HEADER_END.len());
            bytes.truncate(header_end + MAX_SEED);
            bytes
        })
        .collect()
}

/// The last line of an SBE 37 `.hex` header.
const HEADER_END: &[u8] = b"*END*";

/// Each seed, and also its slices starting at a few line boundaries (so that mutations
/// also reach the middle of long files).
pub fn with_line_offsets(seeds: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for seed in seeds {
        let starts: Vec<usize> = seed
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .step_by(16)
            .take(4)
            .collect();
        for s in starts {
            if s < seed.len() {
                out.push(seed[s..].to_vec());
            }
        }
        out.push(seed);
    }
    out
}

/// The recorded acoustic-link captures.
pub const CAPTURES: &[&str] = &[
    "captures/clean-day.cap",
    "captures/lossy-day.cap",
    "captures/outage-recovery.cap",
    "captures/garbage-stress.cap",
];

/// Every real instrument file in the repository.
pub const INSTRUMENT_FILES: &[&str] = &[
    "protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.hex",
    "protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.cnv",
    "protocol/tests/data/ooi/SBE37-IM_03710261_2013_07_25.hex",
    "protocol/tests/data/ooi/ctdmo01_20140712_120719.DAT",
    "protocol/tests/data/ooi/node59p1_0.ctdmo.dat",
    "protocol/tests/data/ooi/node59p1_1.ctdmo.dat",
    "protocol/tests/data/ooi/node59p1_1.bad.ctdmo.dat",
    "protocol/tests/data/ooi/20140813.velpt.log",
    "protocol/tests/data/ooi/VELPT_SN_11402_2014-07-02.aqd",
    "protocol/tests/data/ooi/bad_id_VELPT_SN_11402_2014-07-02.aqd",
    "protocol/tests/data/ooi/bad_velocity_checksum_VELPT_SN_11402_2014-07-02.aqd",
    "protocol/tests/data/ooi/truncated_VELPT_SN_11402_2014-07-02.aqd",
    "protocol/tests/data/ooi/20150330.dosta1.head600.log",
    "protocol/tests/data/mhkit/H-AWAC_test01.wpr",
];

/// Instrument lines of the formats without a file in the repository (from the decoders'
/// own tests and docs/decode.md).
pub const INSTRUMENT_LINES: &[&[u8]] = &[
    b"CST-2405PR  11531  15780  15783  -0.087  544\r\nCST-2405PR  11531  15779  15783  -0.087  544\r\n",
    b"24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n24.8340,  0.97796,   -9.261, 07 Jan 2000, 04:51:49\r\n",
    b"03, 09999, 8.5796, 3.12345, 531.316, 14 Jul 2016, 09:01:44, 1126, 250\r\n",
    b"4831\t379\t353.413\t94.738\t7.658\t33.000\t33.000\t41.400\t8.400\t738.9\t794.9\t448.6\r\n",
    b"MEASUREMENT\t4330\t1234\tO2Concentration(uM)\t245.1\tAirSaturation(%)\t88.2\tTemperature(Deg.C)\t13.1\r\n",
];

/// Host → modem command lines (from `protocol/tests/hostif_vectors.rs` and the EvoLogics
/// reference), in command mode and in `+++AT` data-mode framing.
pub const HOST_COMMANDS: &[&[u8]] = &[
    b"AT*SENDIM,8,1,ack,test1234\r\nAT*SEND,5,2,hello\r\nATO\r\n+++ATC\r\nAT?S\r\n",
    b"+++AT*SENDIM:2:OK\r\n+++AT*SENDIM,8,1,ack,test1234\n+++AT?T\r\nATZ4\r\n",
    b"AT*SENDIM,p3,6,2,noack,\r\n\x00\xff+,\r\nAT@CTRL\r\nAT*SENDPBM,4,3,abcd\r\n",
];

/// The example configuration.
pub const CONFIG: &str = "gateway/albatross.example.toml";

/// The golden frames of `protocol/SPEC.md` (as tested in `protocol/tests/golden.rs`).
pub const GOLDEN_FRAMES_HEX: &[&str] = &[
    "471006416b0ac24000ff5ac26d77281f562901c5a258d70102ebf3d05c59b42d6cbc3e272106a59562d6b3e4d942000059174d6bf65d010109f58dbad6f22318",
    "4611065187bd0450a758d1ed7494881d9c00058cead78b2947e250af0301",
    "4b1006616b0ac245384c0030000100640003000000006808020038d08901f4120038d08a02ee220038d08b03e8310038d08c04e2420038d08d05dc520038e80e",
    "4a110671d08e07d0610038d08f0898720038d09009607b1e",
    "6000007110658140",
    "640000811202803fff02d6d5",
    "68000091103316",
];

/// The golden frames as bytes.
pub fn golden_frames() -> Vec<Vec<u8>> {
    GOLDEN_FRAMES_HEX
        .iter()
        .map(|h| {
            (0..h.len() / 2)
                .filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .collect()
}

/// The instrument files and lines whose path or text contains one of `needles`, each also
/// cut at a few line boundaries: the seeds of one format's target (splices then draw
/// on these only, so the format's own structure gets the mutations).
pub fn instruments_matching(needles: &[&str]) -> Vec<Vec<u8>> {
    let paths: Vec<&str> = INSTRUMENT_FILES
        .iter()
        .copied()
        .filter(|p| needles.iter().any(|n| p.contains(n)))
        .collect();
    let mut seeds = with_line_offsets(files(&paths));
    seeds.extend(
        INSTRUMENT_LINES
            .iter()
            .filter(|l| {
                needles
                    .iter()
                    .any(|n| l.windows(n.len()).any(|w| w == n.as_bytes()))
            })
            .map(|l| l.to_vec()),
    );
    seeds
}

/// Instrument files and lines together.
pub fn instruments() -> Vec<Vec<u8>> {
    let mut seeds = with_line_offsets(files(INSTRUMENT_FILES));
    seeds.extend(INSTRUMENT_LINES.iter().map(|l| l.to_vec()));
    seeds
}
