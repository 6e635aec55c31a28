//! `albatross decode` streams: decoding a large input through the library's streaming entry
//! point ([`gateway::output::write_jsonl_stream`], the path of the command) holds no more
//! heap at its peak for a 6 MiB input than a fixed bound far below the input's size, and
//! the same for 1 MiB and 6 MiB, for every format; and the report keeps at most
//! [`KEPT_ISSUES`] issues while counting all of them.
//!
//! The input is generated as it is read (a virtual file: a head, then one unit repeated; it
//! is never held), and the heap is measured by a counting global allocator: its peak is a
//! property of the code, not of the machine or its load, so the bound cannot flake. The
//! whole check is one `#[test]` so that no other test's allocations run at the same time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};

use gateway::decode::{Format, Report, KEPT_ISSUES};
use gateway::output::{write_csv_stream, write_jsonl_stream};

/// The system allocator, counting the bytes allocated now and the most ever allocated.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters only
// observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = NOW.fetch_add(grow, Ordering::SeqCst) + grow;
                PEAK.fetch_max(now, Ordering::SeqCst);
            } else {
                NOW.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A file of `len` bytes: `head`, then `unit` repeated (the last copy cut at `len`),
/// produced as it is read through a 64 KiB buffer.
struct Virtual {
    head: Vec<u8>,
    unit: Vec<u8>,
    len: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_start: usize,
    /// Bytes handed out, over every pass.
    read: u64,
}

impl Virtual {
    fn new(head: &[u8], unit: &[u8], len: u64) -> Self {
        assert!(!unit.is_empty());
        Virtual {
            head: head.to_vec(),
            unit: unit.to_vec(),
            len,
            pos: 0,
            buf: Vec::with_capacity(64 * 1024),
            buf_start: 0,
            read: 0,
        }
    }

    /// The bytes from `at` to the end of the head or unit copy they are in (not beyond
    /// `end`): whether in the head, the index there, the length.
    fn piece_at(&self, at: u64, end: u64) -> (bool, usize, usize) {
        let h = self.head.len() as u64;
        let (from_head, from, len) = if at < h {
            (true, at as usize, self.head.len())
        } else {
            let u = self.unit.len();
            (false, ((at - h) % u as u64) as usize, u)
        };
        (from_head, from, (len - from).min((end - at) as usize))
    }
}

impl Read for Virtual {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Virtual {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.buf_start >= self.buf.len() {
            self.buf.clear();
            self.buf_start = 0;
            let end = (self.pos + 64 * 1024).min(self.len);
            let mut at = self.pos;
            while at < end {
                let (from_head, from, n) = self.piece_at(at, end);
                let src = if from_head { &self.head } else { &self.unit };
                self.buf.extend_from_slice(&src[from..from + n]);
                at += n as u64;
            }
        }
        Ok(&self.buf[self.buf_start..])
    }

    fn consume(&mut self, n: usize) {
        self.buf_start += n;
        self.pos += n as u64;
        self.read += n as u64;
    }
}

impl Seek for Virtual {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let SeekFrom::Start(at) = to else {
            // stream_position() asks for Current(0)
            if to == SeekFrom::Current(0) {
                return Ok(self.pos);
            }
            return Err(io::Error::other("only absolute seeks"));
        };
        self.pos = at.min(self.len);
        self.buf.clear();
        self.buf_start = 0;
        Ok(self.pos)
    }
}

/// An output that only counts the bytes written.
#[derive(Default)]
struct Count(u64);

impl io::Write for Count {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/tests/data/");

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{rel}")).expect("test data file")
}

/// Decodes the virtual file, returning the report, the output size, the bytes read and
/// the peak heap above what was allocated before.
fn run(format: Format, csv: bool, head: &[u8], unit: &[u8], len: u64) -> (Report, u64, u64, usize) {
    let mut input = Virtual::new(head, unit, len);
    let mut out = Count::default();
    let before = NOW.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let report = if csv {
        write_csv_stream(format, &mut input, &mut out).map(|(r, _)| r)
    } else {
        write_jsonl_stream(format, &mut input, &mut out)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", format.name()));
    let peak = PEAK.load(Ordering::SeqCst) - before;
    (report, out.0, input.read, peak)
}

/// Peak heap allowed for one decoding, whatever the input's size: the 64 KiB input buffer,
/// an SIO window of two blocks (≈ 128 KiB), a JSON chunk, the kept issues and the line
/// being decoded (≈ 450 KB at most, measured), with room to spare — 1/6 of the larger
/// input, where the whole-file decoding held 1–5 times the input.
const HEAP_BOUND: usize = 1024 * 1024;

#[test]
fn decoding_streams_in_bounded_memory_and_the_report_caps_its_issues() {
    let hex = data("seabird/SBE37SM-RS232_03716125_2017_11_16.hex");
    let end = hex
        .windows(6)
        .position(|w| w == b"*END*\n")
        .expect("*END* in the .hex")
        + 6;
    let (hex_head, hex_scans) = hex.split_at(end);
    let dump = data("ooi/ctdmo01_20140712_120719.DAT");
    let begin = dump
        .windows(12)
        .position(|w| w == b"#Begin Data\r")
        .expect("#Begin Data")
        + 13;
    let first_sample_end = begin + dump[begin..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let aqd = data("ooi/VELPT_SN_11402_2014-07-02.aqd");
    let sio = data("ooi/node59p1_0.ctdmo.dat");
    let dosta = data("ooi/20150330.dosta1.head600.log");
    let junk: &[u8] = b"junk \xff\xfe not a record\r\n";
    let ascii_unit = [
        &b"24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n"[..],
        junk,
    ]
    .concat();
    let im_unit = [
        &b" 01247, 23.3810, 0.08525, -0.739, 21 Jul 2003, 23:02:50, 24941\r\n"[..],
        junk,
    ]
    .concat();
    let cstar_unit = [
        &b"CST-2405PR  11531  15780  15783  -0.087  544\r\n"[..],
        junk,
    ]
    .concat();
    let random: Vec<u8> = {
        let mut x = 15u64;
        (0..100_003)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 56) as u8
            })
            .collect()
    };
    let nortek_unit = [&aqd[..], &random[..5000]].concat();
    let sio_unit = [&sio[..], &random[..3000]].concat();
    let cases: Vec<(Format, &[u8], &[u8])> = vec![
        (Format::Sbe37Ascii, b"", &ascii_unit),
        (Format::Sbe37Im, b"", &im_unit),
        (Format::Sbe37Raw, b"", &random),
        (Format::Sbe37Hex, hex_head, hex_scans),
        (
            Format::Sbe37OoiIm,
            &dump[..begin],
            &dump[begin..first_sample_end],
        ),
        (Format::OoiCtdmo, b"", &sio_unit),
        (Format::OoiCtdmo, b"", &random),
        (Format::Nortek, b"", &nortek_unit),
        (Format::Optode, b"", &dosta),
        (Format::Cstar, b"", &cstar_unit),
        (Format::Auto, b"", &ascii_unit),
    ];
    // 6 times the small input (more would only lengthen the test command: a debug build
    // decodes ≈ 0.3 MB/s per format here, and the peak is the same whatever the size)
    const SMALL: u64 = 1 << 20;
    const LARGE: u64 = 6 * SMALL;
    for (format, head, unit) in cases {
        let mut totals = Vec::new();
        for (len, csv) in [(SMALL, false), (LARGE, false), (LARGE, true)] {
            let (report, written, read, peak) = run(format, csv, head, unit, len);
            let name = format!(
                "{} {} MiB{}",
                format.name(),
                len >> 20,
                if csv { " csv" } else { "" }
            );
            eprintln!(
                "{name}: {} records, {} issues, peak heap {peak} bytes",
                report.total_records(),
                report.issue_total()
            );
            assert!(peak < HEAP_BOUND, "{name}: peak heap {peak} bytes");
            assert!(report.issues.len() <= KEPT_ISSUES, "{name}");
            assert!(read >= len, "{name}: read {read} of {len} bytes");
            if !csv {
                assert!(
                    report.total_records() > 0 || report.issue_total() > 0,
                    "{name}"
                );
                assert!(written > 0 || report.total_records() == 0, "{name}");
            }
            totals.push((
                report.total_records(),
                report.issue_total(),
                report.skipped_bytes(),
            ));
        }
        // The large input holds 6 times the small one's units: the counts grow with it
        // (records and issues are all counted) while the memory above did not.
        let (small, large) = (totals[0], totals[1]);
        assert!(
            large.0 >= small.0 * 5 && large.1 >= small.1 && large.2 >= small.2 * 5,
            "{}: {small:?} → {large:?}",
            format.name()
        );
        if matches!(
            format,
            Format::Sbe37Ascii | Format::Sbe37Im | Format::Cstar | Format::Auto
        ) {
            // One good line and one junk line per unit: every junk line is counted, far
            // more than are kept.
            let units = (LARGE / unit.len() as u64) as i64;
            assert!(
                (large.0 as i64 - units).abs() <= 1,
                "{}: {large:?}",
                format.name()
            );
            assert!(
                (large.1 as i64 - units).abs() <= 1,
                "{}: {large:?}",
                format.name()
            );
            assert!(large.1 > 10 * KEPT_ISSUES as u64, "{}", format.name());
        }
        // The CSV writer's two passes count the same.
        assert_eq!(totals[1], totals[2], "{}", format.name());
    }
}
