//! Serial ports for the tests: socat makes a real pseudo-terminal at a fixed path, bridged
//! to a TCP address (the simulator's modem, or a test's instrument), and can be killed to
//! make the port vanish.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts socat: a raw pty linked at `pty`, bridged to the TCP server at `addr`.
pub fn socat(pty: &Path, addr: &str) -> Child {
    Command::new("socat")
        .arg(format!("PTY,link={},raw,echo=0", pty.display()))
        .arg(format!("TCP:{addr}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("socat is installed by the test command (scripts/test-all.sh)")
}

/// Waits until `path` exists (socat made its link); panics after a generous hang guard.
pub fn wait_for(path: &Path) {
    // hang guard only: socat makes the link within milliseconds
    let guard = Instant::now();
    while !path.exists() {
        assert!(
            guard.elapsed() < Duration::from_secs(30),
            "hang guard: {} did not appear",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}
