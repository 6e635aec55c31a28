//! The decoded structures, one enum over every id this module understands.

use super::config::{ConfigInForce, HardwareConfiguration, HeadConfiguration, UserConfiguration};
use super::error::NortekError;
use super::framing::{id, Fields};
use super::profile::Profile;
use super::vector::{VectorSystem, VectorVelocity, VectorVelocityHeader};
use super::velocity::{AquadoppVelocity, DiagnosticsHeader};

/// One decoded structure.
// Profiles hold up to 128 cells inline (no allocator to box them), so variants differ in
// size by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// Hardware configuration (0x05).
    HardwareConfiguration(HardwareConfiguration),
    /// Head configuration (0x04).
    HeadConfiguration(HeadConfiguration),
    /// User configuration (0x00).
    UserConfiguration(UserConfiguration),
    /// Aquadopp velocity data (0x01).
    AquadoppVelocity(AquadoppVelocity),
    /// Aquadopp diagnostics data header (0x06).
    DiagnosticsHeader(DiagnosticsHeader),
    /// Aquadopp diagnostics data (0x80), laid out as velocity data.
    Diagnostics(AquadoppVelocity),
    /// Aquadopp Profiler (0x21), AWAC (0x20) or HR Profiler (0x2A) velocity profile.
    Profile(Profile),
    /// Vector velocity data header (0x12).
    VectorVelocityHeader(VectorVelocityHeader),
    /// Vector system data (0x11).
    VectorSystem(VectorSystem),
    /// Vector velocity data (0x10).
    VectorVelocity(VectorVelocity),
}

impl Record {
    /// Decodes one complete structure whose checksum has been verified, interpreting it
    /// with `config` (the configuration in force).
    ///
    /// Errors: [`NortekError::UnknownId`] for ids not listed in [`id`], or the structure's
    /// own error (wrong size, profile shape).
    pub fn decode(structure: &[u8], config: &ConfigInForce) -> Result<Self, NortekError> {
        let f = Fields::new(structure);
        Ok(match f.id() {
            id::HARDWARE_CONFIGURATION => {
                Record::HardwareConfiguration(HardwareConfiguration::decode(structure)?)
            }
            id::HEAD_CONFIGURATION => {
                Record::HeadConfiguration(HeadConfiguration::decode(structure)?)
            }
            id::USER_CONFIGURATION => {
                Record::UserConfiguration(UserConfiguration::decode(structure)?)
            }
            id::AQUADOPP_VELOCITY => {
                Record::AquadoppVelocity(AquadoppVelocity::decode(structure, config)?)
            }
            id::DIAGNOSTICS => Record::Diagnostics(AquadoppVelocity::decode(structure, config)?),
            id::DIAGNOSTICS_HEADER => {
                Record::DiagnosticsHeader(DiagnosticsHeader::decode(structure)?)
            }
            id::AQUADOPP_PROFILE | id::AWAC_PROFILE => {
                Record::Profile(Profile::decode_aquadopp_or_awac(structure, config)?)
            }
            id::HR_PROFILE => Record::Profile(Profile::decode_hr(structure, config)?),
            id::VECTOR_VELOCITY_HEADER => {
                Record::VectorVelocityHeader(VectorVelocityHeader::decode(structure)?)
            }
            id::VECTOR_SYSTEM => Record::VectorSystem(VectorSystem::decode(structure)?),
            id::VECTOR_VELOCITY => {
                Record::VectorVelocity(VectorVelocity::decode(structure, config)?)
            }
            other => {
                return Err(NortekError::UnknownId {
                    id: other,
                    size_bytes: f.len(),
                })
            }
        })
    }

    /// Updates the configuration in force from this record (user configuration, or the
    /// scaling bit of Vector system data).
    pub fn apply_to(&self, config: &mut ConfigInForce) {
        match self {
            Record::UserConfiguration(u) => config.apply_user(u),
            Record::VectorSystem(s) => {
                config.velocity_scaling_tenth_mm = Some(s.status.velocity_scaling_tenth_mm());
            }
            _ => {}
        }
    }
}
