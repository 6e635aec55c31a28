//! A real mosquitto broker for tests, on a free loopback port, with persistence in the
//! test's directory (so a restart keeps persistent sessions), optionally with passwords.
//! mosquitto is installed by the test command (scripts/test-all.sh).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running (or stopped) mosquitto.
pub struct Mosquitto {
    child: Option<Child>,
    /// Its loopback port.
    pub port: u16,
    conf: PathBuf,
    log: PathBuf,
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Mosquitto {
    /// Starts mosquitto in `dir`; with `users`, only those user/password pairs may connect.
    pub fn start(dir: &Path, users: &[(&str, &str)]) -> Self {
        let dir = dir.join("mosquitto");
        std::fs::create_dir_all(&dir).unwrap();
        // mosquitto started as root drops to the `mosquitto` user, which must still be able
        // to save its persistence file here (or a restart forgets every session)
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let port = free_port();
        let mut conf = format!(
            "listener {port} 127.0.0.1\npersistence true\npersistence_location {}/\nautosave_interval 1\nmax_queued_messages 100000\nmax_inflight_messages 100\n",
            dir.display()
        );
        if users.is_empty() {
            conf.push_str("allow_anonymous true\n");
        } else {
            let pw = dir.join("passwords");
            std::fs::write(&pw, "").unwrap();
            for (u, p) in users {
                let ok = Command::new("mosquitto_passwd")
                    .arg("-b")
                    .arg(&pw)
                    .arg(u)
                    .arg(p)
                    .status()
                    .unwrap();
                assert!(ok.success());
            }
            conf.push_str(&format!(
                "allow_anonymous false\npassword_file {}\n",
                pw.display()
            ));
        }
        Self::with_conf(&dir, port, &conf)
    }

    /// Starts mosquitto with the configuration text `conf` (written to
    /// `dir/mosquitto.conf`; its listener must be on `port`), logging to
    /// `dir/mosquitto.log`.
    pub fn with_conf(dir: &Path, port: u16, conf: &str) -> Self {
        let conf_path = dir.join("mosquitto.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let mut m = Mosquitto {
            child: None,
            port,
            conf: conf_path,
            log: dir.join("mosquitto.log"),
        };
        m.restart();
        m
    }

    /// The broker's own log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts it again (same port, same persistence).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("mosquitto is installed by scripts/test-all.sh");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("mosquitto did not start on port {}", self.port);
    }

    /// Stops it with SIGTERM (it saves its persistence file first).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
