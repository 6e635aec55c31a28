//! MQTT credentials come from the configuration or from a file it names, never from the
//! command line, and are never logged: `albatross run` with `password_file` connects to a
//! mosquitto that requires that user and password (its retained `online` topic appears),
//! with every log at `trace`, and the password is in neither its log nor its command line.

mod common;
use common::mosquitto::Mosquitto;
use common::mqtt::{config_with_mqtt, retained};
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "pw-Zq81-never-logged";
const ONLINE: &str = "emso/emso-ligure-ouest/gateway/shore-toulon/online";

#[test]
fn password_file_connects_and_the_password_is_never_logged() {
    let dir = temp_dir("mqtt-password-file");
    let mut broker = Mosquitto::start(&dir, &[("gw", PASSWORD)]);
    let secret = dir.join("mqtt.pass");
    std::fs::write(&secret, format!("{PASSWORD}\n")).unwrap();
    // no instrument: a link to a port nobody listens on (the gateway retries it)
    let closed = common::mosquitto::free_port();
    let config = config_with_mqtt(
        &dir,
        &format!("[link.tcp]\naddress = \"127.0.0.1:{closed}\""),
        &broker.address(),
        &format!(
            "username = \"gw\"\npassword_file = {:?}",
            secret.display().to_string()
        ),
    );
    let log = dir.join("gateway.log");
    let child = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["run", "--config"])
        .arg(&config)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut online = None;
    while online.is_none() && Instant::now() < deadline {
        online = retained(broker.port, ONLINE, Some(("gw", PASSWORD)));
        std::thread::sleep(Duration::from_millis(200));
    }
    stop(child);
    broker.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(online.as_deref(), Some("online"), "{text}");
    assert!(text.lines().count() > 10, "trace logs were written: {text}");
    assert!(!text.contains(PASSWORD), "the password is in the log");
    assert!(!String::from_utf8_lossy(&cmdline).contains(PASSWORD));
    let _ = std::fs::remove_dir_all(&dir);
}
