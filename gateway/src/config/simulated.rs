//! Pointing a configuration's links at a simulator (`albatross demo`, the end-to-end tests):
//! the simulator serves the acoustic modem and each simulated instrument on its own
//! loopback TCP port, and the configuration's links are retargeted there.

use super::{Carries, Config, TcpTransport};
use std::collections::HashMap;
use toml::Spanned;

/// Where a simulator serves the links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulatedPorts {
    /// `host:port` of the simulated acoustic modem's host interface.
    pub modem: String,
    /// `host:port` of each simulated instrument's serial line, by serial number.
    pub instruments: HashMap<String, String>,
}

impl Config {
    /// Retargets the links at `ports`: every modem link becomes a TCP link to
    /// `ports.modem`, every instrument link whose instrument the simulator plays a TCP link
    /// to its port (whatever its transport was: TCP, serial or replay). Links of
    /// instruments the simulator does not play are removed; their names are returned.
    pub fn point_at_simulator(&mut self, ports: &SimulatedPorts) -> Vec<String> {
        let mut removed = Vec::new();
        self.links.retain_mut(|l| {
            let address = match (l.carries, &l.instrument) {
                (Carries::Modem, _) => Some(ports.modem.clone()),
                (_, Some(serial)) => ports.instruments.get(serial.get_ref()).cloned(),
                (_, None) => None,
            };
            let Some(address) = address else {
                removed.push(l.name.get_ref().clone());
                return false;
            };
            l.tcp = Some(TcpTransport {
                address: Spanned::new(0..0, address),
            });
            l.serial = None;
            l.replay = None;
            true
        });
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_example_link_is_pointed_at_its_simulated_port() {
        let text = include_str!("../../albatross.example.toml");
        let mut c = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
        let instruments = [("3716125", 1), ("11402", 2), ("379", 3)]
            .map(|(s, p)| (s.to_owned(), format!("127.0.0.1:{p}")));
        let ports = SimulatedPorts {
            modem: "127.0.0.1:9".into(),
            instruments: instruments.into_iter().collect(),
        };
        assert_eq!(c.point_at_simulator(&ports), ["mii-cstar"]);
        let got: Vec<(&str, &str)> = c
            .links
            .iter()
            .map(|l| {
                assert!(l.serial.is_none() && l.replay.is_none());
                let t = l.tcp.as_ref().unwrap();
                (l.name.get_ref().as_str(), t.address.get_ref().as_str())
            })
            .collect();
        assert_eq!(
            got,
            [
                ("albatross-modem", "127.0.0.1:9"),
                ("mii-ctd", "127.0.0.1:1"),
                ("mii-aquadopp", "127.0.0.1:2"),
                ("mii-optode", "127.0.0.1:3"),
            ]
        );
    }
}
