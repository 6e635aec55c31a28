//! A fake mooring for the controller tests: simulated MicroCATs on the inductive line, a
//! scripted modem, a fake clock, and a gateway-side frame collector.

use crate::controller::{Controller, ControllerConfig, InstrumentSlot, Output};
use protocol::frame::{decode_frame, encode_frame, Header, MessageType};
use protocol::hostif::{Command, CommandEvent, CommandParser, Mode};
use protocol::message::{CtdSample, InstrumentKind, Message};
use protocol::time::UtcTime;
use std::collections::BTreeMap;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

/// Midnight UTC, 15 Nov 2023: aligned to both the poll and the status interval.
pub const T0: u32 = 1_700_006_400;
pub const GATEWAY: u8 = 1;

/// One simulated MicroCAT.
pub struct Cat {
    pub slot: u8,
    pub im_id: u8,
    pub serial: u32,
    pub odo: bool,
    /// Answers `!iiData` at all.
    pub present: bool,
    held: Option<CtdSample>,
}

/// Modem behaviour for one `AT*SENDIM`: what it answers and after how many seconds.
pub type Script = dyn FnMut(&SendRecord) -> Vec<(u32, Vec<u8>)>;

/// One `AT*SENDIM` the controller handed to the modem.
#[derive(Debug, Clone)]
pub struct SendRecord {
    pub time: u32,
    pub dst: u8,
    pub frame: Vec<u8>,
    /// How many times this exact frame was sent before.
    pub previous: usize,
}

pub struct Mooring<const R: usize> {
    pub ctl: Controller<R>,
    pub now: u32,
    pub cats: Vec<Cat>,
    modem: CommandParser<4096>,
    pub sends: Vec<SendRecord>,
    pub line_log: Vec<(u32, Vec<u8>)>,
    /// Samples the cats took, by (GData time, slot).
    pub given: BTreeMap<(u32, u8), CtdSample>,
    pending: Vec<(u32, Port, Vec<u8>)>,
    pub script: std::boxed::Box<Script>,
    chunk: usize,
    /// Fixed chunk size for the bytes handed to the controller (0: uneven 1–31 bytes).
    pub cut: usize,
}

/// The standard line: 8 MicroCATs, 6 with oxygen, slots out of order with their IM IDs.
pub fn eight_cats() -> Vec<Cat> {
    (0..8u8)
        .map(|i| Cat {
            slot: 7 - i,
            im_id: 10 + i * 3,
            serial: 3_710_000 + u32::from(i) * 1111,
            odo: i % 4 != 3,
            present: true,
            held: None,
        })
        .collect()
}

pub fn config_for(cats: &[Cat]) -> ControllerConfig {
    let mut c = ControllerConfig {
        gateway_address: GATEWAY,
        ..ControllerConfig::default()
    };
    for cat in cats {
        c.instruments
            .push(InstrumentSlot {
                slot: cat.slot,
                im_id: cat.im_id,
                kind: if cat.odo {
                    InstrumentKind::Sbe37CtdOdo
                } else {
                    InstrumentKind::Sbe37Ctd
                },
                serial: cat.serial,
                nominal_depth_m: 100 * u16::from(cat.slot) + 500,
            })
            .unwrap();
    }
    c
}

/// The modem that always delivers: `OK` at once, `DELIVEREDIM` 10 s later.
pub fn always_deliver() -> std::boxed::Box<Script> {
    std::boxed::Box::new(|s: &SendRecord| {
        vec![
            (0, b"OK\r\n".to_vec()),
            (10, format!("DELIVEREDIM,{}\r\n", s.dst).into_bytes()),
        ]
    })
}

/// A printed fixed-point number with `d` decimals.
pub fn fixed(v: i32, d: u32) -> String {
    let scale = 10i64.pow(d);
    let v = i64::from(v);
    let sign = if v < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        v.abs() / scale,
        v.abs() % scale,
        width = d as usize
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Cat {
    fn take_sample(&mut self, t: u32) -> CtdSample {
        let k = (t / 60) as i32 % 997 + i32::from(self.im_id) * 31;
        let s = CtdSample {
            slot: self.slot,
            temperature: Some(128_000 + k * 7 - 3000),
            conductivity: Some(380_000 + k * 11),
            pressure: Some(500_000 + i32::from(self.slot) * 100_000 + k * 13),
            oxygen: self.odo.then_some(4_000 + k),
        };
        self.held = Some(s);
        s
    }

    fn reply(&self, t: u32) -> Option<String> {
        let s = self.held?;
        let (y, mo, d, h, mi, se, _) = UtcTime::from_unix_seconds(i64::from(t)).to_civil();
        let mut line = format!(
            "{:02}, {:05}, {}, {}, {}",
            self.im_id,
            self.serial % 100_000,
            fixed(s.temperature?, 4),
            fixed(s.conductivity?, 5),
            fixed(s.pressure?, 3)
        );
        if let Some(o) = s.oxygen {
            line += &format!(", {}", fixed(o, 3));
        }
        line += &format!(
            ", {d:02} {} {y}, {h:02}:{mi:02}:{se:02}\r\n",
            MONTHS[mo as usize - 1]
        );
        Some(line)
    }
}

/// Where scheduled bytes go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Port {
    /// The inductive line (MicroCAT replies).
    Line,
    /// The modem host interface.
    Modem,
    /// The serial input (the Aquadopp).
    Serial,
}

impl<const R: usize> Mooring<R> {
    pub fn new(cats: Vec<Cat>, config: ControllerConfig, start: u32) -> Self {
        Self::with_script(cats, config, start, always_deliver())
    }

    /// A mooring whose modem answers every `AT*SENDIM` as `script` says.
    pub fn with_script(
        cats: Vec<Cat>,
        config: ControllerConfig,
        start: u32,
        script: std::boxed::Box<Script>,
    ) -> Self {
        let mut m = Mooring {
            ctl: Controller::new(config, start),
            now: start,
            cats,
            modem: CommandParser::new(Mode::Command),
            sends: Vec::new(),
            line_log: Vec::new(),
            given: BTreeMap::new(),
            pending: Vec::new(),
            script,
            chunk: 0,
            cut: 0,
        };
        m.drain();
        m
    }

    /// Hands `bytes` to the controller in uneven chunks.
    fn feed(&mut self, port: Port, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            self.chunk = (self.chunk + 1) % 7;
            let n = if self.cut > 0 {
                self.cut
            } else {
                self.chunk * 5 + 1
            }
            .min(rest.len());
            let (a, b) = rest.split_at(n);
            match port {
                Port::Line => self.ctl.handle_line_bytes(a, self.now),
                Port::Modem => self.ctl.handle_modem_bytes(a, self.now),
                Port::Serial => self.ctl.handle_serial_bytes(a, self.now),
            }
            rest = b;
        }
    }

    /// Schedules modem bytes for the controller at `t`.
    pub fn modem_at(&mut self, t: u32, bytes: Vec<u8>) {
        self.pending.push((t, Port::Modem, bytes));
    }

    /// Schedules bytes on the controller's serial input (the Aquadopp) at `t`.
    pub fn serial_at(&mut self, t: u32, bytes: Vec<u8>) {
        self.pending.push((t, Port::Serial, bytes));
    }

    /// Takes every output and plays the instruments and the modem.
    pub fn drain(&mut self) {
        let mut outs: Vec<(bool, Vec<u8>)> = Vec::new();
        while let Some(o) = self.ctl.poll_output() {
            match o {
                Output::Line(b) => outs.push((true, b.to_vec())),
                Output::Modem(b) => outs.push((false, b.to_vec())),
            }
        }
        for (line, bytes) in outs {
            if line {
                self.on_line_command(&bytes);
            } else {
                self.on_modem_command(&bytes);
            }
        }
    }

    fn on_line_command(&mut self, cmd: &[u8]) {
        let now = self.now;
        self.line_log.push((now, cmd.to_vec()));
        if cmd == b"GData\r\n" {
            for c in &mut self.cats {
                let s = c.take_sample(now);
                if c.present {
                    self.given.insert((now, c.slot), s);
                }
            }
        } else if let Some(id) = cmd
            .strip_prefix(b"!")
            .and_then(|r| r.strip_suffix(b"Data\r\n"))
        {
            let id: u8 = std::str::from_utf8(id).unwrap().parse().unwrap();
            let reply = self
                .cats
                .iter()
                .find(|c| c.im_id == id && c.present)
                .and_then(|c| c.reply(now));
            if let Some(r) = reply {
                self.pending.push((now + 2, Port::Line, r.into_bytes()));
            }
        } else {
            panic!("unexpected line command {cmd:?}");
        }
    }

    fn on_modem_command(&mut self, bytes: &[u8]) {
        let mut got = Vec::new();
        self.modem.feed(bytes, |ev| match ev {
            CommandEvent::Command {
                command: Command::SendIm { dst, payload, .. },
                ..
            } => got.push((dst, payload.to_vec())),
            other => panic!("unexpected modem command {other:?}"),
        });
        assert_eq!(got.len(), 1, "one AT*SENDIM per output: {bytes:?}");
        let (dst, frame) = got.pop().unwrap();
        let previous = self.sends.iter().filter(|s| s.frame == frame).count();
        let rec = SendRecord {
            time: self.now,
            dst,
            frame,
            previous,
        };
        for (dt, b) in (self.script)(&rec) {
            self.pending.push((self.now + dt, Port::Modem, b));
        }
        self.sends.push(rec);
    }

    /// Runs the fake world until `end` (inclusive).
    pub fn run_until(&mut self, end: u32) {
        loop {
            self.drain();
            let wake = self.ctl.next_wakeup().unwrap();
            let ev = self
                .pending
                .iter()
                .enumerate()
                .min_by_key(|(i, p)| (p.0, *i))
                .map(|(i, p)| (i, p.0));
            let t = ev.map_or(wake, |(_, te)| te.min(wake));
            if t > end {
                self.now = end;
                self.ctl.handle_time(end);
                self.drain();
                return;
            }
            self.now = self.now.max(t);
            match ev {
                Some((i, te)) if te <= wake => {
                    let (_, port, bytes) = self.pending.remove(i);
                    self.feed(port, &bytes);
                }
                _ => self.ctl.handle_time(self.now),
            }
        }
    }

    /// Every distinct frame sent, by sequence number (as the gateway would keep it).
    pub fn frames_by_seq(&self) -> BTreeMap<u16, Vec<u8>> {
        let mut m = BTreeMap::new();
        for s in &self.sends {
            let f = decode_frame(&s.frame).expect("controller frames decode");
            let old = m.insert(f.header.seq, s.frame.clone());
            if let Some(old) = old {
                assert_eq!(
                    old, s.frame,
                    "seq {} sent with different bytes",
                    f.header.seq
                );
            }
        }
        m
    }
}

/// Reassembles in-order frames (no sequence wrap) into messages.
pub fn messages(frames: &BTreeMap<u16, Vec<u8>>) -> Vec<(u16, Message)> {
    let mut out = Vec::new();
    let mut cur: Option<(u16, MessageType, Vec<u8>, u8)> = None;
    for bytes in frames.values() {
        let f = decode_frame(bytes).unwrap();
        let h = f.header;
        if h.fragment_index == 0 {
            cur = Some((h.seq, h.msg_type, Vec::new(), 0));
        }
        let Some((seq, ty, buf, next)) = cur.as_mut() else {
            continue;
        };
        if h.fragment_index != *next || h.msg_type != *ty {
            cur = None;
            continue;
        }
        buf.extend_from_slice(f.payload);
        *next += 1;
        if !h.more_fragments {
            out.push((*seq, Message::decode(*ty, buf).unwrap()));
            cur = None;
        }
    }
    out
}

/// A `RECVIM` line carrying one downlink message from the gateway (node 0).
pub fn recvim(msg: &Message) -> Vec<u8> {
    let mut payload = [0u8; 64];
    let n = msg.encode(&mut payload).unwrap();
    let h = Header {
        msg_type: msg.msg_type(),
        ack_wanted: false,
        more_fragments: false,
        source: 0,
        fragment_index: 0,
        seq: 7,
    };
    let mut frame = [0u8; 64];
    let len = encode_frame(&h, &payload[..n], &mut frame).unwrap();
    let mut line = format!("RECVIM,{len},{GATEWAY},2,ack,340015,-32,133,0.0534,").into_bytes();
    line.extend_from_slice(&frame[..len]);
    line.extend_from_slice(b"\r\n");
    line
}
