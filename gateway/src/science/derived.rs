//! The derived variables of one sample, rounded to the catalogue's decimals, per the
//! product's [`Derivation`]. The daily files and the live records both use [`values_at`].
//!
//! - MicroCAT ([`crate::seawater`]): depth from pressure, practical salinity, potential
//!   temperature, oxygen saturation, sigma-theta.
//! - Aquadopp: depth from pressure (TEOS-10), current speed `hypot(east, north)` and direction `atan2(east, north)` in
//!   degrees clockwise from north in [0, 360), the direction the water moves towards (CF
//!   `direction_of_sea_water_velocity`).
//! - Optode: µmol/kg = µmol/l × 1000 / (1000 + σθ), with σθ (kg/m³) of a MicroCAT beside it
//!   at the same time (outputs-and-qc.md, "ml/l → µmol/kg: × 44660/(σθ + 1000)", the same
//!   conversion by potential density); missing when no σθ is known.

use super::products::microcat::{
    DEPTH, OXYGEN_SATURATION, POTENTIAL_TEMPERATURE, SALINITY, SIGMA_THETA,
};
use super::products::{aquadopp, optode, Derivation, Product};
use super::sample::Sample;
use super::variables::{round, MAX_VARS};
use crate::seawater::{self, teos10::depth_from_pressure};

/// All of one sample's values in the product's variable order.
pub type Values = [Option<f64>; MAX_VARS];

/// The values of sample `s` of `product` taken at (`lat`, `lon`): its measured values,
/// then the derived variables (rounded to their decimals); with `false` when the
/// derivation refused inputs that were all there (MicroCAT: TEOS-10 out of range; the
/// derived variables except depth are then missing). `sigma_theta` is the σθ of the
/// MicroCAT beside an optode at the sample's time, when known.
pub fn values_at(
    product: &Product,
    s: &Sample,
    lat: f64,
    lon: f64,
    sigma_theta: Option<f64>,
) -> (Values, bool) {
    let mut values = [None; MAX_VARS];
    let n = product.measured.min(s.inputs.len());
    if let (Some(dst), Some(src)) = (values.get_mut(..n), s.inputs.get(..n)) {
        dst.copy_from_slice(src);
    }
    let mut ok = true;
    let mut set = |k: usize, v: Option<f64>| {
        if let Some(slot) = values.get_mut(k) {
            *slot = v;
        }
    };
    match product.derivation {
        Derivation::None => {}
        Derivation::Seawater => {
            let [t, c, p, o2, ..] = s.inputs;
            if let Some(p) = p {
                set(DEPTH, depth_from_pressure(p, lat).ok());
            }
            if let (Some(t), Some(c), Some(p)) = (t, c, p) {
                match seawater::derive(c, t, p, o2, lat, lon) {
                    Ok(x) => {
                        set(SALINITY, Some(x.salinity_psu));
                        set(POTENTIAL_TEMPERATURE, Some(x.potential_temperature_c));
                        set(OXYGEN_SATURATION, x.oxygen_saturation_pct);
                        set(SIGMA_THETA, Some(x.sigma_theta_kg_m3));
                    }
                    Err(_) => ok = false,
                }
            }
        }
        Derivation::Current => {
            if let Some(p) = s.inputs[aquadopp::PRESSURE] {
                set(aquadopp::DEPTH, depth_from_pressure(p, lat).ok());
            }
            let (e, n) = (s.inputs[aquadopp::EAST], s.inputs[aquadopp::NORTH]);
            if let (Some(e), Some(n)) = (e, n) {
                set(aquadopp::SPEED, Some(e.hypot(n)));
                let d = e.atan2(n).to_degrees().rem_euclid(360.0);
                // rem_euclid may round up to exactly 360 for a tiny negative angle
                set(aquadopp::DIRECTION, Some(if d >= 360.0 { 0.0 } else { d }));
            }
        }
        Derivation::OxygenPerMass => {
            if let (Some(o2), Some(st)) = (s.inputs[optode::OXYGEN], sigma_theta) {
                set(optode::OXYGEN_PER_MASS, Some(o2 * 1000.0 / (1000.0 + st)));
            }
        }
    }
    for (v, spec) in values.iter_mut().zip(product.vars).skip(product.measured) {
        *v = v.and_then(|x| round(x, spec.decimals));
    }
    (values, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::products::{AQUADOPP, OPTODE};
    use protocol::time::UtcTime;

    #[test]
    fn current_speed_and_direction() {
        let at = |e: f64, n: f64| {
            let s = Sample::new(&AQUADOPP, UtcTime(0), &[Some(e), Some(n)]);
            let (v, ok) = values_at(&AQUADOPP, &s, 42.8, 6.0, None);
            assert!(ok);
            (v[aquadopp::SPEED], v[aquadopp::DIRECTION])
        };
        assert_eq!(at(0.0, 0.1), (Some(0.1), Some(0.0)));
        assert_eq!(at(0.1, 0.0), (Some(0.1), Some(90.0)));
        assert_eq!(at(0.0, -0.1), (Some(0.1), Some(180.0)));
        assert_eq!(at(-0.03, 0.04), (Some(0.05), Some(323.13)));
    }

    #[test]
    fn oxygen_per_mass_needs_sigma_theta() {
        let s = Sample::new(&OPTODE, UtcTime(0), &[Some(4831.0), Some(200.0)]);
        let (v, _) = values_at(&OPTODE, &s, 42.8, 6.0, None);
        assert_eq!(v[optode::OXYGEN_PER_MASS], None);
        let (v, _) = values_at(&OPTODE, &s, 42.8, 6.0, Some(29.1));
        assert_eq!(v[optode::OXYGEN_PER_MASS], Some(194.345));
    }
}
