//! Host → modem commands and [`CommandParser`], the parser our modem simulator runs.

use super::buffer::StreamBuf;
use super::error::HostParseError;
use super::event::ImFlag;
use super::scan::{
    as_text, find, partial_suffix, pid_and_len, scan, uint, Eol, Fields, Scan, Stop, FRAME_START, R,
};
use super::{Mode, DEFAULT_CAPACITY, MIN_CAPACITY};

/// One host → modem command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// `AT*SENDIM,[p<pid>,]<len>,<dst>,<flag>,<data>`: send an instant message.
    SendIm {
        /// Protocol ID, if given.
        pid: Option<u16>,
        /// Destination address.
        dst: u8,
        /// Acknowledgement flag.
        flag: ImFlag,
        /// Exactly `len` bytes (binary-safe).
        payload: &'a [u8],
    },
    /// `AT*SENDIMS,[p<pid>,]<len>,<dst>,<ref_usec>,<data>`: synchronous, timestamped IM.
    SendIms {
        /// Protocol ID, if given.
        pid: Option<u16>,
        /// Destination address.
        dst: u8,
        /// Time reference in µs; empty on the wire means "none".
        ref_us: Option<u64>,
        /// Exactly `len` bytes (binary-safe).
        payload: &'a [u8],
    },
    /// `AT*SENDPBM,[p<pid>,]<len>,<dst>,<data>`: piggy-back message.
    SendPbm {
        /// Protocol ID, if given.
        pid: Option<u16>,
        /// Destination address.
        dst: u8,
        /// Exactly `len` bytes (binary-safe).
        payload: &'a [u8],
    },
    /// `AT*SEND,[p<pid>,]<len>,<dst>,<data>`: burst data (needs an established connection).
    Send {
        /// Protocol ID, if given.
        pid: Option<u16>,
        /// Destination address.
        dst: u8,
        /// Exactly `len` bytes (binary-safe).
        payload: &'a [u8],
    },
    /// Any other command as text starting with `AT` (`ATC`, `ATO`, `AT?AL`, `AT!RI3`,
    /// `AT@ZX1`…), without `+++` and without the line end.
    Other(&'a str),
}

impl Command<'_> {
    /// The name a data-mode reply frame uses for this command (`AT*SENDIM`, `AT?AL`…): for
    /// `Other`, the text before the first `,`.
    pub fn reply_name(&self) -> &str {
        match self {
            Command::SendIm { .. } => "AT*SENDIM",
            Command::SendIms { .. } => "AT*SENDIMS",
            Command::SendPbm { .. } => "AT*SENDPBM",
            Command::Send { .. } => "AT*SEND",
            Command::Other(s) => s.split(',').next().unwrap_or(s),
        }
    }
}

/// What [`CommandParser`] yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandEvent<'a> {
    /// A complete command.
    Command {
        /// `true` if it came as `+++AT…` (data-mode framing).
        framed: bool,
        /// The command.
        command: Command<'a>,
    },
    /// Data-mode bytes outside any `+++AT` command: burst data to send. May be cut into
    /// several events at arbitrary points; only the concatenation is meaningful.
    RawData(&'a [u8]),
    /// Bytes skipped (and counted), with the reason. A `SEND*` whose payload is longer than
    /// the modem accepts is reported here as [`HostParseError::LengthTooLarge`].
    Garbage {
        /// Number of bytes skipped.
        bytes: usize,
        /// What was wrong.
        error: HostParseError,
    },
}

/// Counters kept by [`CommandParser`]; they only ever grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandStats {
    /// Commands yielded.
    pub commands: u64,
    /// Raw data-mode bytes yielded.
    pub raw_bytes: u64,
    /// Bytes skipped as garbage.
    pub garbage_bytes: u64,
    /// Garbage events yielded.
    pub garbage_events: u64,
}

/// Resynchronisation points in a host command stream.
const COMMAND_RESYNC: &[&[u8]] = &[FRAME_START, b"AT*SEND"];

/// Sans-IO parser of the host → modem byte stream, as a modem (our simulator) sees it.
///
/// Same contract as [`HostParser`](super::HostParser): any split of the input gives the same
/// events; a fixed buffer of `N` bytes. Lines end in `\r`, `\n` or `\r\n` (a `\n` right after a
/// `\r` is an empty line and is skipped). `SEND*` payloads are taken by length, so they may
/// hold any byte, and must be followed by a line end. `+++AT…` commands (also ended by a line
/// end) are recognised in both modes; in [`Mode::Data`] other bytes are burst data, in
/// [`Mode::Command`] lines that do not start with `AT` are garbage.
#[derive(Debug, Clone)]
pub struct CommandParser<const N: usize = DEFAULT_CAPACITY> {
    sb: StreamBuf<N>,
    mode: Mode,
    stats: CommandStats,
    /// The rest of an overlong command-mode line is still to be skipped.
    discard_line: bool,
    /// The last command ended in CR: a LF right after it completes its CR LF (and is not burst
    /// data in data mode).
    pending_lf: bool,
}

enum Out<'a> {
    Event(CommandEvent<'a>, usize),
    Skip(usize),
    Wait,
}

impl<const N: usize> Default for CommandParser<N> {
    fn default() -> Self {
        Self::new(Mode::Command)
    }
}

impl<const N: usize> CommandParser<N> {
    const CAPACITY_OK: () = assert!(N >= MIN_CAPACITY, "CommandParser buffer too small");

    /// A parser starting in `mode`.
    pub const fn new(mode: Mode) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITY_OK;
        CommandParser {
            sb: StreamBuf::new(),
            mode,
            stats: CommandStats {
                commands: 0,
                raw_bytes: 0,
                garbage_bytes: 0,
                garbage_events: 0,
            },
            discard_line: false,
            pending_lf: false,
        }
    }

    /// How unframed bytes are interpreted from now on (the simulator switches on `ATO`/`ATC`).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Counters since creation.
    pub fn stats(&self) -> CommandStats {
        self.stats
    }

    /// Bytes buffered and not yet turned into events.
    pub fn buffered(&self) -> usize {
        self.sb.pending()
    }

    /// Drops buffered bytes without reporting them (e.g. when the host disconnects).
    pub fn reset(&mut self) {
        self.sb.clear();
        self.discard_line = false;
        self.pending_lf = false;
    }

    /// Buffers as many bytes as fit; returns how many (drain with [`poll`](Self::poll) first).
    pub fn push(&mut self, data: &[u8]) -> usize {
        self.sb.push(data)
    }

    /// The next event, or `None` if more bytes are needed.
    pub fn poll(&mut self) -> Option<CommandEvent<'_>> {
        self.next_event(false)
    }

    /// [`poll`](Self::poll) at the end of the stream: leftovers become garbage or raw data.
    pub fn finish(&mut self) -> Option<CommandEvent<'_>> {
        self.next_event(true)
    }

    /// Pushes all of `data`, calling `on_event` for every event.
    pub fn feed<F: FnMut(CommandEvent<'_>)>(&mut self, data: &[u8], mut on_event: F) {
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

    /// Ends the stream, calling `on_event` for every remaining event.
    pub fn feed_end<F: FnMut(CommandEvent<'_>)>(&mut self, mut on_event: F) {
        while let Some(ev) = self.finish() {
            on_event(ev);
        }
    }

    fn next_event(&mut self, eof: bool) -> Option<CommandEvent<'_>> {
        self.sb.compact();
        let all: &[u8] = &self.sb.buf;
        let mut start = 0;
        loop {
            let b = all.get(start..).unwrap_or(&[]);
            // Full only if these bytes alone fill the buffer: bytes already handed out are
            // freed on the next push, so the decision never depends on read boundaries.
            let full = b.len() >= N;
            if self.pending_lf {
                match b.first() {
                    None if !eof => {
                        self.sb.consumed = start;
                        return None;
                    }
                    Some(b'\n') => {
                        self.pending_lf = false;
                        start += 1;
                        continue;
                    }
                    _ => self.pending_lf = false,
                }
            }
            let out = if self.mode == Mode::Command && self.discard_line {
                let (out, done) = discard_rest(b, eof, full);
                self.discard_line = !done;
                if done && matches!(out, Out::Skip(0)) {
                    continue;
                }
                out
            } else {
                let out = decide(b, self.mode, eof, full);
                if let Out::Event(CommandEvent::Garbage { error, .. }, _) = &out {
                    // An overlong line was cut: its tail is garbage too.
                    self.discard_line =
                        self.mode == Mode::Command && *error == HostParseError::Overlong && !eof;
                }
                out
            };
            match out {
                Out::Skip(n) => start += n,
                Out::Wait => {
                    self.sb.consumed = start;
                    return None;
                }
                Out::Event(ev, n) => {
                    match ev {
                        CommandEvent::Command { .. } => {
                            self.stats.commands += 1;
                            self.pending_lf = b.get(n.wrapping_sub(1)) == Some(&b'\r');
                        }
                        CommandEvent::RawData(d) => self.stats.raw_bytes += d.len() as u64,
                        CommandEvent::Garbage { bytes, .. } => {
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

fn garbage<'a>(n: usize, error: HostParseError) -> Out<'a> {
    Out::Event(CommandEvent::Garbage { bytes: n, error }, n)
}

fn decide(b: &[u8], mode: Mode, eof: bool, full: bool) -> Out<'_> {
    if b.is_empty() {
        return Out::Wait;
    }
    if b.starts_with(FRAME_START) {
        // Skip "+++"; the command itself starts with "AT".
        return command_at(b, 3, true, eof, full);
    }
    if b.len() < FRAME_START.len() && FRAME_START.starts_with(b) && !eof {
        return Out::Wait;
    }
    match mode {
        Mode::Data => {
            let raw_len = match find(b, FRAME_START) {
                Some(k) => k,
                None if eof => b.len(),
                None => b.len() - partial_suffix(b, FRAME_START),
            };
            if raw_len == 0 {
                Out::Wait
            } else {
                Out::Event(
                    CommandEvent::RawData(b.get(..raw_len).unwrap_or(&[])),
                    raw_len,
                )
            }
        }
        Mode::Command => {
            if matches!(b.first(), Some(b'\r' | b'\n')) {
                return Out::Skip(1);
            }
            if b.starts_with(b"AT") {
                return command_at(b, 0, false, eof, full);
            }
            if b == b"A" && !eof {
                return Out::Wait;
            }
            reject(b, HostParseError::NotACommand, eof, full)
        }
    }
}

/// Skips the tail of an overlong line, up to its line end or the next command start.
/// Returns whether the tail is fully skipped (`Skip(0)`: a command starts right here).
fn discard_rest<'a>(b: &[u8], eof: bool, full: bool) -> (Out<'a>, bool) {
    match scan(b, 0, COMMAND_RESYNC, Eol::Any) {
        None if b.is_empty() => (Out::Wait, eof),
        Some(Scan::Keyword(0)) => (Out::Skip(0), true),
        Some(Scan::LineEnd(i, l)) => (garbage(i + l, HostParseError::Overlong), true),
        Some(Scan::Keyword(i)) => (garbage(i, HostParseError::Overlong), true),
        None if eof || full => (garbage(b.len(), HostParseError::Overlong), eof),
        None => (Out::Wait, false),
    }
}

/// Skips a rejected line: up to its line end or the next command start.
fn reject<'a>(b: &[u8], error: HostParseError, eof: bool, full: bool) -> Out<'a> {
    match scan(b, 1, COMMAND_RESYNC, Eol::Any) {
        Some(Scan::LineEnd(i, l)) => garbage(i + l, error),
        Some(Scan::Keyword(i)) => garbage(i, error),
        None if eof => garbage(b.len(), error),
        None if full => garbage(b.len(), HostParseError::Overlong),
        None => Out::Wait,
    }
}

/// A command whose `AT` starts at `at`.
fn command_at(b: &[u8], at: usize, framed: bool, eof: bool, full: bool) -> Out<'_> {
    let cmd = b.get(at..).unwrap_or(&[]);
    match parse_command(cmd) {
        Ok((command, n)) => Out::Event(CommandEvent::Command { framed, command }, at + n),
        Err(Stop::NeedMore) if eof => garbage(b.len(), HostParseError::Truncated),
        Err(Stop::NeedMore) if full => garbage(b.len(), HostParseError::Overlong),
        Err(Stop::NeedMore) => Out::Wait,
        Err(Stop::Bad(e)) => reject(b, e, eof, full),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendKind {
    Im,
    Ims,
    Pbm,
    Burst,
}

/// The send commands, longest prefix first.
const SENDS: [(&str, SendKind); 4] = [
    ("AT*SENDIMS,", SendKind::Ims),
    ("AT*SENDIM,", SendKind::Im),
    ("AT*SENDPBM,", SendKind::Pbm),
    ("AT*SEND,", SendKind::Burst),
];

/// Whether `text` starts like a send command (so it cannot be sent as [`Command::Other`]).
pub(crate) fn is_send_prefix(text: &[u8]) -> bool {
    SENDS.iter().any(|(p, _)| text.starts_with(p.as_bytes()))
}

/// Parses one command at the front of `b` (which starts with `AT`), with its line end.
fn parse_command(b: &[u8]) -> R<(Command<'_>, usize)> {
    if let Some((prefix, kind)) = SENDS.iter().find(|(p, _)| b.starts_with(p.as_bytes())) {
        return parse_send(b, prefix, *kind);
    }
    match scan(b, usize::MAX, &[], Eol::Any) {
        Some(Scan::LineEnd(i, l)) => {
            let text = b
                .get(..i)
                .and_then(as_text)
                .ok_or(Stop::Bad(HostParseError::NotText))?;
            Ok((Command::Other(text), i + l))
        }
        _ => Err(Stop::NeedMore),
    }
}

fn parse_send<'a>(b: &'a [u8], prefix: &str, kind: SendKind) -> R<(Command<'a>, usize)> {
    let kw = match kind {
        SendKind::Im => "AT*SENDIM",
        SendKind::Ims => "AT*SENDIMS",
        SendKind::Pbm => "AT*SENDPBM",
        SendKind::Burst => "AT*SEND",
    };
    let mut f = Fields::new(b, prefix.len(), false, kw);
    let (pid, len) = pid_and_len(&mut f, kw, kind == SendKind::Burst)?;
    let dst: u8 = uint(f.next("dst")?, kw, "dst")?;
    let mut flag = ImFlag::Ack;
    let mut ref_us = None;
    match kind {
        SendKind::Im => {
            flag = ImFlag::from_bytes(f.next("flag")?)
                .ok_or(Stop::Bad(HostParseError::BadFlag { message: kw }))?;
        }
        SendKind::Ims => {
            let r = f.next("ref_usec")?;
            if !r.is_empty() {
                ref_us = Some(uint::<u64>(r, kw, "ref_usec")?);
            }
        }
        SendKind::Pbm | SendKind::Burst => {}
    }
    let start = f.pos();
    let end = start + len;
    let payload = b.get(start..end).ok_or(Stop::NeedMore)?;
    let n = match (b.get(end), b.get(end + 1)) {
        (None, _) => return Err(Stop::NeedMore),
        (Some(b'\r'), Some(b'\n')) => end + 2,
        (Some(b'\r' | b'\n'), _) => end + 1,
        (Some(_), _) => {
            return Err(Stop::Bad(HostParseError::NoLineEndAfterPayload {
                message: kw,
                len,
            }))
        }
    };
    let command = match kind {
        SendKind::Im => Command::SendIm {
            pid,
            dst,
            flag,
            payload,
        },
        SendKind::Ims => Command::SendIms {
            pid,
            dst,
            ref_us,
            payload,
        },
        SendKind::Pbm => Command::SendPbm { pid, dst, payload },
        SendKind::Burst => Command::Send { pid, dst, payload },
    };
    Ok((command, n))
}
