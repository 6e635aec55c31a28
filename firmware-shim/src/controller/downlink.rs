//! The modem side: host-interface events (send outcomes, answers) and downlink frames.

use super::{bump, Controller, Tx};
use protocol::frame::decode_frame;
use protocol::hostif::{HostEvent, Message as HostMessage, MAX_IM_PAYLOAD};
use protocol::message::Message;

/// What one host-interface event means to the controller, copied out of the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ModemEvent {
    /// A received instant message's payload: a downlink frame.
    Downlink(heapless::Vec<u8, MAX_IM_PAYLOAD>),
    /// `OK`: the modem took the command.
    Accepted,
    /// `BUSY …` / `ERROR …`: the modem refused (or reports a fault).
    Refused,
    /// `DELIVEREDIM,dst`.
    Delivered(u8),
    /// `FAILEDIM,dst` or `CANCELEDIM,dst`.
    Failed(u8),
    /// Lines the controller has no use for (status lines, query answers, raw data).
    Ignored,
    /// Bytes the parser skipped.
    Garbage,
}

fn classify(ev: HostEvent<'_>) -> ModemEvent {
    match ev {
        HostEvent::Message { message, .. } => match message {
            HostMessage::RecvIm(r) => heapless::Vec::from_slice(r.payload)
                .map_or(ModemEvent::Garbage, ModemEvent::Downlink),
            HostMessage::Ok => ModemEvent::Accepted,
            HostMessage::Busy { .. } | HostMessage::Error { .. } => ModemEvent::Refused,
            HostMessage::DeliveredIm { dst } => ModemEvent::Delivered(dst),
            HostMessage::FailedIm { dst } | HostMessage::CanceledIm { dst } => {
                ModemEvent::Failed(dst)
            }
            _ => ModemEvent::Ignored,
        },
        HostEvent::RawData(_) => ModemEvent::Ignored,
        HostEvent::Garbage { .. } => ModemEvent::Garbage,
    }
}

impl<const RING: usize> Controller<RING> {
    /// Parses modem bytes and handles each event.
    pub(super) fn on_modem_bytes(&mut self, bytes: &[u8], now: u32) {
        let mut rest = bytes;
        loop {
            let n = self.parser.push(rest);
            rest = rest.get(n..).unwrap_or(&[]);
            let mut progressed = n > 0;
            while let Some(ev) = self.parser.poll().map(classify) {
                progressed = true;
                self.on_modem_event(ev, now);
            }
            if rest.is_empty() {
                break;
            }
            if !progressed {
                // The parser promises a full buffer always yields an event; never spin.
                bump(&mut self.counters.modem_unexpected);
                break;
            }
        }
    }

    /// Whether an `AT*SENDIM` is out at the modem (handed to the caller) awaiting an outcome.
    fn awaiting_outcome(&self) -> bool {
        matches!(self.tx, Tx::InFlight { .. }) && !self.modem_pending
    }

    fn on_modem_event(&mut self, ev: ModemEvent, now: u32) {
        let gateway = self.config.gateway_address;
        match ev {
            ModemEvent::Downlink(payload) => self.on_downlink(&payload, now),
            ModemEvent::Accepted => match &mut self.tx {
                Tx::InFlight { accepted, .. } if !self.modem_pending && !*accepted => {
                    *accepted = true
                }
                _ => bump(&mut self.counters.modem_unexpected),
            },
            ModemEvent::Refused => match self.tx {
                Tx::InFlight {
                    accepted: false, ..
                } if !self.modem_pending => self.attempt_failed(now),
                _ => bump(&mut self.counters.modem_unexpected),
            },
            ModemEvent::Delivered(dst) if dst == gateway && self.awaiting_outcome() => {
                self.delivered()
            }
            ModemEvent::Failed(dst) if dst == gateway && self.awaiting_outcome() => {
                self.attempt_failed(now)
            }
            ModemEvent::Delivered(_) | ModemEvent::Failed(_) | ModemEvent::Garbage => {
                bump(&mut self.counters.modem_unexpected)
            }
            ModemEvent::Ignored => {}
        }
    }

    /// One downlink frame (the payload of a `RECVIM`).
    fn on_downlink(&mut self, bytes: &[u8], now: u32) {
        let Ok(frame) = decode_frame(bytes) else {
            bump(&mut self.counters.downlink_errors);
            return;
        };
        let h = frame.header;
        if !h.msg_type.is_downlink() || h.is_fragment() {
            bump(&mut self.counters.downlink_errors);
            return;
        }
        let Ok(msg) = Message::decode(h.msg_type, frame.payload) else {
            bump(&mut self.counters.downlink_errors);
            return;
        };
        let me = self.config.source;
        match msg {
            Message::Ack(a) if a.target == me => {
                if self.record_ack(a.through_seq) {
                    bump(&mut self.counters.acks);
                    bump(&mut self.counters.downlink_messages);
                } else {
                    bump(&mut self.counters.downlink_errors);
                }
            }
            Message::RepeatRequest(r) if r.target == me => {
                bump(&mut self.counters.downlink_messages);
                for seq in r.seqs() {
                    if self.ring.get(seq).is_some() {
                        bump(&mut self.counters.repeats_served);
                        self.enqueue(seq, false);
                    } else {
                        bump(&mut self.counters.repeats_missing);
                    }
                }
            }
            Message::StatusRequest(s) if s.target == me => {
                bump(&mut self.counters.downlink_messages);
                self.send_status(now);
            }
            Message::Ack(_) | Message::RepeatRequest(_) | Message::StatusRequest(_) => {
                bump(&mut self.counters.downlink_other_node)
            }
            _ => bump(&mut self.counters.downlink_errors),
        }
    }
}
