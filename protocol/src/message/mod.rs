//! Message payloads: what travels inside the frames, one module per message type.
//!
//! Each type has a semantic representation (physical values as exact fixed-point
//! integers) and a deku wire layout, big-endian and MSB first, with the endianness passed
//! down to nested structures through deku's `ctx`. [`Message::encode`] and
//! [`Message::decode`] convert between them; decode rejects truncated payloads,
//! non-zero padding and trailing bytes.

mod aquadopp;
mod ctd;
mod downlink;
mod field;
mod status;

pub use aquadopp::AquadoppSample;
pub use ctd::{CtdBatch, CtdSample, MAX_SLOTS};
pub use downlink::{Ack, RepeatRange, RepeatRequest, StatusRequest, MAX_REPEAT_RANGES};
pub use field::{FieldSpec, CONDUCTIVITY, OXYGEN, PRESSURE, TEMPERATURE};
pub use status::{InstrumentKind, InventoryEntry, LineStatus};

use crate::frame::MessageType;
use deku::ctx::Endian;
use deku::no_std_io::Cursor;
use deku::reader::Reader;
use deku::writer::Writer;
use deku::{DekuReader, DekuWriter};

/// Largest encoded message: 16 fragments of a 64-byte-MTU frame (58 payload bytes each).
pub const MAX_MESSAGE_LEN: usize = 16 * 58;

/// Byte order of every multi-byte field on the wire.
pub(crate) const WIRE_ENDIAN: Endian = Endian::Big;

/// One decoded message of any type.
// Variants are stored inline on purpose: the crate works without a heap.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// MicroCAT samples from one poll.
    CtdBatch(CtdBatch),
    /// Controller status and inventory.
    LineStatus(LineStatus),
    /// One Aquadopp sample.
    AquadoppSample(AquadoppSample),
    /// Downlink cumulative acknowledgement.
    Ack(Ack),
    /// Downlink selective-repeat request.
    RepeatRequest(RepeatRequest),
    /// Downlink status request.
    StatusRequest(StatusRequest),
}

/// Why a payload cannot be decoded or a message cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The payload ends before the message does.
    #[error("{msg_type:?} payload truncated")]
    Truncated {
        /// Type being decoded.
        msg_type: MessageType,
    },
    /// Bytes remain after the message (beyond zero padding to a whole byte).
    #[error("{msg_type:?} payload has {extra} trailing bytes")]
    TrailingBytes {
        /// Type being decoded.
        msg_type: MessageType,
        /// Whole bytes left over.
        extra: usize,
    },
    /// Padding bits after the last field are not zero.
    #[error("{msg_type:?} payload has non-zero padding")]
    NonZeroPadding {
        /// Type being decoded.
        msg_type: MessageType,
    },
    /// A field's value is outside what its bits can carry (on encode) or
    /// what the specification allows (on decode).
    #[error("field {field} out of range")]
    FieldOutOfRange {
        /// Which field.
        field: &'static str,
    },
    /// The encoded message does not fit the output buffer or [`MAX_MESSAGE_LEN`].
    #[error("message does not fit in {available} bytes")]
    BufferTooSmall {
        /// Bytes available.
        available: usize,
    },
}

impl Message {
    /// The header type code this message travels under.
    pub fn msg_type(&self) -> MessageType {
        match self {
            Message::CtdBatch(_) => MessageType::CtdBatch,
            Message::LineStatus(_) => MessageType::LineStatus,
            Message::AquadoppSample(_) => MessageType::AquadoppSample,
            Message::Ack(_) => MessageType::Ack,
            Message::RepeatRequest(_) => MessageType::RepeatRequest,
            Message::StatusRequest(_) => MessageType::StatusRequest,
        }
    }

    /// Encodes the payload into `out` (zero-padded to a whole byte); returns its length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, MessageError> {
        match self {
            Message::CtdBatch(m) => write_wire(&m.wire()?, out),
            Message::LineStatus(m) => write_wire(&m.wire()?, out),
            Message::AquadoppSample(m) => write_wire(&m.wire()?, out),
            Message::Ack(m) => write_wire(&m.wire()?, out),
            Message::RepeatRequest(m) => write_wire(&m.wire()?, out),
            Message::StatusRequest(m) => write_wire(&m.wire()?, out),
        }
    }

    /// Decodes a complete (reassembled) payload of type `msg_type`.
    pub fn decode(msg_type: MessageType, payload: &[u8]) -> Result<Message, MessageError> {
        Ok(match msg_type {
            MessageType::CtdBatch => {
                Message::CtdBatch(CtdBatch::from_wire(ctd::read_batch(payload)?)?)
            }
            MessageType::LineStatus => {
                Message::LineStatus(LineStatus::from_wire(read_wire(msg_type, payload)?)?)
            }
            MessageType::AquadoppSample => {
                Message::AquadoppSample(AquadoppSample::from_wire(read_wire(msg_type, payload)?)?)
            }
            MessageType::Ack => Message::Ack(Ack::from_wire(read_wire(msg_type, payload)?)?),
            MessageType::RepeatRequest => {
                Message::RepeatRequest(RepeatRequest::from_wire(read_wire(msg_type, payload)?)?)
            }
            MessageType::StatusRequest => {
                Message::StatusRequest(StatusRequest::from_wire(read_wire(msg_type, payload)?)?)
            }
        })
    }
}

/// Writes a wire struct with the wire endianness; pads to a whole byte.
fn write_wire<T: DekuWriter<Endian>>(wire: &T, out: &mut [u8]) -> Result<usize, MessageError> {
    let available = out.len();
    let mut cursor = Cursor::new(out);
    let mut writer = Writer::new(&mut cursor);
    wire.to_writer(&mut writer, WIRE_ENDIAN)
        .map_err(|_| MessageError::BufferTooSmall { available })?;
    writer
        .finalize()
        .map_err(|_| MessageError::BufferTooSmall { available })?;
    let bits = writer.bits_written;
    Ok(bits.div_ceil(8))
}

/// Reads a wire struct that must use up `payload` exactly (up to zero padding bits).
fn read_wire<'a, T: DekuReader<'a, Endian>>(
    msg_type: MessageType,
    payload: &'a [u8],
) -> Result<T, MessageError> {
    let mut cursor = Cursor::new(payload);
    let mut reader = Reader::new(&mut cursor);
    let value = T::from_reader_with_ctx(&mut reader, WIRE_ENDIAN).map_err(|e| match e {
        deku::DekuError::Assertion(_) | deku::DekuError::Parse(_) => {
            MessageError::FieldOutOfRange { field: "payload" }
        }
        _ => MessageError::Truncated { msg_type },
    })?;
    let bits = reader.bits_read;
    let used = bits.div_ceil(8);
    if used < payload.len() {
        return Err(MessageError::TrailingBytes {
            msg_type,
            extra: payload.len() - used,
        });
    }
    let pad = (used * 8 - bits) as u32;
    if pad > 0 {
        let last = payload[used - 1];
        if last & ((1u8 << pad) - 1) != 0 {
            return Err(MessageError::NonZeroPadding { msg_type });
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
