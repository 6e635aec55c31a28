//! The acoustic modem link: host-interface bytes → frames → messages → records.
//!
//! Wraps [`protocol::modem_link::ModemLink`] (parsing, reassembly, repair, downlink) and
//! maps what the line controller sends to records with station metadata: a MicroCAT batch
//! becomes one `sbe37` record per sample, named by the serial the line's inventory (line
//! status) or the configuration gives its slot. Samples whose slot is not known yet are
//! held (bounded) until a line status names it.

use super::{LinkDecoder, Notice, Output};
use crate::config::InstrumentModel;
use crate::observation::{InstrumentMeta, Observation, PlatformMeta};
use crate::record::{Record, Value};
use protocol::message::{
    AquadoppSample, CtdBatch, CtdSample, InstrumentKind as WireKind, LineStatus, Message,
};
use protocol::modem_link::{LinkEvent, ModemLink, ModemLinkConfig};
use protocol::reassembly::Event;
use protocol::time::UtcTime;
use std::collections::HashMap;
use std::sync::Arc;

/// Most samples held while waiting for their slot's serial number.
pub const MAX_PENDING: usize = 10_000;

/// The decoder of one modem link.
pub struct ModemDecoder {
    link: ModemLink,
    name: Arc<str>,
    platforms: Vec<Arc<PlatformMeta>>,
    inventory: HashMap<(u8, u8), Arc<InstrumentMeta>>,
    pending: Vec<(u8, u32, CtdSample)>,
    records: u64,
    lost_frames: u64,
}

impl ModemDecoder {
    /// A decoder for link `name`, whose frames come from the `platforms` (matched by their
    /// acoustic source; frames from other sources get an "unconfigured" platform).
    pub fn new(name: &str, config: ModemLinkConfig, platforms: Vec<Arc<PlatformMeta>>) -> Self {
        ModemDecoder {
            link: ModemLink::new(config),
            name: name.into(),
            platforms,
            inventory: HashMap::new(),
            pending: Vec::new(),
            records: 0,
            lost_frames: 0,
        }
    }

    /// The state machine underneath (counters).
    pub fn link(&self) -> &ModemLink {
        &self.link
    }

    fn platform(&mut self, source: u8) -> Arc<PlatformMeta> {
        if let Some(p) = self
            .platforms
            .iter()
            .find(|p| p.acoustic_source == Some(source))
        {
            return p.clone();
        }
        let p = Arc::new(PlatformMeta::unconfigured(Some(source)));
        self.platforms.push(p.clone());
        p
    }

    fn instrument(&self, source: u8, slot: u8) -> Option<Arc<InstrumentMeta>> {
        if let Some(i) = self.inventory.get(&(source, slot)) {
            return Some(i.clone());
        }
        let p = self
            .platforms
            .iter()
            .find(|p| p.acoustic_source == Some(source))?;
        p.by_slot(slot).cloned()
    }

    fn on_event(&mut self, event: LinkEvent, out: &mut Output) {
        match event {
            LinkEvent::Message { source, message, .. } => self.on_message(source, message, out),
            LinkEvent::BadFrame { error, len } => out.notices.push(Notice { warning: true, text: format!("bad frame ({len} bytes): {error}") }),
            LinkEvent::BadMessage { source, seq, error } => {
                out.notices.push(Notice { warning: true, text: format!("message {seq} from node {source} does not decode: {error}") })
            }
            LinkEvent::Reassembly(Event::TimedOut { source, seq, fragments_received, .. }) => out.notices.push(Notice {
                warning: true,
                text: format!("message {seq} from node {source} incomplete after the timeout ({fragments_received} fragments): dropped, may be asked again"),
            }),
            LinkEvent::Reassembly(Event::Evicted { source, seq, reason }) => {
                out.notices.push(Notice { warning: true, text: format!("message {seq} from node {source} evicted: {reason:?}") })
            }
            LinkEvent::Reassembly(_) => {}
            LinkEvent::Garbage { bytes, error } => {
                out.notices.push(Notice { warning: false, text: format!("skipped {bytes} host-interface bytes: {error}") })
            }
            LinkEvent::ModemError { busy } => {
                out.notices.push(Notice { warning: true, text: format!("modem answered {}", if busy { "BUSY" } else { "ERROR" }) })
            }
            LinkEvent::Lost { source, frames } => {
                self.lost_frames += frames;
                out.notices.push(Notice {
                    warning: true,
                    text: format!("{frames} frames from node {source} are gone from its ring buffer: samples in them are lost"),
                })
            }
            LinkEvent::RepeatRequested { request } => out.notices.push(Notice {
                warning: false,
                text: format!("asked node {} to resend {} frames", request.target, request.seqs().count()),
            }),
            LinkEvent::Acknowledged { ack } => out.notices.push(Notice {
                warning: false,
                text: format!("acknowledged node {} through frame {}", ack.target, ack.through_seq),
            }),
            LinkEvent::StatusRequested { source } => out.notices.push(Notice {
                warning: false,
                text: format!("node {source} quiet: asked for its line status"),
            }),
        }
    }

    fn on_message(&mut self, source: u8, message: Message, out: &mut Output) {
        match message {
            Message::CtdBatch(batch) => self.on_batch(source, &batch, out),
            Message::LineStatus(status) => self.on_status(source, &status, out),
            Message::AquadoppSample(s) => {
                let platform = self.platform(source);
                let instrument = self.instrument(source, s.slot);
                let record = aquadopp_record(&s, instrument.as_ref().map(|i| i.serial.clone()));
                self.emit(record, platform, instrument, out);
            }
            // downlink types never reach here (ModemLink filters them)
            Message::Ack(_) | Message::RepeatRequest(_) | Message::StatusRequest(_) => {}
        }
    }

    fn on_batch(&mut self, source: u8, batch: &CtdBatch, out: &mut Output) {
        let platform = self.platform(source);
        for s in &batch.samples {
            match self.instrument(source, s.slot) {
                Some(i) => {
                    let record = ctd_record(batch.time, s, &i.serial);
                    self.emit(record, platform.clone(), Some(i), out);
                }
                None if self.pending.len() < MAX_PENDING => self.pending.push((source, batch.time, *s)),
                None => out.notices.push(Notice {
                    warning: true,
                    text: format!("slot {} of node {source} is unknown and {MAX_PENDING} samples already wait: sample of {} dropped", s.slot, batch.time),
                }),
            }
        }
    }

    fn on_status(&mut self, source: u8, status: &LineStatus, out: &mut Output) {
        let platform = self.platform(source);
        for e in &status.inventory {
            let serial = e.serial.to_string();
            let meta = match platform.by_serial(&serial) {
                Some(m) => m.clone(),
                None => {
                    if !platform.instruments.is_empty() {
                        out.notices.push(Notice {
                            warning: true,
                            text: format!("node {source} slot {} holds serial {serial}, which the configuration does not list", e.slot),
                        });
                    }
                    Arc::new(InstrumentMeta {
                        kind: match e.kind {
                            WireKind::Sbe37CtdOdo => InstrumentModel::Sbe37Odo,
                            WireKind::Aquadopp => InstrumentModel::Aquadopp,
                            WireKind::Sbe37Ctd | WireKind::Unknown => InstrumentModel::Sbe37,
                        },
                        serial,
                        slot: Some(e.slot),
                        nominal_depth_m: f64::from(e.nominal_depth_m),
                    })
                }
            };
            if let Some(cfg) = platform.by_slot(e.slot).filter(|c| c.serial != meta.serial) {
                out.notices.push(Notice {
                    warning: true,
                    text: format!("node {source} slot {} holds serial {}, the configuration says {}: using the line's", e.slot, meta.serial, cfg.serial),
                });
            }
            self.inventory.insert((source, e.slot), meta);
        }
        let record = status_record(status);
        self.emit(record, platform, None, out);
        self.flush_pending(false, out);
    }

    fn flush_pending(&mut self, all: bool, out: &mut Output) {
        let pending = std::mem::take(&mut self.pending);
        for (source, time, s) in pending {
            match self.instrument(source, s.slot) {
                Some(i) => {
                    let platform = self.platform(source);
                    let record = ctd_record(time, &s, &i.serial);
                    self.emit(record, platform, Some(i), out);
                }
                None if all => {
                    let platform = self.platform(source);
                    out.notices.push(Notice {
                        warning: true,
                        text: format!(
                            "slot {} of node {source} never named: record without serial",
                            s.slot
                        ),
                    });
                    let mut record = ctd_record(time, &s, "");
                    record.serial = None;
                    self.emit(record, platform, None, out);
                }
                None => self.pending.push((source, time, s)),
            }
        }
    }

    fn emit(
        &mut self,
        record: Record,
        platform: Arc<PlatformMeta>,
        instrument: Option<Arc<InstrumentMeta>>,
        out: &mut Output,
    ) {
        self.records += 1;
        out.observations.push(Observation {
            record,
            platform,
            instrument,
            link: self.name.clone(),
        });
    }
}

impl LinkDecoder for ModemDecoder {
    fn feed(&mut self, bytes: &[u8], now: UtcTime, out: &mut Output) {
        let mut events = Vec::new();
        self.link.feed(bytes, now, |e| events.push(e));
        for e in events {
            self.on_event(e, out);
        }
    }

    fn handle_time(&mut self, now: UtcTime, out: &mut Output) {
        let mut events = Vec::new();
        self.link.handle_time(now, |e| events.push(e));
        for e in events {
            self.on_event(e, out);
        }
    }

    fn next_deadline(&self) -> Option<UtcTime> {
        self.link.next_deadline()
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit().map(<[u8]>::to_vec)
    }

    fn finish(&mut self, _now: UtcTime, out: &mut Output) {
        self.flush_pending(true, out);
    }

    /// Text lines: `highest <source> <seq>` per source, and `missing <source> <start> <count>`
    /// for every run still missing or held in an incomplete message.
    fn checkpoint(&self) -> Option<String> {
        let mut text = String::new();
        for (s, q) in self.link.highest_seqs() {
            text.push_str(&format!("highest {s} {q}\n"));
        }
        for (s, a, n) in self.link.missing_runs() {
            text.push_str(&format!("missing {s} {a} {n}\n"));
        }
        (!text.is_empty()).then_some(text)
    }

    fn restore(&mut self, state: &str) {
        let now = crate::clock::now();
        for line in state.lines() {
            let mut words = line.split_whitespace();
            let kind = words.next();
            let nums: Vec<u16> = words.map_while(|w| w.parse().ok()).collect();
            match (kind, nums.as_slice()) {
                (Some("highest"), &[source, seq]) if source < 16 && seq < 4096 => {
                    self.link.resume_after(source as u8, seq)
                }
                (Some("missing"), &[source, start, len]) if source < 16 && start < 4096 => {
                    self.link.restore_missing(source as u8, start, len, now)
                }
                _ => {}
            }
        }
    }

    fn bad_bytes(&self) -> u64 {
        self.link.host_stats().garbage_bytes
    }

    fn counters(&self) -> crate::metrics::LinkCounters {
        let s = self.link.stats();
        let r = self.link.reassembler().stats();
        let h = self.link.host_stats();
        let rep = self.link.repair().stats();
        let fb = self.link.feedback().stats();
        crate::metrics::LinkCounters {
            totals: vec![
                ("records", self.records),
                ("frames", s.frames),
                ("messages", s.messages),
                ("frames_missing", rep.missing),
                ("frames_recovered", rep.recovered),
                ("repair_requests", rep.requests),
                ("acknowledgements", fb.acks),
                ("status_requests", fb.probes),
            ],
            errors: vec![
                ("bad_frame", s.bad_frames),
                ("duplicate", r.duplicates),
                ("timed_out", r.timed_out),
                ("garbage_bytes", h.garbage_bytes),
                ("frame_lost", rep.lost),
            ],
        }
    }

    fn summary(&self) -> String {
        let s = self.link.stats();
        let r = self.link.reassembler().stats();
        let h = self.link.host_stats();
        let rep = self.link.repair().stats();
        let fb = self.link.feedback().stats();
        format!(
            "{} records; {} frames ({} bad), {} messages, {} duplicates, {} timed out; {} garbage bytes; repair: {} missing, {} recovered, {} lost, {} requests; {} acknowledgements ({} delivered), {} status requests",
            self.records, s.frames, s.bad_frames, s.messages, r.duplicates, r.timed_out, h.garbage_bytes, rep.missing, rep.recovered, rep.lost, rep.requests, fb.acks, fb.acks_delivered, fb.probes
        )
    }
}

/// The `sbe37` record of one batch sample.
pub fn ctd_record(time: u32, s: &CtdSample, serial: &str) -> Record {
    let mut r = Record::new(
        "sbe37",
        Some(UtcTime::from_unix_seconds(i64::from(time))),
        Some(serial.to_owned()),
    );
    r.push_opt(
        "temperature_c",
        s.temperature_c().map(|v| Value::Fixed(v, 4)),
    )
    .push_opt(
        "conductivity_s_m",
        s.conductivity_s_m().map(|v| Value::Fixed(v, 5)),
    )
    .push_opt(
        "pressure_dbar",
        s.pressure_dbar().map(|v| Value::Fixed(v, 3)),
    )
    .push_opt("oxygen_ml_l", s.oxygen_ml_l().map(|v| Value::Fixed(v, 3)));
    r
}

fn status_record(s: &LineStatus) -> Record {
    let mut r = Record::new(
        "line_status",
        Some(UtcTime::from_unix_seconds(i64::from(s.clock))),
        None,
    );
    r.push(
        "battery_v",
        Value::Fixed(f64::from(s.battery_mv) / 1000.0, 3),
    )
    .push("polls", Value::Int(s.polls.into()))
    .push("instrument_errors", Value::Int(s.instrument_errors.into()))
    .push("frames_sent", Value::Int(s.frames_sent.into()))
    .push("send_failures", Value::Int(s.send_failures.into()))
    .push("ring_dropped", Value::Int(s.ring_dropped.into()))
    .push("ring_oldest_seq", Value::Int(s.ring_oldest_seq.into()))
    .push("next_seq", Value::Int(s.next_seq.into()))
    .push("instruments", Value::Int(s.inventory.len() as i64));
    r
}

fn aquadopp_record(s: &AquadoppSample, serial: Option<String>) -> Record {
    let mut r = Record::new(
        "aquadopp_velocity",
        Some(UtcTime::from_unix_seconds(i64::from(s.time))),
        serial,
    );
    let coord = match s.coordinate_system {
        0 => "enu",
        1 => "xyz",
        _ => "beam",
    };
    r.push("coordinate_system", Value::Text(coord.into()))
        .push("velocity_m_s", Value::fixed_list(&s.velocity_m_s(), 4))
        .push("amplitude", Value::int_list(&s.amplitude))
        .push("heading_deg", Value::Fixed(f64::from(s.heading) / 10.0, 1))
        .push("pitch_deg", Value::Fixed(f64::from(s.pitch) / 10.0, 1))
        .push("roll_deg", Value::Fixed(f64::from(s.roll) / 10.0, 1))
        .push(
            "pressure_dbar",
            Value::Fixed(f64::from(s.pressure) / 1000.0, 3),
        )
        .push(
            "temperature_c",
            Value::Fixed(f64::from(s.temperature) / 100.0, 2),
        )
        .push("battery_v", Value::Fixed(f64::from(s.battery) / 10.0, 1))
        .push(
            "sound_speed_m_s",
            Value::Fixed(f64::from(s.sound_speed) / 10.0, 1),
        )
        .push("error_code", Value::Int(s.error.into()))
        .push("status", Value::Int(s.status.into()));
    r
}
