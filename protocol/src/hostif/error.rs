//! Typed errors of the host-interface parsers and encoders.
//!
//! Every error names what was wrong (which message, which field) so that a `Garbage` event
//! tells the operator why bytes were skipped.

/// Why bytes from the modem (or host) were not accepted as a message.
///
/// Carried by [`HostEvent::Garbage`](super::HostEvent::Garbage) and
/// [`CommandEvent::Garbage`](super::CommandEvent::Garbage); all variants are `Copy`, so they can
/// be counted and logged without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HostParseError {
    /// A field of a comma-separated message was absent (the line or frame ended first).
    #[error("{message}: field `{field}` is missing")]
    MissingField {
        /// Keyword of the message (e.g. `RECVIM`).
        message: &'static str,
        /// Name of the missing field (e.g. `rssi`).
        field: &'static str,
    },
    /// A field was longer than any valid value of that field could be.
    #[error("{message}: field `{field}` is too long")]
    FieldTooLong {
        /// Keyword of the message.
        message: &'static str,
        /// Name of the field.
        field: &'static str,
    },
    /// A field that must be a number was not one.
    #[error("{message}: field `{field}` is not a number")]
    NotANumber {
        /// Keyword of the message.
        message: &'static str,
        /// Name of the field.
        field: &'static str,
    },
    /// A numeric field did not fit its type (e.g. an address above 255).
    #[error("{message}: field `{field}` is out of range")]
    OutOfRange {
        /// Keyword of the message.
        message: &'static str,
        /// Name of the field.
        field: &'static str,
    },
    /// A message had more fields than its keyword allows.
    #[error("{message}: unexpected extra field")]
    ExtraField {
        /// Keyword of the message.
        message: &'static str,
    },
    /// The IM flag was not `ack`, `noack` or `force`.
    #[error("{message}: flag is not ack/noack/force")]
    BadFlag {
        /// Keyword of the message.
        message: &'static str,
    },
    /// The declared payload length exceeds the modem's limit for this message type.
    #[error("{message}: declared length {len} exceeds the maximum {max}")]
    LengthTooLarge {
        /// Keyword of the message.
        message: &'static str,
        /// Declared length.
        len: usize,
        /// Maximum for this message type.
        max: usize,
    },
    /// The `len` payload bytes were not followed by the line end.
    #[error("{message}: {len} payload bytes not followed by the line end")]
    NoLineEndAfterPayload {
        /// Keyword of the message.
        message: &'static str,
        /// Declared length.
        len: usize,
    },
    /// Inside a data-mode frame, the message header plus `len` payload bytes did not fill the
    /// frame body exactly.
    #[error("{message}: payload length {len} does not match the frame body")]
    FrameLengthMismatch {
        /// Keyword of the message.
        message: &'static str,
        /// Declared payload length.
        len: usize,
    },
    /// A `+++AT` frame's command part was too long or held a forbidden byte.
    #[error("+++AT frame: bad command part")]
    BadFrameCommand,
    /// A `+++AT…:<len>:` length was absent, not decimal, or too long.
    #[error("+++AT frame: length is not a decimal number")]
    BadFrameLength,
    /// A `+++AT…:<len>:` frame would not fit the parser's buffer.
    #[error("+++AT frame: length {len} does not fit the parser buffer")]
    FrameTooLarge {
        /// Declared body length.
        len: usize,
    },
    /// The frame body was not followed by CR LF.
    #[error("+++AT frame: body of {len} bytes not followed by CR LF")]
    FrameMissingCrLf {
        /// Declared body length.
        len: usize,
    },
    /// A line held bytes that are not text (control characters or invalid UTF-8).
    #[error("line is not text")]
    NotText,
    /// Bytes before the next recognised message start, with no line end: a truncated line or
    /// junk glued to a message.
    #[error("junk or truncated line before a message start")]
    Junk,
    /// A line or message grew past the parser's buffer capacity and was discarded.
    #[error("line longer than the parser buffer")]
    Overlong,
    /// The stream ended in the middle of a message.
    #[error("stream ended inside a message")]
    Truncated,
    /// A host command line did not start with `AT`.
    #[error("command line does not start with AT")]
    NotACommand,
}

/// Why a message or command could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The output buffer is too small.
    #[error("output buffer full")]
    BufferFull,
    /// The payload is longer than the modem accepts for this message type.
    #[error("{message}: payload of {len} bytes exceeds the maximum {max}")]
    PayloadTooLong {
        /// Keyword of the message.
        message: &'static str,
        /// Payload length.
        len: usize,
        /// Maximum for this message type.
        max: usize,
    },
    /// A text field (reason, status arguments, command text) holds CR, LF, a byte that is not
    /// text, or a sequence that the parser would read as a new message; it would not parse back.
    #[error("{what}: text would not parse back unchanged")]
    UnsafeText {
        /// Which text field.
        what: &'static str,
    },
    /// A float field is NaN or infinite, which the modem never prints.
    #[error("{field}: not a finite number")]
    NotFinite {
        /// Which field.
        field: &'static str,
    },
    /// The command answered by a data-mode reply must start with `AT` and hold no `:`.
    #[error("reply command must start with AT and hold no ':' or control bytes")]
    BadReplyCommand,
}
