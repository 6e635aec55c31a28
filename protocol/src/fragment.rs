//! Splitting a message payload into frames that fit the modem's MTU.
//!
//! A message of `n` payload bytes goes out in `ceil(n / (mtu - 6))` frames (at least one,
//! at most 16), with consecutive sequence numbers starting at the message's own sequence
//! number; fragment `i` carries `fragment_index = i` and `more_fragments` on all but the
//! last. Every fragment but the last is full. See `protocol/SPEC.md` §5.

use crate::frame::{
    encode_frame, seq_add, FrameError, Header, MessageType, MAX_FRAGMENT_INDEX, MIN_FRAME_LEN,
    SEQ_MODULUS,
};

/// Why a payload cannot be fragmented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FragmentError {
    /// The MTU leaves no room for payload.
    #[error(
        "MTU {mtu} too small: a frame needs {MIN_FRAME_LEN} bytes of header and CRC plus payload"
    )]
    MtuTooSmall {
        /// The MTU asked for.
        mtu: usize,
    },
    /// More than 16 fragments would be needed.
    #[error("payload of {len} bytes needs more than 16 fragments at MTU {mtu}")]
    TooManyFragments {
        /// Payload length.
        len: usize,
        /// The MTU asked for.
        mtu: usize,
    },
    /// A frame could not be encoded.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

/// The frames of one message, produced one at a time into caller buffers.
#[derive(Debug, Clone)]
pub struct Fragments<'a> {
    payload: &'a [u8],
    msg_type: MessageType,
    source: u8,
    ack_wanted: bool,
    first_seq: u16,
    chunk: usize,
    count: u8,
    next: u8,
}

impl<'a> Fragments<'a> {
    /// Plans the frames of `payload` for an MTU of `mtu` bytes, the first with `first_seq`.
    pub fn new(
        msg_type: MessageType,
        source: u8,
        ack_wanted: bool,
        first_seq: u16,
        payload: &'a [u8],
        mtu: usize,
    ) -> Result<Self, FragmentError> {
        if mtu <= MIN_FRAME_LEN {
            return Err(FragmentError::MtuTooSmall { mtu });
        }
        if first_seq >= SEQ_MODULUS {
            return Err(FrameError::FieldOutOfRange { field: "seq" }.into());
        }
        let chunk = mtu.min(crate::frame::MAX_FRAME_LEN) - MIN_FRAME_LEN;
        let count = payload.len().div_ceil(chunk).max(1);
        if count > usize::from(MAX_FRAGMENT_INDEX) + 1 {
            return Err(FragmentError::TooManyFragments {
                len: payload.len(),
                mtu,
            });
        }
        Ok(Fragments {
            payload,
            msg_type,
            source,
            ack_wanted,
            first_seq,
            chunk,
            count: count as u8,
            next: 0,
        })
    }

    /// How many frames the message takes.
    pub fn count(&self) -> usize {
        usize::from(self.count)
    }

    /// Sequence number the next message should start at.
    pub fn next_seq_after(&self) -> u16 {
        seq_add(self.first_seq, u16::from(self.count))
    }

    /// Writes the next frame into `out` and returns its header and length, or `None` when
    /// every frame has been produced.
    pub fn next_frame(&mut self, out: &mut [u8]) -> Option<Result<(Header, usize), FrameError>> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let start = (usize::from(i) * self.chunk).min(self.payload.len());
        let end = (start + self.chunk).min(self.payload.len());
        let header = Header {
            msg_type: self.msg_type,
            ack_wanted: self.ack_wanted,
            more_fragments: i + 1 < self.count,
            source: self.source,
            fragment_index: i,
            seq: seq_add(self.first_seq, u16::from(i)),
        };
        Some(encode_frame(&header, &self.payload[start..end], out).map(|n| (header, n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::decode_frame;

    #[test]
    fn splits_full_fragments_and_wraps_seq() {
        let payload: [u8; 82] = core::array::from_fn(|i| i as u8);
        let mut f = Fragments::new(MessageType::CtdBatch, 1, false, 4095, &payload, 64).unwrap();
        assert_eq!(f.count(), 2);
        assert_eq!(f.next_seq_after(), 1);
        let mut buf = [0u8; 64];
        let (h0, n0) = f.next_frame(&mut buf).unwrap().unwrap();
        assert_eq!(
            (h0.seq, h0.fragment_index, h0.more_fragments, n0),
            (4095, 0, true, 64)
        );
        assert_eq!(decode_frame(&buf[..n0]).unwrap().payload, &payload[..58]);
        let (h1, n1) = f.next_frame(&mut buf).unwrap().unwrap();
        assert_eq!(
            (h1.seq, h1.fragment_index, h1.more_fragments, n1),
            (0, 1, false, 30)
        );
        assert_eq!(h1.message_seq(), 4095);
        assert!(f.next_frame(&mut buf).is_none());
    }

    #[test]
    fn limits() {
        assert_eq!(
            Fragments::new(MessageType::Ack, 0, false, 0, &[1], 6).unwrap_err(),
            FragmentError::MtuTooSmall { mtu: 6 }
        );
        let big = [0u8; 17];
        assert!(matches!(
            Fragments::new(MessageType::CtdBatch, 0, false, 0, &big, 7),
            Err(FragmentError::TooManyFragments { .. })
        ));
        let empty = Fragments::new(MessageType::StatusRequest, 0, false, 0, &[], 32).unwrap();
        assert_eq!(empty.count(), 1);
    }
}
