//! Absolute Salinity Anomaly Ratio (SAAR) for a fixed site, as a table in pressure.
//!
//! TEOS-10 gives SA = SR·(1 + SAAR(p, lon, lat)) outside the Baltic (GSW `gsw_SA_from_SP`),
//! with SAAR from a global atlas (`gsw_saar`, multi-MB data) that `gsw` 0.2.3 does not
//! carry. GSW interpolates that atlas bilinearly in (lon, lat) and *linearly in pressure*
//! between its levels, holding the value below the deepest level with data. At one fixed
//! position SAAR(p) is therefore exactly piecewise linear: a table of SAAR at the atlas
//! levels, interpolated linearly in p, reproduces `gsw.SAAR` to rounding (6.8e-21 absolute,
//! i.e. ~1e-16 relative, measured by `gateway/tests/python/gen_saar_table.py` on 36 000
//! pressures). The built-in table is for EMSO Ligure Ouest (42.806 N, 6.027 E), generated
//! by that script into `saar_site.rs`; a config may supply a table for another site.

use serde::Deserialize;

use super::saar_site::{SITE_LAT, SITE_LON, SITE_SAAR};
use super::SeawaterError;

/// A SAAR(p) table for one position, interpolated linearly in sea pressure.
///
/// Promise: `saar(p)` equals GSW's `gsw_saar(p, lon, lat)` at the table's position when the
/// table holds the atlas levels (as the generated ones do): linear between levels,
/// extrapolated from the first segment above the first level (GSW does the same for
/// p < 0), constant below the last level.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaarTable {
    /// Latitude (°N) the table was computed for.
    pub lat: f64,
    /// Longitude (°E) the table was computed for.
    pub lon: f64,
    /// How far (degrees of latitude or longitude) a record's position may be from
    /// (`lat`, `lon`) and still use this table (default 0.1°; the atlas grid is 4°).
    #[serde(default = "default_tolerance_deg")]
    pub tolerance_deg: f64,
    /// (sea pressure dbar, SAAR) pairs, pressures strictly increasing.
    pub levels: Vec<(f64, f64)>,
}

fn default_tolerance_deg() -> f64 {
    0.1
}

impl SaarTable {
    /// The built-in table for EMSO Ligure Ouest (42.806 N, 6.027 E), 0…2789 dbar.
    pub fn emso_ligure_ouest() -> Self {
        SaarTable {
            lat: SITE_LAT,
            lon: SITE_LON,
            tolerance_deg: default_tolerance_deg(),
            levels: SITE_SAAR.to_vec(),
        }
    }

    /// Checks the table: at least two levels, all finite, pressures strictly increasing,
    /// |SAAR| < 0.01 (atlas values are ~1e-4), a non-negative tolerance.
    pub fn validate(&self) -> Result<(), SeawaterError> {
        let bad = |why: &'static str| Err(SeawaterError::BadSaarTable(why));
        if self.levels.len() < 2 {
            return bad("fewer than two levels");
        }
        if !(self.lat.is_finite() && self.lon.is_finite()) {
            return bad("position not finite");
        }
        if !(self.tolerance_deg.is_finite() && self.tolerance_deg >= 0.0) {
            return bad("tolerance_deg not a non-negative number");
        }
        for w in self.levels.windows(2) {
            if let [(p0, _), (p1, _)] = w {
                if p1.is_nan() || p0.is_nan() || p1 <= p0 {
                    return bad("pressures not strictly increasing");
                }
            }
        }
        if self
            .levels
            .iter()
            .any(|&(p, s)| !p.is_finite() || !s.is_finite() || s.abs() >= 0.01)
        {
            return bad("a level is not finite or |SAAR| >= 0.01");
        }
        Ok(())
    }

    /// True when (`lat`, `lon`) is within `tolerance_deg` of the table's position
    /// (longitudes compared modulo 360).
    pub fn covers(&self, lat: f64, lon: f64) -> bool {
        let dlon = (lon - self.lon).rem_euclid(360.0);
        let dlon = dlon.min(360.0 - dlon);
        (lat - self.lat).abs() <= self.tolerance_deg && dlon <= self.tolerance_deg
    }

    /// SAAR at sea pressure `p` (dbar). Returns NaN for NaN `p` or an invalid table (fewer
    /// than two levels); never panics.
    pub fn saar(&self, p: f64) -> f64 {
        let levels = &self.levels;
        let (Some(&first), Some(&second), Some(&last)) =
            (levels.first(), levels.get(1), levels.last())
        else {
            return f64::NAN;
        };
        if p.is_nan() {
            return f64::NAN;
        }
        if p >= last.0 {
            return last.1;
        }
        // Segment k is [levels[k], levels[k+1]]; above the first level use segment 0.
        let k = levels.partition_point(|&(pk, _)| pk <= p).saturating_sub(1);
        let (lo, hi) = match (levels.get(k), levels.get(k + 1)) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => (first, second),
        };
        let r = (p - lo.0) / (hi.0 - lo.0);
        lo.1 + r * (hi.1 - lo.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_table_is_valid_and_interpolates() {
        let t = SaarTable::emso_ligure_ouest();
        t.validate().unwrap();
        // At a level: exact; between levels: linear; below the last level: constant.
        assert_eq!(t.saar(10.0), SITE_SAAR[1].1);
        let mid = 0.5 * (SITE_SAAR[1].1 + SITE_SAAR[2].1);
        assert!((t.saar(15.0) - mid).abs() < 1e-20);
        assert_eq!(t.saar(5000.0), SITE_SAAR[SITE_SAAR.len() - 1].1);
        assert!(t.saar(f64::NAN).is_nan());
        // GSW extrapolates above 0 dbar: gsw.SAAR(-5, 6.027, 42.806) = 4.940061203559171e-05
        assert!((t.saar(-5.0) - 4.940061203559171e-05).abs() < 1e-19);
    }

    #[test]
    fn covers_only_nearby_positions() {
        let t = SaarTable::emso_ligure_ouest();
        assert!(t.covers(42.8, 6.0));
        assert!(!t.covers(43.0, 6.027));
        assert!(!t.covers(42.806, -6.027));
        assert!(t.covers(42.806, 6.027 + 360.0));
    }

    #[test]
    fn rejects_bad_tables() {
        let mut t = SaarTable::emso_ligure_ouest();
        t.levels.swap(1, 2);
        assert!(t.validate().is_err());
        let empty = SaarTable {
            levels: vec![],
            ..SaarTable::emso_ligure_ouest()
        };
        assert!(empty.validate().is_err());
        assert!(empty.saar(10.0).is_nan());
    }
}
