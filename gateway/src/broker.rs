//! An embedded MQTT broker (rumqttd) on loopback, for `albatross demo` and tests. Production
//! deployments use a real broker (mosquitto); this one keeps sessions in memory only.
//! Compiled only with the `demo` cargo feature.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};

/// Starts a broker on `127.0.0.1` (a free port) in background threads; returns its address.
/// The broker runs until the process exits (rumqttd has no shutdown).
pub fn start_embedded() -> std::io::Result<SocketAddr> {
    let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let server = rumqttd::ServerSettings {
        name: "v4-loopback".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 1,
        connections: rumqttd::ConnectionSettings {
            connection_timeout_ms: 60_000,
            max_payload_size: 1 << 20,
            max_inflight_count: 200,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    };
    let config = rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            max_connections: 100,
            max_outgoing_packet_count: 200,
            max_segment_size: 1 << 20,
            max_segment_count: 10,
            custom_segment: None,
            initialized_filters: None,
            shared_subscriptions_strategy: Default::default(),
        },
        v4: Some(HashMap::from([("loopback".to_owned(), server)])),
        v5: None,
        ws: None,
        cluster: None,
        console: None,
        bridge: None,
        prometheus: None,
        metrics: None,
    };
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(config);
            if let Err(e) = broker.start() {
                tracing::error!(error = %e, "embedded MQTT broker stopped");
            }
        })?;
    // wait until it accepts connections
    for _ in 0..200 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(addr);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(std::io::Error::other("embedded MQTT broker did not start"))
}
