//! What the writer accepts: a data topic `<root>/<site>/<platform>/<instrument>/<serial>/data`
//! carrying exactly one JSON record of the brief's §4 whose `type` and `serial` agree with
//! the topic. Everything else is rejected with a reason (and kept aside by the store, never
//! silently dropped).
//!
//! Nothing from the topic or payload is trusted as a path: every topic level must already be
//! a safe file-name part ([`is_part`]), otherwise the message is rejected, and the payload's
//! serial must be the one the gateway encoded into the topic ([`safe_part`]); the store
//! encodes it again the same way, so a serial that is not safe as it is lands in the same
//! file name as on the gateway, apart from every other serial.

use crate::names::{is_part, safe_part, MISSING};
use protocol::time::UtcTime;
use std::fmt;

/// A record accepted for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Platform id (third topic level).
    pub platform: String,
    /// Record type (`sbe37`, …): the topic's instrument level and the payload's `type`.
    pub kind: String,
    /// Serial number; `None` when the topic says `unknown` and the payload has none.
    pub serial: Option<String>,
    /// Record time, `None` for records without a clock (C-Star).
    pub time: Option<UtcTime>,
    /// The payload as one line of JSON (line breaks between tokens replaced by spaces).
    pub line: String,
}

/// Why a message was not stored as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection(pub String);

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn reject<T>(reason: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(reason.into()))
}

/// A topic level we would use in a path: must be a safe name as it is.
fn level<'a>(what: &str, s: &'a str) -> Result<&'a str, Rejection> {
    if is_part(s) {
        Ok(s)
    } else {
        reject(format!("topic {what} `{s}` is not [A-Za-z0-9_-]{{1,64}}"))
    }
}

/// Checks one message received on `topic` against the tree rooted at `<root>/<site>`.
pub fn accept(root: &str, site: &str, topic: &str, payload: &[u8]) -> Result<Accepted, Rejection> {
    let parts: Vec<&str> = topic.split('/').collect();
    let [r, s, platform, instrument, serial, "data"] = parts.as_slice() else {
        return reject("topic is not <root>/<site>/<platform>/<instrument>/<serial>/data");
    };
    if *r != root || *s != site {
        return reject(format!("topic is not under {root}/{site}/"));
    }
    let platform = level("platform", platform)?;
    let instrument = level("instrument", instrument)?;
    let topic_serial = level("serial", serial)?;
    let Ok(text) = std::str::from_utf8(payload) else {
        return reject("payload is not UTF-8");
    };
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return reject(format!("payload is not JSON: {e}")),
    };
    let Some(obj) = value.as_object() else {
        return reject("payload is not a JSON object");
    };
    match obj.get("type").and_then(|t| t.as_str()) {
        Some(t) if t == instrument => {}
        Some(t) => {
            return reject(format!(
                "payload type `{t}` is not the topic's `{instrument}`"
            ))
        }
        None => return reject("payload has no string `type`"),
    }
    let serial = match obj.get("serial") {
        None if topic_serial == MISSING => None,
        None => return reject("payload has no `serial` but the topic names one"),
        Some(serde_json::Value::String(p)) if safe_part(p) == topic_serial => Some(p.clone()),
        Some(p) => {
            return reject(format!(
                "payload serial {p} is not the topic's `{topic_serial}`"
            ))
        }
    };
    let time = match obj.get("time") {
        None => None,
        Some(serde_json::Value::String(t)) => match parse_time(t) {
            Some(t) => Some(t),
            None => return reject(format!("`time` `{t}` is not RFC 3339 UTC")),
        },
        Some(_) => return reject("`time` is not a string"),
    };
    // Raw line breaks cannot occur inside JSON strings (they must be escaped), so replacing
    // them keeps the JSON text identical in meaning and makes it one line.
    let line = text.trim().replace(['\n', '\r'], " ");
    Ok(Accepted {
        platform: platform.to_owned(),
        kind: instrument.to_owned(),
        serial,
        time,
        line,
    })
}

pub use crate::record::parse_time;

/// A message the store accepted, read back for what is made of it after storage (the
/// daily products, the dashboard, `/metrics`): its platform (the topic's third level) and
/// its record as the products use it ([`crate::science::record_of_json`]); `None` for a
/// topic outside the tree or a payload that is no product's record.
pub fn read_back<'a>(topic: &'a str, payload: &[u8]) -> Option<(&'a str, crate::record::Record)> {
    // <root>/<site>/<platform>/<instrument>/<serial>/data
    let platform = topic.split('/').nth(2)?;
    let serde_json::Value::Object(obj) = serde_json::from_slice(payload).ok()? else {
        return None;
    };
    Some((platform, crate::science::record_of_json(&obj)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "emso/site/albatross/sbe37/3725001/data";

    #[test]
    fn accepts_a_gateway_record() {
        let p = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"3725001","temperature_c":13.8512}"#;
        let a = accept("emso", "site", T, p).unwrap();
        assert_eq!(a.platform, "albatross");
        assert_eq!(a.kind, "sbe37");
        assert_eq!(a.serial.as_deref(), Some("3725001"));
        assert_eq!(a.time, UtcTime::from_civil(2026, 3, 1, 0, 30, 0, 0));
        assert_eq!(a.line, std::str::from_utf8(p).unwrap());
    }

    #[test]
    fn multi_line_payload_becomes_one_line() {
        let p = b"{\n \"type\": \"cstar\",\r\n \"serial\": \"1234\", \"x\": \"a b\"\n}\n";
        let a = accept("emso", "site", "emso/site/mii/cstar/1234/data", p).unwrap();
        assert!(!a.line.contains('\n') && !a.line.contains('\r'));
        assert_eq!(a.time, None);
        let v: serde_json::Value = serde_json::from_str(&a.line).unwrap();
        assert_eq!(v["x"], "a b");
    }

    #[test]
    fn unknown_serial() {
        let p = br#"{"type":"line_status","time":"2026-03-01T06:00:00Z","battery_v":12.1}"#;
        let a = accept(
            "emso",
            "site",
            "emso/site/albatross/line_status/unknown/data",
            p,
        )
        .unwrap();
        assert_eq!(a.serial, None);
        assert!(accept("emso", "site", "emso/site/albatross/line_status/7/data", p).is_err());
    }

    #[test]
    fn an_encoded_serial_must_be_the_payloads() {
        let p = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"../x"}"#;
        let topic = format!("emso/site/albatross/sbe37/{}/data", safe_part("../x"));
        let a = accept("emso", "site", &topic, p).unwrap();
        assert_eq!(a.serial.as_deref(), Some("../x"));
        // the payload's serial must encode to the topic's level, not merely be safe
        let other = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"../y"}"#;
        assert!(accept("emso", "site", &topic, other).is_err());
        let raw = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"unsafe-2e2e2f78"}"#;
        assert!(accept("emso", "site", &topic, raw).is_err());
    }

    #[test]
    fn rejections() {
        let ok = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"3725001"}"#;
        for (topic, payload) in [
            ("emso/other/albatross/sbe37/3725001/data", &ok[..]),
            ("emso/site/albatross/sbe37/3725001/status", ok),
            ("emso/site/../sbe37/3725001/data", ok),
            ("emso/site/a b/sbe37/3725001/data", ok),
            ("emso/site/albatross/optode/3725001/data", ok),
            ("emso/site/albatross/sbe37/3725002/data", ok),
            (T, b"not json"),
            (T, b"[1,2]"),
            (T, b"\xff\xfe"),
            (
                T,
                br#"{"type":"sbe37","time":"yesterday","serial":"3725001"}"#,
            ),
            (T, br#"{"type":"sbe37","time":5,"serial":"3725001"}"#),
            (
                T,
                br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":3725001}"#,
            ),
            (T, br#"{"time":"2026-03-01T00:30:00Z","serial":"3725001"}"#),
        ] {
            assert!(
                accept("emso", "site", topic, payload).is_err(),
                "{topic} {payload:?}"
            );
        }
    }

    #[test]
    fn time_forms() {
        let t = |s| parse_time(s).map(|t| t.unix_millis());
        assert_eq!(t("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(t("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(t("1970-01-01T00:00:01.123456Z"), Some(1123));
        assert_eq!(t("1970-01-01t00:00:01+00:00"), Some(1000));
        for bad in [
            "",
            "1970-01-01",
            "1970-01-01T00:00:00",
            "1970-01-01T00:00:00+01:00",
            "1970-13-01T00:00:00Z",
            "1970-01-01T00:00:00.Z",
            "197a-01-01T00:00:00Z",
            "1970-01-01T24:00:00Z",
            "1970-01-01T00:00:00Zjunk",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }
}
