//! One MQTT client for the gateway's publisher and for `albatross writer`, speaking MQTT 5
//! where the broker does and MQTT 3.1.1 where it does not.
//!
//! rumqttc has two separate clients (`rumqttc` for 3.1.1, `rumqttc::v5` for 5) with
//! different types; [`client`] wraps both behind one handle ([`Client`]) and one event
//! loop ([`EventLoop`]) whose events ([`MqttEvent`]) and errors ([`MqttError`]) are ours,
//! so the publisher and the writer are written once. [`Negotiator`] decides which version
//! the next connection attempt uses (`protocol = "auto" | "5" | "3.1.1"` in the config).
//!
//! Session semantics are the same in both versions: a fixed client id with a persistent
//! session (3.1.1 clean session off; 5 clean start off and a session expiry interval of
//! `0xFFFF_FFFF`, "never expires", which is what 3.1.1's persistent session means).

pub mod client;
pub mod credentials;
pub mod event;
pub mod negotiate;
pub mod tls;

pub use client::{
    connect, Client, ConnectOptions, EventLoop, RequestRejected, Will, SESSION_NEVER_EXPIRES,
};
pub use credentials::{Credentials, Secret};
pub use event::{ErrorKind, Message, MqttError, MqttEvent, Version};
pub use negotiate::{Negotiator, Protocol};
