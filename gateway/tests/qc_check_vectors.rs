//! outputs-and-qc.md §4.3 check vectors (ioos-qc 3.0.0), the density-inversion check, and
//! hand-computed cases for what ioos_qc 3.0.0 lacks (rate of change in n_dev form).

use gateway::qc::config::*;
use gateway::qc::{series, Flag, QcError, VariableQc};
use protocol::time::UtcTime;

const NAN: f64 = f64::NAN;
const X: [f64; 12] = [
    13.20, 13.21, 13.19, 15.5, 13.20, 13.22, NAN, 13.23, 13.23, 13.23, 13.23, 13.24,
];

fn times(n: usize, step_s: i64) -> Vec<UtcTime> {
    // 2024-01-01T00:00Z every `step_s` seconds.
    (0..n as i64)
        .map(|i| UtcTime::from_unix_seconds(1_704_067_200 + i * step_s))
        .collect()
}

fn flags(codes: &[u8]) -> Vec<Flag> {
    codes
        .iter()
        .map(|&c| Flag::from_code(c).expect("code"))
        .collect()
}

#[test]
fn gross_range() {
    let cfg = GrossRangeConfig {
        fail_span: [-2.0, 40.0],
        suspect_span: Some([12.5, 14.0]),
    };
    assert_eq!(
        series::gross_range(&X, &cfg),
        flags(&[1, 1, 1, 3, 1, 1, 9, 1, 1, 1, 1, 1])
    );
    // ioos_qc docstring: [1,2,3,4,8] with fail (0,5), suspect (1,4) → 1 1 1 1 4.
    let cfg = GrossRangeConfig {
        fail_span: [0.0, 5.0],
        suspect_span: Some([1.0, 4.0]),
    };
    assert_eq!(
        series::gross_range(&[1.0, 2.0, 3.0, 4.0, 8.0], &cfg),
        flags(&[1, 1, 1, 1, 4])
    );
}

#[test]
fn spike_average_and_differential() {
    let avg = SpikeConfig {
        suspect_threshold: Some(0.5),
        fail_threshold: Some(1.5),
        method: SpikeMethod::Average,
    };
    assert_eq!(
        series::spike(&X, &avg),
        flags(&[2, 1, 3, 4, 3, 2, 9, 2, 1, 1, 1, 2])
    );
    let diff = SpikeConfig {
        method: SpikeMethod::Differential,
        ..avg
    };
    assert_eq!(
        series::spike(&X, &diff),
        flags(&[2, 1, 1, 4, 1, 2, 9, 2, 1, 1, 1, 2])
    );
}

#[test]
fn rate_of_change_per_second() {
    let cfg = RateOfChangeConfig {
        threshold_per_s: Some(1e-4),
        fail_threshold_per_s: Some(1e-3),
        n_dev: None,
        fail_n_dev: None,
        tim_dev_h: 25.0,
        min_obs: 3,
    };
    let got = series::rate_of_change(&times(12, 1800), &X, &cfg).unwrap();
    assert_eq!(got, flags(&[1, 1, 1, 4, 4, 1, 9, 1, 1, 1, 1, 1]));
}

#[test]
fn flat_line() {
    let cfg = FlatLineConfig {
        suspect_threshold_s: 3600.0,
        fail_threshold_s: 5400.0,
        tolerance: 0.001,
    };
    let got = series::flat_line(&times(12, 1800), &X, &cfg).unwrap();
    assert_eq!(got, flags(&[1, 1, 1, 1, 1, 1, 9, 1, 3, 4, 4, 1]));
}

#[test]
fn climatology_without_the_nan_quirk() {
    let periods = [ClimatologyPeriod {
        months: [1, 3],
        suspect_span: [12.5, 14.0],
        fail_span: Some([10.0, 16.0]),
        depth_span_m: None,
    }];
    let got = series::climatology(&times(12, 1800), &X, None, &periods).unwrap();
    // ioos_qc gives 1 at the NaN (index 6); we give 9 (outputs-and-qc.md §4.3 "quirks").
    assert_eq!(got, flags(&[1, 1, 1, 3, 1, 1, 9, 1, 1, 1, 1, 1]));
    // No period for April; a depth span needs a depth.
    let april: Vec<UtcTime> = (0..2)
        .map(|i| UtcTime::from_unix_seconds(1_711_929_600 + i))
        .collect();
    assert_eq!(
        series::climatology(&april, &[13.0, 13.0], None, &periods).unwrap(),
        flags(&[2, 2])
    );
    let deep = [ClimatologyPeriod {
        depth_span_m: Some([2000.0, 2600.0]),
        ..periods[0]
    }];
    let t2 = times(2, 1800);
    assert_eq!(
        series::climatology(&t2, &[15.0, 15.0], None, &deep).unwrap(),
        flags(&[2, 2])
    );
    assert_eq!(
        series::climatology(&t2, &[15.0, 15.0], Some(&[2450.0, 100.0]), &deep).unwrap(),
        flags(&[3, 2])
    );
}

#[test]
fn density_inversion() {
    let cfg = DensityInversionConfig {
        suspect_threshold: -0.01,
        fail_threshold: -0.03,
    };
    let sigma = [29.10, 29.11, 29.12, 29.08, 29.13];
    let z = [100.0, 200.0, 300.0, 400.0, 500.0];
    assert_eq!(
        series::density_inversion(&sigma, &z, &cfg).unwrap(),
        flags(&[1, 1, 4, 4, 1])
    );
    // Order of the instruments does not matter; a missing instrument is skipped.
    let sigma = [29.13, 29.08, 29.12, NAN, 29.10];
    let z = [500.0, 400.0, 300.0, 250.0, 100.0];
    assert_eq!(
        series::density_inversion(&sigma, &z, &cfg).unwrap(),
        flags(&[1, 4, 4, 9, 1])
    );
    // A suspect-sized inversion (-0.02).
    assert_eq!(
        series::density_inversion(&[29.10, 29.08], &[10.0, 20.0], &cfg).unwrap(),
        flags(&[3, 3])
    );
    // Fewer than two instruments with data: not evaluated.
    assert_eq!(
        series::density_inversion(&[29.1, NAN], &[10.0, 20.0], &cfg).unwrap(),
        flags(&[2, 9])
    );
    assert!(matches!(
        series::density_inversion(&[29.1], &[], &cfg),
        Err(QcError::LengthMismatch { .. })
    ));
}

/// QARTOD manual form: |Δx| > n_dev·SD of the previous tim_dev_h hours (population SD).
#[test]
fn rate_of_change_n_dev() {
    let cfg = RateOfChangeConfig {
        threshold_per_s: None,
        fail_threshold_per_s: None,
        n_dev: Some(3.0),
        fail_n_dev: Some(6.0),
        tim_dev_h: 2.0,
        min_obs: 3,
    };
    // Half-hourly: the window of 2 h holds the previous 4 values.
    let x = [
        10.0, 10.1, 10.0, 10.1, 10.0, 10.1, 10.3, 10.1, 13.0, NAN, 10.0,
    ];
    let got = series::rate_of_change(&times(x.len(), 1800), &x, &cfg).unwrap();
    // 0-2: fewer than 3 values in the window; at 6 the window {10,10.1,10,10.1} has
    // SD 0.05: step 0.2 > 3·SD (suspect) but < 6·SD; at 8 the window {10,10.1,10.3,10.1}
    // has SD ≈ 0.109: step 2.9 > 6·SD → fail;
    // 9 missing; 10 has no finite previous value → not evaluated.
    assert_eq!(got, flags(&[2, 2, 2, 1, 1, 1, 3, 1, 4, 9, 2]));
}

#[test]
fn streaming_spike_is_retro_updated_and_order_is_enforced() {
    let tests = VariableTests {
        spike: Some(SpikeConfig {
            suspect_threshold: Some(0.5),
            fail_threshold: Some(1.5),
            method: SpikeMethod::Average,
        }),
        ..Default::default()
    };
    let mut q = VariableQc::new(tests);
    let t = times(4, 1800);
    let mut finals = Vec::new();
    for (i, &x) in [13.2, 13.21, 15.5, 13.2].iter().enumerate() {
        let u = q.push(t[i], x, None).unwrap();
        assert_eq!(
            u.flags.spike,
            Some(Flag::NotEvaluated),
            "newest point waits"
        );
        if let Some((_, f)) = u.previous_spike {
            finals.push(f);
        }
    }
    assert_eq!(finals, flags(&[2, 3, 4]));
    assert!(matches!(
        q.push(t[1], 13.0, None),
        Err(QcError::OutOfOrder { .. })
    ));
    let stateless = q.evaluate_stateless(t[1], NAN, None);
    assert_eq!(stateless.spike, Some(Flag::Missing));
}
