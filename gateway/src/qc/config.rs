//! QC configuration: which QARTOD tests run on which variable, with which thresholds.
//!
//! Embedded in the gateway's TOML config, e.g.
//!
//! ```toml
//! [qc.variables.temperature_c]
//! gross_range = { fail_span = [-5.0, 35.0], suspect_span = [12.5, 14.0] }
//! spike = { suspect_threshold = 0.5, fail_threshold = 1.5 }
//! rate_of_change = { threshold_per_s = 1e-4, fail_threshold_per_s = 1e-3 }
//! flat_line = { suspect_threshold_s = 3600, fail_threshold_s = 5400, tolerance = 0.001 }
//! [[qc.variables.temperature_c.climatology]]
//! months = [1, 3]
//! suspect_span = [12.5, 14.0]
//! fail_span = [10.0, 16.0]
//! depth_span_m = [2000.0, 2600.0]
//! [qc.density_inversion]
//! suspect_threshold = -0.01
//! fail_threshold = -0.03
//! ```
//!
//! Every struct denies unknown fields, so a misspelt key is a config error, and
//! [`QcConfig::validate`] names the field that is out of range.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// QC for the whole gateway: tests per variable (keyed by the record field name, e.g.
/// `temperature_c`) and the line's density-inversion test.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QcConfig {
    /// Tests per record variable.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableTests>,
    /// Density inversion across the line's instruments (σθ of vertically adjacent
    /// instruments at the same time step).
    #[serde(default)]
    pub density_inversion: Option<DensityInversionConfig>,
}

/// The tests configured for one variable; an absent test is not run.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariableTests {
    /// QARTOD test 4.
    #[serde(default)]
    pub gross_range: Option<GrossRangeConfig>,
    /// QARTOD test 5: periods applied in order, a later matching period overriding an
    /// earlier one (as ioos_qc).
    #[serde(default)]
    pub climatology: Option<Vec<ClimatologyPeriod>>,
    /// QARTOD test 6.
    #[serde(default)]
    pub spike: Option<SpikeConfig>,
    /// QARTOD test 7.
    #[serde(default)]
    pub rate_of_change: Option<RateOfChangeConfig>,
    /// QARTOD test 8.
    #[serde(default)]
    pub flat_line: Option<FlatLineConfig>,
}

/// Gross range: FAIL outside `fail_span` (sensor range), SUSPECT outside `suspect_span`
/// (user range); the bounds themselves pass (ioos_qc's strict comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrossRangeConfig {
    /// [min, max] outside which a value fails.
    pub fail_span: [f64; 2],
    /// [min, max] outside which a value is suspect; must lie inside `fail_span`.
    #[serde(default)]
    pub suspect_span: Option<[f64; 2]>,
}

/// One climatology period: months `months[0]..=months[1]` (1 = January; a season that
/// wraps the year needs two periods), optionally restricted to a depth range.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClimatologyPeriod {
    /// First and last month (inclusive), 1…12, first ≤ last.
    pub months: [u32; 2],
    /// [min, max] outside which a value is suspect.
    pub suspect_span: [f64; 2],
    /// [min, max] outside which a value fails.
    #[serde(default)]
    pub fail_span: Option<[f64; 2]>,
    /// Depth range (m, positive down, inclusive) the period applies to; a value without a
    /// depth is not matched by a period that has one.
    #[serde(default)]
    pub depth_span_m: Option<[f64; 2]>,
}

/// How the spike test measures a spike (ioos_qc `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpikeMethod {
    /// `|x[n] − (x[n−1] + x[n+1])/2|` (QARTOD manual, ioos_qc default).
    #[default]
    Average,
    /// The smaller of `|x[n] − x[n−1]|` and `|x[n+1] − x[n]|`, only when the two differences
    /// have opposite signs.
    Differential,
}

/// Spike: SUSPECT above `suspect_threshold`, FAIL above `fail_threshold` (observation
/// units). A threshold that is absent or 0 is not applied (as ioos_qc).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpikeConfig {
    /// Suspect threshold.
    #[serde(default)]
    pub suspect_threshold: Option<f64>,
    /// Fail threshold.
    #[serde(default)]
    pub fail_threshold: Option<f64>,
    /// Average (default) or differential.
    #[serde(default)]
    pub method: SpikeMethod,
}

/// Rate of change, in one or both forms (the worse flag wins when both are set):
/// - ioos_qc 3.0: |Δx|/Δt (units per second) above `threshold_per_s` → SUSPECT, above
///   `fail_threshold_per_s` → FAIL;
/// - QARTOD manual: `|x[n] − x[n−1]|` above `n_dev` standard deviations of the values in the
///   previous `tim_dev_h` hours → SUSPECT (`fail_n_dev` → FAIL), NOT EVALUATED with fewer
///   than `min_obs` values in that window.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateOfChangeConfig {
    /// Suspect rate (units/s).
    #[serde(default)]
    pub threshold_per_s: Option<f64>,
    /// Fail rate (units/s).
    #[serde(default)]
    pub fail_threshold_per_s: Option<f64>,
    /// Suspect multiple of the standard deviation.
    #[serde(default)]
    pub n_dev: Option<f64>,
    /// Fail multiple of the standard deviation.
    #[serde(default)]
    pub fail_n_dev: Option<f64>,
    /// Length of the standard-deviation window (hours, default 25).
    #[serde(default = "default_tim_dev_h")]
    pub tim_dev_h: f64,
    /// Fewest values in the window for the n_dev form to be evaluated (default 3).
    #[serde(default = "default_min_obs")]
    pub min_obs: usize,
}

fn default_tim_dev_h() -> f64 {
    25.0
}

fn default_min_obs() -> usize {
    3
}

/// Flat line: a value whose trailing window of `suspect_threshold_s` (resp.
/// `fail_threshold_s`) seconds has a range below `tolerance` is SUSPECT (resp. FAIL).
/// The durations are turned into sample counts with the median sampling interval, as
/// ioos_qc does.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlatLineConfig {
    /// Suspect duration (s).
    pub suspect_threshold_s: f64,
    /// Fail duration (s).
    pub fail_threshold_s: f64,
    /// Range (observation units) below which the window counts as flat, e.g. the sensor
    /// resolution.
    pub tolerance: f64,
}

/// Density inversion between vertically adjacent instruments at one time step:
/// Δσθ = σθ(deeper) − σθ(shallower) below `suspect_threshold` → SUSPECT, below
/// `fail_threshold` → FAIL, for both instruments of the pair. Thresholds are ≤ 0 kg/m³
/// (ioos_qc convention, e.g. −0.01 and −0.03).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DensityInversionConfig {
    /// Suspect threshold (kg/m³, ≤ 0).
    pub suspect_threshold: f64,
    /// Fail threshold (kg/m³, ≤ suspect_threshold).
    pub fail_threshold: f64,
}

/// A QC config value that is out of range; `field` is the dotted path to it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("qc config: {field}: {reason}")]
pub struct QcConfigError {
    /// Dotted path, e.g. `variables.temperature_c.gross_range.suspect_span`.
    pub field: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

fn err<T>(field: String, reason: &'static str) -> Result<T, QcConfigError> {
    Err(QcConfigError { field, reason })
}

fn span(field: String, s: [f64; 2]) -> Result<(), QcConfigError> {
    if !(s[0].is_finite() && s[1].is_finite()) {
        return err(field, "bounds must be finite numbers");
    }
    if s[0] > s[1] {
        return err(field, "min is greater than max");
    }
    Ok(())
}

fn non_negative(field: String, v: Option<f64>) -> Result<(), QcConfigError> {
    match v {
        Some(x) if !(x.is_finite() && x >= 0.0) => err(field, "must be a finite number >= 0"),
        _ => Ok(()),
    }
}

impl QcConfig {
    /// Checks every value: spans ordered and finite, suspect inside fail, months 1…12,
    /// thresholds finite and of the right sign, at least one threshold per test.
    pub fn validate(&self) -> Result<(), QcConfigError> {
        for (name, v) in &self.variables {
            v.validate(&format!("variables.{name}"))?;
        }
        if let Some(d) = &self.density_inversion {
            let f = "density_inversion";
            if !(d.suspect_threshold.is_finite() && d.suspect_threshold <= 0.0) {
                return err(
                    format!("{f}.suspect_threshold"),
                    "must be a finite number <= 0",
                );
            }
            if !(d.fail_threshold.is_finite() && d.fail_threshold <= d.suspect_threshold) {
                return err(
                    format!("{f}.fail_threshold"),
                    "must be finite and <= suspect_threshold",
                );
            }
        }
        Ok(())
    }
}

impl VariableTests {
    /// Checks this variable's tests; `path` prefixes field names in errors.
    pub fn validate(&self, path: &str) -> Result<(), QcConfigError> {
        if let Some(g) = &self.gross_range {
            let f = format!("{path}.gross_range");
            span(format!("{f}.fail_span"), g.fail_span)?;
            if let Some(s) = g.suspect_span {
                span(format!("{f}.suspect_span"), s)?;
                if s[0] < g.fail_span[0] || s[1] > g.fail_span[1] {
                    return err(format!("{f}.suspect_span"), "must lie inside fail_span");
                }
            }
        }
        for (i, p) in self.climatology.iter().flatten().enumerate() {
            let f = format!("{path}.climatology[{i}]");
            let [m0, m1] = p.months;
            if !(1..=12).contains(&m0) || !(1..=12).contains(&m1) || m0 > m1 {
                return err(
                    format!("{f}.months"),
                    "must be [first, last] with 1 <= first <= last <= 12",
                );
            }
            span(format!("{f}.suspect_span"), p.suspect_span)?;
            if let Some(s) = p.fail_span {
                span(format!("{f}.fail_span"), s)?;
            }
            if let Some(s) = p.depth_span_m {
                span(format!("{f}.depth_span_m"), s)?;
            }
        }
        if let Some(s) = &self.spike {
            let f = format!("{path}.spike");
            non_negative(format!("{f}.suspect_threshold"), s.suspect_threshold)?;
            non_negative(format!("{f}.fail_threshold"), s.fail_threshold)?;
            if s.suspect_threshold.is_none() && s.fail_threshold.is_none() {
                return err(f, "needs suspect_threshold or fail_threshold");
            }
        }
        if let Some(r) = &self.rate_of_change {
            let f = format!("{path}.rate_of_change");
            non_negative(format!("{f}.threshold_per_s"), r.threshold_per_s)?;
            non_negative(format!("{f}.fail_threshold_per_s"), r.fail_threshold_per_s)?;
            non_negative(format!("{f}.n_dev"), r.n_dev)?;
            non_negative(format!("{f}.fail_n_dev"), r.fail_n_dev)?;
            if r.threshold_per_s.is_none() && r.n_dev.is_none() {
                return err(f, "needs threshold_per_s or n_dev");
            }
            if r.fail_threshold_per_s.is_some() && r.threshold_per_s.is_none() {
                return err(
                    format!("{f}.fail_threshold_per_s"),
                    "needs threshold_per_s too",
                );
            }
            if r.fail_n_dev.is_some() && r.n_dev.is_none() {
                return err(format!("{f}.fail_n_dev"), "needs n_dev too");
            }
            if !(r.tim_dev_h.is_finite() && r.tim_dev_h > 0.0 && r.tim_dev_h <= 24.0 * 366.0) {
                return err(format!("{f}.tim_dev_h"), "must be > 0 and at most a year");
            }
            if r.min_obs < 2 {
                return err(format!("{f}.min_obs"), "must be at least 2");
            }
        }
        if let Some(l) = &self.flat_line {
            let f = format!("{path}.flat_line");
            for (name, v) in [
                ("suspect_threshold_s", l.suspect_threshold_s),
                ("fail_threshold_s", l.fail_threshold_s),
            ] {
                if !(1.0..=366.0 * 86_400.0).contains(&v) {
                    return err(format!("{f}.{name}"), "must be between 1 s and a year");
                }
            }
            non_negative(format!("{f}.tolerance"), Some(l.tolerance))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let json = r#"{
            "variables": {
                "temperature_c": {
                    "gross_range": {"fail_span": [-5, 35], "suspect_span": [12.5, 14]},
                    "climatology": [{"months": [1, 3], "suspect_span": [12.5, 14], "fail_span": [10, 16]}],
                    "spike": {"suspect_threshold": 0.5, "fail_threshold": 1.5},
                    "rate_of_change": {"threshold_per_s": 1e-4, "n_dev": 3},
                    "flat_line": {"suspect_threshold_s": 3600, "fail_threshold_s": 5400, "tolerance": 0.001}
                }
            },
            "density_inversion": {"suspect_threshold": -0.01, "fail_threshold": -0.03}
        }"#;
        let c: QcConfig = serde_json::from_str(json).unwrap();
        c.validate().unwrap();
        let t = &c.variables["temperature_c"];
        assert_eq!(t.spike.unwrap().method, SpikeMethod::Average);
        assert_eq!(t.rate_of_change.unwrap().tim_dev_h, 25.0);
    }

    #[test]
    fn rejects_unknown_fields_and_bad_values() {
        let unknown = r#"{"variables": {"t": {"gross_range": {"fail_span": [0, 1], "suspekt_span": [0, 1]}}}}"#;
        assert!(serde_json::from_str::<QcConfig>(unknown).is_err());
        let outside = r#"{"variables": {"t": {"gross_range": {"fail_span": [0, 1], "suspect_span": [0, 2]}}}}"#;
        let e = serde_json::from_str::<QcConfig>(outside)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.field, "variables.t.gross_range.suspect_span");
        let months = r#"{"variables": {"t": {"climatology": [{"months": [12, 2], "suspect_span": [0, 1]}]}}}"#;
        let e = serde_json::from_str::<QcConfig>(months)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.field, "variables.t.climatology[0].months");
        let di = r#"{"density_inversion": {"suspect_threshold": 0.01, "fail_threshold": -0.03}}"#;
        assert!(serde_json::from_str::<QcConfig>(di)
            .unwrap()
            .validate()
            .is_err());
    }
}
