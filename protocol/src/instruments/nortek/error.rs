//! Typed errors of the Nortek decoder: each names what was wrong with which structure.

use thiserror::Error;

/// Why bytes of a Nortek stream were skipped, or why one structure could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NortekError {
    /// Bytes that did not start with the sync byte 0xA5 (junk between structures).
    #[error("no sync byte 0xA5 where a structure should start")]
    NoSync,
    /// The stored checksum differs from the computed one; the decoder resynchronised.
    #[error(
        "bad checksum in structure id 0x{id:02X}: stored 0x{stored:04X}, computed 0x{computed:04X}"
    )]
    BadChecksum {
        /// Structure id byte.
        id: u8,
        /// Checksum stored in the last two bytes.
        stored: u16,
        /// Checksum computed over the rest.
        computed: u16,
    },
    /// The size field is smaller than sync + id + size + checksum.
    #[error(
        "size field of structure id 0x{id:02X} says {size_bytes} bytes, below the 6-byte minimum"
    )]
    SizeTooSmall {
        /// Structure id byte.
        id: u8,
        /// Length the size field gives, in bytes.
        size_bytes: usize,
    },
    /// The size field exceeds what the decoder buffers.
    #[error("size field of structure id 0x{id:02X} says {size_bytes} bytes, above the {max}-byte buffer")]
    SizeTooLarge {
        /// Structure id byte.
        id: u8,
        /// Length the size field gives, in bytes.
        size_bytes: usize,
        /// Largest structure the decoder accepts.
        max: usize,
    },
    /// A structure with a valid checksum but an id this decoder does not know; skipped whole.
    #[error("unknown structure id 0x{id:02X} ({size_bytes} bytes, checksum valid), skipped")]
    UnknownId {
        /// Structure id byte.
        id: u8,
        /// Length of the skipped structure.
        size_bytes: usize,
    },
    /// A known fixed-size structure whose (checksum-valid) size field gives another length.
    #[error("structure id 0x{id:02X} is {found} bytes, expected {expected}")]
    WrongSize {
        /// Structure id byte.
        id: u8,
        /// Length the layout requires.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The stream ended inside a structure.
    #[error("stream ended inside a structure (id {id:?}): {got} of {expected:?} bytes")]
    Truncated {
        /// Structure id byte, if it was received.
        id: Option<u8>,
        /// Announced length, if the size field was received.
        expected: Option<usize>,
        /// Bytes received.
        got: usize,
    },
    /// A profile whose length does not fit whole cells for its number of beams.
    #[error(
        "profile id 0x{id:02X} of {size_bytes} bytes does not hold whole cells of {beams} beams"
    )]
    ProfileShape {
        /// Structure id byte.
        id: u8,
        /// Number of beams used to interpret it.
        beams: usize,
        /// Length of the structure.
        size_bytes: usize,
    },
    /// A profile with more beams or cells than this decoder stores.
    #[error("profile id 0x{id:02X} has {beams} beams × {cells} cells, above the supported {max_beams} × {max_cells}")]
    ProfileTooLarge {
        /// Structure id byte.
        id: u8,
        /// Beams in the profile.
        beams: usize,
        /// Cells in the profile.
        cells: usize,
        /// Largest number of beams stored.
        max_beams: usize,
        /// Largest number of cells stored.
        max_cells: usize,
    },
    /// A profile whose cell count differs from the user configuration in force.
    #[error("profile id 0x{id:02X} has {cells} cells but the user configuration in force says {configured}")]
    ProfileConfigMismatch {
        /// Structure id byte.
        id: u8,
        /// Cells found from the profile's length.
        cells: usize,
        /// Cells in the user configuration.
        configured: usize,
    },
    /// A field lies outside the structure (a decoder bug guard; should not happen).
    #[error("field at offset {offset} lies outside structure id 0x{id:02X} of {len} bytes")]
    FieldOutOfBounds {
        /// Structure id byte.
        id: u8,
        /// Offset of the field.
        offset: usize,
        /// Length of the structure.
        len: usize,
    },
}
