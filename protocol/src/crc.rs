//! The frame check sequence: CRC-16/IBM-3740 (also called CRC-16/CCITT-FALSE).
//!
//! Width 16, polynomial 0x1021, initial value 0xFFFF, no input or output reflection,
//! final XOR 0x0000; its check value (the CRC of the ASCII bytes `123456789`) is 0x29B1.
//! It is sent big-endian (high byte first) after the bytes it covers.

use crc::{Crc, CRC_16_IBM_3740};

/// The CRC engine shared by the acoustic frames and the plain framed link mode.
pub const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

/// CRC-16/IBM-3740 of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC16.checksum(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }
}
