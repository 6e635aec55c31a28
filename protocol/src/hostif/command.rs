//! Host → modem commands and [`CommandParser`] ([`HostToModem`] syntax), the parser our modem
//! simulator runs.

use super::error::HostParseError;
use super::event::ImFlag;
use super::scan::{
    as_text, pid_and_len, raw_len, scan, uint, Eol, Fields, Scan, Stop, FRAME_START, R,
};
use super::stream::{skip_line, wait_or_flush, Counts, Grammar, Kind, Out, StreamParser};
use super::{Mode, DEFAULT_CAPACITY};

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

impl From<Counts> for CommandStats {
    fn from(c: Counts) -> Self {
        CommandStats {
            commands: c.items,
            raw_bytes: c.raw_bytes,
            garbage_bytes: c.garbage_bytes,
            garbage_events: c.garbage_events,
        }
    }
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
/// [`Mode::Command`] lines that do not start with `AT` are garbage. Counters:
/// [`CommandStats`]; at the end of the stream ([`finish`](StreamParser::finish)) leftovers
/// become garbage or raw data.
pub type CommandParser<const N: usize = DEFAULT_CAPACITY> = StreamParser<HostToModem, N>;

/// The host → modem syntax ([`CommandParser`]): `AT` command lines and `+++AT` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostToModem {}

impl Grammar for HostToModem {
    type Event<'a> = CommandEvent<'a>;
    type Stats = CommandStats;

    const RESYNC: &'static [&'static [u8]] = COMMAND_RESYNC;
    const EOL: Eol = Eol::Any;
    const LF_AFTER_CR: bool = true;
    const DATA_GARBAGE_ENDS_DISCARD: bool = true;

    fn front<'a>(
        b: &'a [u8],
        mode: Mode,
        eof: bool,
        full: bool,
        _: usize,
    ) -> Out<CommandEvent<'a>> {
        decide(b, mode, eof, full)
    }

    fn garbage<'a>(bytes: usize, error: HostParseError) -> CommandEvent<'a> {
        CommandEvent::Garbage { bytes, error }
    }

    fn kind(event: &CommandEvent<'_>) -> Kind {
        match event {
            CommandEvent::Command { .. } => Kind::Item,
            CommandEvent::RawData(d) => Kind::Raw(d.len()),
            CommandEvent::Garbage { bytes, error } => Kind::Garbage(*bytes, *error),
        }
    }
}

type G = HostToModem;

fn decide(b: &[u8], mode: Mode, eof: bool, full: bool) -> Out<CommandEvent<'_>> {
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
        Mode::Data => match raw_len(b, eof) {
            0 => Out::Wait,
            n => Out::Event(CommandEvent::RawData(b.get(..n).unwrap_or(&[])), n),
        },
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

/// Skips a rejected line: up to its line end or the next command start.
fn reject<'a>(b: &[u8], error: HostParseError, eof: bool, full: bool) -> Out<CommandEvent<'a>> {
    skip_line::<G>(b, 1, COMMAND_RESYNC, error, eof, full)
}

/// A command whose `AT` starts at `at`.
fn command_at(b: &[u8], at: usize, framed: bool, eof: bool, full: bool) -> Out<CommandEvent<'_>> {
    let cmd = b.get(at..).unwrap_or(&[]);
    match parse_command(cmd) {
        Ok((command, n)) => Out::Event(CommandEvent::Command { framed, command }, at + n),
        Err(Stop::NeedMore) => wait_or_flush::<G>(b, eof, full),
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
