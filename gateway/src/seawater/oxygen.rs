//! Dissolved oxygen: solubility (Garcia & Gordon 1992), saturation and unit conversions.
//!
//! - Solubility in µmol/kg: Garcia, H.E. and L.I. Gordon, 1992, "Oxygen solubility in
//!   seawater: better fitting equations", Limnol. Oceanogr. 37, 1307–1312, Benson & Krause
//!   µmol/kg coefficients (their Table 1), evaluated as TEOS-10 GSW `gsw_O2sol_SP_pt` does:
//!   the potential temperature is converted to IPTS-68 (×1.00024) before the fit.
//! - ml/l ↔ µmol/kg: 1 ml of O2 = 1/22.3916 mmol (molar volume of O2 at STP,
//!   22.3916 L/mol, Garcia & Gordon 1992), i.e. 1 ml/l = 44.6596 µmol/l; then
//!   µmol/kg = µmol/l × 1000/ρθ with ρθ = 1000 + σθ the potential density at 0 dbar
//!   (OOI `do2_salinity_correction`, Argo practice).

/// Molar volume of O2 at STP used for ml ↔ µmol (L/mol), Garcia & Gordon (1992).
pub const O2_MOLAR_VOLUME_L_PER_MOL: f64 = 22.3916;

/// µmol per ml of O2: 1000/22.3916 = 44.6596…
pub const UMOL_PER_ML: f64 = 1000.0 / O2_MOLAR_VOLUME_L_PER_MOL;

/// Garcia & Gordon (1992) Benson–Krause µmol/kg coefficients A0…A5.
const A: [f64; 6] = [5.80871, 3.20291, 4.17887, 5.10006, -9.86643e-2, 3.80369];
/// Garcia & Gordon (1992) Benson–Krause µmol/kg coefficients B0…B3.
const B: [f64; 4] = [-7.01577e-3, -7.70028e-3, -1.13864e-2, -9.51519e-3];
/// Garcia & Gordon (1992) Benson–Krause µmol/kg coefficient C0.
const C0: f64 = -2.75915e-7;

/// The Garcia & Gordon (1992) µmol/kg fit at temperature `t_fit` (°C, the fit's own scale,
/// IPTS-68) and salinity `sp`. Exposed so the published check value (274.610 µmol/kg at
/// 10 °C, S 35) can be reproduced; use [`o2_solubility_umol_kg`] for data.
pub fn garcia_gordon_umol_kg(sp: f64, t_fit: f64) -> f64 {
    let ts = ((298.15 - t_fit) / (273.15 + t_fit)).ln();
    let [a0, a1, a2, a3, a4, a5] = A;
    let [b0, b1, b2, b3] = B;
    (a0 + ts * (a1 + ts * (a2 + ts * (a3 + ts * (a4 + a5 * ts))))
        + sp * (b0 + ts * (b1 + ts * (b2 + b3 * ts)) + C0 * sp))
        .exp()
}

/// Oxygen solubility (µmol/kg) of seawater of Practical Salinity `sp` and potential
/// temperature `pt0` (°C, ITS-90, p_ref 0) in equilibrium with a standard moist atmosphere
/// (101325 Pa): GSW `gsw_O2sol_SP_pt`. NaN in gives NaN out.
pub fn o2_solubility_umol_kg(sp: f64, pt0: f64) -> f64 {
    garcia_gordon_umol_kg(sp, pt0 * 1.00024)
}

/// Oxygen saturation (%) = 100 · O2 / O2sol, both in µmol/kg.
pub fn o2_saturation_pct(o2_umol_kg: f64, o2sol_umol_kg: f64) -> f64 {
    100.0 * o2_umol_kg / o2sol_umol_kg
}

/// ml/l → µmol/kg, dividing µmol/l by the potential density ρθ = 1000 + `sigma_theta`
/// (kg/m³) expressed in kg/l.
pub fn o2_umol_kg_from_ml_l(o2_ml_l: f64, sigma_theta: f64) -> f64 {
    o2_ml_l * UMOL_PER_ML / ((1000.0 + sigma_theta) / 1000.0)
}

/// µmol/kg → ml/l, the inverse of [`o2_umol_kg_from_ml_l`].
pub fn o2_ml_l_from_umol_kg(o2_umol_kg: f64, sigma_theta: f64) -> f64 {
    o2_umol_kg * ((1000.0 + sigma_theta) / 1000.0) / UMOL_PER_ML
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Garcia & Gordon (1992) published check value: 274.610 µmol/kg at t = 10 °C, S = 35
    /// (outputs-and-qc.md §7(d): 274.60983194242624 from the bare fit).
    #[test]
    fn garcia_gordon_check_value() {
        let v = garcia_gordon_umol_kg(35.0, 10.0);
        assert!((v - 274.610).abs() < 5e-4, "{v}");
        assert!((v - 274.60983194242624).abs() < 1e-10, "{v}");
    }

    /// rust-notes.md §7 / outputs-and-qc.md §7(d): PyPI gsw 3.6.23 `O2sol_SP_pt` values.
    #[test]
    fn gsw_o2sol_values() {
        let cases = [
            (35.0, 10.0, 274.5956644859288),
            (35.0, 0.0, 347.90287113148526),
            (35.0, 25.0, 206.7667910395476),
            (30.0, 15.0, 256.47868081952214),
            (0.0, 20.0, 284.62529533122216),
        ];
        for (sp, pt, want) in cases {
            let got = o2_solubility_umol_kg(sp, pt);
            assert!(
                ((got - want) / want).abs() < 1e-13,
                "({sp}, {pt}): {got} vs {want}"
            );
        }
    }

    /// §7(a): GSW documentation cast, O2sol_SP_pt(SP, pt0).
    #[test]
    fn gsw_documentation_cast() {
        let sp = [34.5487, 34.7275, 34.8605, 34.6810, 34.5680, 34.5600];
        let pt0 = [
            28.78319681971812,
            28.420983340326593,
            22.78493039690398,
            10.230523669290353,
            6.829230171389842,
            4.324510655999961,
        ];
        let want = [
            194.96507778406752,
            195.8727762144226,
            214.8923935339918,
            273.8656569708318,
            295.51082387918996,
            313.3587599337768,
        ];
        for i in 0..6 {
            let got = o2_solubility_umol_kg(sp[i], pt0[i]);
            assert!(((got - want[i]) / want[i]).abs() < 1e-13, "{i}: {got}");
        }
    }

    #[test]
    fn unit_conversions_round_trip() {
        assert!((UMOL_PER_ML - 44.6596).abs() < 1e-4);
        let u = o2_umol_kg_from_ml_l(5.0, 29.0);
        assert!((u - 5.0 * 44.6596 / 1.029).abs() < 1e-3);
        assert!((o2_ml_l_from_umol_kg(u, 29.0) - 5.0).abs() < 1e-12);
        assert!((o2_saturation_pct(137.5, 275.0) - 50.0).abs() < 1e-12);
    }
}
