//! The configuration's shape (serde). Field docs say what each key means; the example file
//! `gateway/albatross.example.toml` shows them all.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use toml::Spanned;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who runs the observatory: metadata written into every output.
    pub station: Station,
    /// The gateway process itself.
    #[serde(default)]
    pub gateway: GatewaySettings,
    /// Platforms (mooring lines, seafloor nodes) and their instruments.
    #[serde(rename = "platform", default)]
    pub platforms: Vec<Platform>,
    /// Byte sources: modems and instruments, over serial, TCP or a capture replay.
    #[serde(rename = "link", default)]
    pub links: Vec<Link>,
    /// The raw archive of every byte read.
    #[serde(default)]
    pub archive: ArchiveSettings,
    /// Where records go.
    #[serde(default)]
    pub sinks: Sinks,
    /// Daily CSV + NetCDF files for ERDDAP (`[files]`).
    #[serde(default)]
    pub files: FilesSettings,
    /// The shore-side writer (`albatross writer`), if this configuration is for one.
    #[serde(default)]
    pub writer: Option<WriterSettings>,
    /// The thresholds of the monitoring check `albatross status` (`[status]`).
    #[serde(default)]
    pub status: StatusSettings,
    /// The HTTP endpoints of `albatross run` (`[http]`): none when absent.
    #[serde(default)]
    pub http: Option<HttpSettings>,
}

/// The gateway's HTTP endpoints: the live dashboard (`/`), `/metrics` (Prometheus text
/// format) and `/healthz`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// `ip:port` to listen on (default [`HttpSettings::DEFAULT_LISTEN`]: loopback; an
    /// address beyond it only because it is written here).
    #[serde(default)]
    pub listen: Option<Spanned<String>>,
}

impl HttpSettings {
    /// Where the endpoints listen when `listen` is absent.
    pub const DEFAULT_LISTEN: &'static str = "127.0.0.1:9464";

    /// The address to listen on (validation checks it parses).
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.listen
            .as_ref()
            .map_or(Self::DEFAULT_LISTEN, |l| l.get_ref().as_str())
            .parse()
            .ok()
    }
}

/// The thresholds of `albatross status`, in hours (each key absent: its default). The check
/// reads the data directory only, so it judges what the gateway stored, not what it holds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSettings {
    /// An instrument whose last stored sample is older than this is a WARNING (default 3 h:
    /// six missed polls of the line).
    #[serde(default)]
    pub sample_warning_h: Option<Spanned<f64>>,
    /// An instrument whose last stored sample is older than this is CRITICAL (default 26 h).
    #[serde(default)]
    pub sample_critical_h: Option<Spanned<f64>>,
    /// A link (serial or TCP) from which nothing was received for this long is down:
    /// CRITICAL (default 3 h; the gateway probes a quiet line after `status_probe_after_s`).
    #[serde(default)]
    pub link_critical_h: Option<Spanned<f64>>,
    /// When the oldest record waiting in the MQTT spool has waited this long, nothing has
    /// drained it meanwhile while records kept coming: CRITICAL (default 1 h).
    #[serde(default)]
    pub spool_critical_h: Option<Spanned<f64>>,
}

impl StatusSettings {
    /// Each threshold: its key, its value as written (if any) and its default, in the
    /// order sample warning, sample critical, link, spool.
    pub fn fields(&self) -> [(&'static str, Option<&Spanned<f64>>, f64); 4] {
        [
            ("sample_warning_h", self.sample_warning_h.as_ref(), 3.0),
            ("sample_critical_h", self.sample_critical_h.as_ref(), 26.0),
            ("link_critical_h", self.link_critical_h.as_ref(), 3.0),
            ("spool_critical_h", self.spool_critical_h.as_ref(), 1.0),
        ]
    }

    /// The thresholds in effect, hours: sample warning, sample critical, link, spool.
    pub fn hours(&self) -> [f64; 4] {
        self.fields().map(|(_, v, d)| v.map_or(d, |s| *s.get_ref()))
    }
}

/// Station-level metadata (ACDD/EMSO global attributes, MQTT topic root).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// Site id used in topics and paths (`[a-z0-9_-]+`), e.g. `emso-ligure-ouest`.
    pub site: Spanned<String>,
    /// Human-readable site name.
    pub name: String,
    /// Institution operating the site.
    pub institution: String,
    /// Project or infrastructure.
    #[serde(default)]
    pub project: String,
    /// Web page about the data.
    #[serde(default)]
    pub info_url: String,
    /// Data licence.
    #[serde(default)]
    pub license: String,
    /// Person or group to contact.
    #[serde(default)]
    pub creator_name: String,
    /// Their e-mail.
    #[serde(default)]
    pub creator_email: String,
    /// EMSO metadata specification v1.0.7 attributes of every daily NetCDF (`[station.emso]`),
    /// the defaults of every platform's `[platform.emso]`.
    #[serde(default)]
    pub emso: EmsoMetadata,
}

/// The EMSO v1.0.7 global attributes the configuration gives (`[station.emso]`, overridden
/// key by key by `[platform.emso]`): each key is the attribute of the same name. An absent
/// key leaves the attribute out (or, where the files have a natural value, that value:
/// `network` "EMSO", `contributor_*` the institution as distributor, `update_interval` the
/// sampling interval).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmsoMetadata {
    /// EDMO code of the institution (SeaDataNet European Directory of Marine Organisations).
    pub institution_edmo_code: Option<String>,
    /// Its EDMO URI.
    pub institution_edmo_uri: Option<String>,
    /// Its ROR URI (`https://ror.org/…`).
    pub institution_ror_uri: Option<String>,
    /// EMSO Regional Facility name (EMSO codes, e.g. `Ligurian Sea`).
    pub emso_regional_facility_name: Option<String>,
    /// Its URI (OSO ontology).
    pub emso_regional_facility_uri: Option<String>,
    /// EMSO site name (EMSO codes, e.g. `LO`).
    pub emso_site_name: Option<String>,
    /// Its URI (OSO ontology).
    pub emso_site_uri: Option<String>,
    /// EMSO platform name (EMSO codes, e.g. `ALBATROSS`).
    pub emso_platform_name: Option<String>,
    /// Its URI (OSO ontology).
    pub emso_platform_uri: Option<String>,
    /// Network(s) the data belong to, blank-separated (default `EMSO`).
    pub network: Option<String>,
    /// DOI of the dataset (e.g. `10.17882/74513`).
    pub doi: Option<String>,
    /// URI of the licence text (the licence itself is `[station] license`, an SPDX id).
    pub license_uri: Option<String>,
    /// Principal investigator's name.
    pub principal_investigator: Option<String>,
    /// Their e-mail.
    pub principal_investigator_email: Option<String>,
    /// Contributors' names, comma-separated (default the institution).
    pub contributor_name: Option<String>,
    /// Their DataCite roles, blank-separated, one per name (default `Distributor`).
    pub contributor_role: Option<String>,
    /// How often the files are updated, ISO 8601 duration or `void` (default: the day's
    /// median sampling interval).
    pub update_interval: Option<String>,
    /// Project code(s) (EMSO v1.0.7 `project_code`).
    pub project_code: Option<String>,
    /// Project URI(s) (`project_uri`).
    pub project_uri: Option<String>,
}

impl EmsoMetadata {
    /// These values, each absent one taken from `defaults`.
    pub fn or(&self, defaults: &EmsoMetadata) -> EmsoMetadata {
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        EmsoMetadata {
            institution_edmo_code: pick(
                &self.institution_edmo_code,
                &defaults.institution_edmo_code,
            ),
            institution_edmo_uri: pick(&self.institution_edmo_uri, &defaults.institution_edmo_uri),
            institution_ror_uri: pick(&self.institution_ror_uri, &defaults.institution_ror_uri),
            emso_regional_facility_name: pick(
                &self.emso_regional_facility_name,
                &defaults.emso_regional_facility_name,
            ),
            emso_regional_facility_uri: pick(
                &self.emso_regional_facility_uri,
                &defaults.emso_regional_facility_uri,
            ),
            emso_site_name: pick(&self.emso_site_name, &defaults.emso_site_name),
            emso_site_uri: pick(&self.emso_site_uri, &defaults.emso_site_uri),
            emso_platform_name: pick(&self.emso_platform_name, &defaults.emso_platform_name),
            emso_platform_uri: pick(&self.emso_platform_uri, &defaults.emso_platform_uri),
            network: pick(&self.network, &defaults.network),
            doi: pick(&self.doi, &defaults.doi),
            license_uri: pick(&self.license_uri, &defaults.license_uri),
            principal_investigator: pick(
                &self.principal_investigator,
                &defaults.principal_investigator,
            ),
            principal_investigator_email: pick(
                &self.principal_investigator_email,
                &defaults.principal_investigator_email,
            ),
            contributor_name: pick(&self.contributor_name, &defaults.contributor_name),
            contributor_role: pick(&self.contributor_role, &defaults.contributor_role),
            update_interval: pick(&self.update_interval, &defaults.update_interval),
            project_code: pick(&self.project_code, &defaults.project_code),
            project_uri: pick(&self.project_uri, &defaults.project_uri),
        }
    }
}

/// Settings of the gateway process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewaySettings {
    /// Gateway id (`[a-z0-9_-]+`), in its MQTT client id and online topic.
    pub id: Spanned<String>,
    /// Root of everything the gateway writes (archive, record files).
    pub data_dir: PathBuf,
    /// The earliest plausible record time (RFC 3339 UTC, e.g. `2005-01-01T00:00:00Z`, the
    /// default): an earlier record is stored undated and flagged (the gateway's
    /// `pipeline::time_check`).
    pub earliest_record_time: Option<Spanned<String>>,
    /// How many hours after its receive time a record's time may lie (default 24).
    pub max_record_ahead_h: Option<Spanned<u32>>,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            id: Spanned::new(0..0, "gateway".into()),
            data_dir: PathBuf::from("albatross-data"),
            earliest_record_time: None,
            max_record_ahead_h: None,
        }
    }
}

/// A platform: a mooring line or a seafloor node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Platform id (`[a-z0-9_-]+`), in topics and paths, e.g. `albatross`.
    pub id: Spanned<String>,
    /// Human-readable name.
    pub name: String,
    /// Latitude, decimal degrees north.
    pub latitude: Spanned<f64>,
    /// Longitude, decimal degrees east.
    pub longitude: Spanned<f64>,
    /// Water depth at the platform, metres.
    #[serde(default)]
    pub water_depth_m: Option<f64>,
    /// Acoustic node id of the platform's line controller (frame `source`, 1–15).
    #[serde(default)]
    pub acoustic_source: Option<Spanned<u8>>,
    /// The platform's instruments.
    #[serde(rename = "instrument", default)]
    pub instruments: Vec<Instrument>,
    /// EMSO attributes of this platform's daily files (`[platform.emso]`): each key given
    /// replaces the `[station.emso]` one.
    #[serde(default)]
    pub emso: EmsoMetadata,
}

/// The instrument models the gateway decodes (`kind = "sbe37"` of an `[[platform.instrument]]`):
/// what the configuration says an instrument is, which decides its decoder and its daily
/// files. Not the coarse kind a line controller reports in its inventory on the acoustic
/// link (`protocol::message::InstrumentKind`), which the modem pipeline maps onto this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentModel {
    /// Sea-Bird SBE 37 MicroCAT (T, C, P).
    Sbe37,
    /// SBE 37 with SBE 63 optical oxygen.
    Sbe37Odo,
    /// Nortek Aquadopp current meter.
    Aquadopp,
    /// Aanderaa oxygen optode.
    Optode,
    /// WET Labs C-Star transmissometer.
    Cstar,
}

/// One instrument.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// What it is.
    pub kind: InstrumentModel,
    /// Manufacturer's serial number (`[A-Za-z0-9_-]+`; unique across the configuration).
    pub serial: Spanned<String>,
    /// Slot on an acoustic line (0–15): how the line controller's batches name it.
    #[serde(default)]
    pub slot: Option<Spanned<u8>>,
    /// Nominal depth, metres.
    pub nominal_depth_m: f64,
}

/// What a link's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Carries {
    /// An acoustic modem's host interface (EvoLogics S2C) carrying our frames.
    Modem,
    /// SBE 37 real-time ASCII lines.
    Sbe37Ascii,
    /// Nortek classic binary.
    Nortek,
    /// Aanderaa optode lines.
    Optode,
    /// C-Star lines.
    Cstar,
}

/// One byte source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Link name (`[a-z0-9_-]+`, unique): in logs and archive paths.
    pub name: Spanned<String>,
    /// Platform id whose instruments this link carries.
    pub platform: Spanned<String>,
    /// What the bytes are.
    pub carries: Carries,
    /// For an instrument link: the serial number of its instrument on the platform.
    #[serde(default)]
    pub instrument: Option<Spanned<String>>,
    /// Transport: a TCP connection (give exactly one of `tcp`, `serial`, `replay`).
    #[serde(default)]
    pub tcp: Option<TcpTransport>,
    /// Transport: a serial port.
    #[serde(default)]
    pub serial: Option<SerialTransport>,
    /// Transport: a capture file played back.
    #[serde(default)]
    pub replay: Option<ReplayTransport>,
    /// Modem settings (links carrying `modem`).
    #[serde(default)]
    pub modem: ModemSettings,
}

/// A TCP connection the gateway opens (to the modem's port 9200, a serial server, …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpTransport {
    /// `host:port` to connect to.
    pub address: Spanned<String>,
}

/// Parity of a serial port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Parity {
    /// None.
    #[default]
    None,
    /// Odd.
    Odd,
    /// Even.
    Even,
}

/// A serial port.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialTransport {
    /// Device path, e.g. `/dev/ttyUSB0`.
    pub path: PathBuf,
    /// Baud rate.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Parity.
    #[serde(default)]
    pub parity: Parity,
    /// Data bits (5–8).
    #[serde(default = "default_data_bits")]
    pub data_bits: Spanned<u8>,
    /// Stop bits (1 or 2).
    #[serde(default = "default_stop_bits")]
    pub stop_bits: Spanned<u8>,
}

fn default_baud() -> u32 {
    9600
}
fn default_data_bits() -> Spanned<u8> {
    Spanned::new(0..0, 8)
}
fn default_stop_bits() -> Spanned<u8> {
    Spanned::new(0..0, 1)
}

/// How fast a capture is played back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Pace {
    /// As fast as possible.
    #[default]
    Fast,
    /// At the pace it was recorded.
    Recorded,
}

/// A capture file played back as if read from a link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayTransport {
    /// The capture file (`captures/FORMAT.md`).
    pub file: PathBuf,
    /// Playback pace.
    #[serde(default)]
    pub pace: Pace,
}

/// How host commands are framed on a modem link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Framing {
    /// Command mode: plain lines.
    #[default]
    Command,
    /// Data mode: `+++AT…` framing.
    Data,
}

/// Settings of a modem link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModemSettings {
    /// Send selective-repeat requests for missing frames.
    pub downlink: bool,
    /// Command or data mode.
    pub framing: Framing,
    /// A gap must be this old before it is asked for, seconds.
    pub repair_grace_s: u32,
    /// Least time between two requests, seconds.
    pub repair_interval_s: u32,
    /// Ask again for frames still missing after this long, seconds.
    pub repair_retry_s: u32,
    /// Incomplete messages are dropped after this long, seconds.
    pub reassembly_timeout_s: u32,
    /// Acknowledge the gap-free run to the line controller at most this often, seconds
    /// (0: never). Its ring buffer counts overwritten frames that were never acknowledged
    /// as lost (`ring_dropped` in the line status).
    pub ack_interval_s: u32,
    /// Ask the line controller for its status after this long without a frame from it,
    /// and again at that interval while it stays quiet, seconds (0: never).
    pub status_probe_after_s: u32,
}

impl Default for ModemSettings {
    fn default() -> Self {
        ModemSettings {
            downlink: true,
            framing: Framing::Command,
            repair_grace_s: 600,
            repair_interval_s: 60,
            repair_retry_s: 1800,
            reassembly_timeout_s: 3 * 86_400,
            ack_interval_s: 6 * 3600,
            status_probe_after_s: 2 * 3600,
        }
    }
}

/// The raw archive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveSettings {
    /// Archive every byte read (strongly recommended: `reprocess` rebuilds from it).
    pub enabled: bool,
    /// Directory; default `<data_dir>/raw`.
    pub dir: Option<PathBuf>,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings {
            enabled: true,
            dir: None,
        }
    }
}

/// Where records go.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Sinks {
    /// Daily JSON-lines files per instrument.
    pub jsonl: JsonlSink,
    /// An MQTT broker.
    pub mqtt: Option<MqttSink>,
}

/// Daily CSV + NetCDF files for ERDDAP (`dailyfiles`):
/// `<dir>/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>.{csv,nc}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesSettings {
    /// Write them (default `false`).
    pub enabled: bool,
    /// Directory; default `<data_dir>/erddap`.
    pub dir: Option<PathBuf>,
    /// QARTOD tests per variable, keyed by record field name (`temperature_c`,
    /// `conductivity_s_m`, `pressure_dbar`, `oxygen_ml_l`, and the derived
    /// `salinity_psu`, `potential_temperature_c`, `sigma_theta_kg_m3`, `depth_m`,
    /// `oxygen_saturation_pct`), the same for every instrument. Absent: vendor gross ranges
    /// (`crate::science::default_qc`); present: replaces them entirely.
    pub qc: crate::qc::QcConfig,
}

impl Default for FilesSettings {
    fn default() -> Self {
        FilesSettings {
            enabled: false,
            dir: None,
            qc: crate::science::default_qc(),
        }
    }
}

/// Daily JSON-lines files: `<dir>/<platform>/<year>/<type>_<serial>_<YYYYMMDD>.jsonl`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlSink {
    /// Write them.
    pub enabled: bool,
    /// Directory; default `<data_dir>/records`.
    pub dir: Option<PathBuf>,
}

impl Default for JsonlSink {
    fn default() -> Self {
        JsonlSink {
            enabled: true,
            dir: None,
        }
    }
}

/// An MQTT broker to publish to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSink {
    /// Broker `host:port`.
    pub address: Spanned<String>,
    /// User name.
    #[serde(default)]
    pub username: Option<String>,
    /// Password, written in the configuration (prefer `password_file`). Never printed.
    #[serde(default)]
    pub password: Option<crate::mqtt_client::Secret>,
    /// A file holding the password (one line; a final line break is not part of it), so that
    /// the configuration can be readable by all while the secret is not. Not with `password`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// CA certificate file (PEM): connect with TLS.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Spool directory; default `<data_dir>/spool`.
    #[serde(default)]
    pub spool_dir: Option<PathBuf>,
    /// Client id; default `albatross-<gateway id>` (fixed, so the broker keeps the session).
    #[serde(default)]
    pub client_id: Option<String>,
    /// First topic level (`emso` in `emso/<site>/<platform>/<instrument>/<serial>/data`).
    #[serde(default = "default_topic_root")]
    pub topic_root: String,
    /// Most publishes awaiting their PUBACK at once.
    #[serde(default = "default_inflight")]
    pub max_inflight: u16,
    /// MQTT version: `"auto"` (5 where the broker speaks it, else 3.1.1), `"5"`, `"3.1.1"`.
    /// Also used by `albatross writer`.
    #[serde(default)]
    pub protocol: crate::mqtt_client::Protocol,
}

fn default_topic_root() -> String {
    "emso".into()
}
fn default_inflight() -> u16 {
    20
}

/// `albatross writer`: the shore-side subscriber that stores what the gateways publish.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriterSettings {
    /// Client id (fixed: the broker keeps the persistent session under it); default
    /// `albatross-writer-<gateway id>`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Where the files go; default `<data_dir>/writer`.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// MQTT 5 shared-subscription group: several writers with the same group share the
    /// load (`$share/<group>/…`).
    #[serde(default)]
    pub share_group: Option<String>,
    /// MQTT 5 session expiry interval, seconds, after the connection is lost; default
    /// never. With a share group on mosquitto 2, a short expiry lets the other members take
    /// over a dead member's share once its session ends, at the cost of what the broker had
    /// queued for that member by then (docs/mqtt.md §6).
    #[serde(default)]
    pub session_expiry_s: Option<u32>,
    /// With a share group: seconds a member may be away (its last will, or its own
    /// "offline" on a clean stop) before another member stands in for it and drains what
    /// the broker queued in its session; default 60, 0 for never (docs/mqtt.md §6).
    #[serde(default)]
    pub takeover_after_s: Option<u32>,
    /// With a share group: the store directory of other members, by client id, where this
    /// writer can reach it (a shared file system). Standing in for such a member, it stores
    /// into that member's directory, so that what the member stored but had not
    /// acknowledged is recognised, not stored a second time (docs/mqtt.md §6).
    #[serde(default)]
    pub member_dirs: Option<std::collections::BTreeMap<String, PathBuf>>,
    /// Where the writer's daily CSV + NetCDF files go; default `<data_dir>/writer-erddap`
    /// (`Config::writer_files_dir`).
    #[serde(default)]
    pub files_dir: Option<PathBuf>,
    /// `ip:port` of the writer's dashboard and `/metrics` (`crate::http`); absent: the
    /// writer serves none. The example has `127.0.0.1:9465`, beside the gateway's 9464.
    #[serde(default)]
    pub http_listen: Option<Spanned<String>>,
}

impl Config {
    /// Directory of the raw archive.
    pub fn archive_dir(&self) -> PathBuf {
        self.archive
            .dir
            .clone()
            .unwrap_or_else(|| self.gateway.data_dir.join("raw"))
    }

    /// Directory of the JSON-lines record files.
    pub fn jsonl_dir(&self) -> PathBuf {
        self.sinks
            .jsonl
            .dir
            .clone()
            .unwrap_or_else(|| self.gateway.data_dir.join("records"))
    }

    /// Directory of the daily CSV + NetCDF files (`[files] dir`, default `<data_dir>/erddap`).
    pub fn files_dir(&self) -> PathBuf {
        self.files
            .dir
            .clone()
            .unwrap_or_else(|| self.gateway.data_dir.join("erddap"))
    }

    /// Directory of the shore writer's daily CSV + NetCDF files (`[writer] files_dir`,
    /// default `<data_dir>/writer-erddap`): the gateway's `[files]` layout, made from the
    /// records the writer receives.
    pub fn writer_files_dir(&self) -> PathBuf {
        self.writer
            .as_ref()
            .and_then(|w| w.files_dir.clone())
            .unwrap_or_else(|| self.gateway.data_dir.join("writer-erddap"))
    }

    /// Directory of the MQTT spool (`[sinks.mqtt] spool_dir`, default `<data_dir>/spool`),
    /// when there is an MQTT sink.
    pub fn spool_dir(&self) -> Option<PathBuf> {
        let m = self.sinks.mqtt.as_ref()?;
        Some(m.spool_dir_in(&self.gateway.data_dir))
    }

    /// The platform with id `id`.
    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id.get_ref() == id)
    }
}

impl MqttSink {
    /// Its spool directory: `spool_dir`, default `<data_dir>/spool`.
    pub fn spool_dir_in(&self, data_dir: &std::path::Path) -> PathBuf {
        self.spool_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("spool"))
    }
}

impl TcpTransport {
    /// The address parsed, if it is a literal `ip:port`.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        self.address.get_ref().parse().ok()
    }
}
