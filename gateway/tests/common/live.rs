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

/// [`example_config`] as the live runs use it: the repair, acknowledgement and probe
/// delays scaled to the 3600x clock, MQTT to the broker at `mqtt` (`host:port`).
pub fn live_config(data_dir: &Path, ports: &SimulatedPorts, mqtt: &str) -> Config {
    let mut config = example_config(data_dir, ports);
    for l in &mut config.links {
        l.modem.repair_grace_s = 1;
        l.modem.repair_interval_s = 1;
        l.modem.repair_retry_s = 3;
        l.modem.ack_interval_s = 1;
        l.modem.status_probe_after_s = 2;
    }
    let mqtt = format!("address = \"{mqtt}\"\n");
    config.sinks.mqtt = Some(toml::from_str(&mqtt).unwrap());
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

/// The default QC with series tests on one variable of each product, so that the files'
/// per-test flags (and their comparison with ioos_qc) cover spike, rate of change and
/// flat line, not only gross range.
pub fn products_qc() -> gateway::qc::QcConfig {
    let mut qc = gateway::science::default_qc();
    let series: gateway::qc::QcConfig = serde_json::from_str(
        r#"{"variables": {
            "temperature_c": {"gross_range": {"fail_span": [-5, 35], "suspect_span": [12.8, 14.5]},
                              "spike": {"suspect_threshold": 0.01, "fail_threshold": 0.1},
                              "rate_of_change": {"threshold_per_s": 0.00001},
                              "flat_line": {"suspect_threshold_s": 7200, "fail_threshold_s": 14400, "tolerance": 0.00005}},
            "aquadopp_east_m_s": {"gross_range": {"fail_span": [-5, 5], "suspect_span": [-0.2, 0.2]},
                                  "spike": {"suspect_threshold": 0.02, "fail_threshold": 0.1}},
            "optode_oxygen_umol_l": {"gross_range": {"fail_span": [0, 1000], "suspect_span": [150, 250]},
                                     "spike": {"suspect_threshold": 0.5, "fail_threshold": 5},
                                     "flat_line": {"suspect_threshold_s": 3600, "fail_threshold_s": 7200, "tolerance": 0.001}},
            "cstar_beam_attenuation_per_m": {"gross_range": {"fail_span": [-0.1, 5], "suspect_span": [0.39, 0.41]},
                                             "rate_of_change": {"threshold_per_s": 0.0001}},
            "status_battery_v": {"gross_range": {"fail_span": [10.5, 16], "suspect_span": [12, 15]}}
        }}"#,
    )
    .unwrap();
    qc.variables.extend(series.variables);
    qc
}

/// (platform, record type, serial) of every stream of the example configuration.
pub const STREAMS: &[(&str, &str, &str)] = &[
    ("albatross", "sbe37", "3725001"),
    ("albatross", "sbe37", "3725002"),
    ("albatross", "sbe37", "3725003"),
    ("albatross", "sbe37", "3725004"),
    ("albatross", "sbe37", "3725005"),
    ("albatross", "sbe37", "3725006"),
    ("albatross", "sbe37", "3725007"),
    ("albatross", "sbe37", "3725008"),
    ("albatross", "aquadopp_velocity", "12345"),
    ("mii", "sbe37", "3716125"),
    ("mii", "aquadopp_velocity", "11402"),
    ("mii", "optode", "379"),
    ("mii", "cstar", "1234"),
];
