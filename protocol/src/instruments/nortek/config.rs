//! Configuration structures (instruments.md §3.2): hardware (0x05), head (0x04) and user
//! (0x00) configuration.
//!
//! The stream decoder keeps the last user configuration it saw ([`ConfigInForce`]) to
//! interpret later data structures (coordinate system, number of beams and cells,
//! Vector velocity scaling).

use super::clock::decode_clock;
use super::error::NortekError;
use super::framing::{ascii_field, Fields};
use crate::time::UtcTime;

/// Length of the hardware configuration structure.
pub const HARDWARE_CONFIGURATION_BYTES: usize = 48;
/// Length of the head configuration structure.
pub const HEAD_CONFIGURATION_BYTES: usize = 224;
/// Length of the user configuration structure.
pub const USER_CONFIGURATION_BYTES: usize = 512;

/// Coordinate system of velocities (user configuration offset 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoordinateSystem {
    /// East, North, Up (0).
    Enu,
    /// Instrument X, Y, Z (1).
    Xyz,
    /// Along each beam (2).
    Beam,
}

impl CoordinateSystem {
    /// The system for the raw configuration value; `None` for values other than 0, 1, 2.
    pub fn from_raw(raw: u16) -> Option<Self> {
        match raw {
            0 => Some(CoordinateSystem::Enu),
            1 => Some(CoordinateSystem::Xyz),
            2 => Some(CoordinateSystem::Beam),
            _ => None,
        }
    }
}

/// Hardware configuration (id 0x05, 48 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardwareConfiguration {
    /// Instrument type and serial number, e.g. `AQD11402`: the whole 14-character field
    /// (offset 4) up to a NUL, trailing spaces removed, non-printable bytes shown as `?`.
    pub serial_number: heapless::String<14>,
    /// Board configuration word (b0 recorder installed, b1 compass installed).
    pub config: u16,
    /// Board frequency, kHz, as sent (offset 20). Both real files we hold (AQD 11402, AWAC
    /// WPR 3203) send 65535 here; no document we have says what that value means.
    pub board_frequency_khz: u16,
    /// PIC code version.
    pub pic_version: u16,
    /// Hardware revision.
    pub hardware_revision: u16,
    /// Recorder size in bytes (the field counts 65536-byte units).
    pub recorder_size_bytes: u32,
    /// Status word (b0 velocity range: 0 normal, 1 high).
    pub status: u16,
    /// Firmware version, e.g. `3.35`.
    pub firmware_version: heapless::String<4>,
}

impl HardwareConfiguration {
    /// Decodes a complete, checksum-verified structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(HARDWARE_CONFIGURATION_BYTES)?;
        Ok(HardwareConfiguration {
            serial_number: ascii_field(f.slice(4, 14)?),
            config: f.u16(18)?,
            board_frequency_khz: f.u16(20)?,
            pic_version: f.u16(22)?,
            hardware_revision: f.u16(24)?,
            recorder_size_bytes: u32::from(f.u16(26)?) * 65_536,
            status: f.u16(28)?,
            firmware_version: ascii_field(f.slice(42, 4)?),
        })
    }

    /// Whether a recorder is installed (config b0).
    pub fn recorder_installed(&self) -> bool {
        self.config & 1 != 0
    }

    /// Whether a compass is installed (config b1).
    pub fn compass_installed(&self) -> bool {
        self.config & 2 != 0
    }

    /// Whether the velocity range is "high" (status b0); `false` means normal.
    pub fn velocity_range_high(&self) -> bool {
        self.status & 1 != 0
    }
}

/// Head configuration (id 0x04, 224 bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadConfiguration {
    /// Configuration word (b0 pressure sensor, b1 magnetometer, b2 tilt sensor, b3 tilt
    /// mounted down).
    pub config: u16,
    /// Acoustic frequency, kHz.
    pub frequency_khz: u16,
    /// Head type.
    pub head_type: u16,
    /// Head serial number, e.g. `ALD 6324`.
    pub serial_number: heapless::String<12>,
    /// Beam-to-XYZ transformation matrix (system data offsets 30–47, i16 ÷ 4096), row-major.
    pub beam_to_xyz: [[f64; 3]; 3],
    /// Number of beams.
    pub number_of_beams: u16,
}

impl HeadConfiguration {
    /// Decodes a complete, checksum-verified structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(HEAD_CONFIGURATION_BYTES)?;
        let mut beam_to_xyz = [[0.0; 3]; 3];
        for (r, row) in beam_to_xyz.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = f64::from(f.i16(30 + 2 * (3 * r + c))?) / 4096.0;
            }
        }
        Ok(HeadConfiguration {
            config: f.u16(4)?,
            frequency_khz: f.u16(6)?,
            head_type: f.u16(8)?,
            serial_number: ascii_field(f.slice(10, 12)?),
            beam_to_xyz,
            number_of_beams: f.u16(220)?,
        })
    }

    /// Whether a pressure sensor is fitted (config b0).
    pub fn pressure_sensor(&self) -> bool {
        self.config & 1 != 0
    }

    /// Whether a magnetometer is fitted (config b1).
    pub fn magnetometer(&self) -> bool {
        self.config & 2 != 0
    }

    /// Whether a tilt sensor is fitted (config b2).
    pub fn tilt_sensor(&self) -> bool {
        self.config & 4 != 0
    }

    /// Whether the tilt sensor is mounted down (config b3); `false` means up.
    pub fn tilt_mounted_down(&self) -> bool {
        self.config & 8 != 0
    }
}

/// User configuration (id 0x00, 512 bytes). Times T1–T5 are in the instrument's counts.
#[derive(Debug, Clone, PartialEq)]
pub struct UserConfiguration {
    /// T1, transmit pulse length (counts).
    pub transmit_pulse_length: u16,
    /// T2, blanking distance (counts).
    pub blanking_distance: u16,
    /// T3, receive length (counts).
    pub receive_length: u16,
    /// T4, time between pings (counts).
    pub time_between_pings: u16,
    /// T5, time between bursts (counts).
    pub time_between_bursts: u16,
    /// Number of beam sequences (pings) per burst.
    pub number_of_pings: u16,
    /// Average interval, s.
    pub average_interval_s: u16,
    /// Number of beams.
    pub number_of_beams: u16,
    /// Timing control register.
    pub timing_control: u16,
    /// Power control register.
    pub power_control: u16,
    /// Compass update rate, s.
    pub compass_update_rate_s: u16,
    /// Raw coordinate system value (0 ENU, 1 XYZ, 2 BEAM).
    pub coordinate_system_raw: u16,
    /// Coordinate system; `None` if the raw value is not 0, 1 or 2.
    pub coordinate_system: Option<CoordinateSystem>,
    /// Number of cells.
    pub number_of_cells: u16,
    /// Cell length (counts).
    pub cell_length: u16,
    /// Measurement interval, s.
    pub measurement_interval_s: u16,
    /// Deployment name (up to 6 characters).
    pub deployment_name: heapless::String<6>,
    /// Recorder wrap mode (0 no wrap, 1 wrap).
    pub wrap_mode: u16,
    /// Deployment start clock, raw BCD.
    pub deployment_start_bcd: [u8; 6],
    /// Deployment start; `None` if the clock is not a valid date.
    pub deployment_start: Option<UtcTime>,
    /// Diagnostics interval, s.
    pub diagnostics_interval_s: u32,
    /// Mode word (see the `mode_*` methods).
    pub mode: u16,
    /// User sound speed adjustment factor.
    pub sound_speed_adjust_factor: u16,
    /// Samples in diagnostics mode.
    pub diagnostics_samples: u16,
    /// Beams/cells measured in diagnostics mode.
    pub diagnostics_beams_cells: u16,
    /// Pings per diagnostics or wave sample.
    pub diagnostics_pings: u16,
    /// Mode test word.
    pub mode_test: u16,
    /// Analogue input address.
    pub analog_input_address: u16,
    /// Software version as stored (13902 means 1.39.02).
    pub software_version: u16,
    /// Salinity, PSU (offset 74, stored × 10; "spare" in older documents).
    pub salinity_psu: f64,
    /// Comments (up to 180 characters).
    pub comments: heapless::String<180>,
    /// Wave measurement mode word.
    pub wave_mode: u16,
    /// Percentage for wave cell positioning.
    pub dynamic_percentage_position: u16,
    /// Wave transmit pulse, blanking and cell size (T1w, T2w, T3w, counts).
    pub wave_timing: [u16; 3],
    /// Samples per wave burst.
    pub samples_per_wave_burst: u16,
    /// A1w, B0w, B1w (for the Vector, B0w at offset 450 is samples per burst).
    pub wave_a1_b0_b1: [u16; 3],
    /// Analogue output scale factor.
    pub analog_output_scale: u16,
    /// Correlation threshold for resolving ambiguities.
    pub correlation_threshold: u16,
    /// Transmit pulse length, second lag (counts).
    pub transmit_pulse_lag2: u16,
    /// Stage match filter constants.
    pub quality_constants: [u16; 8],
}

impl UserConfiguration {
    /// Decodes a complete, checksum-verified structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(USER_CONFIGURATION_BYTES)?;
        let deployment_start_bcd = f.array::<6>(48)?;
        let coordinate_system_raw = f.u16(32)?;
        let mut quality_constants = [0u16; 8];
        for (i, q) in quality_constants.iter_mut().enumerate() {
            *q = f.u16(494 + 2 * i)?;
        }
        Ok(UserConfiguration {
            transmit_pulse_length: f.u16(4)?,
            blanking_distance: f.u16(6)?,
            receive_length: f.u16(8)?,
            time_between_pings: f.u16(10)?,
            time_between_bursts: f.u16(12)?,
            number_of_pings: f.u16(14)?,
            average_interval_s: f.u16(16)?,
            number_of_beams: f.u16(18)?,
            timing_control: f.u16(20)?,
            power_control: f.u16(22)?,
            compass_update_rate_s: f.u16(30)?,
            coordinate_system_raw,
            coordinate_system: CoordinateSystem::from_raw(coordinate_system_raw),
            number_of_cells: f.u16(34)?,
            cell_length: f.u16(36)?,
            measurement_interval_s: f.u16(38)?,
            deployment_name: ascii_field(f.slice(40, 6)?),
            wrap_mode: f.u16(46)?,
            deployment_start_bcd,
            deployment_start: decode_clock(deployment_start_bcd, 0),
            diagnostics_interval_s: f.u32(54)?,
            mode: f.u16(58)?,
            sound_speed_adjust_factor: f.u16(60)?,
            diagnostics_samples: f.u16(62)?,
            diagnostics_beams_cells: f.u16(64)?,
            diagnostics_pings: f.u16(66)?,
            mode_test: f.u16(68)?,
            analog_input_address: f.u16(70)?,
            software_version: f.u16(72)?,
            salinity_psu: f64::from(f.u16(74)?) / 10.0,
            comments: ascii_field(f.slice(256, 180)?),
            wave_mode: f.u16(436)?,
            dynamic_percentage_position: f.u16(438)?,
            wave_timing: [f.u16(440)?, f.u16(442)?, f.u16(444)?],
            samples_per_wave_burst: f.u16(446)?,
            wave_a1_b0_b1: [f.u16(448)?, f.u16(450)?, f.u16(452)?],
            analog_output_scale: f.u16(456)?,
            correlation_threshold: f.u16(458)?,
            transmit_pulse_lag2: f.u16(462)?,
            quality_constants,
        })
    }

    /// Bit `n` (0–15) of the mode word.
    pub fn mode_bit(&self, n: u32) -> bool {
        n < 16 && (self.mode >> n) & 1 != 0
    }

    /// Mode b0: use the user-specified sound speed.
    pub fn user_sound_speed(&self) -> bool {
        self.mode_bit(0)
    }

    /// Mode b1: diagnostics (Aquadopp) or wave (AWAC) mode enabled.
    pub fn diagnostics_or_wave_mode(&self) -> bool {
        self.mode_bit(1)
    }

    /// Mode b2: analogue output enabled.
    pub fn analog_output(&self) -> bool {
        self.mode_bit(2)
    }

    /// Mode b3: output format (0 Vector, 1 ADV).
    pub fn output_format_adv(&self) -> bool {
        self.mode_bit(3)
    }

    /// Mode b4: velocity scaling (0 → 1 mm/s, 1 → 0.1 mm/s per count).
    pub fn velocity_scaling_tenth_mm(&self) -> bool {
        self.mode_bit(4)
    }

    /// Mode b5: serial output enabled.
    pub fn serial_output(&self) -> bool {
        self.mode_bit(5)
    }

    /// Mode b6: reserved (EasyQ).
    pub fn reserved_easyq(&self) -> bool {
        self.mode_bit(6)
    }

    /// Mode b7: stage enabled.
    pub fn stage(&self) -> bool {
        self.mode_bit(7)
    }

    /// Mode b8: power output for analogue input.
    pub fn analog_power_output(&self) -> bool {
        self.mode_bit(8)
    }

    /// Velocity per count in m/s, from mode b4: 0.001 or 0.0001.
    pub fn velocity_scale_m_s(&self) -> f64 {
        velocity_scale_m_s(self.velocity_scaling_tenth_mm())
    }
}

/// Velocity per count in m/s: 0.0001 if the 0.1 mm/s scaling flag is set, else 0.001.
pub fn velocity_scale_m_s(tenth_mm: bool) -> f64 {
    if tenth_mm {
        1e-4
    } else {
        1e-3
    }
}

/// What the decoder remembers from the last configuration structures it saw.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ConfigInForce {
    /// Coordinate system of the last user configuration (`None` before one, or if invalid).
    pub coordinate_system: Option<CoordinateSystem>,
    /// Number of beams of the last user configuration.
    pub number_of_beams: Option<u16>,
    /// Number of cells of the last user configuration.
    pub number_of_cells: Option<u16>,
    /// Velocity scaling (0.1 mm/s if `true`) last announced by a user configuration
    /// (mode b4) or a Vector system structure (status b1), whichever came last.
    pub velocity_scaling_tenth_mm: Option<bool>,
}

impl ConfigInForce {
    /// Updates from a user configuration.
    pub fn apply_user(&mut self, user: &UserConfiguration) {
        self.coordinate_system = user.coordinate_system;
        self.number_of_beams = Some(user.number_of_beams);
        self.number_of_cells = Some(user.number_of_cells);
        self.velocity_scaling_tenth_mm = Some(user.velocity_scaling_tenth_mm());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::nortek::framing::{checksum, id, verify_checksum, SYNC};

    /// A hardware configuration built byte by byte from instruments.md §3.2 ("Hardware
    /// configuration 0x05 (48 B), by offset"), with a different value in every field so that
    /// a field read at the wrong offset shows, and the §3.1 checksum.
    fn documented_hardware_configuration() -> [u8; HARDWARE_CONFIGURATION_BYTES] {
        let mut b = [0u8; HARDWARE_CONFIGURATION_BYTES];
        b[0] = SYNC;
        b[1] = id::HARDWARE_CONFIGURATION;
        b[2..4].copy_from_slice(&24u16.to_le_bytes()); // size in words
        b[4..18].copy_from_slice(b"AQD 9876      "); // 4: serial char[14]
        b[18..20].copy_from_slice(&0x0003u16.to_le_bytes()); // 18: config
        b[20..22].copy_from_slice(&2000u16.to_le_bytes()); // 20: board frequency, kHz
        b[22..24].copy_from_slice(&0x0102u16.to_le_bytes()); // 22: PIC version
        b[24..26].copy_from_slice(&0x0304u16.to_le_bytes()); // 24: hardware revision
        b[26..28].copy_from_slice(&0x0090u16.to_le_bytes()); // 26: recorder size × 64 KiB
        b[28..30].copy_from_slice(&0x0001u16.to_le_bytes()); // 28: status
        b[30..42].fill(0xEE); // 30: 12 B spare
        b[42..46].copy_from_slice(b"3.37"); // 42: firmware char[4]
        let sum = checksum(&b[..46]);
        b[46..48].copy_from_slice(&sum.to_le_bytes()); // 46: checksum
        b
    }

    #[test]
    fn hardware_configuration_fields_sit_at_the_documented_offsets() {
        let bytes = documented_hardware_configuration();
        assert_eq!(verify_checksum(&bytes), Ok(()));
        let hw = HardwareConfiguration::decode(&bytes).unwrap();
        assert_eq!(hw.serial_number.as_str(), "AQD 9876");
        assert_eq!(hw.config, 3);
        assert!(hw.recorder_installed() && hw.compass_installed());
        assert_eq!(hw.board_frequency_khz, 2000);
        assert_eq!(hw.pic_version, 0x0102);
        assert_eq!(hw.hardware_revision, 0x0304);
        assert_eq!(hw.recorder_size_bytes, 0x90 * 65_536);
        assert_eq!(hw.status, 1);
        assert!(hw.velocity_range_high());
        assert_eq!(hw.firmware_version.as_str(), "3.37");
        // The wrong length is refused, not read at shifted offsets.
        assert!(HardwareConfiguration::decode(&bytes[..47]).is_err());
    }

    #[test]
    fn real_hardware_configuration_has_board_frequency_65535_at_offset_20() {
        // AQD 11402, instruments.md §3.3 (file offset 0 of VELPT_SN_11402_2014-07-02.aqd):
        // the documented board-frequency word (offset 20) is `ffff` in the instrument's own
        // bytes, so 65535 there is what the instrument sent, not a shifted read.
        const HEX: &str = "a505180041514431313430322020202020200400ffff00000400900004000000ffff0000ffffffff0000332e33358d68";
        let mut bytes = [0u8; HARDWARE_CONFIGURATION_BYTES];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&HEX[2 * i..2 * i + 2], 16).unwrap();
        }
        assert_eq!(verify_checksum(&bytes), Ok(()));
        let hw = HardwareConfiguration::decode(&bytes).unwrap();
        assert_eq!(hw.serial_number.as_str(), "AQD11402");
        assert_eq!(hw.board_frequency_khz, 65535);
        assert_eq!(
            (hw.config, hw.pic_version, hw.hardware_revision, hw.status),
            (4, 0, 4, 4)
        );
        assert_eq!(hw.recorder_size_bytes, 144 * 65_536);
        assert_eq!(hw.firmware_version.as_str(), "3.35");
    }
}
