//! A live run in this process: the simulator's line and MII node served on loopback
//! ([`serve_with_mii`]) and the gateway's `service::run` on a configuration pointed at
//! them ([`run_gateway`]), as `albatross demo` wires them.

use firmware_shim::controller::Counters;
use firmware_shim::sim::engine::SimConfig;
use firmware_shim::sim::mii::MiiConfig;
use firmware_shim::sim::serve::{serve, served, ServeOptions, Served, Speed};
use gateway::config::{Config, SimulatedPorts};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Serves `line` and the MII node `mii` on loopback TCP ports in a thread, at 3600x, for
/// `duration_ms` of simulated time once the gateway connects, with the ground truth written
/// to `truth`; returns the ports it announced and the thread, which ends with the line
/// controller's counters.
pub fn serve_with_mii(
    line: SimConfig,
    mii: MiiConfig,
    duration_ms: u64,
    truth: &Path,
) -> (SimulatedPorts, JoinHandle<Counters>) {
    let opts = ServeOptions {
        tcp: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        pty: false,
        speed: Speed::Factor(3600.0),
        duration_ms: Some(duration_ms),
        wait_for_client: true,
        truth: Some(Box::new(std::fs::File::create(truth).unwrap())),
        capture: None,
        mii: Some(mii),
    };
    let (tx, rx) = mpsc::channel::<String>();
    let sim = std::thread::spawn(move || {
        serve(line, opts, |l| {
            let _ = tx.send(l.to_owned());
        })
        .unwrap()
    });
    let mut ports = SimulatedPorts::default();
    while ports.modem.is_empty() || ports.instruments.len() < 4 {
        let l = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the simulator announces its ports");
        match served(&l) {
            Some(Served::Modem(a)) => ports.modem = a,
            Some(Served::Mii {
                serial, address, ..
            }) => {
                ports.instruments.insert(serial.to_string(), address);
            }
            None => {}
        }
    }
    std::thread::spawn(move || for _ in rx {});
    (ports, sim)
}

/// The example configuration writing under `data_dir`, every link pointed at the
/// simulator's `ports` (as `albatross demo` does).
pub fn example_config(data_dir: &Path, ports: &SimulatedPorts) -> Config {
    let text = include_str!("../../albatross.example.toml");
    let mut config = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
    config.gateway.data_dir = data_dir.to_owned();
    assert_eq!(config.point_at_simulator(ports), Vec::<String>::new());
    config
}

/// Runs the gateway's service on `config` in a thread; send `true` to stop it. The thread
/// ends with what `service::run` returned.
pub fn run_gateway(config: Config) -> (tokio::sync::watch::Sender<bool>, JoinHandle<u64>) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let gateway = std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(gateway::service::run(config, stop_rx))
    });
    (stop_tx, gateway)
}
