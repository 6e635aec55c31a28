//! End to end over a serial port: socat makes a real pseudo-terminal pair standing in for
//! the MII modem's serial line (bridged to the simulator), `albatross run` reads it as a
//! serial port; the port vanishes for a few seconds (socat killed) and comes back at the
//! same path. Every sample still reaches the record files exactly once.

mod common;
use common::pty::{socat, wait_for};
use common::*;
use std::time::Duration;

#[test]
fn serial_port_vanishing_and_returning_loses_nothing() {
    let dir = temp_dir("e2e-serial");
    let mut sim = lossy_scenario(12);
    sim.channel.outages.clear(); // the vanishing port is this test's outage
    let (addr, truth, sim) = start_sim(sim, 3600.0, 30 * HOUR_MS, false, &dir);
    let pty = dir.join("ttyMII");
    let mut bridge = socat(&pty, &addr);
    wait_for(&pty);
    let path = pty.display().to_string();
    let config = config(
        &dir,
        &format!("[link.serial]\npath = {path:?}\nbaud = 9600"),
    );
    let gateway = start_gateway(&config, &dir);
    std::thread::sleep(Duration::from_secs(10));
    // the serial port disappears (a USB adapter pulled out), then returns at the same path
    bridge.kill().unwrap();
    bridge.wait().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !pty.exists(),
        "the pty link should be gone while socat is down"
    );
    let mut bridge = socat(&pty, &addr);
    wait_for(&pty);
    sim.join().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    stop(gateway);
    let _ = bridge.kill();
    let _ = bridge.wait();
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap();
    assert!(
        log.matches("serial port open").count() >= 2,
        "the gateway reopened the port:\n{log}"
    );
    assert_complete(&dir, &truth);
    std::fs::remove_dir_all(&dir).unwrap();
}
