//! The individual TEOS-10 steps, with input checks and typed errors.
//!
//! Each function checks that its inputs are finite and in range, calls `gsw` (or the ported
//! [`pt0_from_t`](super::pt0::pt0_from_t)) and checks that the result is finite, so that a
//! bad sample gives a [`SeawaterError`] and never a NaN in a file or a panic.

use super::saar::SaarTable;
use super::SeawaterError;

/// Accepted conductivity range (S/m): the SBE 37 range 0…7 with margin.
pub const CONDUCTIVITY_RANGE_S_M: (f64, f64) = (0.0, 10.0);
/// Accepted in-situ temperature range (°C, ITS-90).
pub const TEMPERATURE_RANGE_C: (f64, f64) = (-5.0, 50.0);
/// Accepted sea pressure range (dbar); slightly negative values occur in air.
pub const PRESSURE_RANGE_DBAR: (f64, f64) = (-10.0, 12_000.0);
/// Accepted Practical/Absolute Salinity range for the downstream equations.
pub const SALINITY_RANGE: (f64, f64) = (0.0, 50.0);

/// GSW-C `gsw_ups` = 35.16504/35: SR = ups·SP.
const GSW_UPS: f64 = 35.165_04 / 35.0;

/// Checks that `value` is finite and within `range` (inclusive).
pub(crate) fn check(
    name: &'static str,
    value: f64,
    range: (f64, f64),
) -> Result<f64, SeawaterError> {
    if !value.is_finite() {
        return Err(SeawaterError::NotFinite { name, value });
    }
    if value < range.0 || value > range.1 {
        return Err(SeawaterError::OutOfRange {
            name,
            value,
            min: range.0,
            max: range.1,
        });
    }
    Ok(value)
}

fn finite(name: &'static str, v: f64) -> Result<f64, SeawaterError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(SeawaterError::NonFiniteResult { name })
    }
}

fn gsw_err(function: &'static str, e: gsw::Error) -> SeawaterError {
    let reason = match e {
        gsw::Error::NegativeSalinity => "negative salinity",
        gsw::Error::OutOfBounds => "value out of bounds",
        gsw::Error::Undefined => "undefined (e.g. negative conductivity ratio)",
    };
    SeawaterError::Gsw { function, reason }
}

/// Practical Salinity (PSS-78) from conductivity `c_s_m` (S/m), temperature `t_c` (°C,
/// ITS-90) and sea pressure `p_dbar`: `gsw_SP_from_C(10·C, t, p)` (gsw takes mS/cm).
pub fn practical_salinity(c_s_m: f64, t_c: f64, p_dbar: f64) -> Result<f64, SeawaterError> {
    let c = check("conductivity_s_m", c_s_m, CONDUCTIVITY_RANGE_S_M)?;
    let t = check("temperature_c", t_c, TEMPERATURE_RANGE_C)?;
    let p = check("pressure_dbar", p_dbar, PRESSURE_RANGE_DBAR)?;
    let sp =
        gsw::practical_salinity::sp_from_c(10.0 * c, t, p).map_err(|e| gsw_err("sp_from_c", e))?;
    finite("salinity_psu", sp)
}

/// Absolute Salinity (g/kg) from Practical Salinity `sp` at sea pressure `p_dbar`, using
/// the site table: SA = (35.16504/35)·SP·(1 + SAAR(p)) (GSW `gsw_SA_from_SP` outside the
/// Baltic).
pub fn absolute_salinity(sp: f64, p_dbar: f64, saar: &SaarTable) -> Result<f64, SeawaterError> {
    let sp = check("salinity_psu", sp, SALINITY_RANGE)?;
    let p = check("pressure_dbar", p_dbar, PRESSURE_RANGE_DBAR)?;
    let r = saar.saar(p);
    if !r.is_finite() {
        return Err(SeawaterError::BadSaarTable(
            "SAAR not finite at this pressure",
        ));
    }
    finite("absolute_salinity_g_kg", GSW_UPS * sp * (1.0 + r))
}

/// Potential temperature (°C) referenced to 0 dbar: ported `gsw_pt0_from_t(SA, t, p)`.
pub fn potential_temperature(sa: f64, t_c: f64, p_dbar: f64) -> Result<f64, SeawaterError> {
    let sa = check("absolute_salinity_g_kg", sa, SALINITY_RANGE)?;
    let t = check("temperature_c", t_c, TEMPERATURE_RANGE_C)?;
    let p = check("pressure_dbar", p_dbar, PRESSURE_RANGE_DBAR)?;
    finite("potential_temperature_c", super::pt0::pt0_from_t(sa, t, p))
}

/// Conservative Temperature (°C) from SA and pt0: `gsw_CT_from_pt`.
pub fn conservative_temperature(sa: f64, pt0: f64) -> Result<f64, SeawaterError> {
    let sa = check("absolute_salinity_g_kg", sa, SALINITY_RANGE)?;
    let pt0 = check("potential_temperature_c", pt0, TEMPERATURE_RANGE_C)?;
    let ct = gsw::conversions::ct_from_pt(sa, pt0).map_err(|e| gsw_err("ct_from_pt", e))?;
    finite("conservative_temperature_c", ct)
}

/// Sigma-theta (kg/m³): potential density anomaly at 0 dbar, `gsw_sigma0(SA, CT)`.
pub fn sigma_theta(sa: f64, ct: f64) -> Result<f64, SeawaterError> {
    let sa = check("absolute_salinity_g_kg", sa, SALINITY_RANGE)?;
    let ct = check("conservative_temperature_c", ct, TEMPERATURE_RANGE_C)?;
    let s = gsw::volume::sigma0(sa, ct).map_err(|e| gsw_err("sigma0", e))?;
    finite("sigma_theta_kg_m3", s)
}

/// Depth (m, positive down) from sea pressure and latitude: `-gsw_z_from_p(p, lat, 0, 0)`.
pub fn depth_from_pressure(p_dbar: f64, lat: f64) -> Result<f64, SeawaterError> {
    let p = check("pressure_dbar", p_dbar, PRESSURE_RANGE_DBAR)?;
    let lat = check("latitude", lat, (-90.0, 90.0))?;
    finite("depth_m", -gsw::conversions::z_from_p(p, lat, 0.0, 0.0))
}
