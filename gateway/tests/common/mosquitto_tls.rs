//! A real mosquitto with a TLS listener, for tests: a throwaway CA and a server certificate
//! for `localhost` / `127.0.0.1` made at test time with `rcgen` (no openssl CLI), and a
//! `mosquitto_sub` that verifies the broker with that CA.

use super::mosquitto::{free_port, Mosquitto};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A certificate authority made for one test.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    /// The CA certificate (PEM).
    pub pem: String,
}

impl TestCa {
    /// A new self-signed CA named `name` (its own key, so two CAs never trust each other).
    pub fn new(name: &str) -> Self {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa {
            issuer: rcgen::Issuer::new(params, key),
            pem: cert.pem(),
        }
    }

    /// A server certificate for `localhost` and `127.0.0.1` signed by this CA: (cert PEM,
    /// private key PEM).
    pub fn server_cert(&self) -> (String, String) {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// Writes the CA certificate to `path` and returns it.
    pub fn write(&self, path: &Path) -> PathBuf {
        std::fs::write(path, &self.pem).unwrap();
        path.to_owned()
    }
}

/// A running (or stopped) mosquitto with one TLS listener on 127.0.0.1, anonymous access,
/// no client certificate required, persistence in the test's directory.
pub struct TlsMosquitto {
    broker: Mosquitto,
    /// Its loopback port.
    pub port: u16,
    /// The CA that signed the broker's certificate (PEM file).
    pub ca_file: PathBuf,
}

impl TlsMosquitto {
    /// Starts mosquitto in `dir/mosquitto-tls` with a server certificate signed by `ca`.
    pub fn start(dir: &Path, ca: &TestCa) -> Self {
        let dir = dir.join("mosquitto-tls");
        std::fs::create_dir_all(&dir).unwrap();
        // mosquitto started as root drops to the `mosquitto` user, which must still read
        // the key and write its persistence file here
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let ca_file = ca.write(&dir.join("ca.pem"));
        let (cert, key) = ca.server_cert();
        let cert_file = dir.join("server.pem");
        let key_file = dir.join("server.key");
        std::fs::write(&cert_file, cert).unwrap();
        std::fs::write(&key_file, key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let port = free_port();
        let conf = format!(
            "listener {port} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate false\nallow_anonymous true\npersistence true\npersistence_location {}/\nautosave_interval 1\nmax_queued_messages 100000\nmax_inflight_messages 100\n",
            ca_file.display(),
            cert_file.display(),
            key_file.display(),
            dir.display()
        );
        TlsMosquitto {
            broker: Mosquitto::with_conf(&dir, port, &conf),
            port,
            ca_file,
        }
    }

    /// `localhost:PORT`: the name the server certificate is for.
    pub fn address(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// Starts it again (same port, same persistence).
    pub fn restart(&mut self) {
        self.broker.restart();
    }

    /// The broker's own log.
    pub fn log(&self) -> String {
        self.broker.log()
    }

    /// Stops it with SIGTERM (it saves its persistence file first).
    pub fn stop(&mut self) {
        self.broker.stop();
    }

    /// A `mosquitto_sub` over TLS (verifying the broker against [`TlsMosquitto::ca_file`]
    /// and the name `localhost`) on `topic` at QoS 1, client id `id`, persistent session,
    /// appending `topic payload` lines to `out` (the format `common::mqtt::received` reads).
    pub fn subscribe(&self, id: &str, topic: &str, out: &Path) -> Child {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .unwrap();
        let child = Command::new("mosquitto_sub")
            .args(["-h", "localhost", "-p", &self.port.to_string()])
            .arg("--cafile")
            .arg(&self.ca_file)
            .args(["-q", "1", "-c", "-i", id, "-v", "-t", topic])
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_sub is installed");
        // let it connect and subscribe before anything is published
        std::thread::sleep(Duration::from_millis(500));
        child
    }

    /// One retained message on `topic` over TLS (waits up to 3 s).
    pub fn retained(&self, topic: &str) -> Option<String> {
        let out = Command::new("mosquitto_sub")
            .args(["-h", "localhost", "-p", &self.port.to_string()])
            .arg("--cafile")
            .arg(&self.ca_file)
            .args(["-C", "1", "-W", "3", "-t", topic])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (!text.is_empty()).then_some(text)
    }
}
