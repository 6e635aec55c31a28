//! The acoustic frame: a 4-byte bit-packed header, a payload, and a CRC-16.
//!
//! Layout (MSB first, multi-byte fields big-endian; see `protocol/SPEC.md` §2):
//!
//! ```text
//!  byte 0: version(2) | type(4) | ack_wanted(1) | more_fragments(1)
//!  byte 1: source(4)  | fragment_index(4)
//!  byte 2-3: sequence(12) | schema(4)
//!  bytes 4..n-2: payload (a whole message, or one fragment of it)
//!  bytes n-2..n: CRC-16/IBM-3740 over bytes 0..n-2, big-endian
//! ```
//!
//! [`decode_frame`] checks length, CRC, version and schema before it trusts anything,
//! and borrows the payload from the input; [`encode_frame`] writes into a caller buffer.

mod wire;

use crate::crc::crc16;
use deku::DekuContainerWrite;
use wire::WireHeader;

/// Frame format version carried in every header.
pub const VERSION: u8 = 1;
/// Schema id of the payload field layouts in this crate (ranges, resolutions, bit widths).
pub const SCHEMA_ID: u8 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 4;
/// CRC length in bytes.
pub const CRC_LEN: usize = 2;
/// Smallest valid frame: a header and a CRC around an empty payload.
pub const MIN_FRAME_LEN: usize = HEADER_LEN + CRC_LEN;
/// Largest frame accepted (an EvoLogics burst carries at most 1024 bytes).
pub const MAX_FRAME_LEN: usize = 1024;
/// Sequence numbers are 12 bits wide and wrap modulo this.
pub const SEQ_MODULUS: u16 = 4096;
/// Largest fragment index; a message has at most 16 fragments.
pub const MAX_FRAGMENT_INDEX: u8 = 15;
/// Largest source node id (4 bits).
pub const MAX_SOURCE: u8 = 15;

/// What a frame's payload is; the 4-bit `type` field of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// A batch of MicroCAT (CTD, optionally oxygen) samples from one poll of the line.
    CtdBatch = 1,
    /// Line controller status: battery, clock, counters, ring buffer, instrument inventory.
    LineStatus = 2,
    /// One Nortek Aquadopp velocity sample.
    AquadoppSample = 3,
    /// Downlink: cumulative acknowledgement from the gateway.
    Ack = 8,
    /// Downlink: selective-repeat request for missing sequence numbers.
    RepeatRequest = 9,
    /// Downlink: ask the controller for a line status now.
    StatusRequest = 10,
}

impl MessageType {
    /// The type for a 4-bit code, or `None` for an unassigned code.
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => MessageType::CtdBatch,
            2 => MessageType::LineStatus,
            3 => MessageType::AquadoppSample,
            8 => MessageType::Ack,
            9 => MessageType::RepeatRequest,
            10 => MessageType::StatusRequest,
            _ => return None,
        })
    }

    /// The 4-bit code of this type.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Whether this type travels gateway → controller.
    pub const fn is_downlink(self) -> bool {
        matches!(
            self,
            MessageType::Ack | MessageType::RepeatRequest | MessageType::StatusRequest
        )
    }
}

/// The decoded header of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Payload type.
    pub msg_type: MessageType,
    /// The sender wants a delivery acknowledgement for this message.
    pub ack_wanted: bool,
    /// More fragments of the same message follow this one.
    pub more_fragments: bool,
    /// Sending node (0–15): 0 is the shore gateway, 1–15 moorings/nodes.
    pub source: u8,
    /// Index of this fragment within its message (0–15); 0 for unfragmented messages.
    pub fragment_index: u8,
    /// Frame sequence number (0–4095), one per frame, wrapping.
    pub seq: u16,
}

impl Header {
    /// Whether this frame is one piece of a fragmented message.
    pub const fn is_fragment(&self) -> bool {
        self.more_fragments || self.fragment_index != 0
    }

    /// Sequence number of fragment 0 of this frame's message: the message id.
    pub const fn message_seq(&self) -> u16 {
        seq_sub(self.seq, self.fragment_index as u16)
    }
}

/// `a - b` modulo the sequence space.
pub const fn seq_sub(a: u16, b: u16) -> u16 {
    (a.wrapping_sub(b)) % SEQ_MODULUS
}

/// `a + b` modulo the sequence space.
pub const fn seq_add(a: u16, b: u16) -> u16 {
    (a.wrapping_add(b)) % SEQ_MODULUS
}

/// A frame checked and decoded from bytes; the payload borrows the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The header.
    pub header: Header,
    /// The payload bytes between header and CRC.
    pub payload: &'a [u8],
}

/// Why bytes are not a valid frame, or a frame cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than a header and a CRC.
    #[error("frame too short: {len} bytes, at least {MIN_FRAME_LEN} needed")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// More bytes than any frame may have.
    #[error("frame too long: {len} bytes, at most {MAX_FRAME_LEN} allowed")]
    TooLong {
        /// Bytes received.
        len: usize,
    },
    /// The CRC does not match the bytes.
    #[error("bad CRC: frame says {received:#06x}, bytes give {computed:#06x}")]
    BadCrc {
        /// CRC carried by the frame.
        received: u16,
        /// CRC computed over the frame's bytes.
        computed: u16,
    },
    /// A frame version this crate does not speak.
    #[error("unsupported frame version {0} (this end speaks {VERSION})")]
    BadVersion(u8),
    /// A message type code with no meaning.
    #[error("unknown message type {0}")]
    UnknownType(u8),
    /// The sender uses another payload schema.
    #[error("schema mismatch: frame has schema {got}, this end expects {SCHEMA_ID}")]
    SchemaMismatch {
        /// Schema id in the frame.
        got: u8,
    },
    /// A header field does not fit its bit width.
    #[error("header field {field} out of range")]
    FieldOutOfRange {
        /// Which field.
        field: &'static str,
    },
    /// The output buffer cannot hold the frame.
    #[error("output buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// Bytes the frame needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
}

/// Checks and decodes one frame (exactly the bytes of one modem message).
pub fn decode_frame(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
    if bytes.len() < MIN_FRAME_LEN {
        return Err(FrameError::TooShort { len: bytes.len() });
    }
    if bytes.len() > MAX_FRAME_LEN {
        return Err(FrameError::TooLong { len: bytes.len() });
    }
    let (body, crc_bytes) = bytes.split_at(bytes.len() - CRC_LEN);
    let received = u16::from_be_bytes([crc_bytes[0], crc_bytes[1]]);
    let computed = crc16(body);
    if received != computed {
        return Err(FrameError::BadCrc { received, computed });
    }
    let head: [u8; HEADER_LEN] = body
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(FrameError::TooShort { len: bytes.len() })?;
    let wire = WireHeader::parse(head);
    if wire.version != VERSION {
        return Err(FrameError::BadVersion(wire.version));
    }
    let msg_type =
        MessageType::from_code(wire.msg_type).ok_or(FrameError::UnknownType(wire.msg_type))?;
    if wire.schema != SCHEMA_ID {
        return Err(FrameError::SchemaMismatch { got: wire.schema });
    }
    Ok(Frame {
        header: Header {
            msg_type,
            ack_wanted: wire.ack_wanted,
            more_fragments: wire.more_fragments,
            source: wire.source,
            fragment_index: wire.fragment_index,
            seq: wire.seq,
        },
        payload: &body[HEADER_LEN..],
    })
}

/// Writes header, `payload` and CRC into `out`; returns the frame length.
pub fn encode_frame(header: &Header, payload: &[u8], out: &mut [u8]) -> Result<usize, FrameError> {
    let len = HEADER_LEN + payload.len() + CRC_LEN;
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLong { len });
    }
    if out.len() < len {
        return Err(FrameError::BufferTooSmall {
            needed: len,
            available: out.len(),
        });
    }
    if header.source > MAX_SOURCE {
        return Err(FrameError::FieldOutOfRange { field: "source" });
    }
    if header.fragment_index > MAX_FRAGMENT_INDEX {
        return Err(FrameError::FieldOutOfRange {
            field: "fragment_index",
        });
    }
    if header.seq >= SEQ_MODULUS {
        return Err(FrameError::FieldOutOfRange { field: "seq" });
    }
    let wire = WireHeader {
        version: VERSION,
        msg_type: header.msg_type.code(),
        ack_wanted: header.ack_wanted,
        more_fragments: header.more_fragments,
        source: header.source,
        fragment_index: header.fragment_index,
        seq: header.seq,
        schema: SCHEMA_ID,
    };
    // Every field was range-checked above, so the 4-byte write cannot fail.
    wire.to_slice(&mut out[..HEADER_LEN])
        .map_err(|_| FrameError::FieldOutOfRange { field: "header" })?;
    out[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    let crc = crc16(&out[..len - CRC_LEN]);
    out[len - CRC_LEN..len].copy_from_slice(&crc.to_be_bytes());
    Ok(len)
}

#[cfg(test)]
mod tests;
