//! The EMSO metadata specification v1.0.7 in a daily NetCDF's variables
//! (outputs-and-qc.md §2.2): SeaDataNet parameter and unit URNs, the codes of the
//! coordinates, the `coordinates` every data variable names and the sensor description of
//! `sensor_id`. The data variables' own codes are science ([`crate::science::products`]); the
//! coordinates' are file layout, here. The global attributes are in [`super::attrs`].

use super::meta::Series;
use crate::config::InstrumentModel;

/// A SeaDataNet (NVS) code with its preferred label.
pub type Code = (&'static str, &'static str);

/// `time`: P01 ELTMEP01 in P06 UTBB.
pub const TIME: (Code, Code) = (
    ("ELTMEP01", "Elapsed time (since 1970-01-01T00:00:00Z)"),
    ("UTBB", "Seconds"),
);
/// `latitude`: P01 ALATZZ01 in P06 DEGN.
pub const LATITUDE: (Code, Code) = (("ALATZZ01", "Latitude north"), ("DEGN", "Degrees north"));
/// `longitude`: P01 ALONZZ01 in P06 DEGE.
pub const LONGITUDE: (Code, Code) = (("ALONZZ01", "Longitude east"), ("DEGE", "Degrees east"));
/// `sensor_theoric_depth` (the nominal depth): P01 ADEPZZ01 in P06 ULAA.
pub const NOMINAL_DEPTH: (Code, Code) = (
    ("ADEPZZ01", "Depth below surface of the water body"),
    ("ULAA", "Metres"),
);
/// `sensor_id`: P01 NMSPINST, dimensionless.
pub const SENSOR_ID: (Code, Code) = (("NMSPINST", "Name of sensor"), ("UUUU", "Dimensionless"));
/// `platform_id`: P01 NMSPPF01, dimensionless.
pub const PLATFORM_ID: (Code, Code) = (("NMSPPF01", "Name of platform"), ("UUUU", "Dimensionless"));

/// What every data and QC variable names in `coordinates`: EMSO's list (`depth` is the
/// depth from pressure), then the nominal depth the ERDDAP station identity uses.
pub const COORDINATES: &str =
    "time depth latitude longitude sensor_id platform_id sensor_theoric_depth";
/// `coordinates` of the depth variable itself (it does not name itself).
pub const DEPTH_COORDINATES: &str =
    "time latitude longitude sensor_id platform_id sensor_theoric_depth";

/// The (URN, URI) of NVS term `code` of `collection`: `SDN:P01::TEMPPR01`,
/// `https://vocab.nerc.ac.uk/collection/P01/current/TEMPPR01/`.
pub fn nvs(collection: &str, code: &str) -> (String, String) {
    (
        format!("SDN:{collection}::{code}"),
        format!("https://vocab.nerc.ac.uk/collection/{collection}/current/{code}/"),
    )
}

/// The `sdn_parameter_*` and `sdn_uom_*` attributes (urn, uri, name) of a variable.
pub fn sdn_attributes((parameter, uom): (Code, Code)) -> Vec<(&'static str, String)> {
    let (p_urn, p_uri) = nvs("P01", parameter.0);
    let (u_urn, u_uri) = nvs("P06", uom.0);
    vec![
        ("sdn_parameter_urn", p_urn),
        ("sdn_parameter_uri", p_uri),
        ("sdn_parameter_name", parameter.1.to_owned()),
        ("sdn_uom_urn", u_urn),
        ("sdn_uom_uri", u_uri),
        ("sdn_uom_name", uom.1.to_owned()),
    ]
}

/// The sensor attributes of `sensor_id` (EMSO "sensor" variables): model, L05 type, L35
/// manufacturer, serial number, mount.
pub fn sensor_attributes(series: &Series) -> Vec<(&'static str, String)> {
    let model = super::attrs::model_name(series.kind);
    let mut out = vec![("sensor_model", model.to_owned())];
    // L05 and L35 codes only where checked (the SBE 37): the other kinds' are still to be
    // looked up in NVS
    if matches!(
        series.kind,
        Some(InstrumentModel::Sbe37 | InstrumentModel::Sbe37Odo)
    ) {
        let (type_urn, type_uri) = nvs("L05", "130");
        let (man_urn, man_uri) = nvs("L35", "MAN0013");
        out.extend([
            ("sensor_type_name", "CTD".to_owned()),
            ("sensor_type_urn", type_urn),
            ("sensor_type_uri", type_uri),
            ("sensor_manufacturer_name", "Sea-Bird Scientific".to_owned()),
            ("sensor_manufacturer_urn", man_urn),
            ("sensor_manufacturer_uri", man_uri),
        ]);
    }
    out.push(("sensor_serial_number", series.serial.clone()));
    out.push(("sensor_mount", "mounted_on_mooring_line".to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_and_uris() {
        let a = sdn_attributes(TIME);
        assert_eq!(a[0], ("sdn_parameter_urn", "SDN:P01::ELTMEP01".to_owned()));
        assert_eq!(
            a[4],
            (
                "sdn_uom_uri",
                "https://vocab.nerc.ac.uk/collection/P06/current/UTBB/".to_owned()
            )
        );
    }
}
