//! [`HostParser`]: the modem → host byte-stream parser.

use super::body::{is_recv, parse_body, parse_line, parse_recv};
use super::buffer::StreamBuf;
use super::error::HostParseError;
use super::event::{HostEvent, Origin};
use super::scan::{
    as_text, find, own_keyword_len, partial_suffix, scan, Eol, Scan, Stop, FRAME_RESYNC,
    FRAME_START, MODEM_RESYNC, R,
};
use super::{Mode, DEFAULT_CAPACITY, MIN_CAPACITY};

/// Longest command part of a reply frame (`+++AT<command>:`), after `AT`.
pub(crate) const MAX_FRAME_COMMAND: usize = 32;
/// Most digits accepted in a frame's `<len>`.
const MAX_LEN_DIGITS: usize = 5;

/// Counters kept by [`HostParser`]; they only ever grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostStats {
    /// Messages yielded.
    pub messages: u64,
    /// Raw data-mode bytes yielded as [`HostEvent::RawData`].
    pub raw_bytes: u64,
    /// Bytes skipped as garbage.
    pub garbage_bytes: u64,
    /// [`HostEvent::Garbage`] events yielded.
    pub garbage_events: u64,
    /// Empty command-mode lines skipped silently.
    pub blank_lines: u64,
}

/// Sans-IO parser of the modem → host byte stream of an EvoLogics S2C modem.
///
/// Feed it byte chunks of any size with [`push`](Self::push) and drain events with
/// [`poll`](Self::poll) (or use [`feed`](Self::feed)); a message split across reads at any byte
/// gives the same events as one read. Bytes wait in a fixed `heapless::Vec` of `N` bytes
/// (default [`DEFAULT_CAPACITY`], enough for a 1024-byte burst plus header); a line that would
/// outgrow it is discarded and counted, so memory never grows.
///
/// `+++AT…:<len>:…\r\n` frames are recognised in both modes. [`Mode`] only decides what
/// unframed bytes are: text lines in [`Mode::Command`], burst data in [`Mode::Data`].
/// Garbage is skipped, reported as [`HostEvent::Garbage`] and counted in [`stats`](Self::stats);
/// parsing resumes at the next line or the next recognisable message start.
#[derive(Debug, Clone)]
pub struct HostParser<const N: usize = DEFAULT_CAPACITY> {
    sb: StreamBuf<N>,
    mode: Mode,
    stats: HostStats,
    /// The rest of an overlong command-mode line is still to be skipped.
    discard_line: bool,
}

/// What to do with the bytes at the front of the buffer.
enum Out<'a> {
    Event(HostEvent<'a>, usize),
    Skip(usize),
    Wait,
}

impl<const N: usize> Default for HostParser<N> {
    fn default() -> Self {
        Self::new(Mode::Command)
    }
}

impl<const N: usize> HostParser<N> {
    const CAPACITY_OK: () = assert!(N >= MIN_CAPACITY, "HostParser buffer too small");

    /// A parser starting in `mode` with an empty buffer.
    pub const fn new(mode: Mode) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITY_OK;
        HostParser {
            sb: StreamBuf::new(),
            mode,
            stats: HostStats {
                messages: 0,
                raw_bytes: 0,
                garbage_bytes: 0,
                garbage_events: 0,
                blank_lines: 0,
            },
            discard_line: false,
        }
    }

    /// How unframed bytes are interpreted from now on (e.g. after `ATO` was answered `OK`).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Counters since creation.
    pub fn stats(&self) -> HostStats {
        self.stats
    }

    /// Bytes buffered and not yet turned into events.
    pub fn buffered(&self) -> usize {
        self.sb.pending()
    }

    /// Drops buffered bytes without reporting them (e.g. after the connection was reset).
    pub fn reset(&mut self) {
        self.sb.clear();
        self.discard_line = false;
    }

    /// Buffers as many bytes of `data` as fit and returns how many. Drain events with
    /// [`poll`](Self::poll) until it returns `None` before pushing the rest; a full buffer
    /// always yields an event, so this makes progress.
    pub fn push(&mut self, data: &[u8]) -> usize {
        self.sb.push(data)
    }

    /// The next event from the buffered bytes, or `None` if more bytes are needed.
    pub fn poll(&mut self) -> Option<HostEvent<'_>> {
        self.next_event(false)
    }

    /// Like [`poll`](Self::poll) at the end of the stream: an incomplete message left in the
    /// buffer is reported as garbage ([`HostParseError::Truncated`]) and held-back data-mode
    /// bytes are released. Call until it returns `None`; the parser can then be reused.
    pub fn finish(&mut self) -> Option<HostEvent<'_>> {
        self.next_event(true)
    }

    /// Pushes all of `data`, calling `on_event` for every event.
    pub fn feed<F: FnMut(HostEvent<'_>)>(&mut self, data: &[u8], mut on_event: F) {
        let mut rest = data;
        loop {
            let n = self.push(rest);
            rest = rest.get(n..).unwrap_or(&[]);
            while let Some(ev) = self.poll() {
                on_event(ev);
            }
            if rest.is_empty() {
                break;
            }
        }
    }

    /// Ends the stream (see [`finish`](Self::finish)), calling `on_event` for every event.
    pub fn feed_end<F: FnMut(HostEvent<'_>)>(&mut self, mut on_event: F) {
        while let Some(ev) = self.finish() {
            on_event(ev);
        }
    }

    fn next_event(&mut self, eof: bool) -> Option<HostEvent<'_>> {
        self.sb.compact();
        let all: &[u8] = &self.sb.buf;
        let mut start = 0;
        loop {
            let b = all.get(start..).unwrap_or(&[]);
            // Full only if these bytes alone fill the buffer: bytes already handed out are
            // freed on the next push, so the decision never depends on read boundaries.
            let full = b.len() >= N;
            let out = match self.mode {
                Mode::Command if self.discard_line => {
                    let (out, done) = discard_rest(b, eof, full);
                    self.discard_line = !done;
                    if done && matches!(out, Out::Skip(0)) {
                        continue;
                    }
                    out
                }
                Mode::Command => {
                    let out = command_mode(b, eof, full, N);
                    if let Out::Event(HostEvent::Garbage { error, .. }, _) = &out {
                        // An overlong line was cut: its tail is garbage too.
                        self.discard_line = *error == HostParseError::Overlong && !eof;
                    }
                    out
                }
                Mode::Data => data_mode(b, eof, full, N),
            };
            match out {
                Out::Skip(n) => {
                    self.stats.blank_lines += 1;
                    start += n;
                }
                Out::Wait => {
                    self.sb.consumed = start;
                    return None;
                }
                Out::Event(ev, n) => {
                    match ev {
                        HostEvent::Message { .. } => self.stats.messages += 1,
                        HostEvent::RawData(d) => self.stats.raw_bytes += d.len() as u64,
                        HostEvent::Garbage { bytes, .. } => {
                            self.stats.garbage_bytes += bytes as u64;
                            self.stats.garbage_events += 1;
                        }
                    }
                    self.sb.consumed = start + n;
                    return Some(ev);
                }
            }
        }
    }
}

/// Garbage event of `n` bytes.
fn garbage<'a>(n: usize, error: HostParseError) -> Out<'a> {
    Out::Event(HostEvent::Garbage { bytes: n, error }, n)
}

/// More bytes are needed: wait, unless the stream ended or the buffer is full.
fn wait_or_flush<'a>(b: &[u8], eof: bool, full: bool) -> Out<'a> {
    if eof {
        garbage(b.len(), HostParseError::Truncated)
    } else if full {
        garbage(b.len(), HostParseError::Overlong)
    } else {
        Out::Wait
    }
}

/// Skips the tail of an overlong line, up to its line end or the next message start.
/// Returns whether the tail is fully skipped (`Skip(0)`: a message starts right here).
fn discard_rest<'a>(b: &[u8], eof: bool, full: bool) -> (Out<'a>, bool) {
    match scan(b, 0, MODEM_RESYNC, Eol::CrLf) {
        None if b.is_empty() => (Out::Wait, eof),
        Some(Scan::Keyword(0)) => (Out::Skip(0), true),
        Some(Scan::LineEnd(i, l)) => (garbage(i + l, HostParseError::Overlong), true),
        Some(Scan::Keyword(i)) => (garbage(i, HostParseError::Overlong), true),
        None if eof || full => (garbage(b.len(), HostParseError::Overlong), eof),
        None => (Out::Wait, false),
    }
}

/// A message at the front of `b` was rejected: skip to the next line end or message start.
fn resync<'a>(
    b: &[u8],
    error: HostParseError,
    known_len: Option<usize>,
    keywords: &[&[u8]],
    eof: bool,
    full: bool,
) -> Out<'a> {
    if let Some(n) = known_len {
        return garbage(n, error);
    }
    match scan(b, own_keyword_len(b, keywords), keywords, Eol::CrLf) {
        Some(Scan::LineEnd(i, l)) => garbage(i + l, error),
        Some(Scan::Keyword(i)) => garbage(i, error),
        None if eof => garbage(b.len(), error),
        None if full => garbage(b.len(), HostParseError::Overlong),
        None => Out::Wait,
    }
}

fn command_mode(b: &[u8], eof: bool, full: bool, cap: usize) -> Out<'_> {
    if b.is_empty() {
        return Out::Wait;
    }
    if b.starts_with(b"\r\n") {
        return Out::Skip(2);
    }
    if b.starts_with(FRAME_START) {
        return frame(b, eof, full, cap, MODEM_RESYNC);
    }
    if b.len() < FRAME_START.len() && FRAME_START.starts_with(b) && !eof {
        return Out::Wait;
    }
    if is_recv(b) {
        return match parse_recv(b, false, eof) {
            Ok((message, n)) => Out::Event(
                HostEvent::Message {
                    origin: Origin::Line,
                    message,
                },
                n,
            ),
            Err(Stop::NeedMore) => wait_or_flush(b, eof, full),
            Err(Stop::Bad(e)) => resync(b, e, None, MODEM_RESYNC, eof, full),
        };
    }
    match scan(b, own_keyword_len(b, MODEM_RESYNC), MODEM_RESYNC, Eol::CrLf) {
        Some(Scan::LineEnd(i, l)) => {
            let line = b.get(..i).unwrap_or(&[]);
            match parse_line(line, false) {
                Ok(message) => Out::Event(
                    HostEvent::Message {
                        origin: Origin::Line,
                        message,
                    },
                    i + l,
                ),
                Err(e) => garbage(i + l, e),
            }
        }
        Some(Scan::Keyword(i)) => garbage(i, HostParseError::Junk),
        None => wait_or_flush(b, eof, full),
    }
}

fn data_mode(b: &[u8], eof: bool, full: bool, cap: usize) -> Out<'_> {
    if b.starts_with(FRAME_START) {
        return frame(b, eof, full, cap, FRAME_RESYNC);
    }
    let raw_len = match find(b, FRAME_START) {
        Some(k) => k,
        None if eof => b.len(),
        None => b.len() - partial_suffix(b, FRAME_START),
    };
    if raw_len == 0 {
        return Out::Wait;
    }
    Out::Event(HostEvent::RawData(b.get(..raw_len).unwrap_or(&[])), raw_len)
}

fn frame<'a>(b: &'a [u8], eof: bool, full: bool, cap: usize, keywords: &[&[u8]]) -> Out<'a> {
    match parse_frame(b, cap) {
        Ok((origin, message, n)) => Out::Event(HostEvent::Message { origin, message }, n),
        Err((Stop::NeedMore, _)) => wait_or_flush(b, eof, full),
        Err((Stop::Bad(e), known)) => resync(b, e, known, keywords, eof, full),
    }
}

/// Parses `+++AT<command>:<len>:<body>\r\n` at the front of `b` (which starts with `+++AT`).
///
/// On rejection, also says how long the frame is when that is known (a well-framed body that
/// is not a valid message is skipped whole).
#[allow(clippy::type_complexity)]
fn parse_frame(
    b: &[u8],
    cap: usize,
) -> Result<(Origin<'_>, super::Message<'_>, usize), (Stop, Option<usize>)> {
    let unknown = |s: Stop| (s, None);
    let at = 3; // index of "AT"
    let cmd_start = FRAME_START.len();
    let cmd_len = field_until_colon(
        b,
        cmd_start,
        MAX_FRAME_COMMAND,
        |c| c.is_ascii_graphic(),
        HostParseError::BadFrameCommand,
    )
    .map_err(unknown)?;
    let len_start = cmd_start + cmd_len + 1;
    let len_len = field_until_colon(
        b,
        len_start,
        MAX_LEN_DIGITS,
        |c| c.is_ascii_digit(),
        HostParseError::BadFrameLength,
    )
    .map_err(unknown)?;
    let digits = b.get(len_start..len_start + len_len).unwrap_or(&[]);
    let len: usize = super::scan::uint(digits, "+++AT", "len")
        .map_err(|_| unknown(Stop::Bad(HostParseError::BadFrameLength)))?;
    let body_start = len_start + len_len + 1;
    let total = body_start + len + 2;
    if total > cap {
        return Err(unknown(Stop::Bad(HostParseError::FrameTooLarge { len })));
    }
    let body = b
        .get(body_start..body_start + len)
        .ok_or(unknown(Stop::NeedMore))?;
    match b.get(body_start + len..total) {
        None => return Err(unknown(Stop::NeedMore)),
        Some(b"\r\n") => {}
        Some(_) => return Err(unknown(Stop::Bad(HostParseError::FrameMissingCrLf { len }))),
    }
    let origin = if cmd_len == 0 {
        Origin::Notification
    } else {
        let cmd = b.get(at..cmd_start + cmd_len).and_then(as_text);
        match cmd {
            Some(command) => Origin::Reply { command },
            None => return Err(unknown(Stop::Bad(HostParseError::BadFrameCommand))),
        }
    };
    match parse_body(body) {
        Ok(m) => Ok((origin, m, total)),
        Err(e) => Err((Stop::Bad(e), Some(total))),
    }
}

/// Length of the run of bytes accepted by `ok` from `start` up to a `:` (at most `max`).
fn field_until_colon(
    b: &[u8],
    start: usize,
    max: usize,
    ok: impl Fn(u8) -> bool,
    bad: HostParseError,
) -> R<usize> {
    let rest = b.get(start..).unwrap_or(&[]);
    for (i, &c) in rest.iter().enumerate().take(max + 1) {
        if c == b':' {
            return Ok(i);
        }
        if !ok(c) {
            return Err(Stop::Bad(bad));
        }
    }
    if rest.len() > max {
        Err(Stop::Bad(bad))
    } else {
        Err(Stop::NeedMore)
    }
}
