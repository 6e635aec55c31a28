//! The Nortek Aquadopp current meter product (`AQUADOPP_`), at the MII (serial line) and on
//! the ALBATROSS line (acoustic frame type 3). CSV column names are the old chain's; the
//! NetCDF variables carry CF standard names. Velocities are taken only from records in
//! the ENU coordinate system (an XYZ or beam record has no east/north/up: those columns
//! stay empty, the other sensors are kept).

use super::{common, Derivation, Product};
use crate::science::variables::{VarKind, VarSpec};

/// Index of the eastward velocity.
pub const EAST: usize = 0;
/// Index of the northward velocity.
pub const NORTH: usize = 1;
/// Index of the upward velocity.
pub const UP: usize = 2;
/// Index of the current speed.
pub const SPEED: usize = 13;
/// Index of the current direction.
pub const DIRECTION: usize = 14;
/// Index of the pressure.
pub const PRESSURE: usize = 11;
/// Index of the depth from pressure.
pub const DEPTH: usize = 15;
/// Number of measured variables.
pub const MEASURED: usize = 13;

const VELOCITY: VarSpec = VarSpec {
    field: "velocity_m_s",
    decimals: 4,
    units: "m s-1",
    ioos_category: "Currents",
    sdn_uom: ("UVAA", "Metres per second"),
    ..VarSpec::BASE
};

const AMPLITUDE: VarSpec = VarSpec {
    field: "amplitude",
    decimals: 0,
    units: "1",
    standard_name: "signal_intensity_from_multibeam_acoustic_doppler_velocity_sensor_in_sea_water",
    ioos_category: "Other",
    sdn_uom: ("UCNT", "Counts"),
    kind: VarKind::Technical,
    ..VarSpec::BASE
};

const ATTITUDE: VarSpec = VarSpec {
    decimals: 1,
    units: "degree",
    ioos_category: "Other",
    sdn_uom: ("UAAA", "Degrees"),
    kind: VarKind::Technical,
    ..VarSpec::BASE
};

/// The Aquadopp's variables: the 13 measured, then speed, direction and the depth from
/// pressure (the EMSO `depth` coordinate).
pub const VARS: [VarSpec; 16] = [
    VarSpec {
        name: "X_East",
        element: Some(0),
        qc_key: "aquadopp_east_m_s",
        standard_name: "eastward_sea_water_velocity",
        long_name: "Eastward Sea Water Velocity",
        oceansites_name: "UCUR",
        sdn_parameter: (
            "LCEWEL01",
            "Eastward velocity of water current (Eulerian measurement) in the water body",
        ),
        ..VELOCITY
    },
    VarSpec {
        name: "Y_North",
        element: Some(1),
        qc_key: "aquadopp_north_m_s",
        standard_name: "northward_sea_water_velocity",
        long_name: "Northward Sea Water Velocity",
        oceansites_name: "VCUR",
        sdn_parameter: (
            "LCNSEL01",
            "Northward velocity of water current (Eulerian measurement) in the water body",
        ),
        ..VELOCITY
    },
    VarSpec {
        name: "Z_up",
        element: Some(2),
        qc_key: "aquadopp_up_m_s",
        standard_name: "upward_sea_water_velocity",
        long_name: "Upward Sea Water Velocity",
        oceansites_name: "WCUR",
        sdn_parameter: ("LRZAZZ01", "Upward current velocity in the water body"),
        ..VELOCITY
    },
    VarSpec {
        name: "Amplitude_X",
        element: Some(0),
        qc_key: "aquadopp_amplitude_1",
        long_name: "Signal Amplitude Beam 1",
        ..AMPLITUDE
    },
    VarSpec {
        name: "Amplitude_Y",
        element: Some(1),
        qc_key: "aquadopp_amplitude_2",
        long_name: "Signal Amplitude Beam 2",
        ..AMPLITUDE
    },
    VarSpec {
        name: "Amplitude_Z",
        element: Some(2),
        qc_key: "aquadopp_amplitude_3",
        long_name: "Signal Amplitude Beam 3",
        ..AMPLITUDE
    },
    VarSpec {
        name: "Battery",
        field: "battery_v",
        qc_key: "aquadopp_battery_v",
        decimals: 1,
        units: "V",
        long_name: "Battery Voltage",
        ioos_category: "Other",
        sdn_uom: ("UVLT", "Volts"),
        kind: VarKind::Technical,
        ..VarSpec::BASE
    },
    VarSpec {
        name: "SoundSpeed",
        field: "sound_speed_m_s",
        qc_key: "aquadopp_sound_speed_m_s",
        decimals: 1,
        units: "m s-1",
        standard_name: "speed_of_sound_in_sea_water",
        long_name: "Speed Of Sound In Sea Water",
        ioos_category: "Physical Oceanography",
        oceansites_name: "SVEL",
        sdn_parameter: ("SVELXXXX", "Sound velocity in the water body"),
        sdn_uom: ("UVAA", "Metres per second"),
        kind: VarKind::Technical,
        ..VarSpec::BASE
    },
    VarSpec {
        name: "Heading",
        field: "heading_deg",
        qc_key: "aquadopp_heading_deg",
        standard_name: "platform_orientation",
        long_name: "Instrument Heading",
        oceansites_name: "HEADING",
        sdn_parameter: (
            "HEADCM01",
            "Orientation (horizontal relative to true north) of measurement device {heading}",
        ),
        ..ATTITUDE
    },
    VarSpec {
        name: "Pitch",
        field: "pitch_deg",
        qc_key: "aquadopp_pitch_deg",
        standard_name: "platform_pitch",
        long_name: "Instrument Pitch",
        oceansites_name: "PITCH",
        sdn_parameter: (
            "PTCHEI01",
            "Orientation (pitch) of measurement platform by inclinometer",
        ),
        ..ATTITUDE
    },
    VarSpec {
        name: "Roll",
        field: "roll_deg",
        qc_key: "aquadopp_roll_deg",
        standard_name: "platform_roll",
        long_name: "Instrument Roll",
        oceansites_name: "ROLL",
        sdn_parameter: (
            "ROLLEI01",
            "Orientation (roll angle) of measurement platform by inclinometer",
        ),
        ..ATTITUDE
    },
    VarSpec {
        name: "Pressure",
        field: "pressure_dbar",
        qc_key: "aquadopp_pressure_dbar",
        ..common::PRESSURE
    },
    VarSpec {
        name: "Temperature",
        field: "temperature_c",
        qc_key: "aquadopp_temperature_c",
        decimals: 2,
        ..common::TEMPERATURE
    },
    VarSpec {
        name: "Speed",
        field: "current_speed_m_s",
        qc_key: "aquadopp_speed_m_s",
        decimals: 4,
        units: "m s-1",
        standard_name: "sea_water_speed",
        long_name: "Sea Water Speed",
        ioos_category: "Currents",
        oceansites_name: "HCSP",
        sdn_parameter: (
            "LCSAEL01",
            "Speed of water current (Eulerian measurement) in the water body",
        ),
        sdn_uom: ("UVAA", "Metres per second"),
        inputs: &[EAST, NORTH],
        ..VarSpec::BASE
    },
    VarSpec {
        name: "Direction",
        field: "current_direction_deg",
        qc_key: "aquadopp_direction_deg",
        decimals: 2,
        units: "degree",
        standard_name: "direction_of_sea_water_velocity",
        long_name: "Direction Of Sea Water Velocity",
        ioos_category: "Currents",
        oceansites_name: "HCDT",
        sdn_parameter: (
            "LCDAEL01",
            "Direction (towards) of water current (Eulerian measurement) in the water body",
        ),
        sdn_uom: ("UAAA", "Degrees"),
        inputs: &[EAST, NORTH],
        ..VarSpec::BASE
    },
    VarSpec {
        qc_key: "aquadopp_depth_m",
        inputs: &[PRESSURE],
        ..common::DEPTH_FROM_PRESSURE
    },
];

/// The Aquadopp product.
pub const AQUADOPP: Product = Product {
    sensor: "AQUADOPP",
    instrument: "Nortek Aquadopp current meter",
    record_kinds: &["aquadopp_velocity"],
    vars: &VARS,
    measured: MEASURED,
    required: MEASURED,
    derivation: Derivation::Current,
    serial_column: "sensor_serial_number",
    density_inversion: false,
    keywords: "EARTH SCIENCE > OCEANS > OCEAN CIRCULATION > OCEAN CURRENTS, \
               EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > WATER TEMPERATURE, \
               EARTH SCIENCE > OCEANS > OCEAN PRESSURE > WATER PRESSURE, \
               EARTH SCIENCE > OCEANS > OCEAN ACOUSTICS > ACOUSTIC VELOCITY",
    summary: "east, north and up current velocity, the three beam amplitudes, battery \
              voltage, sound speed, heading, pitch, roll, pressure and temperature, with \
              current speed and direction, and the depth from pressure",
    gcmd_instrument: "In Situ/Laboratory Instruments > Current/Wind Meters > Current Meters",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_the_catalogue() {
        assert_eq!(VARS[SPEED].name, "Speed");
        assert_eq!(VARS[DIRECTION].name, "Direction");
        assert_eq!(VARS[UP].name, "Z_up");
        assert_eq!(VARS[PRESSURE].name, "Pressure");
        assert_eq!(VARS[DEPTH].name, "depth");
        assert!(VARS[MEASURED - 1].is_measured() && !VARS[MEASURED].is_measured());
    }
}
