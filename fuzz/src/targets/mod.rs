//! The fuzz targets, one per parser entry point, and the table [`ALL`] the driver runs.
//!
//! Every target function takes arbitrary bytes and panics only when a property fails: the
//! parser panicked, or a round trip / chunking invariance it promises does not hold.

pub mod config;
pub mod instruments;
pub mod link;
pub mod replay;
pub mod stream;

use crate::driver::Target;

/// Every target, with its executions in the bounded run of `cargo test` (chosen so the
/// whole run takes about a minute on a 2-core machine in a debug build; BENCHMARKS.md).
pub const ALL: &[Target] = &[
    Target {
        name: "frame",
        executions: 100_000,
        seeds: link::frame_seeds,
        run: link::frame,
    },
    Target {
        name: "message",
        executions: 100_000,
        seeds: link::message_seeds,
        run: link::message,
    },
    Target {
        name: "fragment",
        executions: 30_000,
        seeds: link::message_seeds,
        run: link::fragment,
    },
    Target {
        name: "framed",
        executions: 30_000,
        seeds: link::framed_seeds,
        run: link::framed,
    },
    Target {
        name: "hostif",
        executions: 6_000,
        seeds: link::modem_bytes_seeds,
        run: link::hostif,
    },
    Target {
        name: "hostif_command",
        executions: 20_000,
        seeds: link::host_bytes_seeds,
        run: link::hostif_command,
    },
    Target {
        name: "reassembly",
        executions: 100_000,
        seeds: link::reassembly_seeds,
        run: link::reassembly,
    },
    Target {
        name: "modem_link",
        executions: 4_000,
        seeds: link::modem_bytes_seeds,
        run: link::modem_link,
    },
    Target {
        name: "capture",
        executions: 30_000,
        seeds: link::capture_seeds,
        run: link::capture,
    },
    Target {
        name: "replay",
        executions: 10_000,
        seeds: link::capture_seeds,
        run: replay::replay,
    },
    Target {
        name: "nortek_stream",
        executions: 10_000,
        seeds: crate::seeds::instruments,
        run: stream::nortek,
    },
    Target {
        name: "optode_stream",
        executions: 5_000,
        seeds: crate::seeds::instruments,
        run: stream::optode,
    },
    Target {
        name: "cstar_stream",
        executions: 10_000,
        seeds: crate::seeds::instruments,
        run: stream::cstar,
    },
    Target {
        name: "decode_auto",
        executions: 5_000,
        seeds: crate::seeds::instruments,
        run: instruments::auto,
    },
    Target {
        name: "decode_sbe37_ascii",
        executions: 20_000,
        seeds: instruments::line_seeds,
        run: instruments::sbe37_ascii,
    },
    Target {
        name: "decode_sbe37_im",
        executions: 20_000,
        seeds: instruments::line_seeds,
        run: instruments::sbe37_im,
    },
    Target {
        name: "decode_sbe37_raw",
        executions: 5_000,
        seeds: crate::seeds::instruments,
        run: instruments::sbe37_raw,
    },
    Target {
        name: "decode_sbe37_hex",
        executions: 5_000,
        seeds: instruments::hex_seeds,
        run: instruments::sbe37_hex,
    },
    Target {
        name: "decode_sbe37_ooi_im",
        executions: 20_000,
        seeds: instruments::ooi_seeds,
        run: instruments::sbe37_ooi_im,
    },
    Target {
        name: "decode_ooi_ctdmo",
        executions: 5_000,
        seeds: instruments::ooi_seeds,
        run: instruments::ooi_ctdmo,
    },
    Target {
        name: "decode_nortek",
        executions: 5_000,
        seeds: instruments::nortek_seeds,
        run: instruments::nortek,
    },
    Target {
        name: "decode_optode",
        executions: 5_000,
        seeds: instruments::line_seeds,
        run: instruments::optode,
    },
    Target {
        name: "decode_cstar",
        executions: 20_000,
        seeds: instruments::line_seeds,
        run: instruments::cstar,
    },
    Target {
        name: "config",
        executions: 10_000,
        seeds: config::seeds,
        run: config::parse,
    },
];

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static Target> {
    ALL.iter().find(|t| t.name == name)
}

/// Splits `data` into chunks whose sizes (1–`max`) are drawn from `data` itself, so a
/// streaming parser sees the same input cut at input-dependent places.
pub fn chunks(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut k = 0usize;
    while !rest.is_empty() {
        let pick = data.get(k % data.len().max(1)).copied().unwrap_or(0) as usize;
        let n = (1 + (pick * 7 + k) % max).min(rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
        k += 1;
    }
    out
}
