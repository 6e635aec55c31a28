//! Which MQTT version the next connection attempt uses.
//!
//! `protocol = "5"` or `"3.1.1"` is used as written. `"auto"` (the default) starts with
//! MQTT 5 and falls back to 3.1.1 when the broker shows it does not speak 5: a CONNACK
//! refusing the protocol version, a reply that is not an MQTT 5 CONNACK, or the broker
//! closing the connection during two consecutive MQTT 5 handshakes (what a 3.1.1-only
//! broker such as rumqttd's v4 listener does). Once a version has connected it is kept
//! for the life of the process; refused credentials, TLS failures and an unreachable
//! broker never change the version.

use super::event::{ErrorKind, MqttError, Version};
use serde::Deserialize;

/// The configured protocol choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Protocol {
    /// MQTT 5 where the broker speaks it, else 3.1.1.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// MQTT 5 only.
    #[serde(rename = "5")]
    V5,
    /// MQTT 3.1.1 only.
    #[serde(rename = "3.1.1")]
    V311,
}

/// Consecutive "closed during the handshake" failures of MQTT 5 before trying 3.1.1.
const CLOSED_BEFORE_FALLBACK: u8 = 2;

/// Tracks connection outcomes and picks the version of the next attempt.
#[derive(Debug, Clone)]
pub struct Negotiator {
    current: Version,
    settled: bool,
    closed: u8,
}

impl Negotiator {
    /// Starts with MQTT 5 unless `protocol` is 3.1.1.
    pub fn new(protocol: Protocol) -> Self {
        Negotiator {
            current: match protocol {
                Protocol::V311 => Version::V311,
                Protocol::Auto | Protocol::V5 => Version::V5,
            },
            settled: protocol != Protocol::Auto,
            closed: 0,
        }
    }

    /// The version of the next attempt.
    pub fn version(&self) -> Version {
        self.current
    }

    /// A CONNACK accepted the current version: keep it.
    pub fn connected(&mut self) {
        self.settled = true;
        self.closed = 0;
    }

    /// The attempt (or the connection) failed with `e` before any CONNACK of this
    /// connection when `handshake`; returns `true` when the next attempt must use another
    /// version (the caller then builds a new client).
    pub fn failed(&mut self, e: &MqttError, handshake: bool) -> bool {
        if self.settled || !handshake || self.current == Version::V311 {
            return false;
        }
        let fall_back = match e.kind {
            ErrorKind::ProtocolMismatch => true,
            ErrorKind::Closed => {
                self.closed += 1;
                self.closed >= CLOSED_BEFORE_FALLBACK
            }
            ErrorKind::Refused | ErrorKind::Tls | ErrorKind::Other => {
                self.closed = 0;
                false
            }
        };
        if fall_back {
            self.current = Version::V311;
            self.settled = true;
        }
        fall_back
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: ErrorKind) -> MqttError {
        MqttError::new(kind, "x")
    }

    #[test]
    fn auto_falls_back_on_a_clear_mismatch() {
        let mut n = Negotiator::new(Protocol::Auto);
        assert_eq!(n.version(), Version::V5);
        assert!(n.failed(&e(ErrorKind::ProtocolMismatch), true));
        assert_eq!(n.version(), Version::V311);
        assert!(!n.failed(&e(ErrorKind::ProtocolMismatch), true));
        assert_eq!(n.version(), Version::V311);
    }

    #[test]
    fn auto_falls_back_after_two_consecutive_closed_handshakes() {
        let mut n = Negotiator::new(Protocol::Auto);
        assert!(!n.failed(&e(ErrorKind::Closed), true));
        assert!(!n.failed(&e(ErrorKind::Other), true)); // broker down in between: reset
        assert!(!n.failed(&e(ErrorKind::Closed), true));
        assert!(n.failed(&e(ErrorKind::Closed), true));
        assert_eq!(n.version(), Version::V311);
    }

    #[test]
    fn never_falls_back_for_credentials_tls_or_after_success() {
        let mut n = Negotiator::new(Protocol::Auto);
        for k in [ErrorKind::Refused, ErrorKind::Tls, ErrorKind::Other] {
            assert!(!n.failed(&e(k), true));
        }
        assert_eq!(n.version(), Version::V5);
        n.connected();
        assert!(!n.failed(&e(ErrorKind::ProtocolMismatch), true));
        assert!(!n.failed(&e(ErrorKind::Closed), false));
        assert_eq!(n.version(), Version::V5);
    }

    #[test]
    fn fixed_versions_stay() {
        let mut n = Negotiator::new(Protocol::V5);
        assert!(!n.failed(&e(ErrorKind::ProtocolMismatch), true));
        assert_eq!(n.version(), Version::V5);
        assert_eq!(Negotiator::new(Protocol::V311).version(), Version::V311);
    }

    #[test]
    fn protocol_names_in_the_config() {
        #[derive(Deserialize)]
        struct T {
            p: Protocol,
        }
        let t: T = toml::from_str("p = \"3.1.1\"").unwrap();
        assert_eq!(t.p, Protocol::V311);
        let t: T = toml::from_str("p = \"5\"").unwrap();
        assert_eq!(t.p, Protocol::V5);
        let t: T = toml::from_str("p = \"auto\"").unwrap();
        assert_eq!(t.p, Protocol::Auto);
        assert!(toml::from_str::<T>("p = \"4\"").is_err());
    }
}
