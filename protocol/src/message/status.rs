//! Line status: the controller's health, counters, ring buffer and instrument inventory.
//!
//! Sent daily and on request. The inventory maps each slot of the CTD batches to an
//! instrument (kind, serial number, nominal depth), so batches stay small.

use super::ctd::MAX_SLOTS;
use super::MessageError;
use deku::ctx::Endian;
use deku::no_std_io::{Read, Seek, Write};
use deku::prelude::*;
use deku::writer::Writer;

/// What sits in an inventory slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstrumentKind {
    /// Unknown or not answering.
    Unknown = 0,
    /// SBE 37-IM(P): temperature, conductivity, pressure.
    Sbe37Ctd = 1,
    /// SBE 37-IMP-ODO: as above plus SBE 63 dissolved oxygen.
    Sbe37CtdOdo = 2,
    /// Nortek Aquadopp current meter.
    Aquadopp = 3,
}

impl InstrumentKind {
    /// The kind for a 4-bit inventory code; codes 4–15 are rejected.
    pub fn from_code(code: u8) -> Result<Self, MessageError> {
        Ok(match code {
            0 => InstrumentKind::Unknown,
            1 => InstrumentKind::Sbe37Ctd,
            2 => InstrumentKind::Sbe37CtdOdo,
            3 => InstrumentKind::Aquadopp,
            _ => {
                return Err(MessageError::FieldOutOfRange {
                    field: "instrument kind",
                })
            }
        })
    }
}

/// One instrument of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryEntry {
    /// Slot used in sample messages (0–15).
    pub slot: u8,
    /// Instrument kind.
    pub kind: InstrumentKind,
    /// Manufacturer's serial number.
    pub serial: u32,
    /// Nominal depth in metres.
    pub nominal_depth_m: u16,
}

/// Controller status at `clock`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineStatus {
    /// Controller clock, Unix seconds.
    pub clock: u32,
    /// Controller battery, millivolts.
    pub battery_mv: u16,
    /// Polls of the line since boot (wrapping).
    pub polls: u16,
    /// Instrument replies missing or unparseable since boot (wrapping).
    pub instrument_errors: u16,
    /// Frames handed to the modem since boot (wrapping).
    pub frames_sent: u16,
    /// `FAILEDIM` outcomes since boot (wrapping).
    pub send_failures: u16,
    /// Frames overwritten in the ring buffer before the gateway acknowledged them (wrapping).
    pub ring_dropped: u16,
    /// Oldest sequence number the ring buffer still holds: older ones are gone for good.
    pub ring_oldest_seq: u16,
    /// Sequence number the next frame will carry.
    pub next_seq: u16,
    /// Instruments on the line.
    pub inventory: heapless::Vec<InventoryEntry, MAX_SLOTS>,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct EntryWire {
    #[deku(bits = 4)]
    slot: u8,
    #[deku(bits = 4)]
    kind: u8,
    serial: u32,
    nominal_depth_m: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct StatusWire {
    clock: u32,
    battery_mv: u16,
    polls: u16,
    instrument_errors: u16,
    frames_sent: u16,
    send_failures: u16,
    ring_dropped: u16,
    #[deku(bits = 12)]
    ring_oldest_seq: u16,
    #[deku(bits = 12)]
    next_seq: u16,
    #[deku(assert = "*count as usize <= MAX_SLOTS")]
    count: u8,
    #[deku(
        reader = "read_entries(deku::reader, *count, endian)",
        writer = "write_entries(deku::writer, entries, endian)"
    )]
    entries: heapless::Vec<EntryWire, MAX_SLOTS>,
}

fn read_entries<R: Read + Seek>(
    reader: &mut Reader<R>,
    count: u8,
    endian: Endian,
) -> Result<heapless::Vec<EntryWire, MAX_SLOTS>, DekuError> {
    let mut out = heapless::Vec::new();
    for _ in 0..count {
        let e = EntryWire::from_reader_with_ctx(reader, endian)?;
        // count was asserted <= MAX_SLOTS before this reader runs
        out.push(e)
            .map_err(|_| DekuError::Assertion("too many entries"))?;
    }
    Ok(out)
}

fn write_entries<W: Write + Seek>(
    writer: &mut Writer<W>,
    entries: &heapless::Vec<EntryWire, MAX_SLOTS>,
    endian: Endian,
) -> Result<(), DekuError> {
    for e in entries {
        e.to_writer(writer, endian)?;
    }
    Ok(())
}

impl LineStatus {
    pub(crate) fn wire(&self) -> Result<StatusWire, MessageError> {
        if self.ring_oldest_seq >= 4096 || self.next_seq >= 4096 {
            return Err(MessageError::FieldOutOfRange { field: "sequence" });
        }
        let mut entries = heapless::Vec::new();
        for e in &self.inventory {
            if usize::from(e.slot) >= MAX_SLOTS {
                return Err(MessageError::FieldOutOfRange { field: "slot" });
            }
            let w = EntryWire {
                slot: e.slot,
                kind: e.kind as u8,
                serial: e.serial,
                nominal_depth_m: e.nominal_depth_m,
            };
            // both vectors have capacity MAX_SLOTS
            entries
                .push(w)
                .map_err(|_| MessageError::FieldOutOfRange { field: "inventory" })?;
        }
        Ok(StatusWire {
            clock: self.clock,
            battery_mv: self.battery_mv,
            polls: self.polls,
            instrument_errors: self.instrument_errors,
            frames_sent: self.frames_sent,
            send_failures: self.send_failures,
            ring_dropped: self.ring_dropped,
            ring_oldest_seq: self.ring_oldest_seq,
            next_seq: self.next_seq,
            count: entries.len() as u8,
            entries,
        })
    }

    pub(crate) fn from_wire(w: StatusWire) -> Result<Self, MessageError> {
        let mut inventory = heapless::Vec::new();
        for e in &w.entries {
            let entry = InventoryEntry {
                slot: e.slot,
                kind: InstrumentKind::from_code(e.kind)?,
                serial: e.serial,
                nominal_depth_m: e.nominal_depth_m,
            };
            // both vectors have capacity MAX_SLOTS
            inventory
                .push(entry)
                .map_err(|_| MessageError::FieldOutOfRange { field: "inventory" })?;
        }
        Ok(LineStatus {
            clock: w.clock,
            battery_mv: w.battery_mv,
            polls: w.polls,
            instrument_errors: w.instrument_errors,
            frames_sent: w.frames_sent,
            send_failures: w.send_failures,
            ring_dropped: w.ring_dropped,
            ring_oldest_seq: w.ring_oldest_seq,
            next_seq: w.next_seq,
            inventory,
        })
    }
}
