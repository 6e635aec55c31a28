//! Nortek classic binary to records.
//!
//! Record types: `nortek_config` (the hardware, head and user configuration structures that
//! follow each other, merged into one record as OOI does), `aquadopp_velocity`,
//! `aquadopp_diagnostics_header`, `aquadopp_diagnostics`, `aquadopp_profile`,
//! `awac_profile`, `hr_profile`, `vector_velocity_header`, `vector_system`,
//! `vector_velocity`. The serial number of data records is the one of the last hardware
//! configuration seen (`AQD11402` → `11402`); before one, records have no serial.

use std::io;

use protocol::instruments::nortek::{
    CoordinateSystem, Decoder, Event, HardwareConfiguration, HeadConfiguration, NortekError,
    Profile, ProfileKind, Record as Structure, SensorSample, UserConfiguration,
};

use super::{for_each_chunk, DecodeError, Emit, Input, Report};
use crate::record::{Record, Value};

/// Configuration structures waiting to be emitted as one `nortek_config` record.
#[derive(Default)]
struct PendingConfig {
    hardware: Option<HardwareConfiguration>,
    head: Option<HeadConfiguration>,
    user: Option<UserConfiguration>,
}

impl PendingConfig {
    fn is_empty(&self) -> bool {
        self.hardware.is_none() && self.head.is_none() && self.user.is_none()
    }

    /// The merged record, leaving `self` empty; `None` if nothing is pending.
    fn take(&mut self, serial: Option<&str>) -> Option<Record> {
        if self.is_empty() {
            return None;
        }
        let mut r = Record::new("nortek_config", None, serial.map(str::to_owned));
        if let Some(hw) = self.hardware.take() {
            r.push("instrument_id", Value::Text(hw.serial_number.to_string()))
                .push(
                    "firmware_version",
                    Value::Text(hw.firmware_version.to_string()),
                )
                .push(
                    "board_frequency_khz",
                    Value::Int(hw.board_frequency_khz.into()),
                )
                .push("velocity_range_high", Value::Bool(hw.velocity_range_high()));
        }
        if let Some(head) = self.head.take() {
            r.push("head_serial", Value::Text(head.serial_number.to_string()))
                .push("head_frequency_khz", Value::Int(head.frequency_khz.into()))
                .push("head_beams", Value::Int(head.number_of_beams.into()))
                .push("pressure_sensor", Value::Bool(head.pressure_sensor()));
        }
        if let Some(u) = self.user.take() {
            r.push_opt(
                "coordinate_system",
                u.coordinate_system.map(coordinate_system),
            )
            .push("beams", Value::Int(u.number_of_beams.into()))
            .push("cells", Value::Int(u.number_of_cells.into()))
            .push("cell_length_counts", Value::Int(u.cell_length.into()))
            .push(
                "measurement_interval_s",
                Value::Int(u.measurement_interval_s.into()),
            )
            .push(
                "average_interval_s",
                Value::Int(u.average_interval_s.into()),
            )
            .push(
                "diagnostics_interval_s",
                Value::Int(u.diagnostics_interval_s.into()),
            )
            .push("velocity_scale_m_s", Value::Float(u.velocity_scale_m_s()))
            .push("salinity_psu", Value::Fixed(u.salinity_psu, 1))
            .push(
                "deployment_name",
                Value::Text(u.deployment_name.to_string()),
            )
            .push_opt("deployment_start", u.deployment_start.map(Value::Time));
        }
        Some(r)
    }
}

/// The serial number in a hardware configuration's `AQD11402` / `WPR 3203`: the text after
/// the letters of the instrument type; the whole text when that leaves nothing.
pub(crate) fn serial_of(hw: &HardwareConfiguration) -> String {
    let text = hw.serial_number.as_str().trim();
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == ' ');
    if digits.is_empty() {
        text.to_owned()
    } else {
        digits.to_owned()
    }
}

/// The coordinate system as text: `ENU`, `XYZ` or `BEAM`.
fn coordinate_system(c: CoordinateSystem) -> Value {
    Value::Text(
        match c {
            CoordinateSystem::Enu => "ENU",
            CoordinateSystem::Xyz => "XYZ",
            CoordinateSystem::Beam => "BEAM",
        }
        .to_owned(),
    )
}

/// The sensor block shared by velocity, diagnostics and profile records.
fn push_sensors(r: &mut Record, s: &SensorSample) {
    r.push("battery_v", Value::Fixed(s.battery_v, 1))
        .push("sound_speed_m_s", Value::Fixed(s.sound_speed_m_s, 1))
        .push("heading_deg", Value::Fixed(s.heading_deg, 1))
        .push("pitch_deg", Value::Fixed(s.pitch_deg, 1))
        .push("roll_deg", Value::Fixed(s.roll_deg, 1))
        .push("pressure_dbar", Value::Fixed(s.pressure_dbar, 3))
        .push("temperature_c", Value::Fixed(s.temperature_c, 2))
        .push("error_code", Value::Int(s.error.into()))
        .push("status", Value::Int(s.status.0.into()));
}

/// A profile: `velocity_m_s` and `amplitude` are per cell (nearest first), each a list of
/// `beams` values.
fn profile_record(p: &Profile, serial: Option<String>) -> Record {
    let kind = match p.kind {
        ProfileKind::AquadoppProfiler => "aquadopp_profile",
        ProfileKind::Awac => "awac_profile",
        ProfileKind::HrProfiler => "hr_profile",
    };
    let mut r = Record::new(kind, p.sensors.time, serial);
    push_sensors(&mut r, &p.sensors);
    let beams = p.beams;
    let per_cell = |f: &dyn Fn(&protocol::instruments::nortek::ProfileCell) -> Value| {
        Value::List(p.cells.iter().map(f).collect())
    };
    r.push_opt(
        "coordinate_system",
        p.coordinate_system.map(coordinate_system),
    )
    .push("beams", Value::Int(beams as i64))
    .push("cells", Value::Int(p.cells.len() as i64))
    .push(
        "velocity_m_s",
        per_cell(&|c| Value::fixed_list(c.velocity_m_s.get(..beams).unwrap_or(&[]), 4)),
    )
    .push(
        "amplitude",
        per_cell(&|c| Value::int_list(c.amplitude.get(..beams).unwrap_or(&[]))),
    );
    if p.cells.iter().any(|c| c.correlation_percent.is_some()) {
        r.push(
            "correlation_pct",
            per_cell(&|c| {
                let corr = c.correlation_percent.unwrap_or_default();
                Value::int_list(corr.get(..beams).unwrap_or(&[]))
            }),
        );
    }
    r
}

/// The record of one decoded data structure (configurations are handled by the caller).
pub(crate) fn data_record(s: &Structure, serial: Option<String>) -> Option<Record> {
    Some(match s {
        Structure::AquadoppVelocity(v) | Structure::Diagnostics(v) => {
            let kind = if matches!(s, Structure::AquadoppVelocity(_)) {
                "aquadopp_velocity"
            } else {
                "aquadopp_diagnostics"
            };
            let mut r = Record::new(kind, v.sensors.time, serial);
            push_sensors(&mut r, &v.sensors);
            r.push_opt(
                "coordinate_system",
                v.coordinate_system.map(coordinate_system),
            )
            .push("velocity_m_s", Value::fixed_list(&v.velocity_m_s, 4))
            .push("amplitude", Value::int_list(&v.amplitude));
            r
        }
        Structure::DiagnosticsHeader(d) => {
            let mut r = Record::new("aquadopp_diagnostics_header", None, serial);
            r.push("records_to_follow", Value::Int(d.records_to_follow.into()))
                .push("cell", Value::Int(d.cell.into()))
                .push("noise_amplitude", Value::int_list(&d.noise_amplitude))
                .push(
                    "processing_magnitude",
                    Value::int_list(&d.processing_magnitude),
                )
                .push("distance", Value::int_list(&d.distance));
            r
        }
        Structure::Profile(p) => profile_record(p, serial),
        Structure::VectorVelocityHeader(h) => {
            let mut r = Record::new("vector_velocity_header", h.time, serial);
            r.push("records_to_follow", Value::Int(h.records_to_follow.into()))
                .push("noise_amplitude", Value::int_list(&h.noise_amplitude))
                .push(
                    "noise_correlation_pct",
                    Value::int_list(&h.noise_correlation),
                );
            r
        }
        Structure::VectorSystem(v) => {
            let mut r = Record::new("vector_system", v.time, serial);
            r.push("battery_v", Value::Fixed(v.battery_v, 1))
                .push("sound_speed_m_s", Value::Fixed(v.sound_speed_m_s, 1))
                .push("heading_deg", Value::Fixed(v.heading_deg, 1))
                .push("pitch_deg", Value::Fixed(v.pitch_deg, 1))
                .push("roll_deg", Value::Fixed(v.roll_deg, 1))
                .push("temperature_c", Value::Fixed(v.temperature_c, 2))
                .push("error_code", Value::Int(v.error.into()))
                .push("status", Value::Int(v.status.0.into()));
            r
        }
        Structure::VectorVelocity(v) => {
            let mut r = Record::new("vector_velocity", None, serial);
            r.push("count", Value::Int(v.count.into()))
                .push("pressure_dbar", Value::Fixed(v.pressure_dbar, 3))
                .push_opt(
                    "coordinate_system",
                    v.coordinate_system.map(coordinate_system),
                )
                .push("velocity_m_s", Value::fixed_list(&v.velocity_m_s, 4))
                .push("amplitude", Value::int_list(&v.amplitude))
                .push("correlation_pct", Value::int_list(&v.correlation_percent));
            r
        }
        Structure::HardwareConfiguration(_)
        | Structure::HeadConfiguration(_)
        | Structure::UserConfiguration(_) => return None,
    })
}

/// Short category of a skip reason, for the summary counts.
fn category(e: &NortekError) -> &'static str {
    match e {
        NortekError::NoSync => "no sync",
        NortekError::BadChecksum { .. } => "bad checksum",
        NortekError::SizeTooSmall { .. } | NortekError::SizeTooLarge { .. } => "bad size",
        NortekError::UnknownId { .. } => "unknown id",
        NortekError::WrongSize { .. } => "wrong size",
        NortekError::Truncated { .. } => "truncated",
        _ => "undecodable",
    }
}

/// The state of a file's decoding between events: the serial in force and the
/// configuration structures not emitted yet.
#[derive(Default)]
struct FileState {
    serial: Option<String>,
    pending: PendingConfig,
}

impl FileState {
    /// Handles one event of the protocol decoder.
    fn event(&mut self, event: Event, report: &mut Report, emit: &mut Emit<'_>) -> io::Result<()> {
        let FileState { serial, pending } = self;
        match event {
            Event::Record { record, .. } => {
                let slot_taken = match &record {
                    Structure::HardwareConfiguration(_) => pending.hardware.is_some(),
                    Structure::HeadConfiguration(_) => pending.head.is_some(),
                    Structure::UserConfiguration(_) => pending.user.is_some(),
                    _ => true,
                };
                if slot_taken {
                    if let Some(r) = pending.take(serial.as_deref()) {
                        emit(r, report)?;
                    }
                }
                match record {
                    Structure::HardwareConfiguration(hw) => {
                        *serial = Some(serial_of(&hw));
                        pending.hardware = Some(hw);
                    }
                    Structure::HeadConfiguration(h) => pending.head = Some(h),
                    Structure::UserConfiguration(u) => pending.user = Some(u),
                    other => {
                        if let Some(r) = data_record(&other, serial.clone()) {
                            emit(r, report)?;
                        }
                    }
                }
            }
            Event::Skipped(skip) => report.issue(
                format!("offset {}", skip.offset),
                Some(skip.bytes as u64),
                category(&skip.reason),
                skip.reason.to_string(),
            ),
        }
        Ok(())
    }
}

/// Decodes a whole Nortek file, read in buffered chunks through the protocol's streaming
/// decoder (the same events as on the whole file at once).
pub(super) fn decode(
    input: &mut dyn Input,
    report: &mut Report,
    emit: &mut Emit<'_>,
) -> Result<(), DecodeError> {
    let mut decoder = Decoder::new();
    let mut state = FileState::default();
    for_each_chunk(input, |mut chunk| {
        while let Some(event) = decoder.next_event(&mut chunk) {
            state.event(event, report, emit)?;
        }
        Ok(())
    })?;
    while let Some(event) = decoder.finish_event() {
        state.event(event, report, emit)?;
    }
    if let Some(r) = state.pending.take(state.serial.as_deref()) {
        emit(r, report)?;
    }
    Ok(())
}
