//! Encoders for both directions, writing into caller-provided storage without allocating.
//!
//! Whatever an encoder accepts, the matching parser reads back unchanged: the encoders refuse
//! (with a typed [`EncodeError`]) payloads over the modem limits, non-finite floats and text
//! fields that would not survive the trip (CR/LF, control bytes, embedded message keywords).

use core::fmt::{self, Write as _};

use super::body::parse_body;
use super::command::{is_send_prefix, Command};
use super::error::EncodeError;
use super::event::{ImTiming, LinkQuality, Message, Origin};
use super::parser::MAX_FRAME_COMMAND;
use super::scan::{as_text, keyword_at, FRAME_START, MODEM_RESYNC};
use super::{MAX_BURST_PAYLOAD, MAX_IM_PAYLOAD};

/// Somewhere to write encoded bytes.
pub trait ByteSink {
    /// Appends `bytes`, or fails with [`EncodeError::BufferFull`] without a partial promise.
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError>;
}

/// A [`ByteSink`] over a caller's `&mut [u8]`.
#[derive(Debug)]
pub struct SliceSink<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    /// Writes from the start of `out`.
    pub fn new(out: &'a mut [u8]) -> Self {
        SliceSink { out, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The written bytes.
    pub fn written(&self) -> &[u8] {
        self.out.get(..self.len).unwrap_or(&[])
    }
}

impl ByteSink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.len + bytes.len();
        let dst = self
            .out
            .get_mut(self.len..end)
            .ok_or(EncodeError::BufferFull)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

impl<const N: usize> ByteSink for heapless::Vec<u8, N> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.extend_from_slice(bytes)
            .map_err(|_| EncodeError::BufferFull)
    }
}

#[cfg(feature = "alloc")]
impl ByteSink for alloc::vec::Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// Counts bytes (to compute a frame's `<len>`) and forwards them to an inner sink.
struct Counting<'s, S: ?Sized> {
    inner: Option<&'s mut S>,
    n: usize,
}

impl<S: ByteSink + ?Sized> ByteSink for Counting<'_, S> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        if let Some(s) = self.inner.as_mut() {
            s.put(bytes)?;
        }
        self.n += bytes.len();
        Ok(())
    }
}

/// `core::fmt::Write` over a [`ByteSink`], remembering the real error.
struct Fmt<'s, S: ?Sized> {
    sink: &'s mut S,
    err: Option<EncodeError>,
}

impl<S: ByteSink + ?Sized> fmt::Write for Fmt<'_, S> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.sink.put(s.as_bytes()).map_err(|e| {
            self.err = Some(e);
            fmt::Error
        })
    }
}

fn put_fmt<S: ByteSink + ?Sized>(s: &mut S, args: fmt::Arguments<'_>) -> Result<(), EncodeError> {
    let mut w = Fmt { sink: s, err: None };
    match w.write_fmt(args) {
        Ok(()) => Ok(()),
        Err(_) => Err(w.err.unwrap_or(EncodeError::BufferFull)),
    }
}

/// A float the way the parser reads it back bit-exactly: `{:?}` prints the shortest
/// round-trip form and always includes `.` or an exponent, so it never looks like an integer.
fn put_f32<S: ByteSink + ?Sized>(
    s: &mut S,
    v: f32,
    field: &'static str,
) -> Result<(), EncodeError> {
    if !v.is_finite() {
        return Err(EncodeError::NotFinite { field });
    }
    put_fmt(s, format_args!("{v:?}"))
}

/// Line ending for host commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    /// `\r` (serial).
    Cr,
    /// `\n` (TCP).
    #[default]
    Lf,
    /// `\r\n`.
    CrLf,
}

impl LineEnding {
    /// The bytes of this line ending.
    pub const fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Cr => b"\r",
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
        }
    }
}

/// How to frame a host command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommandEncoding {
    /// Line ending after the command.
    pub line_ending: LineEnding,
    /// Prefix with `+++` (data mode).
    pub framed: bool,
}

/// Encodes a host → modem command; returns the number of bytes written.
pub fn encode_command<S: ByteSink + ?Sized>(
    cmd: &Command<'_>,
    enc: CommandEncoding,
    out: &mut S,
) -> Result<usize, EncodeError> {
    let mut c = Counting {
        inner: Some(out),
        n: 0,
    };
    if enc.framed {
        c.put(b"+++")?;
    }
    let head =
        |c: &mut Counting<'_, S>, name: &str, pid: Option<u16>, len: usize, max: usize, dst: u8| {
            if len > max {
                return Err(EncodeError::PayloadTooLong {
                    message: "AT*SEND",
                    len,
                    max,
                });
            }
            c.put(name.as_bytes())?;
            c.put(b",")?;
            if let Some(p) = pid {
                put_fmt(c, format_args!("p{p},"))?;
            }
            put_fmt(c, format_args!("{len},{dst},"))
        };
    match *cmd {
        Command::SendIm {
            pid,
            dst,
            flag,
            payload,
        } => {
            head(&mut c, "AT*SENDIM", pid, payload.len(), MAX_IM_PAYLOAD, dst)?;
            c.put(flag.as_str().as_bytes())?;
            c.put(b",")?;
            c.put(payload)?;
        }
        Command::SendIms {
            pid,
            dst,
            ref_us,
            payload,
        } => {
            head(
                &mut c,
                "AT*SENDIMS",
                pid,
                payload.len(),
                MAX_IM_PAYLOAD,
                dst,
            )?;
            if let Some(r) = ref_us {
                put_fmt(&mut c, format_args!("{r}"))?;
            }
            c.put(b",")?;
            c.put(payload)?;
        }
        Command::SendPbm { pid, dst, payload } => {
            head(
                &mut c,
                "AT*SENDPBM",
                pid,
                payload.len(),
                MAX_IM_PAYLOAD,
                dst,
            )?;
            c.put(payload)?;
        }
        Command::Send { pid, dst, payload } => {
            head(
                &mut c,
                "AT*SEND",
                pid,
                payload.len(),
                MAX_BURST_PAYLOAD,
                dst,
            )?;
            c.put(payload)?;
        }
        Command::Other(text) => {
            let ok = text.starts_with("AT")
                && as_text(text.as_bytes()).is_some()
                && !is_send_prefix(text.as_bytes());
            if !ok {
                return Err(EncodeError::UnsafeText { what: "command" });
            }
            c.put(text.as_bytes())?;
        }
    }
    c.put(enc.line_ending.as_bytes())?;
    Ok(c.n)
}

/// [`encode_command`] into a slice; returns the number of bytes written.
pub fn encode_command_to_slice(
    cmd: &Command<'_>,
    enc: CommandEncoding,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_command(cmd, enc, &mut SliceSink::new(out))
}

/// Encodes a modem → host message as a command-mode line ([`Origin::Line`]) or a data-mode
/// frame ([`Origin::Notification`], [`Origin::Reply`]) with the correct `<len>`; returns the
/// number of bytes written.
pub fn encode_message<S: ByteSink + ?Sized>(
    origin: Origin<'_>,
    msg: &Message<'_>,
    out: &mut S,
) -> Result<usize, EncodeError> {
    validate(origin, msg)?;
    let mut c = Counting {
        inner: Some(out),
        n: 0,
    };
    match origin {
        Origin::Line => body(msg, &mut c)?,
        Origin::Notification | Origin::Reply { .. } => {
            let command = match origin {
                Origin::Reply { command } => command,
                _ => "AT",
            };
            let mut len = Counting::<S> { inner: None, n: 0 };
            body(msg, &mut len)?;
            c.put(b"+++")?;
            c.put(command.as_bytes())?;
            put_fmt(&mut c, format_args!(":{}:", len.n))?;
            body(msg, &mut c)?;
        }
    }
    c.put(b"\r\n")?;
    Ok(c.n)
}

/// [`encode_message`] into a slice; returns the number of bytes written.
pub fn encode_message_to_slice(
    origin: Origin<'_>,
    msg: &Message<'_>,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_message(origin, msg, &mut SliceSink::new(out))
}

/// Refuses what would not parse back unchanged.
fn validate(origin: Origin<'_>, msg: &Message<'_>) -> Result<(), EncodeError> {
    let line = origin == Origin::Line;
    if let Origin::Reply { command } = origin {
        let c = command.as_bytes();
        let ok = c.starts_with(b"AT")
            && c.len() > 2
            && c.len() <= 2 + MAX_FRAME_COMMAND
            && c.iter().all(|&b| b.is_ascii_graphic() && b != b':');
        if !ok {
            return Err(EncodeError::BadReplyCommand);
        }
    }
    let limit = |message, len: usize, max: usize| {
        if len > max {
            Err(EncodeError::PayloadTooLong { message, len, max })
        } else {
            Ok(())
        }
    };
    // Text that a line parser would cut or misread.
    let safe = |what, t: &[u8]| {
        let embedded = (0..t.len()).any(|i| keyword_at(t, i, MODEM_RESYNC));
        if as_text(t).is_none() || (line && embedded) {
            Err(EncodeError::UnsafeText { what })
        } else {
            Ok(())
        }
    };
    match msg {
        Message::RecvIm(m) => limit("RECVIM", m.payload.len(), MAX_IM_PAYLOAD),
        Message::RecvIms(m) => limit("RECVIMS", m.payload.len(), MAX_IM_PAYLOAD),
        Message::RecvPbm(m) => limit("RECVPBM", m.payload.len(), MAX_IM_PAYLOAD),
        Message::Recv(m) => limit("RECV", m.payload.len(), MAX_BURST_PAYLOAD),
        Message::Busy { reason } | Message::Error { reason } => safe("reason", reason.as_bytes()),
        Message::Status { args, .. } => safe("status arguments", args.as_bytes()),
        Message::Text(t) => {
            if line {
                safe("text", t)?;
                if t.is_empty() || t.starts_with(FRAME_START) {
                    return Err(EncodeError::UnsafeText { what: "text" });
                }
            }
            match parse_body(t) {
                Ok(Message::Text(back)) if back == *t => Ok(()),
                _ => Err(EncodeError::UnsafeText { what: "text" }),
            }
        }
        _ => Ok(()),
    }
}

fn link<S: ByteSink + ?Sized>(
    s: &mut S,
    l: &LinkQuality,
    ptime: Option<u32>,
) -> Result<(), EncodeError> {
    put_fmt(s, format_args!("{},{},", l.rssi, l.integrity))?;
    if let Some(p) = ptime {
        put_fmt(s, format_args!("{p},"))?;
    }
    put_f32(s, l.velocity, "velocity")?;
    s.put(b",")
}

fn recv_head<S: ByteSink + ?Sized>(
    s: &mut S,
    kw: &str,
    pid: Option<u16>,
    len: usize,
    src: u8,
    dst: u8,
) -> Result<(), EncodeError> {
    s.put(kw.as_bytes())?;
    s.put(b",")?;
    if let Some(p) = pid {
        put_fmt(s, format_args!("p{p},"))?;
    }
    put_fmt(s, format_args!("{len},{src},{dst},"))
}

/// The message text without line end or framing.
fn body<S: ByteSink + ?Sized>(msg: &Message<'_>, s: &mut S) -> Result<(), EncodeError> {
    match msg {
        Message::RecvIm(m) => {
            recv_head(s, "RECVIM", m.pid, m.payload.len(), m.src, m.dst)?;
            s.put(m.flag.as_str().as_bytes())?;
            s.put(b",")?;
            match m.timing {
                ImTiming::Fw16 { bitrate, ptime_us } => {
                    put_fmt(s, format_args!("{bitrate},"))?;
                    link(s, &m.link, Some(ptime_us))?;
                }
                ImTiming::Duration { duration_us } => {
                    put_fmt(s, format_args!("{duration_us},"))?;
                    link(s, &m.link, None)?;
                }
            }
            s.put(m.payload)
        }
        Message::RecvIms(m) => {
            recv_head(s, "RECVIMS", m.pid, m.payload.len(), m.src, m.dst)?;
            put_fmt(s, format_args!("{},{},", m.timestamp_us, m.duration_us))?;
            link(s, &m.link, None)?;
            s.put(m.payload)
        }
        Message::RecvPbm(m) => {
            recv_head(s, "RECVPBM", m.pid, m.payload.len(), m.src, m.dst)?;
            put_fmt(s, format_args!("{},", m.duration_us))?;
            link(s, &m.link, None)?;
            s.put(m.payload)
        }
        Message::Recv(m) => {
            recv_head(s, "RECV", m.pid, m.payload.len(), m.src, m.dst)?;
            put_fmt(s, format_args!("{},", m.bitrate))?;
            link(s, &m.link, Some(m.ptime_us))?;
            s.put(m.payload)
        }
        Message::DeliveredIm { dst } => put_fmt(s, format_args!("DELIVEREDIM,{dst}")),
        Message::FailedIm { dst } => put_fmt(s, format_args!("FAILEDIM,{dst}")),
        Message::CanceledIm { dst } => put_fmt(s, format_args!("CANCELEDIM,{dst}")),
        Message::CanceledIms { dst } => put_fmt(s, format_args!("CANCELEDIMS,{dst}")),
        Message::CanceledPbm { dst } => put_fmt(s, format_args!("CANCELEDPBM,{dst}")),
        Message::Delivered { cnt, dst } => put_fmt(s, format_args!("DELIVERED,{cnt},{dst}")),
        Message::Failed { cnt, dst } => put_fmt(s, format_args!("FAILED,{cnt},{dst}")),
        Message::ExpiredIms { dst: None } => s.put(b"EXPIREDIMS"),
        Message::ExpiredIms { dst: Some(d) } => put_fmt(s, format_args!("EXPIREDIMS,{d}")),
        Message::Ok => s.put(b"OK"),
        Message::Busy { reason } => with_reason(s, "BUSY", reason),
        Message::Error { reason } => with_reason(s, "ERROR", reason),
        Message::Status { kind, args } => {
            s.put(kind.keyword().as_bytes())?;
            if !args.is_empty() {
                s.put(b",")?;
                s.put(args.as_bytes())?;
            }
            Ok(())
        }
        Message::Text(t) => s.put(t),
    }
}

fn with_reason<S: ByteSink + ?Sized>(s: &mut S, kw: &str, reason: &str) -> Result<(), EncodeError> {
    s.put(kw.as_bytes())?;
    if !reason.is_empty() {
        s.put(b" ")?;
        s.put(reason.as_bytes())?;
    }
    Ok(())
}
