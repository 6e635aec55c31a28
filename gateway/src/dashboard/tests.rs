use super::*;
use crate::observation::InstrumentMeta;
use crate::record::Value;
use crate::science::record_of_json;
use protocol::time::UtcTime;
use std::path::Path;

const EXAMPLE: &str = include_str!("../../albatross.example.toml");

fn dashboard() -> (Dashboard, Config) {
    let config = Config::parse(EXAMPLE, Path::new("albatross.example.toml")).unwrap();
    let d = Dashboard::from_config(&config, Arc::new(Metrics::default()), Source::Gateway);
    (d, config)
}

fn panel<'a>(update: &'a Json, id: &str) -> Option<&'a Json> {
    update["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
}

fn ctd(minute: i64, temperature: f64) -> Record {
    let mut r = Record::new(
        "sbe37",
        Some(UtcTime::from_unix_millis(
            1_772_323_200_000 + minute * 60_000,
        )),
        Some("3725001".into()),
    );
    r.push("temperature_c", Value::Float(temperature))
        .push("conductivity_s_m", Value::Float(4.58678))
        .push("pressure_dbar", Value::Float(503.543));
    r
}

fn observation(config: &Config, record: Record) -> Observation {
    let platform = Arc::new(PlatformMeta::from_config(config, &config.platforms[0]));
    let instrument: Option<Arc<InstrumentMeta>> = platform
        .instruments
        .iter()
        .find(|i| Some(&i.serial) == record.serial.as_ref())
        .cloned();
    Observation {
        record,
        platform,
        instrument,
        link: "albatross-modem".into(),
    }
}

#[test]
fn a_panel_per_configured_instrument_then_only_what_changed() {
    let (d, config) = dashboard();
    assert_eq!(config.platforms[0].id.get_ref(), "albatross");
    let mut seen = Seen::default();
    let first: Json = serde_json::from_str(&d.update(&mut seen, 1)).unwrap();
    assert_eq!(first["full"], true);
    assert_eq!(first["source"], "gateway");
    let ids: Vec<&str> = first["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    // 9 line instruments and the line status, 4 MII instruments
    assert_eq!(ids.len(), 14, "{ids:?}");
    assert!(ids.contains(&"albatross_MICROCAT_3725001"));
    assert!(ids.contains(&"albatross_LINESTATUS_albatross"));
    assert!(ids.contains(&"mii_CTAR_1234"));
    let p = panel(&first, "albatross_MICROCAT_3725001").unwrap();
    assert_eq!(p["records"], 0);
    assert_eq!(p["last_ms"], Json::Null);

    // nothing new: no panel
    let again: Json = serde_json::from_str(&d.update(&mut seen, 2)).unwrap();
    assert_eq!(again["full"], false);
    assert_eq!(again["panels"].as_array().unwrap().len(), 0);

    d.observe(
        &[
            observation(&config, ctd(0, 13.85)),
            observation(&config, ctd(30, 13.86)),
        ],
        1000,
    );
    let next: Json = serde_json::from_str(&d.update(&mut seen, 3)).unwrap();
    let panels = next["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 1, "only the instrument that sent");
    let p = &panels[0];
    assert_eq!(p["id"], "albatross_MICROCAT_3725001");
    assert_eq!(p["records"], 2);
    assert_eq!(p["received_ms"], 1000);
    assert_eq!(p["series"][0]["v"], json!([13.85, 13.86]));
    let salinity = p["series"][1]["v"][0].as_f64();
    assert!(salinity.is_some_and(|s| (s - 38.6).abs() < 0.1), "{p}");
    // another stream starts with everything, the new samples included
    let other: Json = serde_json::from_str(&d.update(&mut Seen::default(), 4)).unwrap();
    let p = panel(&other, "albatross_MICROCAT_3725001").unwrap();
    assert_eq!(p["records"], 2);
}

/// The record of a JSON text, as the writer makes it.
fn from_json(text: &str) -> Record {
    match serde_json::from_str(text) {
        Ok(Json::Object(o)) => record_of_json(&o).unwrap(),
        _ => panic!("not a JSON object: {text}"),
    }
}

#[test]
fn writer_records_from_json_reach_the_same_panels() {
    let (gateway, config) = dashboard();
    let writer = Dashboard::from_config(&config, Arc::new(Metrics::default()), Source::Writer);
    let r = ctd(0, 13.85);
    gateway.observe(&[observation(&config, r.clone())], 5);
    writer.observe_record("albatross", &from_json(&r.to_json()), 5);
    let g: Json = serde_json::from_str(&gateway.update(&mut Seen::default(), 6)).unwrap();
    let w: Json = serde_json::from_str(&writer.update(&mut Seen::default(), 6)).unwrap();
    assert_eq!(w["source"], "writer");
    assert_eq!(
        g["panels"], w["panels"],
        "the same record gives the same panels"
    );

    // an Aquadopp's velocity list and coordinate system make its speed and direction
    let aqd = r#"{"type":"aquadopp_velocity","time":"2026-03-01T02:20:00Z","serial":"11402",
        "pressure_dbar":2488.718,"temperature_c":13.22,"coordinate_system":"ENU",
        "velocity_m_s":[0.03,0.04,-0.003],"amplitude":[41,39,40]}"#;
    writer.observe_record("mii", &from_json(aqd), 7);
    let w: Json = serde_json::from_str(&writer.update(&mut Seen::default(), 8)).unwrap();
    let p = panel(&w, "mii_AQUADOPP_11402").unwrap();
    let speed = &p["series"][0];
    assert_eq!(speed["name"], "Speed");
    assert!(
        (speed["v"][0].as_f64().unwrap() - 0.05).abs() < 1e-9,
        "{speed}"
    );
    let direction = p["series"][1]["v"][0].as_f64().unwrap();
    assert!((direction - 36.87).abs() < 0.01, "{direction}");

    // no product's type: no record; no instrument of the configuration: counted apart
    let obj = |text: &str| match serde_json::from_str(text) {
        Ok(Json::Object(o)) => o,
        _ => panic!("{text}"),
    };
    assert!(record_of_json(&obj(r#"{"type":"nortek_config","serial":"11402"}"#)).is_none());
    writer.observe_record("mii", &from_json(r#"{"type":"optode","serial":"999"}"#), 9);
    let w: Json = serde_json::from_str(&writer.update(&mut Seen::default(), 10)).unwrap();
    assert_eq!(w["unknown"], 1);
}

#[test]
fn a_restarted_process_shows_what_its_record_files_hold() {
    use crate::sinks::Sink;
    let (d, config) = dashboard();
    let dir = std::env::temp_dir().join(format!("albatross-dashboard-seed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut sink = crate::sinks::jsonl::JsonlSink::new(&dir);
    // three days: the newest two are read, the window keeps the 24 h before the newest
    let days: Vec<Observation> = [0, 1440, 2880, 2900]
        .into_iter()
        .map(|m| observation(&config, ctd(m, 13.85)))
        .collect();
    sink.write(&days).unwrap();
    std::fs::write(
        dir.join("albatross/2026/sbe37_3725001_20260303.jsonl"),
        [
            std::fs::read_to_string(dir.join("albatross/2026/sbe37_3725001_20260303.jsonl"))
                .unwrap(),
            "{\"type\":\"sbe37\",\"ti".into(),
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(d.seed_from(&dir), 3, "two files, a torn line left out");
    let u: Json = serde_json::from_str(&d.update(&mut Seen::default(), 9)).unwrap();
    let p = panel(&u, "albatross_MICROCAT_3725001").unwrap();
    assert_eq!(
        p["records"], 0,
        "records count what arrived since the start"
    );
    assert_eq!(p["t"].as_array().unwrap().len(), 2, "{p}");
    assert!(p["received_ms"].as_i64().is_some());
    let other = panel(&u, "albatross_MICROCAT_3725002").unwrap();
    assert_eq!(other["t"].as_array().unwrap().len(), 0);
    // nothing stored: nothing read, nothing fails
    assert_eq!(d.seed_from(&dir.join("nothing")), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
