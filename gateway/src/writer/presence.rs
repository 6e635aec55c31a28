//! Who of a share group is there: each member's retained presence message, and which dead
//! member this one should stand in for (`writer::standin`).
//!
//! Every member of share group `G` publishes, retained, `online` on
//! `<root>/<site>/writers/G/<client id>` when it connects and `offline` when it stops
//! cleanly; its last will says `offline` when it vanishes (a crash, a lost machine). Every
//! member subscribes to `<root>/<site>/writers/G/+` and so learns of the others.
//!
//! The topic has five levels, the records' `…/data` filter six: it never matches a record.
//! [`Presence`] is pure: it is fed what arrives and the current time, and says when a member
//! has been away for the takeover delay and *this* member is the one to stand in for it —
//! the online member whose client id sorts first, so that two survivors never take the same
//! session from each other.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Payload of a member that is connected.
pub const ONLINE: &[u8] = b"online";
/// Payload of a member that stopped or vanished.
pub const OFFLINE: &[u8] = b"offline";

/// The presence topics of one share group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    /// The group `group` under `<root>/<site>` (all three already checked topic levels).
    pub fn new(root: &str, site: &str, group: &str) -> Self {
        Topics {
            prefix: format!("{root}/{site}/writers/{group}/"),
        }
    }

    /// The topic of member `client_id`.
    pub fn member(&self, client_id: &str) -> String {
        format!("{}{client_id}", self.prefix)
    }

    /// The filter that gets every member's presence.
    pub fn filter(&self) -> String {
        format!("{}+", self.prefix)
    }

    /// The member a presence topic names, or `None` when `topic` is not one.
    pub fn member_of<'a>(&self, topic: &'a str) -> Option<&'a str> {
        topic
            .strip_prefix(self.prefix.as_str())
            .filter(|m| !m.is_empty() && !m.contains('/'))
    }
}

/// What is known of one other member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Online,
    /// Away since then (when we learnt it).
    Away(Instant),
    /// A stand-in for it is running.
    Draining,
}

/// The group as this member sees it.
#[derive(Debug)]
pub struct Presence {
    me: String,
    after: Duration,
    others: BTreeMap<String, Seen>,
}

impl Presence {
    /// This member is `me`; a member away for `after` gets a stand-in.
    pub fn new(me: &str, after: Duration) -> Self {
        Presence {
            me: me.to_owned(),
            after,
            others: BTreeMap::new(),
        }
    }

    /// A presence message of `member` arrived at `now` (an empty payload: its retained
    /// message was cleared, it is forgotten).
    pub fn observe(&mut self, member: &str, payload: &[u8], now: Instant) {
        if member == self.me {
            return;
        }
        if payload.is_empty() {
            self.others.remove(member);
        } else if payload == ONLINE {
            self.others.insert(member.to_owned(), Seen::Online);
        } else {
            // `offline`, or anything else: a member that does not say it is there is not
            let e = self
                .others
                .entry(member.to_owned())
                .or_insert(Seen::Away(now));
            if *e == Seen::Online {
                *e = Seen::Away(now);
            }
        }
    }

    /// The member to stand in for now, if any: one away for the takeover delay, when no
    /// stand-in is running and this member's id sorts first among the online ones. It is
    /// marked as being drained.
    pub fn due(&mut self, now: Instant) -> Option<String> {
        if self.others.values().any(|s| *s == Seen::Draining) {
            return None;
        }
        let first_online = self
            .others
            .iter()
            .filter(|(_, s)| **s == Seen::Online)
            .map(|(m, _)| m.as_str())
            .chain(std::iter::once(self.me.as_str()))
            .min();
        if first_online != Some(self.me.as_str()) {
            return None;
        }
        let (m, s) = self.others.iter_mut().find(
            |(_, s)| matches!(s, Seen::Away(t) if now.saturating_duration_since(*t) >= self.after),
        )?;
        *s = Seen::Draining;
        Some(m.clone())
    }

    /// The stand-in for `member` ended: drained (`true`, it is forgotten until it says
    /// something again) or not (it is away again from `now`, and due after the delay).
    pub fn stand_in_ended(&mut self, member: &str, drained: bool, now: Instant) {
        if let Some(s) = self.others.get_mut(member) {
            if drained {
                self.others.remove(member);
            } else if *s == Seen::Draining {
                *s = Seen::Away(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn topics_never_match_records_and_name_the_member() {
        let t = Topics::new("emso", "site", "writers");
        assert_eq!(t.member("w-1"), "emso/site/writers/writers/w-1");
        assert_eq!(t.filter(), "emso/site/writers/writers/+");
        assert_eq!(t.member_of("emso/site/writers/writers/w-1"), Some("w-1"));
        assert_eq!(t.member_of("emso/site/writers/writers/"), None);
        assert_eq!(t.member_of("emso/site/a/b/c/data"), None);
        assert_eq!(t.member_of("emso/site/writers/writers/a/b"), None);
    }

    #[test]
    fn a_member_away_for_the_delay_is_due_once() {
        let t0 = Instant::now();
        let mut p = Presence::new("w1", 10 * S);
        p.observe("w2", ONLINE, t0);
        p.observe("w1", OFFLINE, t0); // our own: ignored
        assert_eq!(p.due(t0 + 100 * S), None);
        p.observe("w2", OFFLINE, t0 + S);
        assert_eq!(p.due(t0 + 10 * S), None);
        assert_eq!(p.due(t0 + 11 * S).as_deref(), Some("w2"));
        assert_eq!(p.due(t0 + 12 * S), None, "one stand-in at a time");
        // it failed (the broker went down): due again after the delay
        p.stand_in_ended("w2", false, t0 + 20 * S);
        assert_eq!(p.due(t0 + 29 * S), None);
        assert_eq!(p.due(t0 + 30 * S).as_deref(), Some("w2"));
        p.stand_in_ended("w2", true, t0 + 31 * S);
        assert_eq!(p.due(t0 + 100 * S), None);
    }

    #[test]
    fn a_member_back_in_time_is_not_taken_over() {
        let t0 = Instant::now();
        let mut p = Presence::new("w1", 10 * S);
        p.observe("w2", OFFLINE, t0);
        p.observe("w2", ONLINE, t0 + 5 * S);
        assert_eq!(p.due(t0 + 60 * S), None);
        // a repeated `offline` (retained, on our reconnection) does not reset the delay
        p.observe("w2", OFFLINE, t0 + 60 * S);
        p.observe("w2", OFFLINE, t0 + 65 * S);
        assert_eq!(p.due(t0 + 70 * S).as_deref(), Some("w2"));
    }

    #[test]
    fn only_the_first_online_member_stands_in() {
        let t0 = Instant::now();
        let mut w2 = Presence::new("w2", S);
        let mut w1 = Presence::new("w1", S);
        for p in [&mut w1, &mut w2] {
            p.observe("w1", ONLINE, t0);
            p.observe("w2", ONLINE, t0);
            p.observe("w3", OFFLINE, t0);
        }
        assert_eq!(w2.due(t0 + 5 * S), None);
        assert_eq!(w1.due(t0 + 5 * S).as_deref(), Some("w3"));
        // w1 goes too: w2 is now first
        w2.observe("w1", OFFLINE, t0 + 6 * S);
        assert_eq!(w2.due(t0 + 6 * S).as_deref(), Some("w3"));
        // a cleared retained message forgets the member
        let mut p = Presence::new("w1", S);
        p.observe("w3", OFFLINE, t0);
        p.observe("w3", b"", t0);
        assert_eq!(p.due(t0 + 5 * S), None);
    }
}
