//! MQTT topic names (brief §4):
//! `<root>/<site>/<platform>/<instrument>/<serial>/data` (the record's JSON),
//! `…/<serial>/status` (retained), and `<root>/<site>/gateway/<id>/online` (retained, the
//! last will). Every level is checked with [`safe_part`]: nothing read from a link can add
//! a level or a wildcard.

use crate::names::{safe_part, safe_part_or_missing};
use crate::observation::Observation;

/// Topic builder for one gateway.
#[derive(Debug, Clone)]
pub struct Topics {
    prefix: String,
    gateway: String,
}

impl Topics {
    /// Topics under `root` (one or more `/`-separated levels) for `site` and gateway `id`.
    pub fn new(root: &str, site: &str, gateway_id: &str) -> Self {
        let root: Vec<_> = root.split('/').map(safe_part).collect();
        Topics {
            prefix: format!("{}/{}", root.join("/"), safe_part(site)),
            gateway: safe_part(gateway_id).into_owned(),
        }
    }

    /// `<root>/<site>/<platform>/<instrument>/<serial>`: the instrument's topic stem.
    pub fn instrument(&self, o: &Observation) -> String {
        format!(
            "{}/{}/{}/{}",
            self.prefix,
            safe_part(&o.platform.id),
            safe_part(o.record.kind),
            safe_part_or_missing(o.record.serial.as_deref())
        )
    }

    /// The data topic of an observation.
    pub fn data(&self, o: &Observation) -> String {
        self.instrument(o) + "/data"
    }

    /// The retained online/offline topic of this gateway (its last will).
    pub fn online(&self) -> String {
        format!("{}/gateway/{}/online", self.prefix, self.gateway)
    }
}

/// The status topic that goes with a data topic (`…/data` → `…/status`).
pub fn status_of(data_topic: &str) -> Option<String> {
    data_topic
        .strip_suffix("/data")
        .map(|stem| format!("{stem}/status"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::PlatformMeta;
    use crate::record::Record;
    use std::sync::Arc;

    fn obs(platform: &str, serial: Option<&str>) -> Observation {
        let mut p = PlatformMeta::unconfigured(None);
        p.id = platform.into();
        let mut record = Record::new("sbe37", None, serial.map(str::to_owned));
        record.serial = serial.map(str::to_owned);
        Observation {
            record,
            platform: Arc::new(p),
            instrument: None,
            link: "l".into(),
        }
    }

    #[test]
    fn topics_follow_the_brief_and_never_take_levels_from_names() {
        let t = Topics::new("emso", "emso-ligure-ouest", "shore-toulon");
        assert_eq!(
            t.data(&obs("albatross", Some("3725001"))),
            "emso/emso-ligure-ouest/albatross/sbe37/3725001/data"
        );
        assert_eq!(
            t.data(&obs("albatross", None)),
            "emso/emso-ligure-ouest/albatross/sbe37/unknown/data"
        );
        assert_eq!(
            t.data(&obs("a/b", Some("#+"))),
            "emso/emso-ligure-ouest/unsafe-612f62/sbe37/unsafe-232b/data"
        );
        assert_eq!(
            t.online(),
            "emso/emso-ligure-ouest/gateway/shore-toulon/online"
        );
        assert_eq!(
            status_of("emso/s/p/sbe37/1/data").as_deref(),
            Some("emso/s/p/sbe37/1/status")
        );
    }

    #[test]
    fn a_hostile_name_never_adds_a_level_or_a_wildcard() {
        let t = Topics::new("emso", "site", "gw");
        let mut seen = std::collections::BTreeSet::new();
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "/",
            "a/b",
            "+",
            "#",
            "a\0b",
            "$SYS",
            "a b",
            "unknown",
            &"9".repeat(300),
        ] {
            for topic in [t.data(&obs(bad, Some("1"))), t.data(&obs("p", Some(bad)))] {
                let levels: Vec<&str> = topic.split('/').collect();
                assert_eq!(levels.len(), 6, "{topic}");
                assert!(levels.iter().all(|l| crate::names::is_part(l)), "{topic}");
                assert!(
                    seen.insert(topic.clone()),
                    "{bad:?} gave a topic already seen: {topic}"
                );
            }
        }
        assert!(!seen.contains(&t.data(&obs("p", None))));
    }
}
