//! The header's bit layout, declared once with deku (big-endian, MSB first). Frames are
//! written through deku; they are read by [`WireHeader::parse`], four shifts of one
//! big-endian word, which a proptest holds equal to deku's reader for every header.

use deku::prelude::*;

/// The 32 header bits exactly as sent; see `protocol/SPEC.md` §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "big")]
pub(crate) struct WireHeader {
    #[deku(bits = 2)]
    pub version: u8,
    #[deku(bits = 4)]
    pub msg_type: u8,
    #[deku(bits = 1)]
    pub ack_wanted: bool,
    #[deku(bits = 1)]
    pub more_fragments: bool,
    #[deku(bits = 4)]
    pub source: u8,
    #[deku(bits = 4)]
    pub fragment_index: u8,
    #[deku(bits = 12)]
    pub seq: u16,
    #[deku(bits = 4)]
    pub schema: u8,
}

impl WireHeader {
    /// The header of the 4 bytes `b`: the fields deku's reader gives, without its bit
    /// reader (the hot path of every received frame).
    pub(crate) fn parse(b: [u8; 4]) -> WireHeader {
        let w = u32::from_be_bytes(b);
        // each mask keeps the field's width, so every cast is exact
        WireHeader {
            version: (w >> 30) as u8,
            msg_type: ((w >> 26) & 0xF) as u8,
            ack_wanted: (w >> 25) & 1 == 1,
            more_fragments: (w >> 24) & 1 == 1,
            source: ((w >> 20) & 0xF) as u8,
            fragment_index: ((w >> 16) & 0xF) as u8,
            seq: ((w >> 4) & 0xFFF) as u16,
            schema: (w & 0xF) as u8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_is_dekus_reader(b in any::<[u8; 4]>()) {
            let (_, deku) = WireHeader::from_bytes((&b[..], 0)).unwrap();
            prop_assert_eq!(WireHeader::parse(b), deku);
        }
    }
}
