//! Every listening socket is on loopback unless configured otherwise: `albatross demo`
//! opens all of them at once (the embedded MQTT broker, the simulator's modem host
//! interface and one port per MII instrument), and the test reads the process's own
//! sockets from `/proc` (its file descriptors, matched by inode against
//! `/proc/net/{tcp,tcp6,udp,udp6}`): each TCP socket in LISTEN state and each bound UDP
//! socket must have a loopback local address (the demo's `/metrics` port among them).
//! `albatross run` and `albatross writer` only connect out, unless an `[http]` table asks
//! `run` for its endpoints: then that one port, on the address it names (loopback by
//! default), which the same check shows for `run`.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The socket inodes held by process `pid`.
fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            l.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// A `/proc/net` address (`0100007F` or 32 hex digits of IPv6, words in host order).
fn parse_ip(hex: &str) -> IpAddr {
    let word = |s: &str| u32::from_str_radix(s, 16).unwrap().to_le_bytes();
    if hex.len() == 8 {
        IpAddr::V4(Ipv4Addr::from(word(hex)))
    } else {
        let mut b = [0u8; 16];
        for i in 0..4 {
            b[i * 4..i * 4 + 4].copy_from_slice(&word(&hex[i * 8..i * 8 + 8]));
        }
        let v6 = Ipv6Addr::from(b);
        v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
    }
}

/// `(protocol, local address, port)` of every listening TCP and bound UDP socket of `pid`.
fn listeners(pid: u32) -> Vec<(&'static str, IpAddr, u16)> {
    let inodes = socket_inodes(pid);
    let mut out = Vec::new();
    for (proto, table) in [
        ("tcp", "/proc/net/tcp"),
        ("tcp6", "/proc/net/tcp6"),
        ("udp", "/proc/net/udp"),
        ("udp6", "/proc/net/udp6"),
    ] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (f[1], f[3], f[9].parse::<u64>().unwrap());
            let listening = if proto.starts_with("tcp") {
                state == "0A"
            } else {
                true
            };
            if listening && inodes.contains(&inode) {
                let (ip, port) = local.split_once(':').unwrap();
                out.push((proto, parse_ip(ip), u16::from_str_radix(port, 16).unwrap()));
            }
        }
    }
    out
}

#[test]
fn proc_addresses_parse() {
    assert_eq!(parse_ip("0100007F"), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(
        parse_ip("00000000000000000000000001000000"),
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    );
    assert_eq!(
        parse_ip("0000000000000000FFFF00000100007F"),
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    );
    assert_eq!(parse_ip("00000000"), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
}

#[test]
fn every_socket_of_the_demo_listens_on_loopback_only() {
    let dir = temp_dir("listeners-demo");
    let mut child = Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args(["demo", "--seconds", "20", "--speed", "60", "--data-dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let mut banner = String::new();
    let mut lines = BufReader::new(stdout).lines();
    // the banner comes once the broker and every simulator port listen
    for line in lines.by_ref() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Albatross demo") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    std::thread::sleep(Duration::from_secs(2));
    let found = listeners(pid);
    let _ = child.kill();
    let _ = child.wait();
    // broker + modem host interface + MII MicroCAT, Aquadopp, optode, C-Star
    assert!(found.len() >= 6, "{found:?}\n{banner}");
    for (proto, ip, port) in &found {
        assert!(
            ip.is_loopback(),
            "{proto} {ip}:{port} listens beyond loopback\n{banner}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn albatross_run_listens_on_nothing() {
    let dir = temp_dir("listeners-run");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = config(&dir, &format!("[link.tcp]\naddress = \"127.0.0.1:{port}\""));
    let child = start_gateway(&config, &dir);
    std::thread::sleep(Duration::from_secs(2));
    let found = listeners(child.id());
    stop(child);
    assert_eq!(found, vec![], "albatross run opened a listener");

    // with [http] and no address: the default, on loopback
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[http]\n")).unwrap();
    let child = start_gateway(&config, &dir);
    std::thread::sleep(Duration::from_secs(2));
    let found = listeners(child.id());
    let log = std::fs::read_to_string(dir.join("gateway.log")).unwrap_or_default();
    stop(child);
    if log.contains("http endpoints not started") {
        // another gateway on this machine holds the default port: the gateway ran on
        assert_eq!(found, vec![], "{log}");
    } else {
        let default: std::net::SocketAddr = gateway::config::HttpSettings::DEFAULT_LISTEN
            .parse()
            .unwrap();
        assert_eq!(found, vec![("tcp", default.ip(), default.port())], "{log}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
