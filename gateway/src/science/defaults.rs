//! The QC applied when the configuration has no `[files.qc]` (live records and daily files
//! alike).

/// The QC applied when the configuration has no `[files.qc]`: QARTOD gross range with the
/// SBE 37 / SBE 63 vendor ranges as fail spans (outputs-and-qc.md §4.4: T −5…35 °C,
/// C 0…9 S/m, P 0…7000 dbar, SP 0…42; O2 0…15 ml/l), no suspect spans (those are
/// site statistics the operator must supply; the Aquadopp's and the optode's likewise from
/// their data sheets), and density inversion across the line with
/// the reference thresholds (suspect −0.01, fail −0.03 kg/m³; it runs only on platforms
/// with several MicroCATs).
pub fn default_qc() -> crate::qc::QcConfig {
    use crate::qc::config::GrossRangeConfig;
    use crate::qc::VariableTests;
    let gross = |lo: f64, hi: f64| VariableTests {
        gross_range: Some(GrossRangeConfig {
            fail_span: [lo, hi],
            suspect_span: None,
        }),
        ..Default::default()
    };
    let mut qc = crate::qc::QcConfig::default();
    for (field, lo, hi) in [
        ("temperature_c", -5.0, 35.0),
        ("conductivity_s_m", 0.0, 9.0),
        ("pressure_dbar", 0.0, 7000.0),
        ("oxygen_ml_l", 0.0, 15.0),
        ("salinity_psu", 0.0, 42.0),
        // Nortek Aquadopp 6000 m: velocity range ±5 m/s (the largest setting is ±10),
        // temperature sensor −4…40 °C
        ("aquadopp_east_m_s", -5.0, 5.0),
        ("aquadopp_north_m_s", -5.0, 5.0),
        ("aquadopp_up_m_s", -5.0, 5.0),
        ("aquadopp_pressure_dbar", 0.0, 7000.0),
        ("aquadopp_temperature_c", -4.0, 40.0),
        // Aanderaa 4330/4831: 0…1000 µmol/l, 0…200 % saturation, −5…40 °C
        ("optode_oxygen_umol_l", 0.0, 1000.0),
        ("optode_saturation_pct", 0.0, 200.0),
        ("optode_temperature_c", -5.0, 40.0),
    ] {
        qc.variables.insert(field.to_owned(), gross(lo, hi));
    }
    // outputs-and-qc.md T13: adjacent instruments at the same time step
    qc.density_inversion = Some(crate::qc::config::DensityInversionConfig {
        suspect_threshold: -0.01,
        fail_threshold: -0.03,
    });
    qc
}
