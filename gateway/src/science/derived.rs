//! The derived variables of one sample ([`crate::seawater`]: depth from pressure, practical
//! salinity, potential temperature, oxygen saturation, sigma-theta), rounded to the
//! catalogue's decimals. The daily files and the live records both use [`values_at`].

use super::sample::Sample;
use super::variables::{
    round, DEPTH, NVARS, OXYGEN_SATURATION, POTENTIAL_TEMPERATURE, SALINITY, SIGMA_THETA, VARS,
};
use crate::seawater::{self, teos10::depth_from_pressure};

/// The values of one sample taken at (`lat`, `lon`) in [`VARS`] order: its inputs, then the
/// derived variables (rounded to their decimals); with `false` when T, C and P are present
/// but the TEOS-10 derivation refused them (the derived variables except depth are then
/// missing).
pub fn values_at(s: &Sample, lat: f64, lon: f64) -> ([Option<f64>; NVARS], bool) {
    let mut values = [None; NVARS];
    values[..4].copy_from_slice(&s.inputs);
    let [t, c, p, o2] = s.inputs;
    if let Some(p) = p {
        values[DEPTH] = depth_from_pressure(p, lat).ok();
    }
    let mut ok = true;
    if let (Some(t), Some(c), Some(p)) = (t, c, p) {
        match seawater::derive(c, t, p, o2, lat, lon) {
            Ok(x) => {
                values[SALINITY] = Some(x.salinity_psu);
                values[POTENTIAL_TEMPERATURE] = Some(x.potential_temperature_c);
                values[OXYGEN_SATURATION] = x.oxygen_saturation_pct;
                values[SIGMA_THETA] = Some(x.sigma_theta_kg_m3);
            }
            Err(_) => ok = false,
        }
    }
    for (v, spec) in values.iter_mut().zip(VARS.iter()).skip(4) {
        *v = v.and_then(|x| round(x, spec.decimals));
    }
    (values, ok)
}
