use super::*;

const H: i64 = 3_600_000;

fn now() -> UtcTime {
    UtcTime::from_unix_seconds(1_772_323_200) // 2026-03-01T00:00:00Z
}

fn ago(ms: i64) -> Option<UtcTime> {
    Some(UtcTime::from_unix_millis(now().unix_millis() - ms))
}

fn thresholds() -> Thresholds {
    Thresholds::of(&crate::config::StatusSettings::default())
}

fn instrument(serial: &str, last: Option<UtcTime>) -> InstrumentFact {
    InstrumentFact {
        platform: "albatross".into(),
        serial: serial.into(),
        sensor: "MICROCAT",
        last,
    }
}

fn fresh() -> Facts {
    Facts {
        instruments: vec![
            instrument("3725001", ago(10 * 60_000)),
            instrument("3725002", ago(25 * 60_000)),
        ],
        links: vec![LinkFact {
            name: "albatross-modem".into(),
            last: ago(5 * 60_000),
        }],
        spool: Some((0, None)),
        unchecked: vec![],
    }
}

#[test]
fn defaults_are_those_documented() {
    let t = thresholds();
    assert_eq!(t.sample_warning_ms, 3 * H);
    assert_eq!(t.sample_critical_ms, 26 * H);
    assert_eq!(t.link_critical_ms, 3 * H);
    assert_eq!(t.spool_critical_ms, H);
}

#[test]
fn fresh_data_is_ok_and_says_so() {
    let v = judge(&fresh(), &thresholds(), now());
    assert_eq!(v.state, State::Ok);
    assert_eq!(v.state.exit_code(), 0);
    assert_eq!(
        v.line,
        "ALBATROSS OK - 2 instruments sampling (oldest last sample 25 min ago); 1 links \
         receiving; MQTT spool empty | oldest_sample_age=1500s spool_depth=0 spool_wait=0s"
    );
}

#[test]
fn sample_age_gives_warning_then_critical() {
    let t = thresholds();
    let mut f = fresh();
    f.instruments[1].last = ago(3 * H + 1000);
    let v = judge(&f, &t, now());
    assert_eq!(v.state, State::Warning);
    assert!(
        v.line.starts_with(
            "ALBATROSS WARNING - last sample over 3.0 h ago: albatross MICROCAT 3725002 (3.0 h)"
        ),
        "{}",
        v.line
    );
    // exactly at the threshold is not yet late
    f.instruments[1].last = ago(3 * H);
    assert_eq!(judge(&f, &t, now()).state, State::Ok);
    f.instruments[0].last = ago(27 * H);
    f.instruments[1].last = ago(4 * H);
    let v = judge(&f, &t, now());
    assert_eq!(v.state, State::Critical);
    assert_eq!(v.state.exit_code(), 2);
    // worst first
    assert!(
        v.line.starts_with(
            "ALBATROSS CRITICAL - last sample over 26.0 h ago: albatross MICROCAT 3725001 \
             (27.0 h); last sample over 3.0 h ago: albatross MICROCAT 3725002 (4.0 h)"
        ),
        "{}",
        v.line
    );
}

#[test]
fn an_instrument_without_samples_is_critical() {
    let mut f = fresh();
    f.instruments.push(instrument("3725009", None));
    let v = judge(&f, &thresholds(), now());
    assert_eq!(v.state, State::Critical);
    assert!(
        v.line
            .contains("no sample stored from albatross MICROCAT 3725009"),
        "{}",
        v.line
    );
}

#[test]
fn a_silent_link_is_down() {
    let mut f = fresh();
    f.links[0].last = ago(5 * H);
    let v = judge(&f, &thresholds(), now());
    assert_eq!(v.state, State::Critical);
    assert!(
        v.line
            .contains("link albatross-modem: down, nothing received for 5.0 h"),
        "{}",
        v.line
    );
    f.links[0].last = None;
    let v = judge(&f, &thresholds(), now());
    assert!(
        v.line.contains("link albatross-modem: nothing received"),
        "{}",
        v.line
    );
}

#[test]
fn a_spool_that_does_not_drain_is_critical() {
    let t = thresholds();
    let mut f = fresh();
    let since = |ms: i64| Some((now().unix_millis() - ms) as u64);
    f.spool = Some((40, since(20 * 60_000)));
    let v = judge(&f, &t, now());
    assert_eq!(
        v.state,
        State::Ok,
        "a spool that waits less than the threshold drains"
    );
    assert!(
        v.line.contains("MQTT spool draining (40 waiting)"),
        "{}",
        v.line
    );
    assert!(
        v.line.ends_with("spool_depth=40 spool_wait=1200s"),
        "{}",
        v.line
    );
    f.spool = Some((400, since(2 * H)));
    let v = judge(&f, &t, now());
    assert_eq!(v.state, State::Critical);
    assert!(
        v.line
            .contains("MQTT spool growing: 400 records waiting, the oldest for 2.0 h"),
        "{}",
        v.line
    );
}

#[test]
fn configured_thresholds_apply() {
    let text = r#"
[station]
site = "s"
name = "n"
institution = "i"
project = "p"
info_url = "u"
license = "l"
creator_name = "c"
creator_email = "e"

[status]
sample_warning_h = 0.5
sample_critical_h = 2
"#;
    let c = crate::config::Config::parse(text, std::path::Path::new("t.toml")).unwrap();
    let t = Thresholds::of(&c.status);
    assert_eq!(t.sample_warning_ms, H / 2);
    assert_eq!(t.sample_critical_ms, 2 * H);
    assert_eq!(t.link_critical_ms, 3 * H);
    let mut f = fresh();
    f.instruments[0].last = ago(H);
    assert_eq!(judge(&f, &t, now()).state, State::Warning);
    f.instruments[0].last = ago(3 * H);
    assert_eq!(judge(&f, &t, now()).state, State::Critical);

    for (bad, want) in [
        ("sample_warning_h = 0", "status.sample_warning_h"),
        ("link_critical_h = -1", "status.link_critical_h"),
        ("sample_warning_h = 30", "less than sample_critical_h"),
    ] {
        let text = text.replace("sample_warning_h = 0.5", bad);
        let e = crate::config::Config::parse(&text, std::path::Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{bad}: {e}");
        assert!(e.contains("t.toml"), "{e}");
    }
}

#[test]
fn ages_read_well() {
    assert_eq!(age(45_000), "45 s");
    assert_eq!(age(12 * 60_000), "12 min");
    assert_eq!(age(7 * H / 2), "3.5 h");
    assert_eq!(age(101 * H), "4.2 d");
}

#[test]
fn unknown_is_exit_3() {
    let v = unknown("data directory /x does not exist");
    assert_eq!(v.state.exit_code(), 3);
    assert_eq!(
        v.line,
        "ALBATROSS UNKNOWN - data directory /x does not exist"
    );
}
