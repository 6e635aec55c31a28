//! Who and where a daily file is about: the station (`[station]` of the configuration), the
//! platform and the instrument, and the file names that follow from them.

use crate::config::{Config, EmsoMetadata, InstrumentModel, Station};
use crate::names::safe_part;
use crate::observation::{InstrumentMeta, Observation, PlatformMeta};
use crate::science::{Deployment, Product, AQUADOPP, CSTAR, LINE_STATUS, MICROCAT, OPTODE};
use protocol::time::{civil_from_days, UtcTime};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Station-level metadata (ACDD/EMSO global attributes), from the configuration's
/// `[station]` and the `[platform.emso]` overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StationInfo {
    /// Site id, e.g. `emso-ligure-ouest`.
    pub site: String,
    /// Site name.
    pub name: String,
    /// Institution.
    pub institution: String,
    /// Project.
    pub project: String,
    /// Web page about the data (ERDDAP `infoUrl`).
    pub info_url: String,
    /// Data licence.
    pub license: String,
    /// Contact name.
    pub creator_name: String,
    /// Contact e-mail.
    pub creator_email: String,
    /// EMSO v1.0.7 attributes (`[station.emso]`).
    pub emso: EmsoMetadata,
    /// Per platform id, its `[platform.emso]` keys (each replaces the station's).
    pub platform_emso: BTreeMap<String, EmsoMetadata>,
    /// Real-time telemetry or delayed-mode data from a recovered instrument's memory.
    pub data_mode: DataMode,
}

/// The OceanSITES `data_mode` of a set of files: what the data were made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// `R`: decoded from the real-time telemetry as it arrived (the gateway's files).
    #[default]
    RealTime,
    /// `D`: decoded from the instrument's own memory after recovery (`albatross ingest`).
    Delayed,
}

impl DataMode {
    /// The OceanSITES code: `R` or `D`.
    pub fn code(self) -> &'static str {
        match self {
            DataMode::RealTime => "R",
            DataMode::Delayed => "D",
        }
    }
}

impl StationInfo {
    /// The EMSO attributes of platform `platform_id`'s files: its own keys, then the
    /// station's.
    pub fn emso_for(&self, platform_id: &str) -> EmsoMetadata {
        match self.platform_emso.get(platform_id) {
            Some(p) => p.or(&self.emso),
            None => self.emso.clone(),
        }
    }
}

/// The station's metadata with every platform's EMSO overrides: what the daily-file
/// writers of a configuration use.
impl From<&Config> for StationInfo {
    fn from(c: &Config) -> Self {
        let mut info = StationInfo::from(&c.station);
        info.platform_emso = c
            .platforms
            .iter()
            .map(|p| (p.id.get_ref().clone(), p.emso.clone()))
            .collect();
        info
    }
}

/// The station's metadata alone (no platform overrides: see `From<&Config>`).
impl From<&Station> for StationInfo {
    fn from(s: &Station) -> Self {
        StationInfo {
            site: s.site.get_ref().clone(),
            name: s.name.clone(),
            institution: s.institution.clone(),
            project: s.project.clone(),
            info_url: s.info_url.clone(),
            license: s.license.clone(),
            creator_name: s.creator_name.clone(),
            creator_email: s.creator_email.clone(),
            emso: s.emso.clone(),
            platform_emso: BTreeMap::new(),
            data_mode: DataMode::RealTime,
        }
    }
}

/// The daily product of an instrument kind.
pub fn product_of(kind: InstrumentModel) -> &'static Product {
    match kind {
        InstrumentModel::Sbe37 | InstrumentModel::Sbe37Odo => &MICROCAT,
        InstrumentModel::Aquadopp => &AQUADOPP,
        InstrumentModel::Optode => &OPTODE,
        InstrumentModel::Cstar => &CSTAR,
    }
}

/// One instrument's time series: everything a daily file needs besides the records.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Station metadata.
    pub station: StationInfo,
    /// Platform id (a safe name: checked again for paths).
    pub platform_id: String,
    /// Platform name.
    pub platform_name: String,
    /// Nominal latitude, degrees north.
    pub latitude: f64,
    /// Nominal longitude, degrees east.
    pub longitude: f64,
    /// Instrument model (`None` for the line status, which is the controller's).
    pub kind: Option<InstrumentModel>,
    /// The product it is a series of.
    pub product: &'static Product,
    /// Sensor name in file names (the product's).
    pub sensor: &'static str,
    /// Serial number (the platform id for the line status).
    pub serial: String,
    /// Nominal depth, m.
    pub nominal_depth_m: f64,
}

/// The daily-file series of `platform`, sorted by serial: its instruments, then its line
/// status when it has a line controller. The MicroCATs among them are the line whose
/// instruments the density-inversion test compares; an optode takes σθ from the MicroCAT
/// nearest to its nominal depth ([`reference_of`]).
pub fn line_of(station: &StationInfo, platform: &PlatformMeta) -> Vec<Series> {
    let mut line: Vec<Series> = platform
        .instruments
        .iter()
        .map(|i| Series::for_instrument(station, platform, i))
        .collect();
    line.sort_by(|a, b| a.serial.cmp(&b.serial));
    line.dedup_by(|a, b| a.serial == b.serial);
    if platform.acoustic_source.is_some() {
        line.push(Series::status_of(station, platform));
    }
    line
}

/// The index in `line` of the MicroCAT whose σθ the optode `line[i]` uses: the one nearest
/// to its nominal depth (the lower serial on a tie); `None` for another product or a
/// platform without MicroCAT.
pub fn reference_of(line: &[Series], i: usize) -> Option<usize> {
    let own = line.get(i).filter(|s| s.product.is(&OPTODE))?;
    line.iter()
        .enumerate()
        .filter(|(_, s)| s.product.is(&MICROCAT))
        .min_by(|(_, a), (_, b)| {
            let d = |s: &Series| (s.nominal_depth_m - own.nominal_depth_m).abs();
            d(a).total_cmp(&d(b)).then_with(|| a.serial.cmp(&b.serial))
        })
        .map(|(k, _)| k)
}

impl Series {
    /// The series of `product` on `platform` with this `serial` and nominal depth.
    fn on(
        station: &StationInfo,
        platform: &PlatformMeta,
        kind: Option<InstrumentModel>,
        product: &'static Product,
        serial: &str,
        nominal_depth_m: f64,
    ) -> Series {
        Series {
            station: station.clone(),
            platform_id: platform.id.clone(),
            platform_name: platform.name.clone(),
            latitude: platform.latitude,
            longitude: platform.longitude,
            kind,
            product,
            sensor: product.sensor,
            serial: serial.to_owned(),
            nominal_depth_m,
        }
    }

    /// The series of instrument `i` of `platform`.
    pub fn for_instrument(
        station: &StationInfo,
        platform: &PlatformMeta,
        i: &InstrumentMeta,
    ) -> Series {
        let product = product_of(i.kind);
        Series::on(
            station,
            platform,
            Some(i.kind),
            product,
            &i.serial,
            i.nominal_depth_m,
        )
    }

    /// The line-status series of `platform`: serial is the platform id, and the nominal
    /// depth that of its shallowest instrument (the controller sits in the top float).
    pub fn status_of(station: &StationInfo, platform: &PlatformMeta) -> Series {
        let depth = platform
            .instruments
            .iter()
            .map(|i| i.nominal_depth_m)
            .fold(None, |acc: Option<f64>, d| {
                Some(acc.map_or(d, |a| a.min(d)))
            })
            .unwrap_or(0.0);
        Series::on(station, platform, None, &LINE_STATUS, &platform.id, depth)
    }

    /// The series an observation belongs to: its instrument's, or its platform's line
    /// status for a `line_status` record; `None` when its instrument is unknown.
    pub fn of(station: &StationInfo, o: &Observation) -> Option<Series> {
        if LINE_STATUS.record_kinds.contains(&o.record.kind) {
            return Some(Series::status_of(station, &o.platform));
        }
        Some(Series::for_instrument(
            station,
            &o.platform,
            o.instrument.as_ref()?,
        ))
    }

    /// The instrument as the science core sees it ([`crate::science::assess`]).
    pub fn deployment(&self) -> Deployment<'_> {
        Deployment {
            serial: &self.serial,
            latitude: self.latitude,
            longitude: self.longitude,
            nominal_depth_m: self.nominal_depth_m,
        }
    }

    /// The id of the time series (the NetCDF `platform_id`, `cf_role=timeseries_id`, and
    /// the CSV's `stationname`): `<platform>_<SENSOR>_<serial>`, one per instrument, so
    /// that an ERDDAP dataset holding a platform's instruments keeps its
    /// `cdm_timeseries_variables` (depth) constant per time series.
    pub fn station_id(&self) -> String {
        format!(
            "{}_{}_{}",
            safe_part(&self.platform_id),
            self.sensor,
            safe_part(&self.serial)
        )
    }

    /// The sensor id of the time series (EMSO `sensor_id`): `<SENSOR>_<serial>`.
    pub fn sensor_id(&self) -> String {
        format!("{}_{}", self.sensor, safe_part(&self.serial))
    }

    /// `<dir>/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>` (add `.csv` or `.nc`).
    pub fn file_stem(&self, dir: &Path, day: Day) -> PathBuf {
        let (y, m, d) = day.civil();
        dir.join(safe_part(&self.platform_id).as_ref())
            .join(format!("{y:04}"))
            .join(format!(
                "{}_{}_{y:04}{m:02}{d:02}",
                self.sensor,
                safe_part(&self.serial)
            ))
    }
}

/// A UTC day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    /// The day `t` falls in.
    pub fn of(t: UtcTime) -> Day {
        Day(t.unix_millis().div_euclid(86_400_000))
    }

    /// Its first millisecond (00:00:00 UTC), ms since the Unix epoch.
    pub fn start_ms(self) -> i64 {
        self.0.saturating_mul(86_400_000)
    }

    /// (year, month, day).
    pub fn civil(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// `YYYYMMDD`.
    pub fn compact(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}{m:02}{d:02}")
    }

    /// The day of a calendar date given as `y`, `m`, `d`; `None` when no such date exists
    /// (month 13, February 30th).
    pub fn from_civil(y: i32, m: u32, d: u32) -> Option<Day> {
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        let day = Day(protocol::time::days_from_civil(y, m, d));
        // a 31st of a shorter month would name the next month's first day
        (day.civil() == (y, m, d)).then_some(day)
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    /// `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Day, String> {
        let bad = || format!("{s:?} is not a date YYYY-MM-DD");
        let mut parts = s.split('-');
        let mut num = |len: usize| -> Option<u32> {
            let p = parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))?;
            p.parse().ok()
        };
        let (y, m, d) = (
            num(4).ok_or_else(bad)?,
            num(2).ok_or_else(bad)?,
            num(2).ok_or_else(bad)?,
        );
        if parts.next().is_some() {
            return Err(bad());
        }
        Day::from_civil(y as i32, m, d).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::Day;

    #[test]
    fn days_parse_from_calendar_dates_only() {
        assert_eq!("1970-01-02".parse::<Day>(), Ok(Day(1)));
        assert_eq!("2026-03-01".parse::<Day>(), Ok(Day(20_513)));
        assert_eq!(
            "2024-02-29".parse::<Day>().map(Day::compact),
            Ok("20240229".into())
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-3-01",
            "2026-03-01T00",
            "20260301",
            "",
        ] {
            assert!(bad.parse::<Day>().is_err(), "{bad}");
        }
    }
}
