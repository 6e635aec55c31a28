//! Streaming QC for the live gateway: feed one record at a time, get its flags from the
//! short history the state keeps.
//!
//! Fed in time order, the streaming state gives the same flags as the series functions on
//! the whole series, with one documented difference in timing: **the spike test needs the
//! next sample**. We flag the middle point when the next one arrives (ioos_qc's choice,
//! QARTOD's "the newest point stays NOT EVALUATED until the next record"): each
//! [`Update`] carries the current value's flags (spike NOT EVALUATED) and, in
//! `previous_spike`, the final spike flag of the previous value — the only retro-update.
//! Flat-line counts use the median interval of the kept history instead of the whole
//! series (identical for regular sampling).
//!
//! Memory is bounded: the history keeps what the configured windows need (flat-line
//! durations, the rate-of-change `tim_dev_h`) and never more than [`MAX_HISTORY`] samples.

use std::collections::{BTreeMap, VecDeque};

use protocol::time::UtcTime;
use serde::Serialize;

use super::config::{QcConfig, VariableTests};
use super::flag::{aggregate, Flag};
use super::point;
use super::QcError;

/// Hard cap on the samples kept per variable.
pub const MAX_HISTORY: usize = 10_000;

/// The flags of one value; `None` for a test that is not configured.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PointFlags {
    /// Gross range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gross_range: Option<Flag>,
    /// Climatology.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub climatology: Option<Flag>,
    /// Spike (NOT EVALUATED for the newest value, see the module docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spike: Option<Flag>,
    /// Rate of change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_of_change: Option<Flag>,
    /// Flat line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_line: Option<Flag>,
}

impl PointFlags {
    /// The configured tests' flags, in a fixed order.
    pub fn flags(&self) -> Vec<Flag> {
        [
            self.gross_range,
            self.climatology,
            self.spike,
            self.rate_of_change,
            self.flat_line,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Aggregate flag (ioos_qc `qartod_compare`); MISSING when no test is configured.
    pub fn aggregate(&self) -> Flag {
        aggregate(&self.flags())
    }
}

/// What one pushed value produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    /// The flags of the value just pushed.
    pub flags: PointFlags,
    /// The final spike flag of the previous value (time, flag), now that its successor
    /// is known; `None` when spike is not configured or there was no previous value.
    pub previous_spike: Option<(UtcTime, Flag)>,
}

/// Streaming QC state of one variable of one instrument.
#[derive(Debug, Clone)]
pub struct VariableQc {
    tests: VariableTests,
    history: VecDeque<(i64, f64)>,
    keep_ms: i64,
}

impl VariableQc {
    /// A fresh state running `tests` (validate them first with
    /// [`VariableTests::validate`]).
    pub fn new(tests: VariableTests) -> Self {
        let flat = tests
            .flat_line
            .map_or(0.0, |f| f.suspect_threshold_s.max(f.fail_threshold_s) * 2.0);
        let roc = tests.rate_of_change.map_or(0.0, |r| r.tim_dev_h * 3600.0);
        let keep_s = flat.max(roc) + 3600.0;
        VariableQc {
            tests,
            history: VecDeque::new(),
            keep_ms: (keep_s * 1000.0) as i64,
        }
    }

    /// Flags that need no history (gross range, climatology); the others NOT EVALUATED
    /// (MISSING for a missing value). For a record older than the history, e.g. one
    /// recovered from the controller's ring buffer after an outage.
    pub fn evaluate_stateless(
        &self,
        time: UtcTime,
        value: f64,
        depth_m: Option<f64>,
    ) -> PointFlags {
        let unknown = if value.is_finite() {
            Flag::NotEvaluated
        } else {
            Flag::Missing
        };
        let t = &self.tests;
        PointFlags {
            gross_range: t.gross_range.as_ref().map(|g| point::gross_range(value, g)),
            climatology: t
                .climatology
                .as_deref()
                .map(|c| point::climatology(time.to_civil().1, value, depth_m, c)),
            spike: t.spike.map(|_| unknown),
            rate_of_change: t.rate_of_change.map(|_| unknown),
            flat_line: t.flat_line.map(|_| unknown),
        }
    }

    /// Feeds the next value (NaN for missing) at `time`, observed at `depth_m`.
    /// Fails with [`QcError::OutOfOrder`] when `time` is not after the previous value
    /// (use [`VariableQc::evaluate_stateless`] for such a record); the state is unchanged.
    pub fn push(
        &mut self,
        time: UtcTime,
        value: f64,
        depth_m: Option<f64>,
    ) -> Result<Update, QcError> {
        if let Some(&(last, _)) = self.history.back() {
            if time.0 <= last {
                return Err(QcError::OutOfOrder {
                    time,
                    last: UtcTime(last),
                });
            }
        }
        let mut flags = self.evaluate_stateless(time, value, depth_m);
        let tests = &self.tests;
        let n = self.history.len();
        let prev = self.history.back().copied();

        let previous_spike = match (tests.spike, prev) {
            (Some(cfg), Some((pt, px))) => {
                let left = n
                    .checked_sub(2)
                    .and_then(|i| self.history.get(i))
                    .map(|p| p.1);
                Some((UtcTime(pt), point::spike(left, px, Some(value), &cfg)))
            }
            _ => None,
        };

        if let Some(cfg) = tests.rate_of_change {
            let per_s = cfg.threshold_per_s.map(|thr| {
                point::rate_of_change_per_s(prev, (time.0, value), thr, cfg.fail_threshold_per_s)
            });
            let from = time.0.saturating_sub((cfg.tim_dev_h * 3_600_000.0) as i64);
            let n_dev = cfg.n_dev.map(|_| {
                let window = self.history.iter().filter(|p| p.0 >= from).map(|p| p.1);
                point::rate_of_change_n_dev(prev.map(|p| p.1), value, window, &cfg)
            });
            flags.rate_of_change = Some(point::combine(per_s, n_dev));
        }

        if let Some(cfg) = tests.flat_line {
            flags.flat_line = Some(if !value.is_finite() {
                Flag::Missing
            } else if n + 1 < 3 {
                Flag::Pass
            } else {
                let times = self.history.iter().map(|p| p.0).chain([time.0]);
                let interval = point::median_interval_s(times);
                let mut window: Vec<f64> = self.history.iter().map(|p| p.1).collect();
                window.push(value);
                let mut f = Flag::Pass;
                for (threshold, flag) in [
                    (cfg.suspect_threshold_s, Flag::Suspect),
                    (cfg.fail_threshold_s, Flag::Fail),
                ] {
                    match interval.and_then(|iv| point::flat_line_count(threshold, iv)) {
                        None => {
                            f = Flag::NotEvaluated;
                            break;
                        }
                        Some(count) => {
                            let start = window.len().checked_sub(count + 1);
                            if start
                                .and_then(|s| window.get(s..))
                                .is_some_and(|w| point::is_flat(w, &cfg))
                            {
                                f = flag;
                            }
                        }
                    }
                }
                f
            });
        }

        self.history.push_back((time.0, value));
        self.trim();
        Ok(Update {
            flags,
            previous_spike,
        })
    }

    /// Drops what the tests no longer need: samples older than the windows before the
    /// newest (keeping at least 3), and beyond [`MAX_HISTORY`].
    fn trim(&mut self) {
        let Some(&(newest, _)) = self.history.back() else {
            return;
        };
        let oldest = newest.saturating_sub(self.keep_ms);
        while self.history.len() > MAX_HISTORY
            || (self.history.len() > 3 && self.history.front().is_some_and(|p| p.0 < oldest))
        {
            self.history.pop_front();
        }
    }

    /// The samples kept (time, value; NaN for a missing one), oldest first: what
    /// [`VariableQc::resumed`] takes to continue after a restart.
    pub fn history(&self) -> impl Iterator<Item = (UtcTime, f64)> + '_ {
        self.history.iter().map(|&(t, x)| (UtcTime(t), x))
    }

    /// A state running `tests` that continues after `history` (oldest first, as
    /// [`VariableQc::history`] gives it): the values pushed next get the flags they would
    /// have got had they followed `history` in one run. A sample not later than the one
    /// before it is left out, and what the tests do not need is dropped, as
    /// [`VariableQc::push`] does.
    pub fn resumed(
        tests: VariableTests,
        history: impl IntoIterator<Item = (UtcTime, f64)>,
    ) -> Self {
        let mut q = VariableQc::new(tests);
        for (t, x) in history {
            if q.history.back().is_none_or(|&(last, _)| t.0 > last) {
                q.history.push_back((t.0, x));
            }
        }
        q.trim();
        q
    }
}

/// Streaming QC of one instrument: one [`VariableQc`] per configured variable.
#[derive(Debug, Clone, Default)]
pub struct InstrumentQc {
    variables: BTreeMap<String, VariableQc>,
}

impl InstrumentQc {
    /// A state for every variable of `config` (validate it first).
    pub fn new(config: &QcConfig) -> Self {
        InstrumentQc {
            variables: config
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), VariableQc::new(v.clone())))
                .collect(),
        }
    }

    /// A state for every variable of `config` (validate it first), each continuing after
    /// its history in `saved` (by name, as [`InstrumentQc::variables`] gave it, see
    /// [`VariableQc::resumed`]); a variable without one starts afresh, a saved variable no
    /// longer configured is dropped.
    pub fn resumed(config: &QcConfig, saved: &BTreeMap<String, Vec<(UtcTime, f64)>>) -> Self {
        InstrumentQc {
            variables: config
                .variables
                .iter()
                .map(|(k, v)| {
                    let history = saved.get(k).into_iter().flatten().copied();
                    (k.clone(), VariableQc::resumed(v.clone(), history))
                })
                .collect(),
        }
    }

    /// Each configured variable's state, by name.
    pub fn variables(&self) -> impl Iterator<Item = (&str, &VariableQc)> {
        self.variables.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Feeds one record: `values` are (field name, value) pairs; a configured variable
    /// absent from the record is fed as missing. Returns the update of every configured
    /// variable, by name; a variable whose push failed (out of order) is evaluated with
    /// [`VariableQc::evaluate_stateless`] instead.
    pub fn push(
        &mut self,
        time: UtcTime,
        values: &[(&str, f64)],
        depth_m: Option<f64>,
    ) -> Vec<(String, Update)> {
        self.variables
            .iter_mut()
            .map(|(name, state)| {
                let x = values
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(f64::NAN, |p| p.1);
                let update = state.push(time, x, depth_m).unwrap_or_else(|_| Update {
                    flags: state.evaluate_stateless(time, x, depth_m),
                    previous_spike: None,
                });
                (name.clone(), update)
            })
            .collect()
    }
}
