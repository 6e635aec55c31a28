//! Typed messages of the S2C host interface (modem → host) and the events the parser yields.
//!
//! All payload and text fields borrow from the parser's buffer (or from the caller's bytes when
//! encoding), so nothing here allocates.

use super::error::HostParseError;

/// Flag of an instant message: whether the modem asks for an acoustic acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImFlag {
    /// `ack`: delivery is acknowledged (`DELIVEREDIM` / `FAILEDIM` follow the send).
    Ack,
    /// `noack`: fire and forget.
    NoAck,
    /// `force`: send even while the modem is busy (send side only in practice).
    Force,
}

impl ImFlag {
    /// The wire spelling (`ack`, `noack`, `force`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ImFlag::Ack => "ack",
            ImFlag::NoAck => "noack",
            ImFlag::Force => "force",
        }
    }

    /// Parses the wire spelling; `None` for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        match b {
            b"ack" => Some(ImFlag::Ack),
            b"noack" => Some(ImFlag::NoAck),
            b"force" => Some(ImFlag::Force),
            _ => None,
        }
    }
}

/// Link quality the modem reports with every received message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkQuality {
    /// Received signal strength in dB re 1 V (negative in practice).
    pub rssi: i16,
    /// Signal integrity (EvoLogics: above 100 is a good signal).
    pub integrity: u16,
    /// Relative velocity between the modems in m/s.
    pub velocity: f32,
}

/// Timing fields of a `RECVIM`, which differ by firmware generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImTiming {
    /// Firmware 1.6: `bitrate, rssi, integrity, ptime, velocity`.
    Fw16 {
        /// Bit rate in bit/s.
        bitrate: u32,
        /// Propagation time in µs.
        ptime_us: u32,
    },
    /// Later firmware (with or without `p<pid>`): `duration, rssi, integrity, velocity`.
    Duration {
        /// Reception duration in µs.
        duration_us: u32,
    },
}

/// `RECVIM`: an instant message was received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecvIm<'a> {
    /// Protocol ID from the `p<pid>,` prefix of newer firmware, if present.
    pub pid: Option<u16>,
    /// Source address.
    pub src: u8,
    /// Destination address.
    pub dst: u8,
    /// Acknowledgement flag the sender used.
    pub flag: ImFlag,
    /// Timing fields, whose layout tells the firmware generation.
    pub timing: ImTiming,
    /// RSSI, integrity, velocity.
    pub link: LinkQuality,
    /// Exactly `len` payload bytes (binary-safe).
    pub payload: &'a [u8],
}

/// `RECVIMS`: a synchronous, timestamped instant message was received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecvIms<'a> {
    /// Protocol ID (`p<pid>,`), if present.
    pub pid: Option<u16>,
    /// Source address.
    pub src: u8,
    /// Destination address.
    pub dst: u8,
    /// Modem timestamp of the reception in µs.
    pub timestamp_us: u64,
    /// Reception duration in µs.
    pub duration_us: u32,
    /// RSSI, integrity, velocity.
    pub link: LinkQuality,
    /// Exactly `len` payload bytes (binary-safe).
    pub payload: &'a [u8],
}

/// `RECVPBM`: a piggy-back message was received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecvPbm<'a> {
    /// Protocol ID (`p<pid>,`), if present.
    pub pid: Option<u16>,
    /// Source address.
    pub src: u8,
    /// Destination address.
    pub dst: u8,
    /// Reception duration in µs.
    pub duration_us: u32,
    /// RSSI, integrity, velocity.
    pub link: LinkQuality,
    /// Exactly `len` payload bytes (binary-safe).
    pub payload: &'a [u8],
}

/// `RECV`: burst data was received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecvBurst<'a> {
    /// Protocol ID (`p<pid>,`), if present.
    pub pid: Option<u16>,
    /// Source address.
    pub src: u8,
    /// Destination address.
    pub dst: u8,
    /// Bit rate in bit/s.
    pub bitrate: u32,
    /// Propagation time in µs.
    pub ptime_us: u32,
    /// RSSI, integrity, velocity.
    pub link: LinkQuality,
    /// Exactly `len` payload bytes (binary-safe).
    pub payload: &'a [u8],
}

macro_rules! status_kinds {
    ($($(#[$doc:meta])* $name:ident => $kw:literal,)*) => {
        /// Asynchronous status lines passed up with their arguments as text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum StatusKind {
            $($(#[$doc])* $name,)*
        }

        impl StatusKind {
            /// All known status keywords.
            pub const ALL: &'static [StatusKind] = &[$(StatusKind::$name,)*];

            /// The keyword as it appears on the wire.
            pub const fn keyword(self) -> &'static str {
                match self {
                    $(StatusKind::$name => $kw,)*
                }
            }

            /// Looks up a keyword; `None` if it is not a known status line.
            pub fn from_keyword(b: &[u8]) -> Option<Self> {
                match b {
                    $(x if x == $kw.as_bytes() => Some(StatusKind::$name),)*
                    _ => None,
                }
            }
        }
    };
}

status_kinds! {
    /// `RECVSTART`: reception started.
    RecvStart => "RECVSTART",
    /// `RECVEND,usec,dur,rssi,int`: reception ended.
    RecvEnd => "RECVEND",
    /// `RECVFAILED,speed,rssi,int`: reception failed.
    RecvFailed => "RECVFAILED",
    /// `SENDSTART,addr,type,dur,delay`: transmission started.
    SendStart => "SENDSTART",
    /// `SENDEND,addr,type,usec,dur`: transmission ended.
    SendEnd => "SENDEND",
    /// `BITRATE,local|remote,val`.
    Bitrate => "BITRATE",
    /// `SRCLEVEL,val`.
    SrcLevel => "SRCLEVEL",
    /// `DROPCNT,val`.
    DropCnt => "DROPCNT",
    /// `PHYON`.
    PhyOn => "PHYON",
    /// `PHYOFF`.
    PhyOff => "PHYOFF",
    /// `USBLLONG,…`: USBL position (long form).
    UsblLong => "USBLLONG",
    /// `USBLANGLES,…`: USBL bearing.
    UsblAngles => "USBLANGLES",
    /// `USBLPHYD,…`: USBL phase differences.
    UsblPhyd => "USBLPHYD",
    /// `USBLPHYP,…`: USBL phase parameters.
    UsblPhyp => "USBLPHYP",
}

/// One modem → host message, parsed from a command-mode line or a data-mode frame body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Message<'a> {
    /// `RECVIM` in any firmware layout.
    RecvIm(RecvIm<'a>),
    /// `RECVIMS`.
    RecvIms(RecvIms<'a>),
    /// `RECVPBM`.
    RecvPbm(RecvPbm<'a>),
    /// `RECV` (burst).
    Recv(RecvBurst<'a>),
    /// `DELIVEREDIM,dst`: the IM to `dst` was acknowledged.
    DeliveredIm {
        /// Destination of the IM.
        dst: u8,
    },
    /// `FAILEDIM,dst`: the IM to `dst` was not acknowledged after all retries.
    FailedIm {
        /// Destination of the IM.
        dst: u8,
    },
    /// `CANCELEDIM,dst`: the IM to `dst` was cancelled.
    CanceledIm {
        /// Destination of the IM.
        dst: u8,
    },
    /// `DELIVERED,cnt,dst`: `cnt` burst bytes reached `dst`.
    Delivered {
        /// Byte count.
        cnt: u32,
        /// Destination.
        dst: u8,
    },
    /// `FAILED,cnt,dst`: `cnt` burst bytes to `dst` failed.
    Failed {
        /// Byte count.
        cnt: u32,
        /// Destination.
        dst: u8,
    },
    /// `EXPIREDIMS[,dst]`: a synchronous IM expired.
    ExpiredIms {
        /// Destination, when the firmware names it.
        dst: Option<u8>,
    },
    /// `CANCELEDIMS,dst`.
    CanceledIms {
        /// Destination.
        dst: u8,
    },
    /// `CANCELEDPBM,dst`.
    CanceledPbm {
        /// Destination.
        dst: u8,
    },
    /// `OK`.
    Ok,
    /// `BUSY <reason>`.
    Busy {
        /// Text after `BUSY ` (may be empty).
        reason: &'a str,
    },
    /// `ERROR <reason>` (e.g. `EFAULT`, `OVERLOAD`).
    Error {
        /// Text after `ERROR ` (may be empty).
        reason: &'a str,
    },
    /// A known status line; `args` is the text after `KEYWORD,` (empty if none).
    Status {
        /// Which status line.
        kind: StatusKind,
        /// Comma-separated arguments as sent.
        args: &'a str,
    },
    /// Any other line or reply body (query answers, banners, `OFFLINE CONNECTION FAILED`…).
    /// In command mode it is always text without control characters; a data-mode frame body
    /// may be binary.
    Text(&'a [u8]),
}

impl Message<'_> {
    /// The wire keyword of the message, or `None` for [`Message::Text`].
    pub fn keyword(&self) -> Option<&'static str> {
        Some(match self {
            Message::RecvIm(_) => "RECVIM",
            Message::RecvIms(_) => "RECVIMS",
            Message::RecvPbm(_) => "RECVPBM",
            Message::Recv(_) => "RECV",
            Message::DeliveredIm { .. } => "DELIVEREDIM",
            Message::FailedIm { .. } => "FAILEDIM",
            Message::CanceledIm { .. } => "CANCELEDIM",
            Message::Delivered { .. } => "DELIVERED",
            Message::Failed { .. } => "FAILED",
            Message::ExpiredIms { .. } => "EXPIREDIMS",
            Message::CanceledIms { .. } => "CANCELEDIMS",
            Message::CanceledPbm { .. } => "CANCELEDPBM",
            Message::Ok => "OK",
            Message::Busy { .. } => "BUSY",
            Message::Error { .. } => "ERROR",
            Message::Status { kind, .. } => kind.keyword(),
            Message::Text(_) => return None,
        })
    }
}

/// How a message was framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    /// A command-mode line `<text>\r\n`.
    Line,
    /// A data-mode notification frame `+++AT:<len>:<notification>\r\n`.
    Notification,
    /// A data-mode reply frame `+++<command>:<len>:<response>\r\n`.
    Reply {
        /// The command answered, starting with `AT` (e.g. `AT*SENDIM`, `AT?MODE`).
        command: &'a str,
    },
}

/// What [`HostParser`](super::HostParser) yields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HostEvent<'a> {
    /// A complete message.
    Message {
        /// How it was framed.
        origin: Origin<'a>,
        /// The message.
        message: Message<'a>,
    },
    /// Data-mode burst bytes outside any `+++` frame. A stream of raw data may be cut into
    /// several events at arbitrary points; only the concatenation is meaningful.
    RawData(&'a [u8]),
    /// Bytes that were skipped (and counted in the statistics), with the reason.
    Garbage {
        /// Number of bytes skipped.
        bytes: usize,
        /// What was wrong with them.
        error: HostParseError,
    },
}
