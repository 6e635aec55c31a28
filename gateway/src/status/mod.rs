//! `albatross status`: the monitoring check of a gateway's data directory, in the
//! Nagios/Xymon convention — one line saying why, and the exit code 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN.
//!
//! It reads only what the gateway stored ([`survey`]): the last sample of every configured
//! instrument in the record files, the last bytes received on every live link in the raw
//! archive, and what waits in the MQTT spool. So it runs where the gateway is down (and
//! says what went quiet), beside a running gateway (it changes nothing), and on a copy of
//! a data directory. The judgement ([`judge`]) is a pure function of those facts, the
//! thresholds of `[status]` and the time.
//!
//! - An instrument whose last sample is older than `sample_warning_h` (3 h) is a WARNING,
//!   older than `sample_critical_h` (26 h) or without any sample CRITICAL.
//! - A link from which nothing arrived for `link_critical_h` (3 h), or never, is down:
//!   CRITICAL.
//! - The spool keeps growing when its oldest record has waited `spool_critical_h` (1 h):
//!   records are first in, first out, so nothing reached the broker for that long while
//!   records kept coming. CRITICAL.
//! - What cannot be read (no data directory, a broken configuration, an unreadable file) is
//!   UNKNOWN: the check cannot tell.

pub mod survey;

use protocol::time::UtcTime;

/// A check's outcome, worst last (the order of [`Ord`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// All is well.
    Ok,
    /// Something is late but not yet lost to the day's products.
    Warning,
    /// Something is down or stale.
    Critical,
    /// The check could not tell.
    Unknown,
}

impl State {
    /// The Nagios plugin exit code: 0, 1, 2, 3.
    pub fn exit_code(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Critical => 2,
            State::Unknown => 3,
        }
    }

    /// The word that starts the line.
    pub fn word(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }
}

/// One configured instrument and its last stored sample.
#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentFact {
    /// Its platform's id.
    pub platform: String,
    /// Its serial number.
    pub serial: String,
    /// Its product's sensor name (`MICROCAT`, `AQUADOPP`, …).
    pub sensor: &'static str,
    /// The time of its latest stored sample, if it has one.
    pub last: Option<UtcTime>,
}

/// One live link and the last bytes received on it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkFact {
    /// Its name.
    pub name: String,
    /// When bytes last arrived from it, if ever (its raw archive).
    pub last: Option<UtcTime>,
}

/// What [`survey::survey`] read in a data directory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Every configured instrument.
    pub instruments: Vec<InstrumentFact>,
    /// Every link that reads a serial port or a TCP socket (not replays), when the raw
    /// archive is on.
    pub links: Vec<LinkFact>,
    /// Records waiting in the MQTT spool and since when (ms since the epoch); `None`
    /// without an MQTT sink.
    pub spool: Option<(u64, Option<u64>)>,
    /// What was not checked, and why (said at the end of the line).
    pub unchecked: Vec<String>,
}

/// The thresholds, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A sample older than this: WARNING.
    pub sample_warning_ms: i64,
    /// A sample older than this: CRITICAL.
    pub sample_critical_ms: i64,
    /// A link silent this long: CRITICAL.
    pub link_critical_ms: i64,
    /// The oldest spooled record waiting this long: CRITICAL.
    pub spool_critical_ms: i64,
}

impl Thresholds {
    /// The thresholds of a configuration's `[status]` (defaults where absent).
    pub fn of(settings: &crate::config::StatusSettings) -> Self {
        let [w, c, l, s] = settings.hours().map(|h| (h * 3_600_000.0).round() as i64);
        Thresholds {
            sample_warning_ms: w,
            sample_critical_ms: c,
            link_critical_ms: l,
            spool_critical_ms: s,
        }
    }
}

/// The check's outcome and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The worst state found.
    pub state: State,
    /// The line: the state, then why (the worst problems first), then the performance data
    /// after `|`.
    pub line: String,
}

/// An age in words: "45 s", "12 min", "3.5 h", "4.2 d".
pub fn age(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        _ if s < 120 => format!("{s} s"),
        _ if s < 7200 => format!("{} min", s / 60),
        _ if s < 2 * 86_400 => format!("{:.1} h", s as f64 / 3600.0),
        _ => format!("{:.1} d", s as f64 / 86_400.0),
    }
}

/// Judges `facts` at time `now` (see the module docs). The line names every problem,
/// grouped: instruments without samples, stale instruments, links down, the spool, then
/// late instruments.
pub fn judge(facts: &Facts, t: &Thresholds, now: UtcTime) -> Verdict {
    let now_ms = now.unix_millis();
    let mut problems: Vec<(State, String)> = Vec::new();
    let mut oldest_sample: Option<i64> = None;
    let (mut never, mut stale, mut late) = (Vec::new(), Vec::new(), Vec::new());
    for i in &facts.instruments {
        let who = format!("{} {} {}", i.platform, i.sensor, i.serial);
        let Some(last) = i.last else {
            never.push(who);
            continue;
        };
        let a = (now_ms - last.unix_millis()).max(0);
        oldest_sample = Some(oldest_sample.map_or(a, |o| o.max(a)));
        match a {
            _ if a > t.sample_critical_ms => stale.push(format!("{who} ({})", age(a))),
            _ if a > t.sample_warning_ms => late.push(format!("{who} ({})", age(a))),
            _ => {}
        }
    }
    if !never.is_empty() {
        problems.push((
            State::Critical,
            format!("no sample stored from {}", never.join(", ")),
        ));
    }
    if !stale.is_empty() {
        let over = age(t.sample_critical_ms);
        problems.push((
            State::Critical,
            format!("last sample over {over} ago: {}", stale.join(", ")),
        ));
    }
    for l in &facts.links {
        match l.last {
            None => problems.push((
                State::Critical,
                format!("link {}: nothing received", l.name),
            )),
            Some(last) if now_ms - last.unix_millis() > t.link_critical_ms => problems.push((
                State::Critical,
                format!(
                    "link {}: down, nothing received for {}",
                    l.name,
                    age(now_ms - last.unix_millis())
                ),
            )),
            Some(_) => {}
        }
    }
    let mut spool_wait = None;
    if let Some((depth, oldest)) = facts.spool {
        let waited = oldest.map(|ms| (now_ms - i64::try_from(ms).unwrap_or(i64::MAX)).max(0));
        spool_wait = waited;
        if let Some(w) = waited.filter(|&w| w > t.spool_critical_ms) {
            problems.push((
                State::Critical,
                format!(
                    "MQTT spool growing: {depth} records waiting, the oldest for {}",
                    age(w)
                ),
            ));
        }
    }
    if !late.is_empty() {
        let over = age(t.sample_warning_ms);
        problems.push((
            State::Warning,
            format!("last sample over {over} ago: {}", late.join(", ")),
        ));
    }
    let state = problems.iter().map(|p| p.0).max().unwrap_or(State::Ok);
    let mut why: Vec<String> = problems.into_iter().map(|p| p.1).collect();
    if state == State::Ok {
        let n = facts.instruments.len();
        let mut ok = format!("{n} instruments sampling");
        if let Some(o) = oldest_sample {
            ok.push_str(&format!(" (oldest last sample {} ago)", age(o)));
        }
        why.push(ok);
        why.push(format!("{} links receiving", facts.links.len()));
        match facts.spool {
            Some((0, _)) => why.push("MQTT spool empty".into()),
            Some((d, _)) => why.push(format!("MQTT spool draining ({d} waiting)")),
            None => {}
        }
    }
    why.extend(facts.unchecked.iter().cloned());
    let mut perf = Vec::new();
    if let Some(o) = oldest_sample {
        perf.push(format!("oldest_sample_age={}s", o / 1000));
    }
    if let Some((depth, _)) = facts.spool {
        perf.push(format!("spool_depth={depth}"));
        perf.push(format!("spool_wait={}s", spool_wait.unwrap_or(0) / 1000));
    }
    let mut line = format!("ALBATROSS {} - {}", state.word(), why.join("; "));
    if !perf.is_empty() {
        line.push_str(" | ");
        line.push_str(&perf.join(" "));
    }
    Verdict { state, line }
}

/// The verdict when the check cannot read what it judges.
pub fn unknown(why: &str) -> Verdict {
    Verdict {
        state: State::Unknown,
        line: format!("ALBATROSS UNKNOWN - {why}"),
    }
}

#[cfg(test)]
mod tests;
