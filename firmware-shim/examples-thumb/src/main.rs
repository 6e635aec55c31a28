//! The line controller on bare metal: a fake clock and canned instrument and modem replies
//! drive a `Controller<256>` forever. No real I/O: every output goes through
//! `core::hint::black_box`, so the linker keeps the whole controller (line polling, IM reply
//! parsing, batch encoding, fragmentation, ring buffer, AT encoder and parser, downlink
//! decoding, line status) and the size report measures the real thing.
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use firmware_shim::controller::{Controller, ControllerConfig, InstrumentSlot, Output};
use panic_halt as _;
use protocol::message::InstrumentKind;

/// Frames kept for selective repeat.
const RING: usize = 256;
/// 2023-11-15 00:00:00 UTC.
const T0: u32 = 1_700_006_400;

/// What the eight MicroCATs answer to `!iiData` (IDs 01–08).
static REPLIES: [&[u8]; 8] = [
    b"01, 12001, 13.1001, 4.10001, 500.101, 5.101, 15 Nov 2023, 00:00:12\r\n",
    b"02, 12002, 13.1002, 4.10002, 750.102, 5.102, 15 Nov 2023, 00:00:14\r\n",
    b"03, 12003, 13.1003, 4.10003, 1000.103, 5.103, 15 Nov 2023, 00:00:16\r\n",
    b"04, 12004, 13.1004, 4.10004, 1250.104, 5.104, 15 Nov 2023, 00:00:18\r\n",
    b"05, 12005, 13.1005, 4.10005, 1500.105, 5.105, 15 Nov 2023, 00:00:20\r\n",
    b"06, 12006, 13.1006, 4.10006, 1750.106, 5.106, 15 Nov 2023, 00:00:22\r\n",
    b"07, 12007, 13.1007, 4.10007, 2000.107, 15 Nov 2023, 00:00:24\r\n",
    b"08, 12008, 13.1008, 4.10008, 2250.108, 15 Nov 2023, 00:00:26\r\n",
];

/// A Nortek Aquadopp velocity structure (the OOI driver's record), as the line's Aquadopp
/// streams it on the serial input.
static AQUADOPP: &[u8] = &[
    0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00, 0x93,
    0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00, 0xe3, 0x09,
    0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
];

/// The modem's answers: acceptance, delivery, and now and then a downlink frame
/// (a selective-repeat request for frames 0–3 of node 1, CRC included).
static MODEM_OK: &[u8] = b"OK\r\nDELIVEREDIM,1\r\n";
static MODEM_REPEAT: &[u8] =
    b"RECVIM,10,1,2,ack,340015,-32,133,0.0534,\x64\x00\x00\x01\x11\x00\x00\x40\x3c\x6d\r\n";

fn config() -> ControllerConfig {
    let mut c = ControllerConfig {
        source: 1,
        gateway_address: 1,
        ..ControllerConfig::default()
    };
    for i in 0..8u8 {
        let kind = if i < 6 {
            InstrumentKind::Sbe37CtdOdo
        } else {
            InstrumentKind::Sbe37Ctd
        };
        let slot = InstrumentSlot {
            slot: i,
            im_id: i + 1,
            kind,
            serial: 3_712_001 + u32::from(i),
            nominal_depth_m: 500 + 250 * u16::from(i),
        };
        // 8 instruments fit the 16-entry vector.
        let _ = c.instruments.push(slot);
    }
    // The Aquadopp on the serial input (9 of 16 entries).
    let _ = c.instruments.push(InstrumentSlot {
        slot: 8,
        im_id: 0,
        kind: InstrumentKind::Aquadopp,
        serial: 12_345,
        nominal_depth_m: 2300,
    });
    c
}

#[entry]
fn main() -> ! {
    // The controller (about 20 KiB with its ring buffer) lives in .bss, not on the stack.
    let Some(ctl) = cortex_m::singleton!(: Controller<RING> = Controller::new(config(), T0)) else {
        loop {
            cortex_m::asm::wfi();
        }
    };
    let mut now = T0;
    let mut sends: u32 = 0;
    loop {
        let mut reply: Option<&[u8]> = None;
        let mut modem_busy = false;
        while let Some(out) = ctl.poll_output() {
            match out {
                Output::Line(cmd) => {
                    // "!iiData\r\n": answer with instrument ii's canned line.
                    if let [b'!', a, b, ..] = *black_box(cmd) {
                        let id = usize::from(a.wrapping_sub(b'0')) * 10
                            + usize::from(b.wrapping_sub(b'0'));
                        reply = id.checked_sub(1).and_then(|i| REPLIES.get(i)).copied();
                    }
                }
                Output::Modem(cmd) => {
                    black_box(cmd);
                    modem_busy = true;
                }
            }
        }
        if let Some(r) = reply {
            ctl.handle_line_bytes(black_box(r), now);
            continue;
        }
        if modem_busy {
            sends = sends.wrapping_add(1);
            now = now.wrapping_add(black_box(7));
            let answer = if sends.is_multiple_of(64) {
                MODEM_REPEAT
            } else {
                MODEM_OK
            };
            ctl.handle_modem_bytes(black_box(answer), now);
            continue;
        }
        ctl.set_battery_mv(black_box(12_000));
        now = black_box(ctl.next_wakeup().unwrap_or(now).max(now));
        ctl.handle_time(now);
        // the Aquadopp's record of the interval
        ctl.handle_serial_bytes(black_box(AQUADOPP), now);
        black_box(ctl.counters());
    }
}
