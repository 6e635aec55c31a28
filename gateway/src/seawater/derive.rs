//! One call from a MicroCAT sample to every derived variable.

use super::oxygen::{o2_saturation_pct, o2_solubility_umol_kg, o2_umol_kg_from_ml_l};
use super::saar::SaarTable;
use super::teos10::{
    absolute_salinity, check, conservative_temperature, depth_from_pressure, potential_temperature,
    practical_salinity, sigma_theta,
};
use super::SeawaterError;
use serde::Serialize;

/// Every variable derived from one C/T/P(/O2) sample; names and units as in the records.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Derived {
    /// Practical Salinity (PSS-78).
    pub salinity_psu: f64,
    /// Absolute Salinity (g/kg).
    pub absolute_salinity_g_kg: f64,
    /// Potential temperature referenced to 0 dbar (°C, ITS-90).
    pub potential_temperature_c: f64,
    /// Conservative Temperature (°C).
    pub conservative_temperature_c: f64,
    /// Potential density anomaly at 0 dbar, σθ (kg/m³).
    pub sigma_theta_kg_m3: f64,
    /// Depth from pressure (m, positive down).
    pub depth_m: f64,
    /// Dissolved oxygen (µmol/kg); `None` without a finite oxygen input.
    pub oxygen_umol_kg: Option<f64>,
    /// Oxygen solubility at 1 atm (µmol/kg), from SP and pt0.
    pub oxygen_solubility_umol_kg: f64,
    /// Oxygen saturation (%); `None` without a finite oxygen input.
    pub oxygen_saturation_pct: Option<f64>,
}

/// [`derive_with`] using the built-in EMSO Ligure Ouest SAAR table; fails with
/// [`SeawaterError::NoSaarForPosition`] for a position more than 0.1° from the site.
pub fn derive(
    c_s_m: f64,
    t_c: f64,
    p_dbar: f64,
    o2_ml_l: Option<f64>,
    lat: f64,
    lon: f64,
) -> Result<Derived, SeawaterError> {
    derive_with(
        &SaarTable::emso_ligure_ouest(),
        c_s_m,
        t_c,
        p_dbar,
        o2_ml_l,
        lat,
        lon,
    )
}

/// Derives every variable from conductivity `c_s_m` (S/m), temperature `t_c` (°C, ITS-90),
/// sea pressure `p_dbar`, optional oxygen `o2_ml_l` (ml/l) at (`lat`, `lon`) with the SAAR
/// table `saar`.
///
/// Promise: either every CTD-derived field is finite, or a [`SeawaterError`] names the bad
/// input; a missing or non-finite (or negative) oxygen value only leaves the oxygen fields
/// `None`. Never panics.
pub fn derive_with(
    saar: &SaarTable,
    c_s_m: f64,
    t_c: f64,
    p_dbar: f64,
    o2_ml_l: Option<f64>,
    lat: f64,
    lon: f64,
) -> Result<Derived, SeawaterError> {
    let lat = check("latitude", lat, (-90.0, 90.0))?;
    let lon = check("longitude", lon, (-360.0, 360.0))?;
    if !saar.covers(lat, lon) {
        return Err(SeawaterError::NoSaarForPosition {
            lat,
            lon,
            table_lat: saar.lat,
            table_lon: saar.lon,
        });
    }
    let sp = practical_salinity(c_s_m, t_c, p_dbar)?;
    let sa = absolute_salinity(sp, p_dbar, saar)?;
    let pt0 = potential_temperature(sa, t_c, p_dbar)?;
    let ct = conservative_temperature(sa, pt0)?;
    let sigma0 = sigma_theta(sa, ct)?;
    let depth = depth_from_pressure(p_dbar, lat)?;
    let o2sol = o2_solubility_umol_kg(sp, pt0);
    if !o2sol.is_finite() {
        return Err(SeawaterError::NonFiniteResult {
            name: "oxygen_solubility_umol_kg",
        });
    }
    let o2 = o2_ml_l
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| o2_umol_kg_from_ml_l(v, sigma0))
        .filter(|v| v.is_finite());
    Ok(Derived {
        salinity_psu: sp,
        absolute_salinity_g_kg: sa,
        potential_temperature_c: pt0,
        conservative_temperature_c: ct,
        sigma_theta_kg_m3: sigma0,
        depth_m: depth,
        oxygen_umol_kg: o2,
        oxygen_solubility_umol_kg: o2sol,
        oxygen_saturation_pct: o2.map(|o| o2_saturation_pct(o, o2sol)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let ok = derive(4.12, 13.2, 2450.0, Some(4.5), 42.806, 6.027).unwrap();
        assert!(ok.oxygen_saturation_pct.is_some());
        for (c, t, p) in [
            (f64::NAN, 13.2, 2450.0),
            (4.12, f64::INFINITY, 2450.0),
            (4.12, 13.2, f64::NAN),
            (-1.0, 13.2, 2450.0),
            (4.12, 99.0, 2450.0),
            (4.12, 13.2, 20_000.0),
        ] {
            assert!(derive(c, t, p, None, 42.806, 6.027).is_err(), "{c} {t} {p}");
        }
        assert!(matches!(
            derive(4.12, 13.2, 2450.0, None, 10.0, 6.027),
            Err(SeawaterError::NoSaarForPosition { .. })
        ));
        assert!(derive(4.12, 13.2, 2450.0, None, f64::NAN, 6.027).is_err());
        let no_o2 = derive(4.12, 13.2, 2450.0, Some(f64::NAN), 42.806, 6.027).unwrap();
        assert_eq!(no_o2.oxygen_umol_kg, None);
        assert_eq!(no_o2.oxygen_saturation_pct, None);
        assert_eq!(no_o2.salinity_psu, ok.salinity_psu);
    }
}
