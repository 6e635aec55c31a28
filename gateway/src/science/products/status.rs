//! The line-status product (`LINESTATUS_`, one series per platform): what the mooring
//! controller reports of itself in its status messages — battery, polls, instrument
//! errors, frames sent and failed, the ring buffer's state.

use super::{Derivation, Product};
use crate::science::variables::{VarKind, VarSpec};

const COUNTER: VarSpec = VarSpec {
    decimals: 0,
    units: "1",
    kind: VarKind::Technical,
    ..VarSpec::BASE
};

/// The status variables, all measured.
pub const VARS: [VarSpec; 9] = [
    VarSpec {
        name: "battery_voltage",
        field: "battery_v",
        qc_key: "status_battery_v",
        decimals: 3,
        units: "V",
        long_name: "Controller Battery Voltage",
        sdn_uom: ("UVLT", "Volts"),
        kind: VarKind::Technical,
        ..VarSpec::BASE
    },
    VarSpec {
        name: "polls",
        field: "polls",
        qc_key: "status_polls",
        long_name: "Polls Since Start",
        ..COUNTER
    },
    VarSpec {
        name: "instrument_errors",
        field: "instrument_errors",
        qc_key: "status_instrument_errors",
        long_name: "Instrument Errors Since Start",
        ..COUNTER
    },
    VarSpec {
        name: "frames_sent",
        field: "frames_sent",
        qc_key: "status_frames_sent",
        long_name: "Acoustic Frames Sent",
        ..COUNTER
    },
    VarSpec {
        name: "send_failures",
        field: "send_failures",
        qc_key: "status_send_failures",
        long_name: "Acoustic Send Failures",
        ..COUNTER
    },
    VarSpec {
        name: "ring_dropped",
        field: "ring_dropped",
        qc_key: "status_ring_dropped",
        long_name: "Frames Dropped Unacknowledged From The Ring",
        ..COUNTER
    },
    VarSpec {
        name: "ring_oldest_seq",
        field: "ring_oldest_seq",
        qc_key: "status_ring_oldest_seq",
        long_name: "Oldest Frame Sequence Number In The Ring",
        ..COUNTER
    },
    VarSpec {
        name: "next_seq",
        field: "next_seq",
        qc_key: "status_next_seq",
        long_name: "Next Frame Sequence Number",
        ..COUNTER
    },
    VarSpec {
        name: "instruments",
        field: "instruments",
        qc_key: "status_instruments",
        long_name: "Instruments On The Line",
        ..COUNTER
    },
];

/// The line-status product.
pub const LINE_STATUS: Product = Product {
    sensor: "LINESTATUS",
    instrument: "mooring line controller",
    record_kinds: &["line_status"],
    vars: &VARS,
    measured: 9,
    required: 9,
    derivation: Derivation::None,
    serial_column: "sensor_serial_number",
    density_inversion: false,
    keywords: "EARTH SCIENCE SERVICES > DATA MANAGEMENT/DATA HANDLING > DATA DELIVERY",
    summary: "the line controller's status: battery voltage, polls, instrument errors, \
              acoustic frames sent and failed, and the state of its ring buffer",
    gcmd_instrument: "In Situ/Laboratory Instruments > Recorders/Loggers > Data Loggers",
};
