//! An instrument's own serial output (the MII's MicroCAT, Aquadopp, optode, C-Star) as a
//! link: bytes in any chunking → records of that instrument.
//!
//! Line formats are split with a bounded [`LineSplitter`] and each complete line goes
//! through the same decoders as `albatross decode`; Nortek binary goes through the
//! streaming Nortek decoder. Records get the configured instrument's serial when the
//! format carries none.

use super::{LinkDecoder, Notice, Output};
use crate::config::Carries;
use crate::decode::{self, Format};
use crate::observation::{InstrumentMeta, Observation, PlatformMeta};
use crate::record::Record;
use protocol::instruments::nortek;
use protocol::lines::{LineEvent, LineSplitter};
use protocol::time::UtcTime;
use std::sync::Arc;

/// Longest instrument line kept.
const MAX_LINE: usize = 1024;

enum Inner {
    Lines(Format, Box<LineSplitter<MAX_LINE>>),
    Nortek(Box<nortek::Decoder>, Option<String>),
}

/// The decoder of one instrument link.
pub struct InstrumentDecoder {
    name: Arc<str>,
    platform: Arc<PlatformMeta>,
    instrument: Option<Arc<InstrumentMeta>>,
    inner: Inner,
    records: u64,
    problems: u64,
    /// Bytes of the problems (an over-long line counts as [`MAX_LINE`]).
    bad_bytes: u64,
    /// The newest receive time fed.
    last_received: UtcTime,
}

impl InstrumentDecoder {
    /// A decoder for link `name` carrying `carries` from the instrument `serial` of `platform`.
    pub fn new(name: &str, carries: Carries, platform: Arc<PlatformMeta>, serial: &str) -> Self {
        let instrument = platform.by_serial(serial).cloned();
        let inner = match carries {
            Carries::Nortek => Inner::Nortek(Box::default(), None),
            Carries::Optode => Inner::Lines(Format::Optode, Box::new(LineSplitter::new())),
            Carries::Cstar => Inner::Lines(Format::Cstar, Box::new(LineSplitter::new())),
            Carries::Sbe37Ascii | Carries::Modem => {
                Inner::Lines(Format::Sbe37Ascii, Box::new(LineSplitter::new()))
            }
        };
        InstrumentDecoder {
            name: name.into(),
            platform,
            instrument,
            inner,
            records: 0,
            problems: 0,
            bad_bytes: 0,
            last_received: UtcTime(i64::MIN),
        }
    }

    /// Adds `record`, received at `now`: a record whose instrument carries no clock (the
    /// C-Star, an optode without logger) takes `now` as its time, so that it can be
    /// stored by day and flagged in a series (a replay of the archive gives the same time:
    /// the archive keeps each chunk's receive time).
    fn push(&mut self, mut record: Record, now: UtcTime, out: &mut Output) {
        if record.time.is_none() {
            record.time = Some(now);
        }
        if record.serial.is_none() {
            record.serial = self.instrument.as_ref().map(|i| i.serial.clone());
        }
        self.records += 1;
        out.observations.push(Observation {
            record,
            platform: self.platform.clone(),
            instrument: self.instrument.clone(),
            link: self.name.clone(),
        });
    }

    fn decode_line(&mut self, format: Format, line: &[u8], now: UtcTime, out: &mut Output) {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        let mut text = line.to_vec();
        text.push(b'\n');
        let mut records = Vec::new();
        match decode::decode(format, &text, &mut |r| {
            records.push(r);
            Ok(())
        }) {
            Ok(report) => {
                if !report.issues.is_empty() {
                    self.bad_bytes += text.len() as u64;
                }
                for issue in &report.issues {
                    self.problems += 1;
                    out.notices.push(Notice {
                        warning: true,
                        text: format!("bad {} line: {}", format.name(), issue.reason),
                    });
                }
            }
            Err(e) => {
                self.problems += 1;
                self.bad_bytes += text.len() as u64;
                out.notices.push(Notice {
                    warning: true,
                    text: format!("bad {} line: {e}", format.name()),
                });
            }
        }
        for r in records {
            self.push(r, now, out);
        }
    }
}

impl LinkDecoder for InstrumentDecoder {
    fn feed(&mut self, bytes: &[u8], now: UtcTime, out: &mut Output) {
        self.last_received = self.last_received.max(now);
        match &mut self.inner {
            Inner::Lines(format, splitter) => {
                let format = *format;
                let mut lines = Vec::new();
                let mut overflows = 0;
                splitter.feed(bytes, |e| match e {
                    LineEvent::Line(l) => lines.push(l.to_vec()),
                    LineEvent::Overflow { .. } => overflows += 1,
                });
                if overflows > 0 {
                    self.problems += overflows;
                    self.bad_bytes += overflows * MAX_LINE as u64;
                    out.notices.push(Notice {
                        warning: true,
                        text: format!("{overflows} lines longer than {MAX_LINE} bytes dropped"),
                    });
                }
                for l in lines {
                    self.decode_line(format, &l, now, out);
                }
            }
            Inner::Nortek(decoder, serial) => {
                let mut records = Vec::new();
                let mut skipped = Vec::new();
                for event in decoder.feed(bytes) {
                    match event {
                        nortek::Event::Record { record, .. } => {
                            if let nortek::Record::HardwareConfiguration(hw) = &record {
                                *serial = Some(decode::nortek_serial(hw));
                            }
                            if let Some(r) = decode::nortek_record(&record, serial.clone()) {
                                records.push(r);
                            }
                        }
                        nortek::Event::Skipped(s) => {
                            self.bad_bytes += s.bytes as u64;
                            skipped.push(format!("{} bytes skipped: {}", s.bytes, s.reason))
                        }
                    }
                }
                self.problems += skipped.len() as u64;
                out.notices.extend(skipped.into_iter().map(|text| Notice {
                    warning: true,
                    text,
                }));
                for r in records {
                    self.push(r, now, out);
                }
            }
        }
    }

    fn handle_time(&mut self, _now: UtcTime, _out: &mut Output) {}

    fn next_deadline(&self) -> Option<UtcTime> {
        None
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        None
    }

    fn finish(&mut self, now: UtcTime, out: &mut Output) {
        // the last line's bytes arrived with the last chunk (a damaged capture's replay
        // finishes at time 0)
        let now = now.max(self.last_received);
        if let Inner::Lines(format, splitter) = &mut self.inner {
            let format = *format;
            if let Some(last) = splitter.finish().map(<[u8]>::to_vec) {
                self.decode_line(format, &last, now, out);
            }
        }
    }

    fn summary(&self) -> String {
        format!("{} records, {} problems", self.records, self.problems)
    }

    fn counters(&self) -> crate::metrics::LinkCounters {
        crate::metrics::LinkCounters {
            totals: vec![("records", self.records)],
            errors: vec![
                ("problem", self.problems),
                ("garbage_bytes", self.bad_bytes),
            ],
        }
    }

    fn bad_bytes(&self) -> u64 {
        self.bad_bytes
    }

    fn reconnected(&mut self, out: &mut Output) {
        if let Inner::Lines(format, splitter) = &mut self.inner {
            let format = *format;
            // the rest of that line never comes: glued to the next line, it would make that
            // one undecodable too
            if let Some(cut) = splitter.finish().map(<[u8]>::len) {
                self.problems += 1;
                out.notices.push(Notice {
                    warning: true,
                    text: format!(
                        "{cut} bytes of an unfinished {} line dropped: the link was reopened",
                        format.name()
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firmware_shim::sim::mii::sbe37::{line, MiiMicrocat};

    /// Records decoded from `chunks`, with `reconnected` called before each chunk but the
    /// first when `reopen`.
    fn decode(chunks: &[&[u8]], reopen: bool) -> (Vec<Observation>, Vec<Notice>) {
        let platform = Arc::new(PlatformMeta::unconfigured(None));
        let mut d = InstrumentDecoder::new("mii-ctd", Carries::Sbe37Ascii, platform, "3716125");
        let mut out = Output::default();
        for (i, c) in chunks.iter().enumerate() {
            if reopen && i > 0 {
                d.reconnected(&mut out);
            }
            d.feed(
                c,
                UtcTime::from_civil(2026, 3, 1, 1, 0, 0, 0).unwrap(),
                &mut out,
            );
        }
        (out.observations, out.notices)
    }

    #[test]
    fn a_line_cut_when_the_port_vanished_does_not_swallow_the_next_one() {
        let mut cat = MiiMicrocat::new(2470, 7);
        let cut = line(&cat.measure(1_772_323_200));
        let next = line(&cat.measure(1_772_323_500));
        let half = &cut.as_bytes()[..cut.len() / 2];
        // the port reopened: the half line is dropped with a warning, the next line decoded
        let (records, notices) = decode(&[half, next.as_bytes()], true);
        assert_eq!(records.len(), 1, "{notices:?}");
        let time = records[0].record.time.map(UtcTime::unix_millis);
        assert_eq!(time, Some(1_772_323_500_000));
        assert!(
            notices[0].warning && notices[0].text.contains("unfinished"),
            "{notices:?}"
        );
        // without the reopen the two would be one bad line (both samples lost)
        let (records, _) = decode(&[half, next.as_bytes()], false);
        assert!(records.is_empty());
        // a reopen between whole lines changes nothing
        let (records, notices) = decode(&[cut.as_bytes(), next.as_bytes()], true);
        assert_eq!((records.len(), notices.len()), (2, 0));
    }
}
