//! Velocity profiles (instruments.md §3.2): Aquadopp Profiler (0x21), AWAC (0x20) and
//! Aquadopp HR Profiler (0x2A).
//!
//! Per-cell data are stored beam-major in the structure (`v[beam][cell]`, then amplitudes,
//! then for the HR correlations); the decoder returns them cell by cell, bounded by
//! [`MAX_BEAMS`] × [`MAX_CELLS`].

use super::clock::decode_clock;
use super::config::{ConfigInForce, CoordinateSystem};
use super::error::NortekError;
use super::framing::{id, Fields};
use super::velocity::{pressure_dbar, SensorSample, Status};
use crate::time::UtcTime;

/// Most beams a profile may have.
pub const MAX_BEAMS: usize = 3;
/// Most cells a profile may have.
pub const MAX_CELLS: usize = 128;

/// Offset of the velocity data in an Aquadopp Profiler structure.
pub const AQUADOPP_PROFILE_DATA_OFFSET: usize = 30;
/// Offset of the velocity data in an AWAC structure (88 spare bytes after temperature).
pub const AWAC_PROFILE_DATA_OFFSET: usize = 118;
/// Offset of the velocity data in an HR profile structure.
pub const HR_PROFILE_DATA_OFFSET: usize = 54;

/// Which instrument's profile structure this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileKind {
    /// Aquadopp Profiler (0x21).
    AquadoppProfiler,
    /// AWAC (0x20).
    Awac,
    /// Aquadopp HR Profiler (0x2A).
    HrProfiler,
}

/// One cell of a profile. Beams beyond the profile's `beams` are zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProfileCell {
    /// Velocity per beam/axis, m/s, scaled by the status byte's b1.
    pub velocity_m_s: [f64; MAX_BEAMS],
    /// Signal amplitude per beam, counts.
    pub amplitude: [u8; MAX_BEAMS],
    /// Correlation per beam, % (HR profiles only).
    pub correlation_percent: Option<[u8; MAX_BEAMS]>,
}

/// A velocity profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Which structure it came from.
    pub kind: ProfileKind,
    /// Sensor readings and time (HR: with milliseconds).
    pub sensors: SensorSample,
    /// Analogue input 2 (HR profiles only; the others store sound speed there).
    pub analog_input_2: Option<u16>,
    /// Number of beams (1..=[`MAX_BEAMS`]).
    pub beams: usize,
    /// Coordinate system of the user configuration in force (`None` if none seen yet).
    pub coordinate_system: Option<CoordinateSystem>,
    /// Cells, nearest first.
    pub cells: heapless::Vec<ProfileCell, MAX_CELLS>,
}

impl Profile {
    /// Decodes a complete, checksum-verified 0x21 or 0x20 structure.
    ///
    /// The number of beams is the user configuration's (3 if none was seen); the number of
    /// cells follows from the structure's length (a fill byte is allowed when beams × cells
    /// is odd) and must equal the configuration's when there is one.
    pub fn decode_aquadopp_or_awac(
        bytes: &[u8],
        config: &ConfigInForce,
    ) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        let (kind, data) = if f.id() == id::AWAC_PROFILE {
            (ProfileKind::Awac, AWAC_PROFILE_DATA_OFFSET)
        } else {
            (ProfileKind::AquadoppProfiler, AQUADOPP_PROFILE_DATA_OFFSET)
        };
        let beams = config.number_of_beams.map_or(MAX_BEAMS, usize::from);
        let shape_error = NortekError::ProfileShape {
            id: f.id(),
            beams,
            size_bytes: f.len(),
        };
        if beams == 0 {
            return Err(shape_error);
        }
        let payload = f.len().checked_sub(data + 2).ok_or(shape_error)?;
        let cells = payload / (3 * beams);
        let rest = payload - cells * 3 * beams;
        if !(rest == 0 || (rest == 1 && (beams * cells) % 2 == 1)) {
            return Err(shape_error);
        }
        check_bounds(f.id(), beams, cells)?;
        if let Some(configured) = config.number_of_cells.map(usize::from) {
            if configured != cells {
                return Err(NortekError::ProfileConfigMismatch {
                    id: f.id(),
                    cells,
                    configured,
                });
            }
        }
        let sensors = SensorSample::decode_pdmeas(&f)?;
        let cells = read_cells(&f, data, beams, cells, sensors.velocity_scale_m_s(), false)?;
        Ok(Profile {
            kind,
            sensors,
            analog_input_2: None,
            beams,
            coordinate_system: config.coordinate_system,
            cells,
        })
    }

    /// Decodes a complete, checksum-verified HR profile (0x2A). Beams and cells are read
    /// from the structure (offsets 34, 35); its length must be 54 + 4·beams·cells + 2.
    pub fn decode_hr(bytes: &[u8], config: &ConfigInForce) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        let beams = usize::from(f.u8(34)?);
        let cells = usize::from(f.u8(35)?);
        if beams == 0 {
            return Err(NortekError::ProfileShape {
                id: f.id(),
                beams,
                size_bytes: f.len(),
            });
        }
        check_bounds(f.id(), beams, cells)?;
        f.expect_len(HR_PROFILE_DATA_OFFSET + 4 * beams * cells + 2)?;
        let clock_bcd = f.array::<6>(4)?;
        let millis = f.u16(10)?;
        let sensors = SensorSample {
            clock_bcd,
            time: decode_clock(clock_bcd, 0).map(|t| UtcTime(t.0 + i64::from(millis))),
            error: f.i16(12)?,
            analog_input_1: f.u16(30)?,
            battery_v: f64::from(f.u16(14)?) * 0.1,
            sound_speed_m_s: f64::from(f.u16(16)?) * 0.1,
            heading_deg: f64::from(f.i16(18)?) * 0.1,
            pitch_deg: f64::from(f.i16(20)?) * 0.1,
            roll_deg: f64::from(f.i16(22)?) * 0.1,
            pressure_dbar: pressure_dbar(f.u8(24)?, f.u16(26)?),
            status: Status(f.u8(25)?),
            temperature_c: f64::from(f.i16(28)?) * 0.01,
        };
        let cells = read_cells(
            &f,
            HR_PROFILE_DATA_OFFSET,
            beams,
            cells,
            sensors.velocity_scale_m_s(),
            true,
        )?;
        Ok(Profile {
            kind: ProfileKind::HrProfiler,
            sensors,
            analog_input_2: Some(f.u16(32)?),
            beams,
            coordinate_system: config.coordinate_system,
            cells,
        })
    }
}

fn check_bounds(id: u8, beams: usize, cells: usize) -> Result<(), NortekError> {
    if beams > MAX_BEAMS || cells > MAX_CELLS {
        Err(NortekError::ProfileTooLarge {
            id,
            beams,
            cells,
            max_beams: MAX_BEAMS,
            max_cells: MAX_CELLS,
        })
    } else {
        Ok(())
    }
}

/// Reads beam-major velocity (i16), amplitude (u8) and optionally correlation (u8) arrays
/// starting at `data`. Callers have checked `beams <= MAX_BEAMS` and `cells <= MAX_CELLS`.
fn read_cells(
    f: &Fields<'_>,
    data: usize,
    beams: usize,
    cells: usize,
    scale: f64,
    with_correlation: bool,
) -> Result<heapless::Vec<ProfileCell, MAX_CELLS>, NortekError> {
    let n = beams * cells;
    let mut out = heapless::Vec::new();
    for c in 0..cells {
        let mut cell = ProfileCell {
            correlation_percent: with_correlation.then_some([0; MAX_BEAMS]),
            ..ProfileCell::default()
        };
        for b in 0..beams.min(MAX_BEAMS) {
            let k = b * cells + c;
            if let Some(v) = cell.velocity_m_s.get_mut(b) {
                *v = f64::from(f.i16(data + 2 * k)?) * scale;
            }
            if let Some(a) = cell.amplitude.get_mut(b) {
                *a = f.u8(data + 2 * n + k)?;
            }
            if let Some(r) = cell.correlation_percent.as_mut().and_then(|r| r.get_mut(b)) {
                *r = f.u8(data + 3 * n + k)?;
            }
        }
        out.push(cell).map_err(|_| NortekError::ProfileTooLarge {
            id: f.id(),
            beams,
            cells,
            max_beams: MAX_BEAMS,
            max_cells: MAX_CELLS,
        })?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::nortek::framing::{checksum, SYNC};

    /// Builds a structure with the given id and body (offsets 4..), size field and checksum.
    fn build(id: u8, body: &[u8]) -> heapless::Vec<u8, 2048> {
        let mut v: heapless::Vec<u8, 2048> = heapless::Vec::new();
        let words = ((body.len() + 6) / 2) as u16;
        v.extend_from_slice(&[SYNC, id]).unwrap();
        v.extend_from_slice(&words.to_le_bytes()).unwrap();
        v.extend_from_slice(body).unwrap();
        let cs = checksum(&v);
        v.extend_from_slice(&cs.to_le_bytes()).unwrap();
        v
    }

    #[test]
    fn hr_profile_layout() {
        // 2 beams × 3 cells: velocity beam-major at 54, amplitudes, correlations.
        let mut body = [0u8; 50 + 4 * 6];
        body[30] = 2; // beams (offset 34)
        body[31] = 3; // cells (offset 35)
        body[21] = 0x02; // status (offset 25): 0.1 mm/s
        for k in 0..6 {
            let v = (k as i16 + 1) * 100;
            body[50 + 2 * k..52 + 2 * k].copy_from_slice(&v.to_le_bytes());
            body[50 + 12 + k] = 10 + k as u8;
            body[50 + 18 + k] = 90 + k as u8;
        }
        let s = build(id::HR_PROFILE, &body);
        let p = Profile::decode_hr(&s, &ConfigInForce::default()).unwrap();
        assert_eq!(p.kind, ProfileKind::HrProfiler);
        assert_eq!((p.beams, p.cells.len()), (2, 3));
        // beam 2 (index 1), cell 1 (index 0) is element k = 3: 400 × 0.1 mm/s.
        assert!((p.cells[0].velocity_m_s[1] - 0.04).abs() < 1e-12);
        assert_eq!(p.cells[2].amplitude, [12, 15, 0]);
        assert_eq!(p.cells[2].correlation_percent, Some([92, 95, 0]));
    }

    #[test]
    fn aquadopp_profile_shape_checks() {
        // 3 beams × 2 cells = 18 bytes of data after offset 30.
        let s = build(id::AQUADOPP_PROFILE, &[0u8; 26 + 18]);
        let p = Profile::decode_aquadopp_or_awac(&s, &ConfigInForce::default()).unwrap();
        assert_eq!(
            (p.kind, p.beams, p.cells.len()),
            (ProfileKind::AquadoppProfiler, 3, 2)
        );
        let cfg = ConfigInForce {
            number_of_cells: Some(5),
            ..ConfigInForce::default()
        };
        assert!(matches!(
            Profile::decode_aquadopp_or_awac(&s, &cfg),
            Err(NortekError::ProfileConfigMismatch {
                cells: 2,
                configured: 5,
                ..
            })
        ));
        let odd = build(id::AQUADOPP_PROFILE, &[0u8; 26 + 20]);
        assert!(matches!(
            Profile::decode_aquadopp_or_awac(&odd, &ConfigInForce::default()),
            Err(NortekError::ProfileShape { .. })
        ));
    }
}
