//! The enrichment stage: derived variables (TEOS-10) and live QARTOD flags added to every
//! MicroCAT record on its way to the sinks (MQTT, JSON-lines files), so that scientists
//! watching live see what the daily files will hold.
//!
//! For every `sbe37` record with a time and at least one of temperature, conductivity and
//! pressure, [`Enricher::enrich`] appends
//! - the derived variables `salinity_psu`, `depth_m`, `potential_temperature_c`,
//!   `sigma_theta_kg_m3`, `oxygen_saturation_pct` (oxygen only with `oxygen_ml_l`), computed
//!   exactly as the daily files compute them ([`crate::seawater`], inputs and results
//!   rounded to the files' decimals, position from the platform's configured latitude and
//!   longitude). A variable that cannot be computed (an input missing or out of range, no
//!   configured position) is **absent**, never `null`; when the instrument itself output it
//!   (an SBE 37 set to output salinity) its own value is kept, otherwise the gateway's
//!   value replaces the instrument's;
//! - last, `qc`: one QARTOD flag per variable present in the record (measured and derived,
//!   keyed by field name, in field order; 9 when its value is `null`) and `aggregate`, the
//!   worst of them (ioos_qc `qartod_compare`). A variable absent from the record has no
//!   flag.
//!
//! Flags use the daily files' QC configuration (`[files.qc]`, default
//! [`crate::science::default_qc`]) and the science core's rules: a variable's flag is the
//! aggregate of its configured tests (NOT EVALUATED when it has none); a derived variable
//! takes the worst flag of its inputs, combined with its own tests ([`variable_flags`], the
//! rule the daily files apply too, [`crate::science::assess`]).
//!
//! **Live semantics** (where a live flag can differ from the day file's):
//! - The sequence tests run on a per-instrument streaming state
//!   ([`crate::qc::InstrumentQc`], one per platform and serial, owned by the stage). The
//!   spike test needs the next sample, so it is always NOT EVALUATED (2) live and never
//!   lowers a flag; the day files hold the final spike flags. Rate of change and flat line
//!   are evaluated against the samples already seen.
//! - Density inversion (`[files.qc.density_inversion]`) compares the line's instruments
//!   at one time step; the daily files count it among the tests of temperature,
//!   conductivity and sigma-theta. Live it is not evaluated, like the spike test, and a
//!   test that was not evaluated never changes a flag (the rule of
//!   [`variable_flags`]), so the live flags say what the tests that did run found.
//! - A record not newer than the newest one already seen from its instrument (a late record
//!   filled in by selective repeat, or recovered from the controller's ring buffer hours
//!   after an outage, or a duplicate) gets only the point tests (gross range,
//!   climatology); its sequence tests are NOT EVALUATED and it does not touch the state, so
//!   the flags of the records that follow are unchanged.
//! - The state survives a restart of `albatross run`: the stage hands out the states that
//!   changed ([`Enricher::take_changed`], a [`SavedInstrument`] each) and takes saved ones
//!   back ([`Enricher::resume`]); the service stores them in step with the sinks
//!   (`crate::service`). `albatross replay` starts afresh.
//! - At most [`MAX_INSTRUMENTS`] states are kept (serials come from the link); records of
//!   further instruments are treated like late records.
//!
//! Other record types pass through unchanged.

mod fields;
mod saved;
#[cfg(test)]
mod tests;

pub use fields::{AGGREGATE, DERIVED};
pub use saved::{SavedError, SavedInstrument, FORMAT};

use crate::observation::Observation;
use crate::qc::{aggregate, Flag, InstrumentQc, PointFlags, QcConfig, VariableQc};
use crate::science::{variable_flags, MAX_VARS, MICROCAT};
use protocol::time::UtcTime;
use std::collections::{BTreeSet, HashMap};

/// Most instruments with a streaming QC state (memory bound against serials from the link).
pub const MAX_INSTRUMENTS: usize = 1024;

/// What the stage did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnrichStats {
    /// Records that got derived variables and flags.
    pub enriched: u64,
    /// Records whose T/C/P were present but TEOS-10 refused them (derived variables absent).
    pub derive_errors: u64,
    /// Records not newer than their instrument's newest: point tests only.
    pub late: u64,
    /// Records of instruments beyond [`MAX_INSTRUMENTS`] (or without a serial): point
    /// tests only.
    pub untracked: u64,
}

struct InstrumentState {
    qc: InstrumentQc,
    newest: UtcTime,
}

/// The stage: the QC configuration and one streaming state per instrument.
pub struct Enricher {
    /// One evaluator per configured variable, for the point tests of late records.
    stateless: Vec<(String, VariableQc)>,
    config: QcConfig,
    instruments: HashMap<(String, String), InstrumentState>,
    /// Instruments whose state changed since [`Enricher::take_changed`].
    changed: BTreeSet<(String, String)>,
    stats: EnrichStats,
}

impl Enricher {
    /// A stage applying the tests of `qc` (validated, as the configuration loader does).
    pub fn new(qc: QcConfig) -> Self {
        Enricher {
            stateless: qc
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), VariableQc::new(v.clone())))
                .collect(),
            config: qc,
            instruments: HashMap::new(),
            changed: BTreeSet::new(),
            stats: EnrichStats::default(),
        }
    }

    /// A stage with the daily files' QC configuration of `config` (`[files.qc]`, or the
    /// vendor gross ranges when absent).
    pub fn from_config(config: &crate::config::Config) -> Self {
        Enricher::new(config.files.qc.clone())
    }

    /// What the stage did so far.
    pub fn stats(&self) -> EnrichStats {
        self.stats
    }

    /// The state of every instrument whose state changed since the last call (a record
    /// went through its sequence tests), in (platform, serial) order.
    pub fn take_changed(&mut self) -> Vec<SavedInstrument> {
        let changed = std::mem::take(&mut self.changed);
        changed
            .into_iter()
            .filter_map(|key| {
                let s = self.instruments.get(&key)?;
                let variables =
                    s.qc.variables()
                        .map(|(name, q)| {
                            let h = q
                                .history()
                                .map(|(t, x)| (t.0, x.is_finite().then_some(x)))
                                .collect();
                            (name.to_owned(), h)
                        })
                        .collect();
                Some(SavedInstrument {
                    format: FORMAT,
                    platform: key.0,
                    serial: key.1,
                    newest_ms: s.newest.0,
                    variables,
                })
            })
            .collect()
    }

    /// Takes back an instrument's saved state (from [`Enricher::take_changed`] of an
    /// earlier run): its next records continue its sequence tests. Variables are matched
    /// by name against the current configuration ([`InstrumentQc::resumed`]). `false` (and
    /// nothing changes) when [`MAX_INSTRUMENTS`] states are already kept.
    pub fn resume(&mut self, saved: &SavedInstrument) -> bool {
        let key = (saved.platform.clone(), saved.serial.clone());
        if !self.instruments.contains_key(&key) && self.instruments.len() >= MAX_INSTRUMENTS {
            return false;
        }
        let state = InstrumentState {
            qc: InstrumentQc::resumed(&self.config, &saved.histories()),
            newest: UtcTime(saved.newest_ms),
        };
        self.instruments.insert(key, state);
        true
    }

    /// Enriches every observation of `batch`, in order.
    pub fn enrich_all(&mut self, batch: &mut [Observation]) {
        for o in batch {
            self.enrich(o);
        }
    }

    /// Adds the derived variables and the `qc` flags to `o` when it is a MicroCAT
    /// measurement (see the module docs); leaves anything else unchanged.
    pub fn enrich(&mut self, o: &mut Observation) {
        if o.record.kind != "sbe37" {
            return;
        }
        let Some(vars) = fields::compute(&o.record, o.platform.latitude, o.platform.longitude)
        else {
            return;
        };
        let depth = o.instrument.as_ref().map(|i| i.nominal_depth_m);
        let inputs: Vec<(&str, f64)> = MICROCAT
            .vars
            .iter()
            .zip(vars.values)
            .map(|(spec, v)| (spec.qc_key, v.unwrap_or(f64::NAN)))
            .collect();
        let own = self.run_qc(
            &o.platform.id,
            o.record.serial.as_deref(),
            &vars,
            &inputs,
            depth,
        );
        let own_of = |k: usize| {
            let field = MICROCAT.vars.get(k)?.qc_key;
            let flags: Vec<Flag> = own
                .iter()
                .find(|(n, _)| n == field)
                .map(|(_, f)| f.flags())
                .unwrap_or_default();
            (!flags.is_empty()).then(|| aggregate(&flags))
        };
        let flags: [Flag; MAX_VARS] = variable_flags(&MICROCAT, &vars.values, own_of);
        fields::write(&mut o.record, &vars, &flags);
        self.stats.enriched += 1;
        self.stats.derive_errors += u64::from(vars.derive_error);
    }

    /// The flags of every configured variable for one record: from the instrument's
    /// streaming state when the record is its newest, else point tests only.
    fn run_qc(
        &mut self,
        platform: &str,
        serial: Option<&str>,
        vars: &fields::Variables,
        inputs: &[(&str, f64)],
        depth: Option<f64>,
    ) -> Vec<(String, PointFlags)> {
        let time = vars.time;
        let state = match serial {
            Some(serial) => {
                let key = (platform.to_owned(), serial.to_owned());
                let room = self.instruments.len() < MAX_INSTRUMENTS;
                match self.instruments.entry(key) {
                    std::collections::hash_map::Entry::Occupied(e) => Some(e.into_mut()),
                    std::collections::hash_map::Entry::Vacant(e) if room => {
                        Some(e.insert(InstrumentState {
                            qc: InstrumentQc::new(&self.config),
                            newest: UtcTime(i64::MIN),
                        }))
                    }
                    std::collections::hash_map::Entry::Vacant(_) => None,
                }
            }
            None => None,
        };
        match state {
            Some(s) if time > s.newest => {
                s.newest = time;
                if let Some(serial) = serial {
                    self.changed
                        .insert((platform.to_owned(), serial.to_owned()));
                }
                s.qc.push(time, inputs, depth)
                    .into_iter()
                    .map(|(name, update)| (name, update.flags))
                    .collect()
            }
            state => {
                if state.is_some() {
                    self.stats.late += 1;
                } else {
                    self.stats.untracked += 1;
                }
                self.stateless
                    .iter()
                    .map(|(name, q)| {
                        let x = inputs
                            .iter()
                            .find(|(n, _)| n == name)
                            .map_or(f64::NAN, |p| p.1);
                        (name.clone(), q.evaluate_stateless(time, x, depth))
                    })
                    .collect()
            }
        }
    }
}
