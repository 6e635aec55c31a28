//! What the science needs to know about an instrument besides its samples.

/// One instrument as deployed: where its samples were taken. The derivations need the
/// position (TEOS-10 absolute salinity and depth depend on it), the matching across the
/// line the serial and the nominal depth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deployment<'a> {
    /// Serial number (orders the line's instruments at equal depths).
    pub serial: &'a str,
    /// Latitude of the platform, degrees north.
    pub latitude: f64,
    /// Longitude of the platform, degrees east.
    pub longitude: f64,
    /// Nominal depth, m (where the line matching places a sample without pressure).
    pub nominal_depth_m: f64,
}
