//! `gateway::seawater` against PyPI gsw 3.6.23 (GSW-C 3.06.16).
//!
//! - `tests/data/gsw_reference.csv` (200 inputs, `tests/python/gen_gsw_reference.py`):
//!   every derived variable within 1e-9 relative (SP, SA), 1e-6 °C (pt0, CT),
//!   1e-6 kg/m³ (σθ), 1e-6 m (depth); the oxygen chain within 1e-9 relative.
//! - outputs-and-qc.md §7(a) (GSW documentation cast), §7(b) (Ligurian sample, with the
//!   SAAR table for 42.8 N 6.2 E from `tests/python/gen_saar_table.py`) and the TEOS-10
//!   SP_from_C check value.
//!
//! Run with `--nocapture` to see the maximum errors.

// Check values are copied verbatim from the reference documents.
#![allow(clippy::excessive_precision)]

use gateway::seawater::{self, teos10, SaarTable};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses a CSV with a header line (lines starting with '#' are comments).
fn csv(text: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|v| v.parse::<f64>().expect("number"))
                .collect::<Vec<_>>()
        })
        .collect();
    (header, rows)
}

struct MaxErr {
    name: &'static str,
    relative: bool,
    tol: f64,
    max: f64,
}

impl MaxErr {
    fn new(name: &'static str, relative: bool, tol: f64) -> Self {
        MaxErr {
            name,
            relative,
            tol,
            max: 0.0,
        }
    }
    fn add(&mut self, got: f64, want: f64) {
        let e = if self.relative {
            ((got - want) / want).abs()
        } else {
            (got - want).abs()
        };
        assert!(e.is_finite(), "{}: got {got}, want {want}", self.name);
        self.max = self.max.max(e);
    }
}

#[test]
fn every_variable_matches_python_gsw() {
    let (header, rows) = csv(&data("gsw_reference.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (ic, it, ip, io, ilat, ilon) = (
        col("conductivity_s_m"),
        col("temperature_c"),
        col("pressure_dbar"),
        col("oxygen_ml_l"),
        col("lat"),
        col("lon"),
    );
    let mut errs = [
        (
            col("salinity_psu"),
            MaxErr::new("salinity_psu (rel)", true, 1e-9),
        ),
        (
            col("absolute_salinity_g_kg"),
            MaxErr::new("absolute_salinity_g_kg (rel)", true, 1e-9),
        ),
        (
            col("potential_temperature_c"),
            MaxErr::new("potential_temperature_c (°C)", false, 1e-6),
        ),
        (
            col("conservative_temperature_c"),
            MaxErr::new("conservative_temperature_c (°C)", false, 1e-6),
        ),
        (
            col("sigma_theta_kg_m3"),
            MaxErr::new("sigma_theta_kg_m3 (kg/m³)", false, 1e-6),
        ),
        (col("depth_m"), MaxErr::new("depth_m (m)", false, 1e-6)),
        (
            col("oxygen_umol_kg"),
            MaxErr::new("oxygen_umol_kg (rel)", true, 1e-9),
        ),
        (
            col("oxygen_solubility_umol_kg"),
            MaxErr::new("oxygen_solubility_umol_kg (rel)", true, 1e-9),
        ),
        (
            col("oxygen_saturation_pct"),
            MaxErr::new("oxygen_saturation_pct (rel)", true, 1e-9),
        ),
    ];
    assert!(rows.len() >= 200, "only {} rows", rows.len());
    for r in &rows {
        let d = seawater::derive(r[ic], r[it], r[ip], Some(r[io]), r[ilat], r[ilon])
            .unwrap_or_else(|e| panic!("{r:?}: {e}"));
        let got = [
            d.salinity_psu,
            d.absolute_salinity_g_kg,
            d.potential_temperature_c,
            d.conservative_temperature_c,
            d.sigma_theta_kg_m3,
            d.depth_m,
            d.oxygen_umol_kg.expect("oxygen"),
            d.oxygen_solubility_umol_kg,
            d.oxygen_saturation_pct.expect("saturation"),
        ];
        for (g, (i, e)) in got.iter().zip(errs.iter_mut()) {
            e.add(*g, r[*i]);
        }
    }
    println!("max errors over {} rows against PyPI gsw:", rows.len());
    for (_, e) in &errs {
        println!("  {:36} {:.3e} (tolerance {:e})", e.name, e.max, e.tol);
    }
    for (_, e) in &errs {
        assert!(
            e.max <= e.tol,
            "{}: max error {} > {}",
            e.name,
            e.max,
            e.tol
        );
    }
}

/// outputs-and-qc.md §7(a): the GSW documentation cast at lat 4, lon 188 (SA given, since
/// our SAAR table is for the EMSO site).
#[test]
fn gsw_documentation_cast() {
    let sa = [
        34.7117937385076,
        34.89155423426942,
        35.025619373601344,
        34.84717698163861,
        34.73665636071239,
        34.73234939211968,
    ];
    let t = [28.7856, 28.4329, 22.8103, 10.2600, 6.8863, 4.4036];
    let p = [10.0, 50.0, 125.0, 250.0, 600.0, 1000.0];
    let ct = [
        28.809920089612174,
        28.439225560132602,
        22.786176217839778,
        10.226189705515072,
        6.827212787142478,
        4.323576367733146,
    ];
    let pt0 = [
        28.78319681971812,
        28.420983340326593,
        22.78493039690398,
        10.230523669290353,
        6.829230171389842,
        4.324510655999961,
    ];
    let sigma0 = [
        21.79788956634627,
        22.052246793080485,
        23.893006544166724,
        26.667592643523903,
        27.107422808463298,
        27.409711564483814,
    ];
    let z = [
        -9.944583446945298,
        -49.71808970125498,
        -124.27262194099775,
        -248.47005765485892,
        -595.8253480356213,
        -992.0919060719987,
    ];
    for i in 0..6 {
        let g_pt0 = teos10::potential_temperature(sa[i], t[i], p[i]).unwrap();
        let g_ct = teos10::conservative_temperature(sa[i], g_pt0).unwrap();
        let g_sig = teos10::sigma_theta(sa[i], g_ct).unwrap();
        let g_depth = teos10::depth_from_pressure(p[i], 4.0).unwrap();
        assert!((g_pt0 - pt0[i]).abs() < 1e-12, "pt0 {i}");
        assert!((g_ct - ct[i]).abs() < 1e-12, "CT {i}");
        assert!((g_sig - sigma0[i]).abs() < 1e-11, "sigma0 {i}");
        assert!((g_depth + z[i]).abs() < 1e-9, "depth {i}");
    }
}

/// TEOS-10 check value: SP_from_C(34.5487 mS/cm, 28.7856, 10) = 20.009869599086951.
#[test]
fn teos10_sp_from_c_check_value() {
    let sp = teos10::practical_salinity(3.45487, 28.7856, 10.0).unwrap();
    assert!((sp - 20.009869599086951).abs() < 1e-12, "{sp}");
}

/// outputs-and-qc.md §7(b): C 41.2 mS/cm, t 13.2, p 2450, lat 42.8, lon 6.2.
#[test]
fn ligurian_sample() {
    let (_, rows) = csv(&data("gsw_saar_42.8N_6.2E.csv"));
    let table = SaarTable {
        lat: 42.8,
        lon: 6.2,
        tolerance_deg: 0.0,
        levels: rows.iter().map(|r| (r[0], r[1])).collect(),
    };
    table.validate().unwrap();
    let d = seawater::derive_with(&table, 4.12, 13.2, 2450.0, None, 42.8, 6.2).unwrap();
    let close = |got: f64, want: f64, tol: f64, what: &str| {
        assert!((got - want).abs() <= tol, "{what}: {got} vs {want}");
    };
    close(d.salinity_psu, 34.09481925733525, 1e-12, "SP");
    close(d.absolute_salinity_g_kg, 34.25728776667426, 1e-12, "SA");
    close(d.potential_temperature_c, 12.835434231257429, 1e-12, "pt0");
    close(
        d.conservative_temperature_c,
        12.844644403543134,
        1e-12,
        "CT",
    );
    close(d.sigma_theta_kg_m3, 25.729050245882036, 1e-11, "sigma0");
    close(d.depth_m, 2416.506127573547, 1e-9, "depth");
    close(
        d.oxygen_solubility_umol_kg,
        260.4054915794792,
        1e-10,
        "O2sol",
    );
    // The built-in table is for 42.806 N 6.027 E: 6.2 E is 0.17° away, outside its 0.1°.
    assert!(seawater::derive(4.12, 13.2, 2450.0, None, 42.8, 6.2).is_err());
}

#[test]
fn equations_string_names_the_scheme() {
    for needle in [
        "TEOS-10",
        "gsw_pt0_from_t",
        "gsw_sigma0",
        "22.3916",
        "Garcia and Gordon 1992",
    ] {
        assert!(seawater::EQUATIONS.contains(needle), "{needle}");
    }
}
