//! [`HostParser`]: the modem → host byte-stream parser ([`ModemToHost`] syntax).

use super::body::{is_recv, parse_body, parse_line, parse_recv};
use super::error::HostParseError;
use super::event::{HostEvent, Message, Origin};
use super::scan::{
    as_text, own_keyword_len, raw_len, scan, Eol, Scan, Stop, FRAME_RESYNC, FRAME_START,
    MODEM_RESYNC, R,
};
use super::stream::{garbage, skip_line, wait_or_flush, Counts, Grammar, Kind, Out, StreamParser};
use super::{Mode, DEFAULT_CAPACITY};

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

impl From<Counts> for HostStats {
    fn from(c: Counts) -> Self {
        HostStats {
            messages: c.items,
            raw_bytes: c.raw_bytes,
            garbage_bytes: c.garbage_bytes,
            garbage_events: c.garbage_events,
            blank_lines: c.skipped,
        }
    }
}

/// Sans-IO parser of the modem → host byte stream of an EvoLogics S2C modem.
///
/// Feed it byte chunks of any size with [`push`](StreamParser::push) and drain events with
/// [`poll`](StreamParser::poll) (or use [`feed`](StreamParser::feed)); a message split across
/// reads at any byte gives the same events as one read. Bytes wait in a fixed `heapless::Vec`
/// of `N` bytes (default [`DEFAULT_CAPACITY`], enough for a 1024-byte burst plus header); a line
/// that would outgrow it is discarded and counted, so memory never grows.
///
/// `+++AT…:<len>:…\r\n` frames are recognised in both modes. [`Mode`] only decides what
/// unframed bytes are: text lines in [`Mode::Command`], burst data in [`Mode::Data`].
/// Garbage is skipped, reported as [`HostEvent::Garbage`] and counted in
/// [`stats`](StreamParser::stats) ([`HostStats`]); parsing resumes at the next line or the next
/// recognisable message start. [`finish`](StreamParser::finish) reports an incomplete message
/// as [`HostParseError::Truncated`] and releases held-back data-mode bytes.
pub type HostParser<const N: usize = DEFAULT_CAPACITY> = StreamParser<ModemToHost, N>;

/// The modem → host syntax ([`HostParser`]): `<text>\r\n` lines and `+++AT` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModemToHost {}

impl Grammar for ModemToHost {
    type Event<'a> = HostEvent<'a>;
    type Stats = HostStats;

    const RESYNC: &'static [&'static [u8]] = MODEM_RESYNC;
    const EOL: Eol = Eol::CrLf;
    const LF_AFTER_CR: bool = false;
    const DATA_GARBAGE_ENDS_DISCARD: bool = false;

    fn front<'a>(b: &'a [u8], mode: Mode, eof: bool, full: bool, cap: usize) -> Out<HostEvent<'a>> {
        match mode {
            Mode::Command => command_mode(b, eof, full, cap),
            Mode::Data => data_mode(b, eof, full, cap),
        }
    }

    fn garbage<'a>(bytes: usize, error: HostParseError) -> HostEvent<'a> {
        HostEvent::Garbage { bytes, error }
    }

    fn kind(event: &HostEvent<'_>) -> Kind {
        match event {
            HostEvent::Message { .. } => Kind::Item,
            HostEvent::RawData(d) => Kind::Raw(d.len()),
            HostEvent::Garbage { bytes, error } => Kind::Garbage(*bytes, *error),
        }
    }
}

type G = ModemToHost;

/// A message at the front of `b` was rejected: skip it whole if its length is known, else to
/// the next line end or message start.
fn resync<'a>(
    b: &[u8],
    error: HostParseError,
    known_len: Option<usize>,
    keywords: &[&[u8]],
    eof: bool,
    full: bool,
) -> Out<HostEvent<'a>> {
    match known_len {
        Some(n) => garbage::<G>(n, error),
        None => skip_line::<G>(b, own_keyword_len(b, keywords), keywords, error, eof, full),
    }
}

fn line_message(message: Message<'_>, n: usize) -> Out<HostEvent<'_>> {
    let origin = Origin::Line;
    Out::Event(HostEvent::Message { origin, message }, n)
}

fn command_mode(b: &[u8], eof: bool, full: bool, cap: usize) -> Out<HostEvent<'_>> {
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
            Ok((message, n)) => line_message(message, n),
            Err(Stop::NeedMore) => wait_or_flush::<G>(b, eof, full),
            Err(Stop::Bad(e)) => resync(b, e, None, MODEM_RESYNC, eof, full),
        };
    }
    match scan(b, own_keyword_len(b, MODEM_RESYNC), MODEM_RESYNC, Eol::CrLf) {
        Some(Scan::LineEnd(i, l)) => {
            let line = b.get(..i).unwrap_or(&[]);
            match parse_line(line, false) {
                Ok(message) => line_message(message, i + l),
                Err(e) => garbage::<G>(i + l, e),
            }
        }
        Some(Scan::Keyword(i)) => garbage::<G>(i, HostParseError::Junk),
        None => wait_or_flush::<G>(b, eof, full),
    }
}

fn data_mode(b: &[u8], eof: bool, full: bool, cap: usize) -> Out<HostEvent<'_>> {
    if b.starts_with(FRAME_START) {
        return frame(b, eof, full, cap, FRAME_RESYNC);
    }
    match raw_len(b, eof) {
        0 => Out::Wait,
        n => Out::Event(HostEvent::RawData(b.get(..n).unwrap_or(&[])), n),
    }
}

fn frame<'a>(
    b: &'a [u8],
    eof: bool,
    full: bool,
    cap: usize,
    keywords: &[&[u8]],
) -> Out<HostEvent<'a>> {
    match parse_frame(b, cap) {
        Ok((origin, message, n)) => Out::Event(HostEvent::Message { origin, message }, n),
        Err((Stop::NeedMore, _)) => wait_or_flush::<G>(b, eof, full),
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
) -> Result<(Origin<'_>, Message<'_>, usize), (Stop, Option<usize>)> {
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
