//! Impossible record times: a record dated before the observatory existed (an instrument
//! clock reset to 1970 or to Sea-Bird's 2000 epoch) or far after it was received (a
//! corrupted clock reading 2100) must not make a daily file, a record file or a QC state
//! for a day that never saw it.
//!
//! [`TimeWindow`] says which times are plausible: not before [`TimeWindow::earliest`], and
//! not more than [`TimeWindow::max_ahead_ms`] after the time the bytes were received. The
//! ahead check needs a sane receive time: when the host clock itself reads before
//! `earliest`, only the lower bound applies (the record's time may well be the right one).
//!
//! A record outside the window is kept, flagged and undated ([`TimeWindow::check`]):
//! its `time` is removed, the instrument's time goes into the field `instrument_time`, and
//! `time_qc` = 4 (QARTOD FAIL) says why it has none. Undated, it is stored in the
//! instrument's `undated` record file and published like any record, but it makes no daily
//! file and never enters the streaming QC state (which orders samples by time). Nothing is
//! lost: the raw archive holds the bytes, the record files the decoded values.
//!
//! [`TimeChecked`] applies the window to every observation a [`LinkDecoder`] produces, so
//! every link (live or replayed) checks times in one place.

use super::{LinkDecoder, Notice, Output};
use crate::record::{Record, Value};
use protocol::time::UtcTime;
use std::collections::BTreeSet;

/// The field holding the instrument's own time of a record whose time was implausible.
pub const INSTRUMENT_TIME: &str = "instrument_time";
/// The field flagging it (QARTOD FAIL, 4).
pub const TIME_QC: &str = "time_qc";

/// Most instruments whose clock is remembered as wrong (for logging state changes only).
const MAX_TRACKED: usize = 1024;

/// The plausible record times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// The earliest plausible record time.
    pub earliest: UtcTime,
    /// How far after its receive time a record's time may lie, ms (instrument clocks drift;
    /// the controller's are set from the MII's).
    pub max_ahead_ms: i64,
}

impl TimeWindow {
    /// The default earliest time, 2005-01-01T00:00:00Z: before the first instrument of
    /// the site was deployed, after every reset clock (Unix 1970, Sea-Bird 2000 + uptime).
    pub const DEFAULT_EARLIEST: UtcTime = UtcTime(1_104_537_600_000);
    /// The default tolerance ahead of the receive time: one day.
    pub const DEFAULT_MAX_AHEAD_MS: i64 = 86_400_000;

    /// The window of `config` (`[gateway] earliest_record_time`, `max_record_ahead_h`;
    /// validated when the file was loaded, so an unreadable time cannot be here and would
    /// read as the default).
    pub fn from_config(config: &crate::config::Config) -> Self {
        let g = &config.gateway;
        TimeWindow {
            earliest: g
                .earliest_record_time
                .as_ref()
                .and_then(|t| crate::record::parse_time(t.get_ref()))
                .unwrap_or(Self::DEFAULT_EARLIEST),
            max_ahead_ms: g
                .max_record_ahead_h
                .as_ref()
                .map_or(Self::DEFAULT_MAX_AHEAD_MS, |h| {
                    i64::from(*h.get_ref()) * 3_600_000
                }),
        }
    }

    /// Why `time`, received at `now`, is implausible; `None` when it is plausible.
    pub fn problem(&self, time: UtcTime, now: UtcTime) -> Option<TimeProblem> {
        if time < self.earliest {
            return Some(TimeProblem::BeforeEarliest);
        }
        let host_sane = now >= self.earliest;
        let ahead = time.0.saturating_sub(now.0);
        (host_sane && ahead > self.max_ahead_ms).then_some(TimeProblem::AheadOfReceipt)
    }

    /// Checks `record`, received at `now`: when its time is implausible, moves it into
    /// [`INSTRUMENT_TIME`], sets [`TIME_QC`] to 4 and returns the problem.
    pub fn check(&self, record: &mut Record, now: UtcTime) -> Option<TimeProblem> {
        let time = record.time?;
        let problem = self.problem(time, now)?;
        record.time = None;
        record.push(INSTRUMENT_TIME, Value::Time(time));
        record.push(TIME_QC, Value::Int(4));
        Some(problem)
    }
}

impl Default for TimeWindow {
    fn default() -> Self {
        TimeWindow {
            earliest: Self::DEFAULT_EARLIEST,
            max_ahead_ms: Self::DEFAULT_MAX_AHEAD_MS,
        }
    }
}

/// Why a record time was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    /// Before [`TimeWindow::earliest`].
    BeforeEarliest,
    /// More than [`TimeWindow::max_ahead_ms`] after the receive time.
    AheadOfReceipt,
}

/// A link decoder whose observations all went through a [`TimeWindow`].
pub struct TimeChecked {
    inner: Box<dyn LinkDecoder>,
    window: TimeWindow,
    /// Records undated so far.
    undated: u64,
    /// (kind, serial) of the instruments whose last record had an implausible time.
    wrong: BTreeSet<(&'static str, String)>,
}

impl TimeChecked {
    /// `inner`, with its records' times checked against `window`.
    pub fn new(inner: Box<dyn LinkDecoder>, window: TimeWindow) -> Self {
        TimeChecked {
            inner,
            window,
            undated: 0,
            wrong: BTreeSet::new(),
        }
    }

    /// Checks the observations `inner` added to `out` since index `from`, received at
    /// `now`; logs when an instrument's clock goes wrong and when it is right again.
    fn check_new(&mut self, out: &mut Output, from: usize, now: UtcTime) {
        let mut notices = Vec::new();
        for o in out.observations.iter_mut().skip(from) {
            let r = &mut o.record;
            let Some(time) = r.time else { continue };
            let problem = self.window.check(r, now);
            let key = || (r.kind, r.serial.clone().unwrap_or_default());
            match problem {
                Some(problem) => {
                    self.undated += 1;
                    let key = key();
                    if !self.wrong.contains(&key) && self.wrong.len() < MAX_TRACKED {
                        let why = match problem {
                            TimeProblem::BeforeEarliest => {
                                format!(
                                    "before the earliest plausible time {}",
                                    self.window.earliest
                                )
                            }
                            TimeProblem::AheadOfReceipt => format!(
                                "{} s after it was received at {now}",
                                time.0.saturating_sub(now.0) / 1000
                            ),
                        };
                        notices.push(Notice {
                            warning: true,
                            text: format!(
                                "{} {}: record dated {time}, {why}: its clock is wrong; its records are stored undated ({INSTRUMENT_TIME}, {TIME_QC} 4), in no daily file",
                                key.0, key.1
                            ),
                        });
                        self.wrong.insert(key);
                    }
                }
                // the common case, a plausible time with no clock known to be wrong, needs
                // no key (no allocation per record)
                None if self.wrong.is_empty() => {}
                None => {
                    let key = key();
                    if self.wrong.remove(&key) {
                        notices.push(Notice {
                            warning: false,
                            text: format!(
                                "{} {}: record times plausible again ({time})",
                                key.0, key.1
                            ),
                        });
                    }
                }
            }
        }
        out.notices.extend(notices);
    }
}

impl LinkDecoder for TimeChecked {
    fn feed(&mut self, bytes: &[u8], now: UtcTime, out: &mut Output) {
        let from = out.observations.len();
        self.inner.feed(bytes, now, out);
        self.check_new(out, from, now);
    }

    fn handle_time(&mut self, now: UtcTime, out: &mut Output) {
        let from = out.observations.len();
        self.inner.handle_time(now, out);
        self.check_new(out, from, now);
    }

    fn next_deadline(&self) -> Option<UtcTime> {
        self.inner.next_deadline()
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.inner.poll_transmit()
    }

    fn finish(&mut self, now: UtcTime, out: &mut Output) {
        let from = out.observations.len();
        self.inner.finish(now, out);
        self.check_new(out, from, now);
    }

    fn bad_bytes(&self) -> u64 {
        self.inner.bad_bytes()
    }

    fn counters(&self) -> crate::metrics::LinkCounters {
        let mut c = self.inner.counters();
        c.errors.push(("implausible_time", self.undated));
        c
    }

    fn summary(&self) -> String {
        format!(
            "{}; {} records of implausible time undated",
            self.inner.summary(),
            self.undated
        )
    }

    fn checkpoint(&self) -> Option<String> {
        self.inner.checkpoint()
    }

    fn restore(&mut self, state: &str) {
        self.inner.restore(state);
    }

    fn reconnected(&mut self, out: &mut Output) {
        self.inner.reconnected(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UtcTime = UtcTime(1_772_323_200_000); // 2026-03-01T00:00:00Z

    fn record(time: UtcTime) -> Record {
        let mut r = Record::new("sbe37", Some(time), Some("3725001".into()));
        r.push("temperature_c", Value::Fixed(13.2, 4));
        r
    }

    #[test]
    fn plausible_times_pass_unchanged() {
        let w = TimeWindow::default();
        for t in [
            TimeWindow::DEFAULT_EARLIEST,
            UtcTime(NOW.0 - 400 * 86_400_000), // recovered from the ring a year late
            NOW,
            UtcTime(NOW.0 + w.max_ahead_ms), // an instrument clock a day fast
        ] {
            let mut r = record(t);
            assert_eq!(w.check(&mut r, NOW), None, "{t}");
            assert_eq!(r, record(t));
        }
    }

    #[test]
    fn reset_and_corrupted_clocks_are_undated_and_flagged() {
        let w = TimeWindow::default();
        let cases = [
            (UtcTime(0), TimeProblem::BeforeEarliest), // 1970
            (
                UtcTime(946_684_800_000 + 3_600_000),
                TimeProblem::BeforeEarliest,
            ), // Sea-Bird reset
            (UtcTime(4_102_444_800_000), TimeProblem::AheadOfReceipt), // 2100
            (
                UtcTime(NOW.0 + w.max_ahead_ms + 1),
                TimeProblem::AheadOfReceipt,
            ),
            (UtcTime(i64::MIN), TimeProblem::BeforeEarliest),
            (UtcTime(i64::MAX), TimeProblem::AheadOfReceipt),
        ];
        for (t, problem) in cases {
            let mut r = record(t);
            assert_eq!(w.check(&mut r, NOW), Some(problem), "{t}");
            assert_eq!(r.time, None);
            assert_eq!(r.get(INSTRUMENT_TIME), Some(&Value::Time(t)));
            assert_eq!(r.get(TIME_QC), Some(&Value::Int(4)));
            assert_eq!(r.get("temperature_c"), Some(&Value::Fixed(13.2, 4)));
        }
    }

    #[test]
    fn a_host_clock_before_the_earliest_time_judges_only_the_lower_bound() {
        let w = TimeWindow::default();
        let host = UtcTime(0); // the gateway's own clock reset to 1970
        assert_eq!(w.problem(NOW, host), None);
        assert_eq!(
            w.problem(UtcTime(1000), host),
            Some(TimeProblem::BeforeEarliest)
        );
    }

    #[test]
    fn the_window_comes_from_the_gateway_section() {
        use crate::config::Config;
        use std::path::Path;
        let example = include_str!("../../albatross.example.toml");
        let c = Config::parse(example, Path::new("t.toml")).unwrap();
        assert_eq!(TimeWindow::from_config(&c), TimeWindow::default());
        let text = example
            .replacen(
                "earliest_record_time = \"2005-01-01T00:00:00Z\"",
                "earliest_record_time = \"2012-06-01T00:00:00Z\"",
                1,
            )
            .replacen("max_record_ahead_h = 24", "max_record_ahead_h = 2", 1);
        let w = TimeWindow::from_config(&Config::parse(&text, Path::new("t.toml")).unwrap());
        assert_eq!(w.earliest.to_string(), "2012-06-01T00:00:00Z");
        assert_eq!(w.max_ahead_ms, 7_200_000);
    }
}
