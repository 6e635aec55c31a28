//! SBE 37 conversion equations: raw counts to engineering units (instruments.md §2.4, §2.6).
//!
//! Every function is pure arithmetic on `f64` (through `libm`, so it works without `std`).
//! They do not check their results: callers that need a finite value (the hex decoder does)
//! check `is_finite()` themselves.

/// Temperature calibration (`TEMP1`): the four Steinhart–Hart-like coefficients A0–A3.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TempCoefficients {
    /// A0.
    pub a0: f64,
    /// A1.
    pub a1: f64,
    /// A2.
    pub a2: f64,
    /// A3.
    pub a3: f64,
}

/// Conductivity calibration (`WBCOND0`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CondCoefficients {
    /// G.
    pub g: f64,
    /// H.
    pub h: f64,
    /// I.
    pub i: f64,
    /// J.
    pub j: f64,
    /// PCOR (pressure correction, per dbar).
    pub pcor: f64,
    /// TCOR (temperature correction, per °C).
    pub tcor: f64,
    /// WBOTC (wide-band oscillator temperature correction).
    pub wbotc: f64,
}

/// Strain-gauge pressure calibration (`STRAIN0`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[allow(missing_docs)] // field names are the calibration sheet's coefficient names
pub struct PressureCoefficients {
    pub pa0: f64,
    pub pa1: f64,
    pub pa2: f64,
    pub ptca0: f64,
    pub ptca1: f64,
    pub ptca2: f64,
    pub ptcb0: f64,
    pub ptcb1: f64,
    pub ptcb2: f64,
    pub ptempa0: f64,
    pub ptempa1: f64,
    pub ptempa2: f64,
    /// Pressure offset, dbar, added to the result.
    pub poffset: f64,
    /// Full-scale range of the sensor, psia.
    pub prange: f64,
}

/// SBE 63 optical oxygen calibration (`OXYGEN1`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[allow(missing_docs)] // field names are the calibration sheet's coefficient names
pub struct OxygenCoefficients {
    pub tau20: f64,
    pub a0: f64,
    pub a1: f64,
    pub a2: f64,
    pub b0: f64,
    pub b1: f64,
    pub c0: f64,
    pub c1: f64,
    pub c2: f64,
    pub ta0: f64,
    pub ta1: f64,
    pub ta2: f64,
    pub ta3: f64,
    pub e: f64,
}

/// Temperature, °C ITS-90, from the raw temperature counts `n` (`L = ln n`,
/// `T = 1/(A0 + A1·L + A2·L² + A3·L³) − 273.15`). NaN for 0 counts (ln 0 is undefined).
pub fn temperature_c(counts: u32, k: &TempCoefficients) -> f64 {
    if counts == 0 {
        return f64::NAN;
    }
    let l = libm::log(f64::from(counts));
    1.0 / (k.a0 + l * (k.a1 + l * (k.a2 + l * k.a3))) - 273.15
}

/// Conductivity, S/m, from the hex conductivity field `c` (frequency numerator: Hz = c/256),
/// the temperature in °C and the pressure in dbar (0 when no pressure sensor is fitted).
pub fn conductivity_s_m(
    c_field: u32,
    temperature_c: f64,
    pressure_dbar: f64,
    k: &CondCoefficients,
) -> f64 {
    let f = f64::from(c_field) / 256.0 / 1000.0 * libm::sqrt(1.0 + k.wbotc * temperature_c);
    let f2 = f * f;
    (k.g + f2 * (k.h + f * (k.i + f * k.j)))
        / (1.0 + k.tcor * temperature_c + k.pcor * pressure_dbar)
}

/// Pressure, dbar (gauge, i.e. minus 14.7 psi of atmosphere, plus POFFSET), from the
/// strain-gauge counts `p` and the pressure-temperature counts `v` (raw, not divided).
pub fn pressure_dbar(p_counts: u32, v_counts: u32, k: &PressureCoefficients) -> f64 {
    let v = f64::from(v_counts);
    let t = k.ptempa0 + v * (k.ptempa1 + v * k.ptempa2);
    let x = f64::from(p_counts) - k.ptca0 - t * (k.ptca1 + t * k.ptca2);
    let m = x * k.ptcb0 / (k.ptcb0 + t * (k.ptcb1 + t * k.ptcb2));
    let psia = k.pa0 + m * (k.pa1 + m * k.pa2);
    (psia - 14.7) * 0.689476 + k.poffset
}

/// SBE 63 phase delay, µs, from its 6-hex-digit field (`h/100000 − 10`).
pub fn sbe63_phase_us(field: u32) -> f64 {
    f64::from(field) / 100_000.0 - 10.0
}

/// SBE 63 thermistor voltage, V, from its 6-hex-digit field (`h/1e6 − 1`).
pub fn sbe63_thermistor_v(field: u32) -> f64 {
    f64::from(field) / 1_000_000.0 - 1.0
}

/// SBE 63 thermistor temperature, °C, from the thermistor voltage and OXTA0–OXTA3.
pub fn sbe63_temperature_c(volts: f64, k: &OxygenCoefficients) -> f64 {
    let l = libm::log(100_000.0 * volts / (3.3 - volts));
    1.0 / (k.ta0 + l * (k.ta1 + l * (k.ta2 + l * k.ta3))) - 273.15
}

/// SBE 63 dissolved oxygen, ml/l, from the phase delay (µs), the oxygen sensor's own
/// thermistor temperature (°C), the CTD pressure (dbar) and the practical salinity.
pub fn sbe63_oxygen_ml_l(
    phase_us: f64,
    sensor_temperature_c: f64,
    pressure_dbar: f64,
    salinity_psu: f64,
    k: &OxygenCoefficients,
) -> f64 {
    let t = sensor_temperature_c;
    let v = phase_us / 39.457071;
    let ksv = k.c0 + t * (k.c1 + t * k.c2);
    let raw = ((k.a0 + k.a1 * t + k.a2 * v * v) / (k.b0 + k.b1 * v) - 1.0) / ksv;
    let ts = libm::log((298.15 - t) / (273.15 + t));
    let s = salinity_psu;
    let scorr = libm::exp(
        s * (-6.24523e-3 - ts * (7.37614e-3 + ts * (1.0341e-2 + ts * 8.17083e-3)))
            - 4.88682e-7 * s * s,
    );
    let pcorr = libm::exp(k.e * pressure_dbar / (t + 273.15));
    raw * scorr * pcorr
}

/// Practical salinity (PSS-78, UNESCO 1983), from conductivity in S/m, temperature in
/// °C ITS-90 and pressure in dbar. The conductivity ratio is clamped at 0 (a cell in air
/// can read slightly negative); the Hill et al. (1986) low-salinity extension is not applied,
/// as in Sea-Bird's own processing.
pub fn practical_salinity(conductivity_s_m: f64, temperature_c: f64, pressure_dbar: f64) -> f64 {
    const A: [f64; 6] = [0.0080, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081];
    const B: [f64; 6] = [0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144];
    let t = temperature_c * 1.00024; // IPTS-68
    let p = pressure_dbar;
    let r = (conductivity_s_m / 4.2914).max(0.0);
    let rp = 1.0
        + p * (2.070e-5 + p * (-6.370e-10 + p * 3.989e-15))
            / (1.0 + t * (3.426e-2 + t * 4.464e-4) + (4.215e-1 - 3.107e-3 * t) * r);
    let rt_t =
        0.676_609_7 + t * (2.00564e-2 + t * (1.104259e-4 + t * (-6.9698e-7 + t * 1.0031e-9)));
    let rt = (r / (rp * rt_t)).max(0.0);
    let sq = libm::sqrt(rt);
    let (mut sa, mut sb, mut pow) = (0.0, 0.0, 1.0);
    for (a, b) in A.iter().zip(B.iter()) {
        sa += a * pow;
        sb += b * pow;
        pow *= sq;
    }
    sa + (t - 15.0) / (1.0 + 0.0162 * (t - 15.0)) * sb
}

/// OOI/ion-functions temperature for IM compatible-mode counts: `t/10000 − 10` °C.
pub fn compat_temperature_c(counts: u32) -> f64 {
    f64::from(counts) / 10_000.0 - 10.0
}

/// OOI/ion-functions conductivity for IM compatible-mode counts: `c/100000 − 0.5` S/m.
pub fn compat_conductivity_s_m(counts: u32) -> f64 {
    f64::from(counts) / 100_000.0 - 0.5
}

/// OOI/ion-functions pressure for IM compatible-mode counts, dbar:
/// `P = p·R/(0.85·65536) − 0.05·R` with `R = (range_psia − 14.7)·0.6894757`.
pub fn compat_pressure_dbar(counts: u16, range_psia: f64) -> f64 {
    let r = (range_psia - 14.7) * 0.689_475_7;
    f64::from(counts) * r / (0.85 * 65536.0) - 0.05 * r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    // instruments.md §2.5, ion-functions vectors.
    #[test]
    fn ion_functions_temperature() {
        let k = TempCoefficients {
            a0: -1.179278E-04,
            a1: 3.097942E-04,
            a2: -4.688854E-06,
            a3: 2.081274E-07,
        };
        for (n, t) in [
            (366964, 10.9818),
            (499888, 3.8488),
            (465784, 5.4520),
            (500403, 3.8255),
        ] {
            assert!(
                close(temperature_c(n, &k), t, 0.5e-4),
                "{n}: {}",
                temperature_c(n, &k)
            );
        }
    }

    // §2.5 SBE37SM-RS232_03716125 header coefficients and scan 1 raw integers.
    pub(crate) fn sm_coefficients() -> (TempCoefficients, CondCoefficients, PressureCoefficients) {
        (
            TempCoefficients {
                a0: -1.898409e-04,
                a1: 3.136087e-04,
                a2: -4.461848e-06,
                a3: 2.019781e-07,
            },
            CondCoefficients {
                g: -1.001932e+00,
                h: 1.284250e-01,
                i: -9.960452e-05,
                j: 2.347041e-05,
                pcor: -9.57e-08,
                tcor: 3.25e-06,
                wbotc: -1.491050e-07,
            },
            PressureCoefficients {
                pa0: 1.054949e-03,
                pa1: 4.853700e-04,
                pa2: -2.070713e-12,
                ptca0: 5.236075e+05,
                ptca1: 4.346490,
                ptca2: -1.758472e-01,
                ptcb0: 2.526225e+01,
                ptcb1: 6.5e-04,
                ptcb2: 0.0,
                ptempa0: -6.152156e+01,
                ptempa1: 5.181662e-02,
                ptempa2: -2.894098e-07,
                poffset: 0.0,
                prange: 160.0,
            },
        )
    }

    #[test]
    fn sm_scan_one_golden() {
        let (kt, kc, kp) = sm_coefficients();
        let t = temperature_c(637437, &kt);
        let p = pressure_dbar(613892, 1156, &kp);
        let c = conductivity_s_m(1375880, t, p, &kc);
        assert!(close(t, -1.9118, 0.5e-4), "T {t}");
        assert!(close(c, 2.711842, 0.5e-6), "C {c}");
        assert!(close(p, 20.072, 0.5e-3), "P {p}");
        let s = practical_salinity(c, t, p);
        assert!(close(s, 34.5801, 1.5e-4), "S {s}");
    }

    #[test]
    fn pss78_standard_seawater_is_35() {
        // By definition: C(35, 15 °C IPTS-68, 0 dbar) = 4.2914 S/m.
        let s = practical_salinity(4.2914, 15.0 / 1.00024, 0.0);
        assert!(close(s, 35.0, 1e-4), "{s}");
    }

    #[test]
    fn compat_golden() {
        // §2.6: 563A00C351E50A28D3531B -> 25.3184 °C, 0.00001 S/m.
        assert!(close(compat_temperature_c(353184), 25.3184, 1e-9));
        assert!(close(compat_conductivity_s_m(50001), 0.00001, 1e-12));
        let p = compat_pressure_dbar(2789, 1450.0);
        assert!(p.is_finite());
    }

    // ion-functions test_ctd_functions.py (checked there against SBE Data Processing).
    #[test]
    fn ion_functions_pressure_and_conductivity() {
        let kp = PressureCoefficients {
            pa0: 1.202594e-1,
            pa1: 4.514834e-3,
            pa2: -1.091899e-11,
            ptempa0: -6.953022e1,
            ptempa1: 5.115592e-2,
            ptempa2: -3.918145e-7,
            ptca0: 5.247204e5,
            ptca1: 9.617295e-1,
            ptca2: 6.296724e-3,
            ptcb0: 2.498163e1,
            ptcb1: -2.75e-4,
            ptcb2: 0.0,
            poffset: 0.0,
            prange: 0.0,
        };
        let pv = [
            (533152, 1608, 16.159),
            (571309, 1452, 134.950),
            (632465, 1471, 325.258),
            (828170, 1453, 933.882),
        ];
        for (p0, v, want) in pv {
            let got = pressure_dbar(p0, v, &kp);
            assert!(close(got, want, 0.005), "{p0}: {got}");
        }
        let kc = CondCoefficients {
            g: -9.899853E-01,
            h: 1.314100E-01,
            i: -4.181710E-04,
            j: 4.723872E-05,
            pcor: -9.570000E-08,
            tcor: 3.250000E-06,
            wbotc: 4.842900E-07,
        };
        let cv = [
            (1564991, 10.9818, 16.1590, 3.891373),
            (1457279, 3.8488, 134.9500, 3.240767),
            (1484332, 5.4520, 325.2580, 3.399795),
            (1462659, 3.8255, 933.8820, 3.272396),
        ];
        for (c0, t, p, want) in cv {
            let got = conductivity_s_m(c0, t, p, &kc);
            assert!(close(got, want, 1e-6), "{c0}: {got}");
        }
        // ctd_sbe37im_preswat: 2789 counts, 1000 psia range -> 0.04536611 dbar.
        assert!(close(
            compat_pressure_dbar(2789, 1000.0),
            0.045_366_11,
            1e-7
        ));
        // ctd_sbe37im_condwat: 400000 -> 3.5 S/m.
        assert!(close(compat_conductivity_s_m(400_000), 3.5, 1e-12));
    }

    // ion-functions test_ctd_pracsal (GSW values).
    #[test]
    fn ion_functions_pracsal() {
        let v = [
            (5.407471, 28., 0., 33.495229),
            (5.407880, 28., 10., 33.495224),
            (5.041008, 20., 150., 36.995774),
            (3.463402, 6., 800., 34.898526),
            (3.272557, 3., 2500., 34.999244),
            (3.273035, 2., 5000., 34.999494),
        ];
        for (c, t, p, want) in v {
            let got = practical_salinity(c, t, p);
            assert!(close(got, want, 1e-6 * want), "{c} {t} {p}: {got}");
        }
    }
}
