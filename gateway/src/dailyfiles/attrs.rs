//! Global attributes of a daily NetCDF file: CF/ERDDAP structure, ACDD-1.3 discovery
//! metadata and EMSO/OceanSITES attributes, from the configuration and the data only (no
//! wall-clock time: `date_created`/`history` are the time of the newest record, so a
//! rebuilt day is byte-identical).

use super::day::DayTable;
use super::meta::{DataMode, Series};
use crate::config::InstrumentModel;
use crate::qc::point::median_interval_s;
use crate::science::{round, VarKind};
use crate::seawater::EQUATIONS;

/// The per-time-series variables (`cdm_timeseries_variables` = `subsetVariables`), the
/// `cf_role=timeseries_id` variable first.
pub const TIMESERIES_VARIABLES: &str = "platform_id,sensor_id,stationname,latitude,longitude,\
sensor_theoric_depth,sensor_serial_number";

/// Where the GCMD science keywords are defined (`keywords_vocabulary_uri`).
pub const GCMD_SCIENCE_KEYWORDS_URI: &str =
    "https://gcmd.earthdata.nasa.gov/kms/concepts/concept_scheme/sciencekeywords";

/// A global attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// Text (`NC_CHAR`).
    Text(String),
    /// A double.
    F64(f64),
}

/// `secs` as an ISO 8601 duration (`PT23H30M`, `P1DT2H`, `PT0S`).
pub fn iso_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::from("P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h > 0 || m > 0 || s > 0 || d == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

/// `s`, or `fallback` when `s` is blank (ACDD treats an empty attribute as absent).
fn or(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() {
        fallback.to_owned()
    } else {
        s.to_owned()
    }
}

/// The instrument's model name for titles and `instrument` (`None`: the line controller).
pub fn model_name(kind: Option<InstrumentModel>) -> &'static str {
    match kind {
        Some(InstrumentModel::Sbe37) => "Sea-Bird SBE 37 MicroCAT",
        Some(InstrumentModel::Sbe37Odo) => "Sea-Bird SBE 37 MicroCAT with SBE 63 oxygen",
        Some(InstrumentModel::Aquadopp) => "Nortek Aquadopp",
        Some(InstrumentModel::Optode) => "Aanderaa oxygen optode",
        Some(InstrumentModel::Cstar) => "WET Labs C-Star",
        None => "ALBATROSS line controller",
    }
}

/// The dataset title shared by all files of a platform's product (ERDDAP).
pub fn dataset_title(series: &Series) -> String {
    let mode = match series.station.data_mode {
        DataMode::RealTime => "",
        DataMode::Delayed => ", delayed mode",
    };
    format!(
        "{}, {}: {} time series{mode}",
        series.station.name, series.platform_name, series.product.instrument
    )
}

/// What the files of `mode` were made from, for `summary`, `processing_level` and
/// `history`: (summary's first words, processing level, history's source).
fn provenance(mode: DataMode) -> (&'static str, &'static str, &'static str) {
    match mode {
        DataMode::RealTime => (
            "Near-real-time measurements",
            "Near-real-time telemetry with automatic QARTOD quality control, not reviewed",
            "decoded from telemetry",
        ),
        DataMode::Delayed => (
            "Delayed-mode measurements, from the memory of the recovered instrument,",
            "Delayed mode: the recovered instrument's memory, converted with its own \
             calibration coefficients, with automatic QARTOD quality control, not reviewed",
            "decoded from the recovered instrument's memory",
        ),
    }
}

/// What ids of delayed-mode files and datasets end with (`_dm`; nothing in real time), so
/// that they never collide with the real-time ones.
pub fn id_suffix(mode: DataMode) -> &'static str {
    match mode {
        DataMode::RealTime => "",
        DataMode::Delayed => "_dm",
    }
}

/// The global attributes, in file order.
pub fn global_attributes(series: &Series, table: &DayTable) -> Vec<(&'static str, Attr)> {
    let st = &series.station;
    let emso = st.emso_for(&series.platform_id);
    let given = |v: &Option<String>| v.clone().unwrap_or_default();
    let t = |s: String| Attr::Text(s);
    let first = table.rows.first().map(|r| r.time);
    let last = table.rows.last().map(|r| r.time);
    let start = first.map(|x| x.to_string()).unwrap_or_default();
    let end = last.map(|x| x.to_string()).unwrap_or_default();
    let duration = match (first, last) {
        (Some(a), Some(b)) => iso_duration((b.unix_millis() - a.unix_millis()) / 1000),
        _ => iso_duration(0),
    };
    let resolution = median_interval_s(table.rows.iter().map(|r| r.time.unix_millis()))
        .map(|s| iso_duration(s.round() as i64))
        .unwrap_or_else(|| "void".into());
    let lat = round(series.latitude, super::csv::LATLON_DECIMALS).unwrap_or(f64::NAN);
    let lon = round(series.longitude, super::csv::LATLON_DECIMALS).unwrap_or(f64::NAN);
    let z = round(series.nominal_depth_m, super::csv::NOMINAL_DEPTH_DECIMALS).unwrap_or(f64::NAN);
    // the vertical extent is that of the depth from pressure (the EMSO `depth` coordinate,
    // which ACDD checks it against), the nominal depth on a day without pressure
    let depth = series
        .product
        .vars
        .iter()
        .position(|v| v.kind == VarKind::Coordinate);
    let [z_min, z_max] = super::netcdf::range(
        table
            .rows
            .iter()
            .map(|r| depth.and_then(|k| r.values.get(k).copied().flatten())),
    )
    .unwrap_or([z, z]);
    let model = model_name(series.kind);
    let day = table
        .rows
        .first()
        .map(|r| super::meta::Day::of(r.time).compact())
        .unwrap_or_default();
    let title = format!(
        "{} {} {} at {} m, {}",
        series.platform_name, series.sensor, series.serial, z, day
    );
    let title: String = title.chars().take(95).collect();
    let (what, level, source) = provenance(st.data_mode);
    let summary = format!(
        "{what} of the {model} serial {} at {} m nominal depth on the {} \
         ({}), {} observatory, for the UTC day {day}: {}, with QARTOD quality flags (per test, \
         and mapped to the OceanSITES scale). One file per instrument and UTC day, rebuilt \
         whenever records of that day arrive.",
        series.serial, z, series.platform_name, series.platform_id, st.name, series.product.summary,
    );
    let info_url = or(&st.info_url, "https://emso.eu");
    let creator = or(&st.creator_name, &st.institution);
    let email = or(&st.creator_email, "unknown@example.org");
    let history = format!(
        "{end} albatross gateway {}: {source}, de-duplicated, derived variables \
         and QARTOD flags computed for the whole day, with the neighbouring days' records as \
         context",
        env!("CARGO_PKG_VERSION")
    );
    let mut a: Vec<(&'static str, Attr)> = vec![
        ("Conventions", t("CF-1.6, ACDD-1.3".into())),
        ("featureType", t("timeSeries".into())),
        ("cdm_data_type", t("TimeSeries".into())),
        ("cdm_timeseries_variables", t(TIMESERIES_VARIABLES.into())),
        ("subsetVariables", t(TIMESERIES_VARIABLES.into())),
        ("title", t(title)),
        ("summary", t(summary)),
        ("keywords", t(series.product.keywords.into())),
        ("keywords_vocabulary", t("GCMD Science Keywords".into())),
        (
            "keywords_vocabulary_uri",
            t(GCMD_SCIENCE_KEYWORDS_URI.into()),
        ),
        ("keywords_uri", t(GCMD_SCIENCE_KEYWORDS_URI.into())),
        ("keywords_type", t("theme".into())),
        (
            "id",
            t(format!(
                "{}_{}{}_{day}",
                st.site,
                series.station_id(),
                id_suffix(st.data_mode)
            )),
        ),
        ("naming_authority", t(st.site.clone())),
        ("institution", t(st.institution.clone())),
        (
            "institution_edmo_code",
            t(given(&emso.institution_edmo_code)),
        ),
        ("institution_edmo_uri", t(given(&emso.institution_edmo_uri))),
        ("institution_ror_uri", t(given(&emso.institution_ror_uri))),
        ("infoUrl", t(info_url.clone())),
        ("project", t(or(&st.project, &st.name))),
        ("project_code", t(given(&emso.project_code))),
        ("project_uri", t(given(&emso.project_uri))),
        ("program", t("EMSO".into())),
        ("license", t(or(&st.license, "CC-BY-4.0"))),
        ("license_uri", t(given(&emso.license_uri))),
        ("doi", t(given(&emso.doi))),
        (
            "principal_investigator",
            t(given(&emso.principal_investigator)),
        ),
        (
            "principal_investigator_email",
            t(given(&emso.principal_investigator_email)),
        ),
        ("creator_name", t(creator.clone())),
        ("creator_email", t(email.clone())),
        ("creator_url", t(info_url.clone())),
        ("creator_type", t("group".into())),
        ("creator_institution", t(st.institution.clone())),
        ("publisher_name", t(creator)),
        ("publisher_email", t(email)),
        ("publisher_url", t(info_url)),
        ("publisher_type", t("group".into())),
        ("publisher_institution", t(st.institution.clone())),
        (
            "contributor_name",
            t(emso
                .contributor_name
                .clone()
                .unwrap_or_else(|| st.institution.clone())),
        ),
        (
            "contributor_role",
            t(emso
                .contributor_role
                .clone()
                .unwrap_or_else(|| "Distributor".into())),
        ),
        (
            "acknowledgment",
            t(format!("{} ({})", st.name, or(&st.project, "EMSO"))),
        ),
        (
            "acknowledgement",
            t(format!("{} ({})", st.name, or(&st.project, "EMSO"))),
        ),
        (
            "standard_name_vocabulary",
            t("CF Standard Name Table v93".into()),
        ),
        ("processing_level", t(level.into())),
        (
            "source",
            t(format!("{model} on the {} (mooring)", series.platform_name)),
        ),
        (
            "platform",
            t("In Situ Ocean-based Platforms > MOORINGS".into()),
        ),
        ("platform_vocabulary", t("GCMD Platform Keywords".into())),
        ("instrument", t(series.product.gcmd_instrument.into())),
        (
            "instrument_vocabulary",
            t("GCMD Instrument Keywords".into()),
        ),
        ("history", t(history)),
        (
            "comment",
            t(
                "Derived variables: see each variable's comment (MicroCAT: the equations in \
               the global attribute equations). QC flags: each configured QARTOD test's own \
               flags in <VAR>_qc_<test> (QARTOD scale, thresholds in qc_tests), combined \
               into <VAR>_QC mapped to OceanSITES reference table 2. Spike, rate of change \
               and flat line run over the day with the neighbouring days' records as \
               context, so the first and last records of the day are flagged as in the \
               continuous series; when configured on a line of MicroCATs, density inversion \
               (QARTOD test 13) is one of the tests of temperature, conductivity and \
               sigma_theta, and salinity and the other derived variables inherit it."
                    .into(),
            ),
        ),
        ("equations", t(EQUATIONS.into())),
        ("date_created", t(end.clone())),
        ("date_modified", t(end.clone())),
        ("date_issued", t(end.clone())),
        ("date_metadata_modified", t(end.clone())),
        ("time_coverage_start", t(start)),
        ("time_coverage_end", t(end)),
        ("time_coverage_duration", t(duration)),
        ("time_coverage_resolution", t(resolution.clone())),
        ("geospatial_lat_min", Attr::F64(lat)),
        ("geospatial_lat_max", Attr::F64(lat)),
        ("geospatial_lat_units", t("degrees_north".into())),
        ("geospatial_lat_resolution", t("point".into())),
        ("geospatial_lon_min", Attr::F64(lon)),
        ("geospatial_lon_max", Attr::F64(lon)),
        ("geospatial_lon_units", t("degrees_east".into())),
        ("geospatial_lon_resolution", t("point".into())),
        ("geospatial_vertical_min", Attr::F64(z_min)),
        ("geospatial_vertical_max", Attr::F64(z_max)),
        ("geospatial_vertical_units", t("m".into())),
        ("geospatial_vertical_positive", t("down".into())),
        ("geospatial_vertical_resolution", t("point".into())),
        ("geospatial_bounds", t(format!("POINT ({lat} {lon})"))),
        ("geospatial_bounds_crs", t("EPSG:4326".into())),
        ("geospatial_bounds_vertical_crs", t("EPSG:5831".into())),
        ("product_version", t(env!("CARGO_PKG_VERSION").into())),
        ("references", t("https://www.emso.eu".into())),
        ("metadata_link", t(or(&st.info_url, "https://emso.eu"))),
        // OceanSITES / EMSO
        ("data_type", t("OceanSITES time-series data".into())),
        ("data_mode", t(st.data_mode.code().into())),
        ("format_version", t("1.4".into())),
        ("site_code", t(st.site.clone())),
        ("platform_code", t(series.platform_id.clone())),
        (
            "network",
            t(emso.network.clone().unwrap_or_else(|| "EMSO".into())),
        ),
        (
            "emso_regional_facility_name",
            t(given(&emso.emso_regional_facility_name)),
        ),
        (
            "emso_regional_facility_uri",
            t(given(&emso.emso_regional_facility_uri)),
        ),
        ("emso_site_name", t(given(&emso.emso_site_name))),
        ("emso_site_uri", t(given(&emso.emso_site_uri))),
        ("emso_platform_name", t(given(&emso.emso_platform_name))),
        ("emso_platform_uri", t(given(&emso.emso_platform_uri))),
        (
            "update_interval",
            t(emso.update_interval.clone().unwrap_or(resolution)),
        ),
        ("sensor_model", t(model.into())),
        ("sensor_serial_number", t(series.serial.clone())),
        ("sensor_mount", t("mounted_on_mooring_line".into())),
        ("data_processing_level", t("L1a".into())),
    ];
    a.retain(|(_, v)| !matches!(v, Attr::Text(s) if s.is_empty()));
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(1800), "PT30M");
        assert_eq!(iso_duration(84_600), "PT23H30M");
        assert_eq!(iso_duration(86_400), "P1D");
        assert_eq!(iso_duration(90_061), "P1DT1H1M1S");
    }
}
