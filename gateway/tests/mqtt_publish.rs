//! The MQTT sink against a real mosquitto: nothing is lost when the broker is down and the
//! gateway is SIGKILLed (c), nor when the broker refuses the credentials (d).

mod common;
use common::mosquitto::Mosquitto;
use common::mqtt::*;
use common::*;
use std::process::Command;
use std::time::Duration;

fn sigkill(mut child: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
fn broker_down_and_gateway_sigkilled_loses_nothing() {
    let dir = temp_dir("mqtt-kill");
    let mut broker = Mosquitto::start(&dir, &[]);
    let out = dir.join("received.txt");
    // the subscriber's persistent session, so that the broker queues for it
    unsubscribe(subscribe(broker.port, "test-sub-c", "emso/#", None, &out));
    broker.stop();

    let (addr, truth, sim) = start_sim(clean_line(21, 12), 3600.0, 14 * HOUR_MS, false, &dir);
    let config = config_with_mqtt(
        &dir,
        &format!("[link.tcp]\naddress = \"{addr}\""),
        &broker.address(),
        "",
    );
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    // SIGKILL while the broker is down: every record is in the spool only
    sigkill(gateway);
    let want = truth_sbe37(&truth);
    assert!(
        want.len() >= 150,
        "the simulator sampled {} records",
        want.len()
    );
    let spooled = spool_depth(&dir);
    assert_eq!(
        spooled as usize,
        stored_lines(&dir),
        "the spool holds every stored record\n{}",
        log_tail(&dir)
    );

    // restarted (the simulator is gone: only the spool has something to say)
    let gateway = start_gateway(&config, &dir);
    std::thread::sleep(Duration::from_secs(2));
    broker.restart();
    let sub = subscribe(broker.port, "test-sub-c", "emso/#", None, &out);
    let got = wait_for(&out, "sbe37", &want, Duration::from_secs(60));
    let missing = want.difference(&got).count();
    let extra = got.difference(&want).count();
    assert!(
        missing == 0 && extra == 0,
        "{} sampled, {} received: {missing} missing, {extra} not in the truth\n{}",
        want.len(),
        got.len(),
        log_tail(&dir)
    );
    // the spool drains completely, and the retained topics are there
    for _ in 0..40 {
        std::thread::sleep(Duration::from_millis(250));
        if retained(broker.port, "emso/+/albatross/sbe37/+/status", None).is_some() {
            break;
        }
    }
    let status =
        retained(broker.port, "emso/+/albatross/sbe37/+/status", None).expect("a retained status");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert!(
        status["records_published"].as_u64().unwrap_or(0) >= 1,
        "{status}"
    );
    assert!(status["last_record_time"].is_string(), "{status}");
    assert_eq!(
        retained(
            broker.port,
            "emso/emso-ligure-ouest/gateway/shore-toulon/online",
            None
        )
        .as_deref(),
        Some("online")
    );
    stop(gateway);
    unsubscribe(sub);
    assert_eq!(spool_depth(&dir), 0, "{}", log_tail(&dir));
    assert_eq!(
        retained(
            broker.port,
            "emso/emso-ligure-ouest/gateway/shore-toulon/online",
            None
        )
        .as_deref(),
        Some("offline")
    );
    eprintln!(
        "{} records spooled at the kill, {} sbe37 sampled, {} sbe37 messages received (with duplicates)",
        spooled,
        want.len(),
        received_count(&out, "sbe37")
    );
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wrong_credentials_keep_everything_in_the_spool_until_fixed() {
    let dir = temp_dir("mqtt-auth");
    let user = ("albatross", "s3cret-pass");
    let mut broker = Mosquitto::start(&dir, &[user]);
    let out = dir.join("received.txt");

    let (addr, truth, sim) = start_sim(clean_line(22, 12), 3600.0, 14 * HOUR_MS, false, &dir);
    let transport = format!("[link.tcp]\naddress = \"{addr}\"");
    let config = config_with_mqtt(
        &dir,
        &transport,
        &broker.address(),
        "username = \"albatross\"\npassword = \"wrong\"",
    );
    let gateway = start_gateway(&config, &dir);
    sim.join().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    stop(gateway);
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(
        log.contains("broker refused the connection: bad user name or password"),
        "{}",
        log_tail(&dir)
    );
    let want = truth_sbe37(&truth);
    assert_all_spooled(&dir, want.len());

    // fixed: the subscriber is there first, then the gateway with the right password
    let sub = subscribe(broker.port, "test-sub-d", "emso/#", Some(user), &out);
    let config = config_with_mqtt(
        &dir,
        &transport,
        &broker.address(),
        "username = \"albatross\"\npassword = \"s3cret-pass\"",
    );
    let gateway = start_gateway(&config, &dir);
    let got = wait_for(&out, "sbe37", &want, Duration::from_secs(60));
    let missing = want.difference(&got).count();
    assert!(
        missing == 0 && got == want,
        "{} sampled, {} received: {missing} missing\n{}",
        want.len(),
        got.len(),
        log_tail(&dir)
    );
    stop(gateway);
    unsubscribe(sub);
    assert_eq!(spool_depth(&dir), 0);
    broker.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
