//! The writer's settings, resolved from the gateway's configuration file: the broker of
//! `[sinks.mqtt]`, the topic tree of `[station]`, and `[writer]`.

use crate::config::{Config, Credentials, CredentialsError};
use crate::names::is_kept_as_is;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

/// Default of `[writer] takeover_after_s`: long enough for a member to be restarted (an
/// upgrade, a reboot), short enough that the broker's queue for it stays small.
pub const DEFAULT_TAKEOVER_AFTER_S: u32 = 60;

/// Everything `albatross writer` needs, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Broker host name or address.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// User name and password, when the broker wants them.
    pub credentials: Option<Credentials>,
    /// Fixed MQTT client id: the broker keeps the persistent session (and queues messages)
    /// under it while the writer is away.
    pub client_id: String,
    /// Root directory of the stored files.
    pub dir: PathBuf,
    /// First topic level (`emso`).
    pub topic_root: String,
    /// Site id, second topic level.
    pub site: String,
    /// Shared-subscription group (`$share/<group>/…`), when several writers share the load.
    pub share_group: Option<String>,
    /// MQTT 5 session expiry interval, seconds, after the connection is lost
    /// (`[writer] session_expiry_s`); `None`: never (the session and its queue wait for the
    /// writer however long it is away).
    pub session_expiry_s: Option<u32>,
    /// With a share group: how long a member may be away before another member stands in
    /// for it and drains its session (`[writer] takeover_after_s`, default 60 s; see
    /// `writer::standin`). `None` without a share group, or with `takeover_after_s = 0`.
    pub takeover_after: Option<Duration>,
    /// Store directories of other members of the share group, by client id (`[writer]
    /// member_dirs`): a stand-in for one of them stores into its directory.
    pub member_dirs: BTreeMap<String, PathBuf>,
    /// MQTT keep-alive.
    pub keep_alive: Duration,
    /// MQTT version choice (`[sinks.mqtt] protocol`).
    pub protocol: crate::mqtt_client::Protocol,
    /// CA file for TLS (`[sinks.mqtt] ca_file`).
    pub ca_file: Option<PathBuf>,
}

/// A setting the writer cannot work with; `span` is the value's place in the file, when
/// known, so that the caller can print its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct OptionsError {
    /// Dotted name of the field.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// Byte range of the value in the configuration text.
    pub span: Option<Range<usize>>,
}

fn err(field: &str, message: impl Into<String>, span: Option<Range<usize>>) -> OptionsError {
    OptionsError {
        field: field.to_owned(),
        message: message.into(),
        span,
    }
}

/// Whether `s` may be one MQTT topic level chosen by us (`[A-Za-z0-9_-]{1,64}`: no `/`,
/// no wildcard, no `$`).
fn is_topic_level(s: &str) -> bool {
    is_kept_as_is(s)
}

impl WriterOptions {
    /// The writer's options from `config`; fails when `[sinks.mqtt]` is missing or a value
    /// cannot be used (the error names the field).
    pub fn from_config(config: &Config) -> Result<Self, OptionsError> {
        let mqtt = config.sinks.mqtt.as_ref().ok_or_else(|| {
            err(
                "sinks.mqtt",
                "missing: the writer subscribes to the broker of [sinks.mqtt]",
                None,
            )
        })?;
        let address = mqtt.address.get_ref();
        let span = Some(mqtt.address.span());
        let (host, port) = address.rsplit_once(':').ok_or_else(|| {
            err(
                "sinks.mqtt.address",
                format!("`{address}` is not host:port"),
                span.clone(),
            )
        })?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
            err(
                "sinks.mqtt.address",
                format!("`{port}` is not a port number (1-65535)"),
                span.clone(),
            )
        })?;
        if host.is_empty() {
            return Err(err("sinks.mqtt.address", "empty host name", span));
        }
        if !is_topic_level(&mqtt.topic_root) {
            return Err(err(
                "sinks.mqtt.topic_root",
                format!(
                    "`{}` is not a topic level ([A-Za-z0-9_-]+)",
                    mqtt.topic_root
                ),
                None,
            ));
        }
        let site = config.station.site.get_ref().clone();
        if !is_topic_level(&site) {
            return Err(err(
                "station.site",
                format!("`{site}` is not a topic level ([A-Za-z0-9_-]+)"),
                Some(config.station.site.span()),
            ));
        }
        let settings = config
            .writer
            .clone()
            .unwrap_or(crate::config::WriterSettings {
                client_id: None,
                dir: None,
                share_group: None,
                session_expiry_s: None,
                takeover_after_s: None,
                member_dirs: None,
                files_dir: None,
                http_listen: None,
            });
        let gateway_id = config.gateway.id.get_ref();
        let client_id = settings
            .client_id
            .unwrap_or_else(|| format!("albatross-writer-{gateway_id}"));
        if client_id.is_empty() || client_id.len() > 128 {
            return Err(err(
                "writer.client_id",
                "must be 1 to 128 characters (a fixed id keeps the broker's session)",
                None,
            ));
        }
        if let Some(g) = &settings.share_group {
            if !is_topic_level(g) {
                return Err(err(
                    "writer.share_group",
                    format!("`{g}` is not a group name ([A-Za-z0-9_-]+)"),
                    None,
                ));
            }
            // the members announce themselves under their client id (writer/presence.rs)
            if !is_topic_level(&client_id) {
                return Err(err(
                    "writer.client_id",
                    format!("`{client_id}` is not a topic level ([A-Za-z0-9_-]+): in a share group it names the member's presence topic"),
                    None,
                ));
            }
        }
        let takeover_after_s = settings
            .takeover_after_s
            .unwrap_or(DEFAULT_TAKEOVER_AFTER_S);
        if settings.share_group.is_some() && takeover_after_s > 0 {
            if let Some(e) = settings.session_expiry_s.filter(|&e| e <= takeover_after_s) {
                return Err(err(
                    "writer.session_expiry_s",
                    format!("{e} s would end a dead member's session, and drop what the broker queued for it, before another member stands in for it after writer.takeover_after_s = {takeover_after_s} s: make it longer, remove it, or set takeover_after_s = 0 (no stand-in)"),
                    None,
                ));
            }
        }
        if settings.share_group.is_none() && settings.takeover_after_s.is_some() {
            return Err(err(
                "writer.takeover_after_s",
                "needs writer.share_group (only members of a share group stand in for each other)",
                None,
            ));
        }
        if settings.share_group.is_none() && settings.member_dirs.is_some() {
            return Err(err(
                "writer.member_dirs",
                "needs writer.share_group (a stand-in stores into the directory of the member it stands in for)",
                None,
            ));
        }
        if settings.session_expiry_s.is_some()
            && mqtt.protocol == crate::mqtt_client::Protocol::V311
        {
            return Err(err(
                "writer.session_expiry_s",
                "MQTT 3.1.1 has no session expiry (the broker's own limit applies, e.g. mosquitto's persistent_client_expiration): use protocol = \"5\" or \"auto\", or remove it",
                None,
            ));
        }
        let credentials = mqtt.credentials().map_err(|e| {
            let field = match e {
                CredentialsError::File { .. } | CredentialsError::Empty { .. } => {
                    "sinks.mqtt.password_file"
                }
                _ => "sinks.mqtt.password",
            };
            err(field, e.to_string(), None)
        })?;
        Ok(WriterOptions {
            host: host.to_owned(),
            port,
            credentials,
            client_id,
            dir: settings
                .dir
                .unwrap_or_else(|| config.gateway.data_dir.join("writer")),
            topic_root: mqtt.topic_root.clone(),
            site,
            takeover_after: (settings.share_group.is_some() && takeover_after_s > 0)
                .then(|| Duration::from_secs(u64::from(takeover_after_s))),
            share_group: settings.share_group,
            member_dirs: settings.member_dirs.unwrap_or_default(),
            session_expiry_s: settings.session_expiry_s,
            keep_alive: Duration::from_secs(30),
            protocol: mqtt.protocol,
            ca_file: mqtt.ca_file.clone(),
        })
    }

    /// The topic filter the writer subscribes to: `<root>/<site>/+/+/+/data`, or
    /// `$share/<group>/<root>/<site>/+/+/+/data` with a share group.
    pub fn subscription(&self) -> String {
        let filter = format!("{}/{}/+/+/+/data", self.topic_root, self.site);
        match &self.share_group {
            Some(g) => format!("$share/{g}/{filter}"),
            None => filter,
        }
    }

    /// Every filter the writer subscribes to: [`Self::subscription`], and the share group's
    /// presence when stand-ins are on.
    pub fn filters(&self) -> Vec<String> {
        let mut f = vec![self.subscription()];
        if self.takeover_after.is_some() {
            f.extend(self.presence().map(|p| p.filter()));
        }
        f
    }

    /// The presence topics of this writer's share group, when it has one.
    pub fn presence(&self) -> Option<super::presence::Topics> {
        self.share_group
            .as_deref()
            .map(|g| super::presence::Topics::new(&self.topic_root, &self.site, g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(extra: &str) -> Config {
        let text = format!(
            "[station]\nsite = \"emso-ligure-ouest\"\nname = \"n\"\ninstitution = \"i\"\n[gateway]\nid = \"shore-toulon\"\ndata_dir = \"/d\"\n{extra}"
        );
        Config::parse(&text, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn defaults_from_the_gateway() {
        let o = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"broker.example:1883\"\n",
        ))
        .unwrap();
        assert_eq!(o.host, "broker.example");
        assert_eq!(o.port, 1883);
        assert_eq!(o.client_id, "albatross-writer-shore-toulon");
        assert_eq!(o.dir, PathBuf::from("/d/writer"));
        assert_eq!(o.subscription(), "emso/emso-ligure-ouest/+/+/+/data");
        assert_eq!(o.credentials, None);
        assert_eq!(o.session_expiry_s, None);
        assert_eq!(o.takeover_after, None);
    }

    #[test]
    fn session_expiry_needs_mqtt_5() {
        let o = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\nshare_group = \"writers\"\nsession_expiry_s = 300\n",
        ))
        .unwrap();
        assert_eq!(o.session_expiry_s, Some(300));
        assert_eq!(o.takeover_after, Some(Duration::from_secs(60)));
        let e = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\nshare_group = \"writers\"\nsession_expiry_s = 30\ntakeover_after_s = 30\n",
        ))
        .unwrap_err();
        assert_eq!(e.field, "writer.session_expiry_s");
        let o = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\nshare_group = \"writers\"\nsession_expiry_s = 2\ntakeover_after_s = 0\n",
        ))
        .unwrap();
        assert_eq!((o.session_expiry_s, o.takeover_after), (Some(2), None));
        let e = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\nprotocol = \"3.1.1\"\n[writer]\nsession_expiry_s = 30\n",
        ))
        .unwrap_err();
        assert_eq!(e.field, "writer.session_expiry_s");
    }

    #[test]
    fn writer_section_and_share_group() {
        let o = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"127.0.0.1:1884\"\nusername = \"w\"\npassword = \"p\"\ntopic_root = \"obs\"\n[writer]\nclient_id = \"w1\"\ndir = \"/w\"\nshare_group = \"writers\"\n",
        ))
        .unwrap();
        assert_eq!(o.client_id, "w1");
        assert_eq!(o.dir, PathBuf::from("/w"));
        let c = o.credentials.clone().unwrap();
        assert_eq!((c.username.as_str(), c.password.expose()), ("w", "p"));
        assert_eq!(
            o.subscription(),
            "$share/writers/obs/emso-ligure-ouest/+/+/+/data"
        );
        assert_eq!(
            o.filters(),
            [
                "$share/writers/obs/emso-ligure-ouest/+/+/+/data",
                "obs/emso-ligure-ouest/writers/writers/+"
            ]
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = WriterOptions::from_config(&config("")).unwrap_err();
        assert_eq!(e.field, "sinks.mqtt");
        let e = WriterOptions::from_config(&config("[sinks.mqtt]\naddress = \"nohost\"\n"))
            .unwrap_err();
        assert_eq!(e.field, "sinks.mqtt.address");
        assert!(e.span.is_some());
        let e =
            WriterOptions::from_config(&config("[sinks.mqtt]\naddress = \"h:0\"\n")).unwrap_err();
        assert_eq!(e.field, "sinks.mqtt.address");
        let e = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\nshare_group = \"a/#\"\n",
        ))
        .unwrap_err();
        assert_eq!(e.field, "writer.share_group");
        let e = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\nshare_group = \"w\"\nclient_id = \"a/b\"\n",
        ))
        .unwrap_err();
        assert_eq!(e.field, "writer.client_id");
        let e = WriterOptions::from_config(&config(
            "[sinks.mqtt]\naddress = \"h:1\"\n[writer]\ntakeover_after_s = 5\n",
        ))
        .unwrap_err();
        assert_eq!(e.field, "writer.takeover_after_s");
    }
}
