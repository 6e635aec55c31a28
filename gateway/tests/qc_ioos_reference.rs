//! `gateway::qc` flag for flag against ioos_qc 3.0.0 (`tests/python/gen_qc_reference.py`):
//! gross range, climatology, spike (average and differential), rate of change, flat line
//! and the aggregate, on the §4.3 check vector, two synthetic series with injected faults
//! and the real SBE 37 temperature series; then the streaming state against the series.
//!
//! The one deliberate difference: ioos_qc's climatology flags NaN as GOOD; ours says
//! MISSING, so those rows are compared with 9 (and the aggregate with `aggregate_fixed`).
//! Run with `--nocapture` for the agreement counts.

use std::collections::BTreeMap;

use gateway::qc::config::{SpikeConfig, SpikeMethod};
use gateway::qc::{aggregate_series, series, Flag, VariableQc, VariableTests};
use protocol::time::UtcTime;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const TESTS: [&str; 8] = [
    "gross_range",
    "climatology",
    "spike_average",
    "spike_differential",
    "rate_of_change",
    "flat_line",
    "aggregate",
    "aggregate_fixed",
];

#[derive(Default)]
struct Series {
    times: Vec<UtcTime>,
    values: Vec<f64>,
    depths: Vec<f64>,
    /// ioos_qc flags per test name.
    ioos: BTreeMap<&'static str, Vec<Flag>>,
}

fn load() -> (BTreeMap<String, VariableTests>, Vec<(String, Series)>) {
    let configs: BTreeMap<String, VariableTests> =
        serde_json::from_str(&data("qc_reference_config.json"))
            .expect("config parses as VariableTests");
    let text = data("qc_reference.csv");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).expect(n);
    let mut out: Vec<(String, Series)> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let id = f[col("series")];
        if out.last().is_none_or(|(s, _)| s != id) {
            out.push((id.to_string(), Series::default()));
        }
        let s = &mut out.last_mut().expect("pushed").1;
        s.times
            .push(UtcTime(f[col("time_ms")].parse().expect("time")));
        s.values.push(f[col("value")].parse().expect("value"));
        s.depths.push(f[col("depth_m")].parse().expect("depth"));
        for t in TESTS {
            let code: u8 = f[col(t)].parse().expect("flag");
            s.ioos
                .entry(t)
                .or_default()
                .push(Flag::from_code(code).expect("QARTOD code"));
        }
    }
    (configs, out)
}

/// Our series flags per test name.
fn ours(cfg: &VariableTests, s: &Series) -> BTreeMap<&'static str, Vec<Flag>> {
    let mut m = BTreeMap::new();
    m.insert(
        "gross_range",
        series::gross_range(&s.values, cfg.gross_range.as_ref().expect("gross")),
    );
    let depths: Option<&[f64]> = if s.depths.iter().all(|d| d.is_nan()) {
        None
    } else {
        Some(&s.depths)
    };
    let clim = cfg.climatology.as_deref().expect("climatology");
    m.insert(
        "climatology",
        series::climatology(&s.times, &s.values, depths, clim).unwrap(),
    );
    let spike = cfg.spike.expect("spike");
    m.insert("spike_average", series::spike(&s.values, &spike));
    let diff = SpikeConfig {
        method: SpikeMethod::Differential,
        ..spike
    };
    m.insert("spike_differential", series::spike(&s.values, &diff));
    let roc = cfg.rate_of_change.expect("roc");
    m.insert(
        "rate_of_change",
        series::rate_of_change(&s.times, &s.values, &roc).unwrap(),
    );
    let flat = cfg.flat_line.expect("flat");
    m.insert(
        "flat_line",
        series::flat_line(&s.times, &s.values, &flat).unwrap(),
    );
    let agg = aggregate_series(&[
        &m["gross_range"],
        &m["climatology"],
        &m["spike_average"],
        &m["rate_of_change"],
        &m["flat_line"],
    ]);
    m.insert("aggregate", agg.clone());
    m.insert("aggregate_fixed", agg);
    m
}

#[test]
fn flags_match_ioos_qc() {
    let (configs, all) = load();
    assert_eq!(all.len(), 4, "series in qc_reference.csv");
    let mut total: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut quirk_rows = 0;
    let mut failures = Vec::new();
    for (id, s) in &all {
        let cfg = configs.get(id).expect("config for series");
        cfg.validate(id).expect("valid config");
        let mine = ours(cfg, s);
        for t in TESTS {
            if t == "aggregate" {
                continue; // raw ioos aggregate includes the climatology NaN quirk
            }
            let want = &s.ioos[t];
            let got = &mine[t];
            assert_eq!(want.len(), got.len());
            let e = total.entry(t).or_default();
            for i in 0..want.len() {
                let mut expected = want[i];
                if t == "climatology" && !s.values[i].is_finite() {
                    quirk_rows += 1;
                    assert_eq!(expected, Flag::Pass, "ioos quirk expected at {id}[{i}]");
                    expected = Flag::Missing;
                }
                e.1 += 1;
                if got[i] == expected {
                    e.0 += 1;
                } else if failures.len() < 20 {
                    failures.push(format!(
                        "{id}[{i}] {t}: ours {:?}, ioos_qc {:?} (value {})",
                        got[i], expected, s.values[i]
                    ));
                }
            }
        }
        let raw_diff = (0..s.values.len())
            .filter(|&i| s.ioos["aggregate"][i] != mine["aggregate"][i])
            .count();
        let nan = s.values.iter().filter(|v| !v.is_finite()).count();
        assert!(
            raw_diff <= nan,
            "{id}: raw aggregate differs beyond NaN rows"
        );
    }
    println!("agreement with ioos_qc 3.0.0 (all series):");
    for (t, (ok, n)) in &total {
        println!("  {t:20} {ok}/{n}");
    }
    println!("  ({quirk_rows} climatology NaN rows compared as MISSING instead of ioos_qc's GOOD)");
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

/// The streaming state, fed in time order, gives the series flags (spike after its
/// retro-update by the next value).
#[test]
fn streaming_matches_series() {
    let (configs, all) = load();
    let mut compared = 0;
    for (id, s) in &all {
        let cfg = &configs[id];
        let series_flags = ours(cfg, s);
        let mut state = VariableQc::new(cfg.clone());
        let n = s.values.len();
        let mut got: BTreeMap<&str, Vec<Flag>> = BTreeMap::new();
        for i in 0..n {
            let depth = s.depths[i].is_finite().then_some(s.depths[i]);
            let u = state
                .push(s.times[i], s.values[i], depth)
                .expect("in order");
            if let Some((t, f)) = u.previous_spike {
                assert_eq!(t, s.times[i - 1]);
                *got.get_mut("spike_average")
                    .and_then(|v| v.last_mut())
                    .expect("previous") = f;
            }
            let f = u.flags;
            got.entry("gross_range")
                .or_default()
                .push(f.gross_range.expect("gross"));
            got.entry("climatology")
                .or_default()
                .push(f.climatology.expect("clim"));
            got.entry("spike_average")
                .or_default()
                .push(f.spike.expect("spike"));
            got.entry("rate_of_change")
                .or_default()
                .push(f.rate_of_change.expect("roc"));
            got.entry("flat_line")
                .or_default()
                .push(f.flat_line.expect("flat"));
        }
        for (t, v) in &got {
            assert_eq!(v, &series_flags[t], "{id} {t}");
            compared += v.len();
        }
    }
    println!("streaming == series on {compared} flags");
}
