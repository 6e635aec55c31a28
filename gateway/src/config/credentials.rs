//! The MQTT credentials of `[sinks.mqtt]`: a `username` with a `password` written in the
//! configuration or, better, a `password_file` named in it (so the configuration can be
//! world-readable while the secret is not). There is no command-line option for either:
//! a command line is visible to every local user (`ps`, `/proc/<pid>/cmdline`).
//!
//! A password is a [`Secret`]: its `Debug` prints `<redacted>`, so printing the
//! configuration, an error or a log field never shows it.

use super::MqttSink;
pub use crate::mqtt_client::{Credentials, Secret};
use std::path::PathBuf;

/// Why the credentials of `[sinks.mqtt]` cannot be used. No variant carries the password.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// `password` or `password_file` without `username`.
    #[error("sinks.mqtt: a password needs a username")]
    PasswordWithoutUser,
    /// Both `password` and `password_file`.
    #[error("sinks.mqtt: give either password or password_file, not both")]
    Both,
    /// The password file could not be read.
    #[error("sinks.mqtt.password_file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The password file is empty (after its final line break).
    #[error("sinks.mqtt.password_file {} is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl MqttSink {
    /// The credentials to connect with: `None` without `username`; the password from
    /// `password`, or read from `password_file` (its content without one final line break),
    /// or empty. Reads the file each time it is called (at the start of a run).
    pub fn credentials(&self) -> Result<Option<Credentials>, CredentialsError> {
        let Some(username) = self.username.clone() else {
            return match (&self.password, &self.password_file) {
                (None, None) => Ok(None),
                _ => Err(CredentialsError::PasswordWithoutUser),
            };
        };
        let password = match (&self.password, &self.password_file) {
            (Some(_), Some(_)) => return Err(CredentialsError::Both),
            (Some(p), None) => p.clone(),
            (None, Some(path)) => read_password_file(path)?,
            (None, None) => Secret::new(""),
        };
        Ok(Some(Credentials { username, password }))
    }
}

fn read_password_file(path: &std::path::Path) -> Result<Secret, CredentialsError> {
    let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::File {
        path: path.to_owned(),
        source,
    })?;
    let line = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if line.is_empty() {
        return Err(CredentialsError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(Secret::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn mqtt(keys: &str) -> MqttSink {
        let text = format!(
            "[station]\nsite = \"s\"\nname = \"n\"\ninstitution = \"i\"\n[gateway]\nid = \"g\"\ndata_dir = \"/d\"\n[sinks.mqtt]\naddress = \"127.0.0.1:1883\"\n{keys}\n"
        );
        let config = Config::parse(&text, Path::new("t.toml")).unwrap();
        config.sinks.mqtt.unwrap()
    }

    #[test]
    fn password_from_the_configuration_or_a_file() {
        assert!(mqtt("").credentials().unwrap().is_none());
        let c = mqtt("username = \"u\"\npassword = \"hunter2\"")
            .credentials()
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.password.expose()), ("u", "hunter2"));
        let dir = std::env::temp_dir().join(format!("albatross-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mqtt.pass");
        std::fs::write(&file, "s3cr3t pass\n").unwrap();
        let keys = format!(
            "username = \"u\"\npassword_file = {:?}",
            file.display().to_string()
        );
        let c = mqtt(&keys).credentials().unwrap().unwrap();
        assert_eq!(c.password.expose(), "s3cr3t pass");
        std::fs::write(&file, "\n").unwrap();
        assert!(matches!(
            mqtt(&keys).credentials(),
            Err(CredentialsError::Empty { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            mqtt(&keys).credentials(),
            Err(CredentialsError::File { .. })
        ));
        let both = format!("{keys}\npassword = \"p\"");
        assert!(matches!(
            mqtt(&both).credentials(),
            Err(CredentialsError::Both)
        ));
        assert!(matches!(
            mqtt("password = \"p\"").credentials(),
            Err(CredentialsError::PasswordWithoutUser)
        ));
    }

    #[test]
    fn a_password_is_never_printed() {
        let m = mqtt("username = \"u\"\npassword = \"hunter2\"");
        let shown = format!("{m:?} {:?}", m.credentials().unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
