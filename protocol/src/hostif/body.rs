//! Parsing one modem → host message from bytes: the length-delimited `RECV*` notifications and
//! the plain status / reply lines. Used for command-mode lines (streamed) and for data-mode
//! frame bodies (complete).

use super::error::HostParseError;
use super::event::{
    ImFlag, ImTiming, LinkQuality, Message, RecvBurst, RecvIm, RecvIms, RecvPbm, StatusKind,
};
use super::scan::{as_text, float, int, is_digits, pid_and_len, uint, Fields, Stop, R};

/// The four receive notifications that carry a length-prefixed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecvKind {
    Im,
    Ims,
    Pbm,
    Burst,
}

/// Which `RECV*` notification `b` starts with (keyword and its comma), if any.
fn recv_kind(b: &[u8]) -> Option<(RecvKind, &'static str)> {
    [
        (RecvKind::Ims, "RECVIMS"),
        (RecvKind::Im, "RECVIM"),
        (RecvKind::Pbm, "RECVPBM"),
        (RecvKind::Burst, "RECV"),
    ]
    .into_iter()
    .find(|(_, kw)| {
        b.strip_prefix(kw.as_bytes())
            .is_some_and(|r| r.first() == Some(&b','))
    })
}

/// Whether `b` starts with a length-prefixed `RECV*` notification keyword and comma.
pub(crate) fn is_recv(b: &[u8]) -> bool {
    recv_kind(b).is_some()
}

/// Where the payload of `len` bytes starting at `start` ends, and the whole message's length.
///
/// Streamed (`complete == false`): the payload must be followed by CR LF. Complete (a frame
/// body): the payload must end exactly at the end of `b`.
fn payload_end(
    b: &[u8],
    start: usize,
    len: usize,
    complete: bool,
    message: &'static str,
) -> R<usize> {
    let end = start + len;
    if complete {
        return if b.len() == end {
            Ok(end)
        } else {
            Err(Stop::Bad(HostParseError::FrameLengthMismatch {
                message,
                len,
            }))
        };
    }
    match b.get(end..end + 2) {
        None => Err(Stop::NeedMore),
        Some(b"\r\n") => Ok(end + 2),
        Some(_) => Err(Stop::Bad(HostParseError::NoLineEndAfterPayload {
            message,
            len,
        })),
    }
}

/// Parses a `RECVIM`/`RECVIMS`/`RECVPBM`/`RECV` notification at the start of `b`.
///
/// Returns the message and the number of bytes it spans (including CR LF when streamed).
///
/// `eof`: no more bytes will come, so a `RECVIM` layout candidate that still needs bytes has
/// failed.
pub(crate) fn parse_recv(b: &[u8], complete: bool, eof: bool) -> R<(Message<'_>, usize)> {
    let Some((kind, kw)) = recv_kind(b) else {
        return Err(Stop::Bad(HostParseError::Junk));
    };
    let mut f = Fields::new(b, kw.len() + 1, complete, kw);
    let (pid, len) = pid_and_len(&mut f, kw, kind == RecvKind::Burst)?;
    let src: u8 = uint(f.next("src")?, kw, "src")?;
    let dst: u8 = uint(f.next("dst")?, kw, "dst")?;
    let payload_at = |pos: usize| -> R<(&[u8], usize)> {
        let n = payload_end(b, pos, len, complete, kw)?;
        Ok((b.get(pos..pos + len).unwrap_or(&[]), n))
    };
    match kind {
        RecvKind::Im => parse_recv_im(b, f, (pid, src, dst, len), complete, eof),
        RecvKind::Ims => {
            let timestamp_us: u64 = uint(f.next("timestamp")?, kw, "timestamp")?;
            let duration_us: u32 = uint(f.next("duration")?, kw, "duration")?;
            let link = link_quality(&mut f, kw, None)?;
            let (payload, n) = payload_at(f.pos())?;
            let m = RecvIms {
                pid,
                src,
                dst,
                timestamp_us,
                duration_us,
                link,
                payload,
            };
            Ok((Message::RecvIms(m), n))
        }
        RecvKind::Pbm => {
            let duration_us: u32 = uint(f.next("duration")?, kw, "duration")?;
            let link = link_quality(&mut f, kw, None)?;
            let (payload, n) = payload_at(f.pos())?;
            let m = RecvPbm {
                pid,
                src,
                dst,
                duration_us,
                link,
                payload,
            };
            Ok((Message::RecvPbm(m), n))
        }
        RecvKind::Burst => {
            let bitrate: u32 = uint(f.next("bitrate")?, kw, "bitrate")?;
            let mut ptime_us = 0u32;
            let link = link_quality(&mut f, kw, Some(&mut ptime_us))?;
            let (payload, n) = payload_at(f.pos())?;
            let m = RecvBurst {
                pid,
                src,
                dst,
                bitrate,
                ptime_us,
                link,
                payload,
            };
            Ok((Message::Recv(m), n))
        }
    }
}

/// Reads `rssi, integrity, [ptime,] velocity`.
fn link_quality(f: &mut Fields<'_>, kw: &'static str, ptime: Option<&mut u32>) -> R<LinkQuality> {
    let rssi: i16 = int(f.next("rssi")?, kw, "rssi")?;
    let integrity: u16 = uint(f.next("integrity")?, kw, "integrity")?;
    if let Some(p) = ptime {
        *p = uint(f.next("ptime")?, kw, "ptime")?;
    }
    let velocity = float(f.next("velocity")?, kw, "velocity")?;
    Ok(LinkQuality {
        rssi,
        integrity,
        velocity,
    })
}

/// `RECVIM` after `dst`: decides between the firmware-1.6 layout (`bitrate, rssi, integrity,
/// ptime, velocity`) and the later one (`duration, rssi, integrity, velocity`).
///
/// The fourth field after the flag is `ptime` (an integer) in 1.6 and `velocity` (a decimal)
/// later. An integer there makes 1.6 the first candidate; each candidate is accepted only if
/// exactly `len` payload bytes then the line end (or the frame end) follow. A candidate that
/// still needs bytes makes the whole parse wait, so the result never depends on how the input
/// was split. (EvoLogics prints velocities with decimals, e.g. `0.03`, `0.0000`; a later-layout
/// line with an integer velocity is still read right, but may wait for the next bytes.)
fn parse_recv_im<'a>(
    b: &'a [u8],
    mut f: Fields<'a>,
    (pid, src, dst, len): (Option<u16>, u8, u8, usize),
    complete: bool,
    eof: bool,
) -> R<(Message<'a>, usize)> {
    const KW: &str = "RECVIM";
    let flag = ImFlag::from_bytes(f.next("flag")?)
        .ok_or(Stop::Bad(HostParseError::BadFlag { message: KW }))?;
    let first = f.next("duration")?;
    let rssi: i16 = int(f.next("rssi")?, KW, "rssi")?;
    let integrity: u16 = uint(f.next("integrity")?, KW, "integrity")?;
    let fourth = f.next("velocity")?;
    let build = |timing, velocity, pos: usize| -> R<(Message<'a>, usize)> {
        let n = payload_end(b, pos, len, complete, KW)?;
        let m = RecvIm {
            pid,
            src,
            dst,
            flag,
            timing,
            link: LinkQuality {
                rssi,
                integrity,
                velocity,
            },
            payload: b.get(pos..pos + len).unwrap_or(&[]),
        };
        Ok((Message::RecvIm(m), n))
    };
    let later = || -> R<(Message<'a>, usize)> {
        let duration_us: u32 = uint(first, KW, "duration")?;
        let velocity = float(fourth, KW, "velocity")?;
        build(ImTiming::Duration { duration_us }, velocity, f.pos())
    };
    if !is_digits(fourth) {
        return later();
    }
    let fw16 = || -> R<(Message<'a>, usize)> {
        let mut g = f;
        let velocity = float(g.next("velocity")?, KW, "velocity")?;
        let timing = ImTiming::Fw16 {
            bitrate: uint(first, KW, "bitrate")?,
            ptime_us: uint(fourth, KW, "ptime")?,
        };
        build(timing, velocity, g.pos())
    };
    match fw16() {
        Err(Stop::Bad(_)) => later(),
        Err(Stop::NeedMore) if eof => later(),
        other => other,
    }
}

/// Parses a plain line (without its CR LF) or a non-`RECV*` frame body.
///
/// `binary_ok`: an unknown body that is not text becomes [`Message::Text`] (frame bodies are
/// length-delimited); otherwise it is an error (a command-mode line of junk).
pub(crate) fn parse_line(line: &[u8], binary_ok: bool) -> Result<Message<'_>, HostParseError> {
    if line == b"OK" {
        return Ok(Message::Ok);
    }
    let split = line.iter().position(|&c| c == b',' || c == b' ');
    let (token, sep, rest) = match split {
        Some(i) => (
            line.get(..i).unwrap_or(&[]),
            line.get(i).copied(),
            line.get(i + 1..).unwrap_or(&[]),
        ),
        None => (line, None, &[][..]),
    };
    let comma_args = sep != Some(b' ');
    let reason = |kw| {
        as_text(rest)
            .ok_or(HostParseError::NotText)
            .map(|r| (kw, r))
    };
    match token {
        b"BUSY" if sep != Some(b',') => {
            return reason("BUSY").map(|(_, r)| Message::Busy { reason: r })
        }
        b"ERROR" if sep != Some(b',') => {
            return reason("ERROR").map(|(_, r)| Message::Error { reason: r })
        }
        _ => {}
    }
    if comma_args {
        if let Some(m) = parse_delivery(token, rest, sep.is_some())? {
            return Ok(m);
        }
        if let Some(kind) = StatusKind::from_keyword(token) {
            let args = as_text(rest).ok_or(HostParseError::NotText)?;
            return Ok(Message::Status { kind, args });
        }
    }
    if binary_ok || as_text(line).is_some() {
        Ok(Message::Text(line))
    } else {
        Err(HostParseError::NotText)
    }
}

/// The delivery-outcome lines; `Ok(None)` if `token` is none of them.
fn parse_delivery<'a>(
    token: &[u8],
    rest: &'a [u8],
    has_args: bool,
) -> Result<Option<Message<'a>>, HostParseError> {
    let mut fields = rest.split(|&c| c == b',');
    let mut next = |kw: &'static str, field: &'static str| -> Result<&'a [u8], HostParseError> {
        match fields.next() {
            Some(f) if has_args => Ok(f),
            _ => Err(HostParseError::MissingField { message: kw, field }),
        }
    };
    let m = match token {
        b"DELIVEREDIM" | b"FAILEDIM" | b"CANCELEDIM" | b"CANCELEDIMS" | b"CANCELEDPBM" => {
            let kw = match token {
                b"DELIVEREDIM" => "DELIVEREDIM",
                b"FAILEDIM" => "FAILEDIM",
                b"CANCELEDIM" => "CANCELEDIM",
                b"CANCELEDIMS" => "CANCELEDIMS",
                _ => "CANCELEDPBM",
            };
            let dst: u8 = uint(next(kw, "dst")?, kw, "dst")?;
            match kw {
                "DELIVEREDIM" => Message::DeliveredIm { dst },
                "FAILEDIM" => Message::FailedIm { dst },
                "CANCELEDIM" => Message::CanceledIm { dst },
                "CANCELEDIMS" => Message::CanceledIms { dst },
                _ => Message::CanceledPbm { dst },
            }
        }
        b"DELIVERED" | b"FAILED" => {
            let kw = if token == b"DELIVERED" {
                "DELIVERED"
            } else {
                "FAILED"
            };
            let cnt: u32 = uint(next(kw, "cnt")?, kw, "cnt")?;
            let dst: u8 = uint(next(kw, "dst")?, kw, "dst")?;
            if kw == "DELIVERED" {
                Message::Delivered { cnt, dst }
            } else {
                Message::Failed { cnt, dst }
            }
        }
        b"EXPIREDIMS" => {
            let dst = if has_args {
                Some(uint(next("EXPIREDIMS", "dst")?, "EXPIREDIMS", "dst")?)
            } else {
                None
            };
            Message::ExpiredIms { dst }
        }
        _ => return Ok(None),
    };
    if has_args && fields.next().is_some() {
        return Err(HostParseError::ExtraField {
            message: m.keyword().unwrap_or(""),
        });
    }
    Ok(Some(m))
}

/// Parses a complete data-mode frame body.
pub(crate) fn parse_body(body: &[u8]) -> Result<Message<'_>, HostParseError> {
    if is_recv(body) {
        return match parse_recv(body, true, true) {
            Ok((m, _)) => Ok(m),
            Err(Stop::Bad(e)) => Err(e),
            // With `complete` set, running out of bytes is reported as `Bad`; keep a named
            // error anyway rather than trusting that.
            Err(Stop::NeedMore) => Err(HostParseError::Truncated),
        };
    }
    parse_line(body, true)
}
