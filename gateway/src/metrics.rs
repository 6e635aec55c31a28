//! The live counters of a running gateway, rendered in the Prometheus text exposition
//! format (version 0.0.4) for `/metrics` ([`crate::http`]).
//!
//! The link tasks, the sinks and the MQTT publisher write into one shared [`Metrics`]; a
//! scrape reads a consistent copy under its lock. Every name starts `albatross_`:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `albatross_link_bytes_total` | counter | `link` |
//! | `albatross_link_last_received_timestamp_seconds` | gauge | `link` |
//! | `albatross_link_<counter>_total` (frames, messages, records, repair requests, …) | counter | `link` |
//! | `albatross_link_errors_total` | counter | `link`, `kind` (bad frame, garbage bytes, …) |
//! | `albatross_records_total` | counter | `platform`, `kind`, `serial` |
//! | `albatross_last_sample_timestamp_seconds` | gauge | `platform`, `kind`, `serial` |
//! | `albatross_spool_depth`, `albatross_spool_oldest_wait_seconds` | gauge | — |
//! | `albatross_mqtt_published_total`, `albatross_mqtt_reconnects_total` | counter | — |
//! | `albatross_mqtt_connected` | gauge | — |
//!
//! A decoder's counters are totals since the gateway started (a restart starts them at
//! zero again, which Prometheus's `rate` takes as a counter reset). Label values are
//! escaped as the format requires, so a serial number from the link cannot break the text.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// A link decoder's counters: named totals and errors by kind
/// ([`crate::pipeline::LinkDecoder::counters`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkCounters {
    /// `(name, total)`: rendered as `albatross_link_<name>_total`.
    pub totals: Vec<(&'static str, u64)>,
    /// `(kind, total)`: rendered as `albatross_link_errors_total{kind=...}`.
    pub errors: Vec<(&'static str, u64)>,
}

#[derive(Debug, Default)]
struct Link {
    bytes: u64,
    last_received_ms: Option<i64>,
    counters: LinkCounters,
}

/// One link's state as [`Metrics::links`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    /// The link's name.
    pub name: String,
    /// Bytes read since start.
    pub bytes: u64,
    /// When bytes last arrived, Unix ms.
    pub last_received_ms: Option<i64>,
    /// Its decoder's counters.
    pub counters: LinkCounters,
}

#[derive(Debug, Default)]
struct Instrument {
    records: u64,
    last_sample_ms: Option<i64>,
}

/// What the MQTT publisher reports ([`Metrics::set_mqtt`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MqttState {
    /// Records waiting in the spool for their PUBACK.
    pub spool_depth: u64,
    /// How long the oldest of them has waited, seconds.
    pub oldest_wait_s: f64,
    /// Records published and acknowledged since start.
    pub published: u64,
    /// Reconnections since start.
    pub reconnects: u64,
    /// Whether a session with the broker is up.
    pub connected: bool,
}

#[derive(Debug, Default)]
struct Inner {
    links: BTreeMap<String, Link>,
    /// By (platform, kind, serial).
    instruments: BTreeMap<(String, String, String), Instrument>,
    mqtt: Option<MqttState>,
}

/// The gateway's live counters (see the module docs).
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        // a writer that panicked left plain counters: still worth serving
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g);
    }

    /// Link `link` read `n` bytes at `unix_ms`.
    pub fn link_read(&self, link: &str, n: usize, unix_ms: i64) {
        self.with(|i| {
            let l = i.links.entry(link.to_owned()).or_default();
            l.bytes += n as u64;
            l.last_received_ms = Some(l.last_received_ms.map_or(unix_ms, |t| t.max(unix_ms)));
        });
    }

    /// Link `link`'s decoder now has `counters`.
    pub fn link_counters(&self, link: &str, counters: LinkCounters) {
        self.with(|i| i.links.entry(link.to_owned()).or_default().counters = counters);
    }

    /// A record of `kind` from instrument `serial` of `platform`, measured at `unix_ms`
    /// (`None`: undated), was stored.
    pub fn record(&self, platform: &str, kind: &str, serial: Option<&str>, unix_ms: Option<i64>) {
        self.with(|i| {
            let key = (
                platform.to_owned(),
                kind.to_owned(),
                serial.unwrap_or("").to_owned(),
            );
            let r = i.instruments.entry(key).or_default();
            r.records += 1;
            if let Some(t) = unix_ms {
                r.last_sample_ms = Some(r.last_sample_ms.map_or(t, |l| l.max(t)));
            }
        });
    }

    /// The MQTT publisher's state now.
    pub fn set_mqtt(&self, state: MqttState) {
        self.with(|i| i.mqtt = Some(state));
    }

    /// Every link's state now, by name (the dashboard's link health).
    pub fn links(&self) -> Vec<LinkView> {
        let mut out = Vec::new();
        self.with(|i| {
            out = i
                .links
                .iter()
                .map(|(name, l)| LinkView {
                    name: name.clone(),
                    bytes: l.bytes,
                    last_received_ms: l.last_received_ms,
                    counters: l.counters.clone(),
                })
                .collect();
        });
        out
    }

    /// The MQTT publisher's last reported state, if it runs.
    pub fn mqtt(&self) -> Option<MqttState> {
        let mut out = None;
        self.with(|i| out = i.mqtt);
        out
    }

    /// The exposition text of everything so far.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.with(|i| render(i, &mut out));
        out
    }
}

/// A label value escaped for the text format (backslash, double quote, line feed).
fn escape(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// Writes one metric family: its HELP and TYPE lines, then one sample per `(labels,
/// value)`; nothing when there are no samples.
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, String)]) {
    if samples.is_empty() {
        return;
    }
    // writing to a String cannot fail
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

fn seconds(ms: i64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn render(i: &Inner, out: &mut String) {
    let link = |n: &str| format!("link=\"{}\"", escape(n));
    let per_link = |f: &dyn Fn(&Link) -> Option<String>| -> Vec<(String, String)> {
        i.links
            .iter()
            .filter_map(|(n, l)| f(l).map(|v| (link(n), v)))
            .collect()
    };
    family(
        out,
        "albatross_link_bytes_total",
        "counter",
        "Bytes read from the link.",
        &per_link(&|l| Some(l.bytes.to_string())),
    );
    family(
        out,
        "albatross_link_last_received_timestamp_seconds",
        "gauge",
        "When bytes last arrived from the link (Unix time).",
        &per_link(&|l| l.last_received_ms.map(seconds)),
    );
    let mut names: Vec<&str> = i
        .links
        .values()
        .flat_map(|l| l.counters.totals.iter().map(|c| c.0))
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let samples = per_link(&|l| {
            l.counters
                .totals
                .iter()
                .find(|c| c.0 == name)
                .map(|c| c.1.to_string())
        });
        let help = format!("The link decoder's {} since start.", name.replace('_', " "));
        family(
            out,
            &format!("albatross_link_{name}_total"),
            "counter",
            &help,
            &samples,
        );
    }
    let errors: Vec<(String, String)> =
        i.links
            .iter()
            .flat_map(|(n, l)| {
                l.counters.errors.iter().map(move |(k, v)| {
                    (format!("{},kind=\"{}\"", link(n), escape(k)), v.to_string())
                })
            })
            .collect();
    family(
        out,
        "albatross_link_errors_total",
        "counter",
        "What the link decoder could not use, by kind, since start.",
        &errors,
    );
    let inst = |f: &dyn Fn(&Instrument) -> Option<String>| -> Vec<(String, String)> {
        i.instruments
            .iter()
            .filter_map(|((p, k, s), r)| {
                let labels = format!(
                    "platform=\"{}\",kind=\"{}\",serial=\"{}\"",
                    escape(p),
                    escape(k),
                    escape(s)
                );
                f(r).map(|v| (labels, v))
            })
            .collect()
    };
    family(
        out,
        "albatross_records_total",
        "counter",
        "Records stored, per instrument and record kind, since start.",
        &inst(&|r| Some(r.records.to_string())),
    );
    family(
        out,
        "albatross_last_sample_timestamp_seconds",
        "gauge",
        "The measurement time of the instrument's latest stored record (Unix time).",
        &inst(&|r| r.last_sample_ms.map(seconds)),
    );
    if let Some(m) = i.mqtt {
        let one = |v: String| vec![(String::new(), v)];
        family(
            out,
            "albatross_spool_depth",
            "gauge",
            "Records in the MQTT spool waiting for the broker's PUBACK.",
            &one(m.spool_depth.to_string()),
        );
        family(
            out,
            "albatross_spool_oldest_wait_seconds",
            "gauge",
            "How long the oldest record in the spool has waited.",
            &one(format!("{:.3}", m.oldest_wait_s)),
        );
        family(
            out,
            "albatross_mqtt_published_total",
            "counter",
            "Records published and acknowledged by the broker since start.",
            &one(m.published.to_string()),
        );
        family(
            out,
            "albatross_mqtt_reconnects_total",
            "counter",
            "Reconnections to the broker since start.",
            &one(m.reconnects.to_string()),
        );
        family(
            out,
            "albatross_mqtt_connected",
            "gauge",
            "1 while a session with the broker is up.",
            &one(u8::from(m.connected).to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_in_the_text_format() {
        let m = Metrics::default();
        assert_eq!(m.render(), "", "nothing before anything happened");
        m.link_read("albatross-modem", 120, 1_772_323_200_000);
        m.link_read("albatross-modem", 30, 1_772_323_201_500);
        m.link_counters(
            "albatross-modem",
            LinkCounters {
                totals: vec![("frames", 7), ("repair_requests", 1)],
                errors: vec![("bad_frame", 2), ("garbage_bytes", 5)],
            },
        );
        m.record(
            "albatross",
            "sbe37",
            Some("3725001"),
            Some(1_772_323_200_000),
        );
        m.record(
            "albatross",
            "sbe37",
            Some("3725001"),
            Some(1_772_321_400_000),
        );
        m.record("albatross", "line_status", None, None);
        m.set_mqtt(MqttState {
            spool_depth: 3,
            oldest_wait_s: 1.25,
            published: 40,
            reconnects: 1,
            connected: true,
        });
        let text = m.render();
        for line in [
            "# TYPE albatross_link_bytes_total counter",
            "albatross_link_bytes_total{link=\"albatross-modem\"} 150",
            "albatross_link_last_received_timestamp_seconds{link=\"albatross-modem\"} 1772323201.500",
            "albatross_link_frames_total{link=\"albatross-modem\"} 7",
            "albatross_link_repair_requests_total{link=\"albatross-modem\"} 1",
            "albatross_link_errors_total{link=\"albatross-modem\",kind=\"bad_frame\"} 2",
            "albatross_records_total{platform=\"albatross\",kind=\"sbe37\",serial=\"3725001\"} 2",
            "albatross_last_sample_timestamp_seconds{platform=\"albatross\",kind=\"sbe37\",serial=\"3725001\"} 1772323200.000",
            "albatross_records_total{platform=\"albatross\",kind=\"line_status\",serial=\"\"} 1",
            "albatross_spool_depth 3",
            "albatross_spool_oldest_wait_seconds 1.250",
            "albatross_mqtt_published_total 40",
            "albatross_mqtt_connected 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        // an undated record has no last sample time
        assert!(!text.contains(
            "albatross_last_sample_timestamp_seconds{platform=\"albatross\",kind=\"line_status\""
        ));
        // every family has one HELP and one TYPE line, before its samples
        let types = text.lines().filter(|l| l.starts_with("# TYPE")).count();
        let helps = text.lines().filter(|l| l.starts_with("# HELP")).count();
        assert_eq!(types, helps);
        assert_eq!(types, 12, "{text}");
    }

    #[test]
    fn label_values_cannot_break_the_text() {
        let m = Metrics::default();
        m.record("p", "sbe37", Some("a\"b\\c\nd"), Some(0));
        let text = m.render();
        assert!(text.contains("serial=\"a\\\"b\\\\c\\nd\"} 1"), "{text}");
        assert!(text
            .lines()
            .all(|l| l.starts_with('#') || l.starts_with("albatross_")));
    }
}
