use super::*;
use std::path::Path;

const EXAMPLE: &str = include_str!("../../albatross.example.toml");

fn err(text: &str) -> ConfigError {
    Config::parse(text, Path::new("test.toml")).expect_err("should be refused")
}

#[test]
fn example_is_valid() {
    let c = Config::parse(EXAMPLE, Path::new("albatross.example.toml")).unwrap();
    assert_eq!(c.station.site.get_ref(), "emso-ligure-ouest");
    assert_eq!(c.platforms.len(), 2);
    let line = c.platform("albatross").unwrap();
    assert_eq!(line.instruments.len(), 9, "8 MicroCATs and the Aquadopp");
    assert!((line.latitude.get_ref() - (42.0 + 48.373 / 60.0)).abs() < 1e-6);
    assert!((line.longitude.get_ref() - (6.0 + 1.610 / 60.0)).abs() < 1e-6);
    assert_eq!(c.links.len(), 5, "the modem and the MII's four instruments");
    assert_eq!(c.archive_dir(), Path::new("albatross-data/raw"));
}

#[test]
fn unknown_field_names_line_and_field() {
    let text = EXAMPLE.replacen(
        "nominal_depth_m = 750",
        "nominal_depth_m = 750\nserail = \"x\"",
        1,
    );
    let e = err(&text);
    let line = text.lines().position(|l| l.starts_with("serail")).unwrap() + 1;
    assert_eq!((e.line, e.field.as_str()), (line, "serail"), "{e}");
    assert!(
        e.to_string().starts_with(&format!("test.toml:{line}:")),
        "{e}"
    );
    assert!(e.message.contains("unknown field"), "{e}");
}

#[test]
fn bad_type_names_line_and_field() {
    let text = EXAMPLE.replacen("baud = 9600", "baud = \"fast\"", 1);
    let e = err(&text);
    let line = text.lines().position(|l| l.starts_with("baud")).unwrap() + 1;
    assert_eq!((e.line, e.field.as_str()), (line, "baud"), "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
}

#[test]
fn duplicate_serial_names_line_and_field() {
    let text = EXAMPLE.replacen("serial = \"3725002\"", "serial = \"3725001\"", 1);
    let e = err(&text);
    let line = text
        .lines()
        .position(|l| l.contains("serial = \"3725001\""))
        .unwrap();
    let second = text
        .lines()
        .skip(line + 1)
        .position(|l| l.contains("serial = \"3725001\""))
        .unwrap()
        + line
        + 2;
    assert_eq!(
        (e.line, e.field.as_str()),
        (second, "instrument.serial"),
        "{e}"
    );
    assert!(e.message.contains("duplicate serial `3725001`"), "{e}");
}

#[test]
fn other_mistakes_are_refused() {
    let cases = [
        (
            EXAMPLE.replacen("platform = \"mii\"", "platform = \"mij\"", 1),
            "link.platform",
        ),
        (
            EXAMPLE.replacen("slot = 1\n", "slot = 0\n", 1),
            "instrument.slot",
        ),
        (
            EXAMPLE.replacen("serial = \"379\"", "serial = \"../../etc\"", 1),
            "instrument.serial",
        ),
        (
            EXAMPLE.replacen("site = \"emso-ligure-ouest\"", "site = \"EMSO/LO\"", 1),
            "station.site",
        ),
        (
            EXAMPLE.replacen("latitude = 42.806217", "latitude = 142.8", 1),
            "platform.latitude",
        ),
        (
            EXAMPLE.replacen("address = \"127.0.0.1:9200\"", "address = \"localhost\"", 1),
            "link.tcp.address",
        ),
        (
            EXAMPLE.replacen("instrument = \"3716125\"", "instrument = \"11402\"", 1),
            "link.instrument",
        ),
        (
            EXAMPLE.replacen("# [writer]", "[writer]", 1).replacen(
                "# http_listen = \"127.0.0.1:9465\"",
                "http_listen = \"localhost:9465\"",
                1,
            ),
            "writer.http_listen",
        ),
    ];
    for (text, field) in cases {
        let e = err(&text);
        assert_eq!(e.field, field, "{e}");
        assert!(e.line > 0, "{e}");
    }
}

#[test]
fn unreadable_file_is_an_error() {
    let e = Config::load(Path::new("/nonexistent/albatross.toml")).unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}

#[test]
fn emso_platform_keys_replace_the_station_ones() {
    let c = Config::parse(EXAMPLE, Path::new("albatross.example.toml")).unwrap();
    let station = &c.station.emso;
    assert_eq!(station.emso_site_name.as_deref(), Some("LO"));
    assert_eq!(station.doi, None, "DOIs are per platform");
    let line = c.platform("albatross").unwrap().emso.or(station);
    let mii = c.platform("mii").unwrap().emso.or(station);
    assert_eq!(line.doi.as_deref(), Some("10.17882/74513"));
    assert_eq!(mii.doi.as_deref(), Some("10.17882/75839"));
    assert_eq!(mii.emso_platform_name.as_deref(), Some("MII"));
    assert_eq!(line.emso_site_name, station.emso_site_name);
    let e = err(&EXAMPLE.replacen("[station.emso]\n", "[station.emso]\ndio = \"x\"\n", 1));
    assert!(e.to_string().contains("dio"), "{e}");
}

#[test]
fn unknown_qc_variable_is_refused_and_product_keys_are_accepted() {
    let with = |key: &str| {
        format!(
            "{EXAMPLE}\n[files.qc.variables.{key}]\ngross_range = {{ fail_span = [0.0, 1.0] }}\n"
        )
    };
    for key in [
        "temperature_c",
        "aquadopp_east_m_s",
        "optode_oxygen_umol_l",
        "status_battery_v",
    ] {
        Config::parse(&with(key), Path::new("test.toml")).unwrap_or_else(|e| panic!("{key}: {e}"));
    }
    let text = with("temprature_c");
    let e = err(&text);
    let line = text
        .lines()
        .position(|l| l.contains("temprature_c"))
        .unwrap()
        + 1;
    assert_eq!(
        (e.line, e.field.as_str()),
        (line, "files.qc.variables.temprature_c"),
        "{e}"
    );
    assert!(e.message.contains("not a variable of any product"), "{e}");
}

#[test]
fn an_unreadable_earliest_record_time_is_refused() {
    let e = err(&EXAMPLE.replacen("2005-01-01T00:00:00Z", "2005-01-01", 1));
    assert_eq!(e.field, "gateway.earliest_record_time", "{e}");
}
