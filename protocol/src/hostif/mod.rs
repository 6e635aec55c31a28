//! EvoLogics S2C host interface, sans-IO: parsers and encoders for both directions.
//!
//! Reference: `acoustic-link.md` §2 (transport and modes, `+++AT` framing, send commands,
//! receive notifications, status lines, limits) and §10.
//!
//! - [`HostParser`]: modem → host byte stream into [`HostEvent`]s (messages, raw burst data,
//!   counted garbage). Command-mode lines `<text>\r\n` and data-mode frames
//!   `+++AT[<command>]:<len>:<body>\r\n` are both recognised at any time.
//! - [`CommandParser`]: host → modem byte stream into [`CommandEvent`]s, for the simulator.
//! - Both are one [`StreamParser`] (buffer, mode, push / poll / finish) over a [`Grammar`]:
//!   [`ModemToHost`] or [`HostToModem`].
//! - [`encode_message`] / [`encode_command`]: the inverse, into caller storage.
//!
//! Payloads are binary-safe: `RECV*` and `AT*SEND*` take exactly `<len>` bytes and then require
//! the line end, never splitting on commas. Nothing allocates; buffers are fixed-capacity
//! `heapless::Vec`s and events borrow from them.
//!
//! ```
//! use protocol::hostif::{HostEvent, HostParser, Message, Mode};
//!
//! let mut p: HostParser = HostParser::new(Mode::Data);
//! let mut got = 0;
//! p.feed(b"12345++++AT:5:12345\r\n", |ev| match ev {
//!     HostEvent::RawData(d) => assert_eq!(d, b"12345+"),
//!     HostEvent::Message { message: Message::Text(t), .. } => { assert_eq!(t, b"12345"); got += 1 }
//!     other => panic!("{other:?}"),
//! });
//! assert_eq!(got, 1);
//! ```

mod body;
mod buffer;
mod command;
mod encode;
mod error;
mod event;
mod parser;
mod scan;
mod stream;

pub use command::{Command, CommandEvent, CommandParser, CommandStats, HostToModem};
pub use encode::{
    encode_command, encode_command_to_slice, encode_message, encode_message_to_slice, ByteSink,
    CommandEncoding, LineEnding, SliceSink,
};
pub use error::{EncodeError, HostParseError};
pub use event::{
    HostEvent, ImFlag, ImTiming, LinkQuality, Message, Origin, RecvBurst, RecvIm, RecvIms, RecvPbm,
    StatusKind,
};
pub use parser::{HostParser, HostStats, ModemToHost};
pub use stream::{Grammar, StreamParser};

/// Largest instant-message payload (`RECVIM`, `RECVIMS`, `RECVPBM`, `AT*SENDIM`…), in bytes.
pub const MAX_IM_PAYLOAD: usize = 64;
/// Largest burst payload (`RECV`, `AT*SEND`), in bytes.
pub const MAX_BURST_PAYLOAD: usize = 1024;
/// Default parser buffer: a 1024-byte burst plus its header and framing.
pub const DEFAULT_CAPACITY: usize = 1280;
/// Smallest buffer a parser accepts (checked at compile time).
pub const MIN_CAPACITY: usize = 64;

/// How unframed bytes are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Command mode (`ATC`): unframed bytes are text lines.
    #[default]
    Command,
    /// Data mode (`ATO`): unframed bytes are burst data; commands, replies and notifications
    /// travel in `+++AT` frames.
    Data,
}
