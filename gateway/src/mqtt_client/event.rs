//! What an MQTT connection reports, in one vocabulary for both protocol versions.

use std::fmt;

/// The MQTT protocol version of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// MQTT 3.1.1 (protocol level 4).
    V311,
    /// MQTT 5.
    V5,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::V311 => "3.1.1",
            Version::V5 => "5",
        })
    }
}

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Packet id (0 at QoS 0).
    pub pkid: u16,
    /// QoS 0, 1 or 2.
    pub qos: u8,
}

/// One event of the connection, in the order rumqttc reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MqttEvent {
    /// The broker accepted the connection.
    ConnAck {
        /// The broker still had our session.
        session_present: bool,
    },
    /// A publish was written with this packet id (in request order).
    PublishSent(u16),
    /// The broker acknowledged this packet id (QoS 1).
    PubAck(u16),
    /// A message arrived.
    Publish(Message),
    /// The broker answered a subscription.
    SubAck {
        /// At least one filter was refused.
        refused: bool,
    },
    /// The broker answered an unsubscription.
    UnsubAck,
    /// The DISCONNECT we asked for was written.
    DisconnectSent,
    /// Anything else (pings, outgoing acknowledgements, …).
    Other,
}

/// What kind of failure ended (or prevented) a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The broker answered CONNACK with a refusal (credentials, authorisation, …).
    Refused,
    /// The broker said it does not speak this protocol version, or answered with
    /// something that is not a CONNACK of this version.
    ProtocolMismatch,
    /// The peer closed the connection (during the handshake this may mean it does not speak
    /// this version, or just that it is shutting down).
    Closed,
    /// TLS failed (certificate, handshake).
    Tls,
    /// Anything else: network unreachable, connection refused, timeout, …
    Other,
}

/// A connection failure, with a message fit for the operator's log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MqttError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// In words.
    pub message: String,
}

impl MqttError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        MqttError {
            kind,
            message: message.into(),
        }
    }
}

/// An MQTT 3.1.1 CONNACK refusal in words.
pub(crate) fn refusal_v311(code: rumqttc::ConnectReturnCode) -> MqttError {
    use rumqttc::ConnectReturnCode as C;
    let (kind, what) = match code {
        C::BadUserNamePassword => (ErrorKind::Refused, "bad user name or password"),
        C::NotAuthorized => (
            ErrorKind::Refused,
            "bad user name or password, or not authorised (CONNACK code 5)",
        ),
        C::BadClientId => (ErrorKind::Refused, "client id rejected"),
        C::RefusedProtocolVersion => (
            ErrorKind::ProtocolMismatch,
            "protocol version 3.1.1 not accepted",
        ),
        C::ServiceUnavailable => (ErrorKind::Refused, "service unavailable"),
        C::Success => (ErrorKind::Other, "accepted"),
    };
    MqttError::new(kind, format!("broker refused the connection: {what}"))
}

/// An MQTT 5 CONNACK refusal in words.
pub(crate) fn refusal_v5(code: rumqttc::v5::mqttbytes::v5::ConnectReturnCode) -> MqttError {
    use rumqttc::v5::mqttbytes::v5::ConnectReturnCode as C;
    let (kind, what) = match code {
        C::BadUserNamePassword => (ErrorKind::Refused, "bad user name or password".into()),
        // mosquitto answers a wrong password with 135, not 134
        C::NotAuthorized => (
            ErrorKind::Refused,
            "bad user name or password, or not authorised (CONNACK reason 135)".into(),
        ),
        C::Banned => (ErrorKind::Refused, "client banned".into()),
        C::ClientIdentifierNotValid | C::BadClientId => {
            (ErrorKind::Refused, "client id rejected".into())
        }
        C::UnsupportedProtocolVersion | C::RefusedProtocolVersion => (
            ErrorKind::ProtocolMismatch,
            "protocol version 5 not supported".into(),
        ),
        other => (ErrorKind::Refused, format!("{other:?}")),
    };
    MqttError::new(kind, format!("broker refused the connection: {what}"))
}

/// A TLS failure in words, with what to check when the cause is a known certificate
/// problem (rustls reports them as `invalid peer certificate: <reason>`).
fn tls_error(detail: String) -> MqttError {
    let hint = if detail.contains("UnknownIssuer") {
        ": the broker's certificate is not signed by a CA of sinks.mqtt.ca_file (check ca_file, or the broker's certfile)"
    } else if detail.contains("NotValidForName") {
        ": the broker's certificate does not name the host of sinks.mqtt.address (use the name in its certificate)"
    } else if detail.contains("Expired") {
        ": the broker's certificate has expired (or the clocks disagree)"
    } else if detail.contains("NotValidYet") {
        ": the broker's certificate is not valid yet (check the clocks)"
    } else {
        ""
    };
    MqttError::new(ErrorKind::Tls, format!("TLS: {detail}{hint}"))
}

fn io_kind(e: &std::io::Error) -> ErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
            ErrorKind::Closed
        }
        _ => ErrorKind::Other,
    }
}

/// An I/O failure of the connection: a TLS certificate problem (rustls reports some as
/// I/O errors), the peer closing it, or anything else.
fn io_error(io: &std::io::Error) -> MqttError {
    let text = io.to_string();
    if text.contains("certificate") {
        tls_error(text)
    } else {
        MqttError::new(io_kind(io), format!("I/O: {text}"))
    }
}

impl From<rumqttc::ConnectionError> for MqttError {
    fn from(e: rumqttc::ConnectionError) -> Self {
        use rumqttc::{ConnectionError as E, StateError as S};
        match e {
            E::ConnectionRefused(code) => refusal_v311(code),
            E::NotConnAck(p) => MqttError::new(
                ErrorKind::ProtocolMismatch,
                format!("expected CONNACK, received {p:?}"),
            ),
            E::Tls(t) => tls_error(t.to_string()),
            E::Io(io) => io_error(&io),
            E::MqttState(S::ConnectionAborted) => {
                MqttError::new(ErrorKind::Closed, "connection closed by the broker")
            }
            E::MqttState(S::Io(io)) => io_error(&io),
            other => MqttError::new(ErrorKind::Other, other.to_string()),
        }
    }
}

impl From<rumqttc::v5::ConnectionError> for MqttError {
    fn from(e: rumqttc::v5::ConnectionError) -> Self {
        use rumqttc::v5::{ConnectionError as E, StateError as S};
        match e {
            E::ConnectionRefused(code) => refusal_v5(code),
            E::NotConnAck(p) => MqttError::new(
                ErrorKind::ProtocolMismatch,
                format!("expected an MQTT 5 CONNACK, received {p:?}"),
            ),
            E::Tls(t) => tls_error(t.to_string()),
            E::Io(io) => io_error(&io),
            E::MqttState(S::ConnectionAborted) => {
                MqttError::new(ErrorKind::Closed, "connection closed by the broker")
            }
            E::MqttState(S::Io(io)) => io_error(&io),
            // the socket failed while a packet was being read (a broker shutting down
            // resets it mid-handshake): the connection closing, not a protocol mismatch,
            // which would wrongly settle `auto` on 3.1.1
            E::MqttState(S::Deserialization(rumqttc::v5::mqttbytes::Error::Io(io))) => {
                io_error(&io)
            }
            E::MqttState(S::Deserialization(d)) => MqttError::new(
                ErrorKind::ProtocolMismatch,
                format!("malformed MQTT 5 packet from the broker: {d}"),
            ),
            other => MqttError::new(ErrorKind::Other, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::v5::mqttbytes::Error as PacketError;
    use rumqttc::v5::{ConnectionError, StateError};

    #[test]
    fn a_reset_while_reading_a_packet_is_a_closed_connection_not_a_mismatch() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let e = MqttError::from(ConnectionError::MqttState(StateError::Deserialization(
            PacketError::Io(reset),
        )));
        assert_eq!(e.kind, ErrorKind::Closed, "{}", e.message);
        let e = MqttError::from(ConnectionError::MqttState(StateError::Deserialization(
            PacketError::InvalidProtocol,
        )));
        assert_eq!(e.kind, ErrorKind::ProtocolMismatch, "{}", e.message);
    }
}
