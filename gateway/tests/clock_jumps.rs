//! Host clock jumps under the sans-IO core: the gateway's modem-link decoder (the one
//! `albatross run` builds, [`gateway::pipeline::factory::decoder_for`]) is driven in a
//! closed loop with the line simulator, in simulated time, while the host clock it is
//! handed jumps: back 6 h, forward 30 days, to 1970, to 2100, and back to the right time.
//! With the lossy scenario (bursty loss, bit errors, lost acknowledgements, a 6-hour
//! outage) every sample of the simulator's truth must still come out, with its own time,
//! and the downlink (repair requests, acknowledgements) must keep working through every
//! jump, as in the same run with a steady clock.

mod common;
use common::*;
use firmware_shim::sim::Simulation;
use gateway::config::{Carries, Config};
use gateway::pipeline::{factory, Output};
use protocol::time::UtcTime;
use std::collections::BTreeMap;
use std::path::Path;

const START_MS: i64 = 1_772_323_200_000; // the scenario's start, 2026-03-01T00:00:00Z
const H: i64 = 3_600_000;

/// What one run gave.
struct Run {
    /// Canonical sbe37 records emitted, with how often.
    records: BTreeMap<String, usize>,
    /// Records that came out undated (an implausible time).
    undated: usize,
    /// Downlink messages the decoder sent (repeat requests, probes, acknowledgements).
    downlink: usize,
    /// The truth.
    truth: BTreeMap<String, usize>,
    /// Simulated times (ms since the start) of the downlink messages.
    downlink_at: Vec<i64>,
}

/// Runs the lossy scenario for `hours` of simulated time, handing the decoder the host
/// time `sim time + offset(sim hour)`.
fn run(seed: u64, hours: i64, offset: impl Fn(i64) -> i64) -> Run {
    let config = Config::parse(
        include_str!("../albatross.example.toml"),
        Path::new("albatross.example.toml"),
    )
    .unwrap();
    let link = config
        .links
        .iter()
        .find(|l| l.carries == Carries::Modem)
        .unwrap();
    let mut decoder = factory::decoder_for(&config, link, false);
    let mut sim = Simulation::new(lossy_scenario(seed));
    let mut out = Output::default();
    let mut downlink = 0;
    let mut downlink_at = Vec::new();
    let mut t = START_MS;
    while t < START_MS + hours * H {
        t += 1000;
        sim.run_until(t as u64);
        let hour = (t - START_MS) / H;
        let now = UtcTime(t + offset(hour));
        for (_, bytes) in sim.take_host_output() {
            decoder.feed(&bytes, now, &mut out);
        }
        if decoder.next_deadline().is_some_and(|d| d <= now) {
            decoder.handle_time(now, &mut out);
        }
        while let Some(bytes) = decoder.poll_transmit() {
            downlink += 1;
            downlink_at.push(t - START_MS);
            sim.host_input(&bytes);
        }
    }
    let mut records = BTreeMap::new();
    let mut undated = 0;
    for o in &out.observations {
        if o.record.kind != "sbe37" {
            continue;
        }
        if o.record.time.is_none() {
            undated += 1;
        }
        let v: serde_json::Value = serde_json::from_str(&o.record.to_json()).unwrap();
        *records.entry(canonical(&v)).or_default() += 1;
    }
    let mut text = Vec::new();
    for r in sim.take_truth() {
        firmware_shim::sim::write_truth(&mut text, &r).unwrap();
    }
    Run {
        records,
        undated,
        downlink,
        truth: common::records(&String::from_utf8(text).unwrap(), "sbe37"),
        downlink_at,
    }
}

/// The host clock of the jumping run, as an offset from the true time at sim hour `h`.
fn jumping(h: i64) -> i64 {
    match h {
        0..=5 => 0,
        6..=9 => -6 * H,                                   // set back 6 h
        10..=13 => 30 * 24 * H,                            // a month ahead
        14..=15 => -(START_MS + h * H),                    // 1970-01-01 (a reset RTC)
        16..=17 => 4_102_444_800_000 - (START_MS + h * H), // 2100-01-01
        _ => 0,                                            // NTP puts it right
    }
}

fn check(name: &str, r: &Run) {
    let missing = r
        .truth
        .keys()
        .filter(|k| !r.records.contains_key(*k))
        .count();
    let extra = r
        .records
        .keys()
        .filter(|k| !r.truth.contains_key(*k))
        .count();
    let twice: usize = r.records.values().map(|n| n - 1).sum();
    let hours: Vec<String> = r
        .downlink_at
        .iter()
        .map(|&t| format!("{:.1}", t as f64 / H as f64))
        .collect();
    eprintln!(
        "{name}: {} truth samples, {} emitted, {missing} missing, {extra} not in the truth, {twice} emitted again, {} undated; {} downlink messages at hours {}; longest silence from hour 6 on {:.1} h",
        r.truth.len(),
        r.records.len(),
        r.undated,
        r.downlink,
        hours.join(" "),
        longest_silence(r) as f64 / H as f64
    );
    assert!(
        r.truth.len() >= 300,
        "{name}: the scenario sampled too little"
    );
    assert_eq!((missing, extra, r.undated), (0, 0, 0), "{name}");
}

/// The longest time without a downlink message from hour 6 (the first jump) to the end.
fn longest_silence(r: &Run) -> i64 {
    let mut times: Vec<i64> = vec![6 * H];
    times.extend(r.downlink_at.iter().filter(|&&t| t > 6 * H));
    times.push(HOURS * H);
    times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0)
}

const HOURS: i64 = 48;

#[test]
fn host_clock_jumps_lose_nothing_and_never_stall_the_downlink() {
    let steady = run(41, HOURS, |_| 0);
    check("steady clock", &steady);
    let jumped = run(41, HOURS, jumping);
    check("jumping clock", &jumped);
    // the downlink (repeat requests, probes, acknowledgements) kept its rhythm through
    // every jump: no silence much longer than the steady run's longest
    assert!(
        longest_silence(&jumped) <= longest_silence(&steady) + 2 * H,
        "the downlink stalled after a jump: {:.1} h of silence, {:.1} h with a steady clock",
        longest_silence(&jumped) as f64 / H as f64,
        longest_silence(&steady) as f64 / H as f64
    );
}
