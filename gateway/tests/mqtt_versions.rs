//! MQTT version negotiation against real brokers. mosquitto 2 speaks MQTT 5: with the
//! default `protocol = "auto"` the gateway connects with 5 (the broker's own log says
//! `p5`), and with `protocol = "3.1.1"` it connects with 3.1.1 (`p2`, mosquitto's
//! number for 3.1.1). rumqttd's v4
//! listener (the demo's embedded broker) speaks only 3.1.1: "auto" falls back and every
//! record arrives.

mod common;
use common::mosquitto::Mosquitto;
use common::mqtt::*;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Runs a simulated line into the gateway publishing to `broker`, and checks that a
/// subscriber on `port` receives every sbe37 record; returns the gateway's log.
fn run_day(dir: &Path, broker: &str, port: u16, extra: &str, seed: u64) -> String {
    let out = dir.join("received.txt");
    let sub = subscribe(port, "test-sub-versions", "emso/#", None, &out);
    let (addr, truth, sim) = start_sim(clean_line(seed, 3), 3600.0, 4 * HOUR_MS, false, dir);
    let config = config_with_mqtt(
        dir,
        &format!("[link.tcp]\naddress = \"{addr}\""),
        broker,
        extra,
    );
    let gateway = start_gateway(&config, dir);
    sim.join().unwrap();
    let want = truth_sbe37(&truth);
    assert!(want.len() >= 40, "the simulator sampled {}", want.len());
    let got = wait_for(&out, "sbe37", &want, Duration::from_secs(60));
    stop(gateway);
    unsubscribe(sub);
    let log = text(&dir.join("gateway.log"));
    assert_eq!(
        got,
        want,
        "{} sampled, {} received\n{log}",
        want.len(),
        got.len()
    );
    log
}

fn connected_line(log: &str) -> &str {
    log.lines()
        .find(|l| l.contains("connected to the MQTT broker"))
        .unwrap_or("")
}

#[test]
fn mosquitto_gets_mqtt5_by_default_and_311_when_asked() {
    let dir = temp_dir("mqtt-v5");
    let broker = Mosquitto::start(&dir, &[]);
    let log = run_day(&dir, &broker.address(), broker.port, "", 31);
    assert!(connected_line(&log).contains("mqtt=5"), "{log}");
    assert!(!log.contains("does not speak"), "{log}");
    let broker_log = text(&dir.join("mosquitto/mosquitto.log"));
    assert!(
        broker_log.contains("as albatross-shore-toulon (p5"),
        "mosquitto saw no MQTT 5 connection of the gateway:\n{broker_log}"
    );

    // forced 3.1.1: mosquitto logs `p2` (nothing to publish: the link is gone)
    let config = config_with_mqtt(
        &dir,
        "[link.tcp]\naddress = \"127.0.0.1:9\"",
        &broker.address(),
        "protocol = \"3.1.1\"",
    );
    let gateway = start_gateway(&config, &dir);
    let t0 = Instant::now();
    while !text(&dir.join("mosquitto/mosquitto.log")).contains("as albatross-shore-toulon (p2")
        && t0.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop(gateway);
    let broker_log = text(&dir.join("mosquitto/mosquitto.log"));
    assert!(
        broker_log.contains("as albatross-shore-toulon (p2"),
        "{broker_log}"
    );
    drop(broker);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Needs the embedded broker, which only the `demo` feature builds.
#[cfg(feature = "demo")]
#[test]
fn auto_falls_back_to_311_on_a_broker_without_mqtt5() {
    let dir = temp_dir("mqtt-v311");
    let addr = gateway::broker::start_embedded().unwrap();
    let log = run_day(&dir, &addr.to_string(), addr.port(), "", 32);
    assert!(
        log.contains("the broker does not speak MQTT 5") && log.contains("using MQTT 3.1.1"),
        "{log}"
    );
    assert!(connected_line(&log).contains("mqtt=3.1.1"), "{log}");
    std::fs::remove_dir_all(&dir).unwrap();
}
