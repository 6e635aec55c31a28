//! Live latency and throughput of the MQTT sink (issue 6).
//!
//! The bench is the modem: it listens on loopback TCP, and `gateway::service::run` (the
//! code of `albatross run`, in-process, with the raw archive, the JSON-lines files and the
//! MQTT spool all fsynced) connects to it. The frames are the simulator's RECVIM host
//! output for a clean line (`albatross-sim`, seed 5), exactly what the capture files hold.
//!
//! Latency: one host write at a time; the clock starts when its last byte is written and
//! stops when a subscriber (rumqttc, QoS 1, on the same mosquitto) receives each record the
//! write completes. That is end to end (link → decoder → archive fsync → sinks → spool fsync
//! → broker → subscriber), so it bounds the PUBACK latency from above.
//! Throughput: the rest of the stream written as fast as the gateway reads it; records/s
//! from the first byte written to the last record received.
//!
//!     cargo run --release -p gateway --example mqtt_latency [-- DAYS_LATENCY DAYS_THROUGHPUT]

use firmware_shim::sim::channel::ChannelConfig;
use firmware_shim::sim::{SimConfig, Simulation};
use gateway::config::Config;
use gateway::pipeline::Output;
use protocol::time::UtcTime;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};

const DAY_MS: u64 = 86_400_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The simulator's host output (RECVIM lines) for `days` of a clean line.
fn host_stream(days: u64) -> Vec<Vec<u8>> {
    let start = SimConfig::default().start_ms;
    let mut sim = Simulation::new(SimConfig {
        seed: 5,
        channel: ChannelConfig::default(),
        sample_until_s: Some(((start + days * DAY_MS) / 1000) as u32),
        ..Default::default()
    });
    let mut out = Vec::new();
    let mut t = start;
    while t < start + days * DAY_MS + 2 * 3_600_000 {
        t += 60_000;
        sim.run_until(t);
        out.extend(sim.take_host_output().into_iter().map(|(_, b)| b));
    }
    out
}

fn config(dir: &Path, modem: &str, broker: &str) -> Config {
    let example = include_str!("../gateway/albatross.example.toml");
    let head = example
        .split("# The MII's acoustic modem host interface")
        .next()
        .unwrap_or_default();
    let text = format!(
        "{head}\n[[link]]\nname = \"albatross-modem\"\nplatform = \"albatross\"\ncarries = \"modem\"\n[link.tcp]\naddress = \"{modem}\"\n[link.modem]\ndownlink = false\n\n[sinks.mqtt]\naddress = \"{broker}\"\n"
    )
    .replace(
        "data_dir = \"albatross-data\"",
        &format!("data_dir = {:?}", dir.join("data").display().to_string()),
    );
    Config::parse(&text, Path::new("bench.toml")).expect("bench configuration")
}

/// Records each host write completes, by the gateway's own decoder.
fn records_per_write(config: &Config, writes: &[Vec<u8>]) -> Vec<usize> {
    let mut dec = gateway::pipeline::factory::decoder_for(config, &config.links[0], false);
    writes
        .iter()
        .map(|w| {
            let mut out = Output::default();
            dec.feed(w, UtcTime(1_772_323_200_000), &mut out);
            out.observations.len()
        })
        .collect()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let lat_days = args.first().copied().unwrap_or(3);
    let thr_days = args.get(1).copied().unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("albatross-mqtt-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench directory");

    // mosquitto on loopback, no persistence
    let port = free_port();
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n"),
    )
    .expect("conf");
    let mut broker = std::process::Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("mosquitto installed");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // subscriber
    let mut opts = MqttOptions::new("bench-sub", "127.0.0.1", port);
    opts.set_max_packet_size(1 << 20, 1 << 20);
    let (sub, mut el) = AsyncClient::new(opts, 100);
    sub.subscribe("emso/+/+/+/+/data", QoS::AtLeastOnce)
        .await
        .expect("subscribe");
    let (arr_tx, mut arrivals) = mpsc::unbounded_channel::<Instant>();
    tokio::spawn(async move {
        loop {
            match el.poll().await {
                Ok(Event::Incoming(Packet::Publish(_))) => {
                    let _ = arr_tx.send(Instant::now());
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("subscriber: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });

    // the "modem" and the gateway
    let modem = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let modem_addr = modem.local_addr().expect("addr").to_string();
    let config = config(&dir, &modem_addr, &format!("127.0.0.1:{port}"));
    let lat_writes = host_stream(lat_days);
    let all = host_stream(lat_days + thr_days);
    let counts = records_per_write(&config, &all);
    let (stop_tx, stop_rx) = watch::channel(false);
    let gw = tokio::spawn(gateway::service::run(config, stop_rx));
    let (mut sock, _) = modem.accept().await.expect("gateway connects");
    sock.set_nodelay(true).expect("nodelay");
    tokio::time::sleep(Duration::from_millis(500)).await; // MQTT connect

    let mut lat = Vec::new();
    let mut mismatched = 0;
    let n_lat = lat_writes.len();
    for (w, &n) in all[..n_lat].iter().zip(&counts) {
        sock.write_all(w).await.expect("write");
        let t0 = Instant::now();
        for _ in 0..n {
            match tokio::time::timeout(Duration::from_secs(2), arrivals.recv()).await {
                Ok(Some(t)) => lat.push(t.duration_since(t0).as_secs_f64() * 1e3),
                _ => {
                    mismatched += 1;
                    break;
                }
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    while arrivals.try_recv().is_ok() {
        mismatched += 1;
    }
    lat.sort_by(f64::total_cmp);

    let expect: usize = counts[n_lat..].iter().sum();
    let t0 = Instant::now();
    for w in &all[n_lat..] {
        sock.write_all(w).await.expect("write");
    }
    let mut got = 0;
    let mut last = t0;
    while got < expect {
        match tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await {
            Ok(Some(t)) => {
                got += 1;
                last = t;
            }
            _ => break,
        }
    }
    let secs = last.duration_since(t0).as_secs_f64();
    println!(
        "latency (last byte on the link -> record at a QoS 1 subscriber), {} records from {} writes:",
        lat.len(),
        n_lat
    );
    println!(
        "  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (unmatched writes: {mismatched})",
        pct(&lat, 0.5),
        pct(&lat, 0.9),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "throughput: {got}/{expect} records in {secs:.2} s = {:.0} records/s",
        got as f64 / secs
    );
    let _ = stop_tx.send(true);
    drop(sock);
    let _ = tokio::time::timeout(Duration::from_secs(10), gw).await;
    let _ = broker.kill();
    let _ = broker.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
