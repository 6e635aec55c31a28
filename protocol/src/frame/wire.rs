//! The header's bit layout, declared once with deku (big-endian, MSB first).

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
