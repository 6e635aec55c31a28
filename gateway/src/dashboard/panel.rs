//! One instrument's panel: the last 24 h of its samples, assessed by the science core as
//! the daily files are (derived variables and QARTOD flags, [`crate::science::assess`]),
//! and its JSON form for the page.
//!
//! The samples are kept for [`WINDOW_MS`] before the newest one (the instrument's time,
//! so a replay or the demo's fast clock shows a full day too), at most [`MAX_SAMPLES`] of
//! them. The assessment is redone only when a sample arrived since the last one.

use crate::dailyfiles::Series;
use crate::qc::QcConfig;
use crate::science::{assess, plotted, Context, Row, Sample};
use serde_json::{json, Value as Json};

/// How far back a panel reaches before its newest sample: 24 h.
pub const WINDOW_MS: i64 = 86_400_000;
/// The most samples a panel keeps (one every 30 s over the window): its memory bound.
pub const MAX_SAMPLES: usize = 2880;

/// One instrument's panel (see the module docs).
#[derive(Debug)]
pub struct Panel {
    /// The instrument's series (names, product, position).
    pub series: Series,
    /// The samples received, any order; trimmed to the window now and then, so that a
    /// record costs O(1) however fast they come (a capture replayed through `run`).
    samples: Vec<Sample>,
    records: u64,
    received_ms: Option<i64>,
    /// The dashboard's change count when this panel last changed.
    pub rev: u64,
    /// The JSON of the panel at `rev`, once built.
    json: Option<Json>,
}

/// The samples of `samples` a panel shows: those within [`WINDOW_MS`] of the newest, the
/// newest [`MAX_SAMPLES`] of them, sorted by time.
fn window(samples: &[Sample]) -> Vec<Sample> {
    let Some(newest) = samples.iter().map(|s| s.time.0).max() else {
        return Vec::new();
    };
    let mut kept: Vec<Sample> = samples
        .iter()
        .filter(|s| s.time.0 > newest - WINDOW_MS)
        .copied()
        .collect();
    kept.sort_by_key(|s| s.time.0);
    let extra = kept.len().saturating_sub(MAX_SAMPLES);
    kept.drain(..extra);
    kept
}

impl Panel {
    /// An empty panel of `series`.
    pub fn new(series: Series) -> Self {
        Panel {
            series,
            samples: Vec::new(),
            records: 0,
            received_ms: None,
            rev: 0,
            json: None,
        }
    }

    /// A record of this instrument arrived at `received_ms` (wall clock), with its sample
    /// when it is a measurement; `rev` is the dashboard's change count now.
    pub fn add(&mut self, sample: Option<Sample>, received_ms: i64, rev: u64) {
        self.records += 1;
        self.rev = rev;
        self.stored(sample, Some(received_ms));
    }

    /// A sample read back from the record files when the process starts, from a file last
    /// written at `written_ms`: shown, but not counted in the records (which are those
    /// that arrived since the start).
    pub fn seed(&mut self, sample: Sample, written_ms: Option<i64>) {
        self.stored(Some(sample), written_ms);
    }

    fn stored(&mut self, sample: Option<Sample>, received_ms: Option<i64>) {
        self.received_ms = self.received_ms.max(received_ms);
        self.json = None;
        if let Some(s) = sample {
            self.samples.push(s);
            // memory stays within twice the bound
            if self.samples.len() >= 2 * MAX_SAMPLES {
                self.samples = window(&self.samples);
            }
        }
    }

    /// The samples the panel shows now: those within [`WINDOW_MS`] of the newest, the
    /// newest [`MAX_SAMPLES`] of them, sorted by time.
    pub fn shown(&self) -> Vec<Sample> {
        window(&self.samples)
    }

    /// The panel as the page draws it (built once per change):
    ///
    /// `{"id", "platform", "sensor", "serial", "title", "depth_m", "records",
    /// "received_ms", "last_ms", "latest": [[name, label, units, value, flag]…],
    /// "t": [ms…], "series": [{"name", "label", "v": [value…], "f": [flag…]}…]}`
    ///
    /// `latest` holds every variable of the newest row that has a value; `series` the
    /// plotted variables ([`plotted`]) over the window; flags are the QARTOD codes (1 pass,
    /// 2 not evaluated, 3 suspect, 4 fail, 9 missing), assessed with `qc` (none when it
    /// cannot be applied, which validation prevents).
    pub fn json(&mut self, qc: &QcConfig) -> &Json {
        let (series, records, received_ms) = (&self.series, self.records, self.received_ms);
        let samples = &self.samples;
        self.json.get_or_insert_with(|| {
            let rows = assess(
                series.product,
                window(samples),
                &series.deployment(),
                qc,
                &Context::default(),
            )
            .map(|a| a.rows)
            .unwrap_or_default();
            build(series, records, received_ms, &rows)
        })
    }
}

/// The JSON of [`Panel::json`] from the assessed `rows`.
fn build(s: &Series, records: u64, received_ms: Option<i64>, rows: &[Row]) -> Json {
    let product = s.product;
    let flag = |r: &Row, k: usize| r.flags.get(k).map_or(2, |f| f.code());
    let latest: Vec<Json> = rows.last().map_or(Vec::new(), |r| {
        product
            .vars
            .iter()
            .enumerate()
            .filter_map(|(k, v)| {
                let value = r.values.get(k).copied().flatten()?;
                Some(json!([v.name, v.long_name, v.units, value, flag(r, k)]))
            })
            .collect()
    });
    let series: Vec<Json> = plotted(product)
        .iter()
        .filter_map(|name| product.vars.iter().position(|v| v.name == *name))
        .filter_map(|k| {
            let v = product.vars.get(k)?;
            let values: Vec<Option<f64>> = rows
                .iter()
                .map(|r| r.values.get(k).copied().flatten())
                .collect();
            let flags: Vec<u8> = rows.iter().map(|r| flag(r, k)).collect();
            Some(json!({
                "name": v.name,
                "label": format!("{} ({})", v.long_name, v.units),
                "v": values,
                "f": flags,
            }))
        })
        .collect();
    let times: Vec<i64> = rows.iter().map(|r| r.time.0).collect();
    json!({
        "id": s.station_id(),
        "platform": s.platform_id,
        "sensor": s.sensor,
        "serial": s.serial,
        "title": format!("{} {} — {}, {} m", s.product.instrument, s.serial, s.platform_name, s.nominal_depth_m),
        "depth_m": s.nominal_depth_m,
        "records": records,
        "received_ms": received_ms,
        "last_ms": times.last(),
        "latest": latest,
        "t": times,
        "series": series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dailyfiles::StationInfo;
    use crate::observation::{InstrumentMeta, PlatformMeta};
    use crate::science::MICROCAT;
    use protocol::time::UtcTime;
    use std::sync::Arc;

    fn panel() -> Panel {
        let i = Arc::new(InstrumentMeta {
            kind: crate::config::InstrumentModel::Sbe37,
            serial: "3725001".into(),
            slot: Some(1),
            nominal_depth_m: 500.0,
        });
        let mut p = PlatformMeta::unconfigured(None);
        (p.latitude, p.longitude) = (42.806217, 6.026833);
        p.instruments.push(i.clone());
        Panel::new(Series::for_instrument(&StationInfo::default(), &p, &i))
    }

    fn ctd(minute: i64, t: f64) -> Sample {
        Sample::new(
            &MICROCAT,
            UtcTime::from_unix_millis(1_772_323_200_000 + minute * 60_000),
            &[Some(t), Some(4.58678), Some(503.543)],
        )
    }

    #[test]
    fn shows_24_hours_before_the_newest_sample_and_at_most_the_bound() {
        let mut p = panel();
        for h in (0..30).rev() {
            p.add(Some(ctd(h * 60, 13.8)), 0, 1);
        }
        // 30 hourly samples, newest first: those within 24 h of the newest (hour 29) show
        let shown = p.shown();
        assert_eq!(shown.len(), 24);
        assert_eq!(shown[0].time, ctd(6 * 60, 0.0).time);
        assert!(shown.windows(2).all(|w| w[0].time < w[1].time));
        // four samples a minute for 4 h: the newest MAX_SAMPLES show, the memory stays bound
        let mut p = panel();
        for m in 0..(4 * 240) {
            for _ in 0..4 {
                p.add(Some(ctd(m, 13.8)), 0, 1);
            }
        }
        assert!(p.samples.len() < 2 * MAX_SAMPLES);
        let shown = p.shown();
        assert_eq!(shown.len(), MAX_SAMPLES);
        assert_eq!(
            shown.last().map(|s| s.time),
            Some(ctd(4 * 240 - 1, 0.0).time)
        );
    }

    #[test]
    fn the_json_has_the_assessed_series_with_derived_values_and_flags() {
        let mut p = panel();
        let mut qc = QcConfig::default();
        qc.variables.insert(
            "temperature_c".into(),
            toml::from_str(
                "gross_range = { fail_span = [-2.0, 40.0], suspect_span = [12.0, 14.5] }",
            )
            .unwrap(),
        );
        p.add(Some(ctd(0, 13.8)), 5, 1);
        p.add(Some(ctd(30, 15.0)), 7, 2);
        p.add(None, 9, 3);
        let j = p.json(&qc).clone();
        assert_eq!(j["records"], 3);
        assert_eq!(j["received_ms"], 9);
        assert_eq!(j["t"].as_array().unwrap().len(), 2);
        let temp = &j["series"][0];
        assert_eq!(temp["name"], "temperature");
        assert_eq!(temp["v"], json!([13.8, 15.0]));
        assert_eq!(
            temp["f"],
            json!([1, 3]),
            "15 °C is outside the suspect span"
        );
        let salinity = &j["series"][1];
        assert_eq!(salinity["name"], "salinity");
        assert!(
            salinity["v"][0].as_f64().is_some_and(|s| s > 30.0),
            "derived: {j}"
        );
        let latest = j["latest"].as_array().unwrap();
        assert!(latest.iter().any(|l| l[0] == "temperature" && l[4] == 3));
    }
}
