//! What a decoding run saw: records per type, bad records and skipped bytes with reasons,
//! and notes (header facts, logger messages), printed as the `decode` summary on stderr.

use std::fmt::{self, Write as _};

use super::Format;

/// Most issues listed one by one in the summary; the rest are only counted.
const LISTED_ISSUES: usize = 20;

/// Most issues a [`Report`] keeps one by one ([`Report::issues`]); the others are only
/// counted (total, per category, bytes skipped), so that a report's memory does not grow
/// with the file.
pub const KEPT_ISSUES: usize = 1000;

/// A bad record or a run of skipped bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where: `line 12`, `offset 3484`.
    pub at: String,
    /// Bytes skipped, when the issue is a byte run.
    pub bytes: Option<u64>,
    /// Short category for the counts (`bad checksum`, `bad scan`, …).
    pub category: &'static str,
    /// Full reason, from the decoder's error.
    pub reason: String,
}

/// Counts and issues of one decoding run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The format used.
    pub format: Format,
    /// Whether the format was recognised from the content (`--format auto`).
    pub detected: bool,
    /// Records emitted per type, in first-seen order.
    pub records: Vec<(&'static str, u64)>,
    /// The first [`KEPT_ISSUES`] bad records and skipped byte runs, in file order (the
    /// counts of [`Report::issue_total`], [`Report::issue_counts`] and
    /// [`Report::skipped_bytes`] cover every one).
    pub issues: Vec<Issue>,
    /// Facts worth telling (instrument identity from a header, logger messages, …).
    pub notes: Vec<String>,
    /// Issues recorded, kept or not.
    issue_total: u64,
    /// Issues recorded per category, in first-seen order.
    issue_categories: Vec<(&'static str, u64)>,
    /// Bytes in every skipped run recorded.
    skipped: u64,
}

impl Report {
    /// An empty report.
    pub fn new(format: Format, detected: bool) -> Self {
        Report {
            format,
            detected,
            records: Vec::new(),
            issues: Vec::new(),
            notes: Vec::new(),
            issue_total: 0,
            issue_categories: Vec::new(),
            skipped: 0,
        }
    }

    /// Counts one record of type `kind`.
    pub fn count(&mut self, kind: &'static str) {
        match self.records.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.records.push((kind, 1)),
        }
    }

    /// Records an issue: counted always, kept in [`Report::issues`] while fewer than
    /// [`KEPT_ISSUES`] are.
    pub fn issue(
        &mut self,
        at: String,
        bytes: Option<u64>,
        category: &'static str,
        reason: String,
    ) {
        self.issue_total += 1;
        self.skipped += bytes.unwrap_or(0);
        match self
            .issue_categories
            .iter_mut()
            .find(|(c, _)| *c == category)
        {
            Some((_, n)) => *n += 1,
            None => self.issue_categories.push((category, 1)),
        }
        if self.issues.len() < KEPT_ISSUES {
            self.issues.push(Issue {
                at,
                bytes,
                category,
                reason,
            });
        }
    }

    /// Issues recorded, including those not kept in [`Report::issues`].
    pub fn issue_total(&self) -> u64 {
        self.issue_total
    }

    /// Line `line` of a line-oriented stream had `bytes` of garbage before its record (the
    /// record itself was decoded; `what` says where the record starts).
    pub fn garbage_before(&mut self, line: u64, bytes: usize, what: &str) {
        self.issue(
            format!("line {line}"),
            Some(bytes as u64),
            "garbage before record",
            format!("bytes before {what} skipped; the record was decoded"),
        );
    }

    /// Line `line` (`bytes` long) of a line-oriented stream is not a record: `why`.
    pub fn not_a_record(&mut self, line: u64, bytes: usize, why: impl std::fmt::Display) {
        self.issue(
            format!("line {line}"),
            Some(bytes as u64),
            "not a record",
            why.to_string(),
        );
    }

    /// Line `line` was longer than the `limit` bytes a line may have, and was discarded.
    pub fn overlong(&mut self, line: u64, limit: usize) {
        self.issue(
            format!("line {line}"),
            None,
            "overlong line",
            format!("line longer than {limit} bytes discarded"),
        );
    }

    /// Adds a note.
    pub fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// Total records emitted.
    pub fn total_records(&self) -> u64 {
        self.records.iter().map(|(_, n)| n).sum()
    }

    /// Total bytes in skipped runs (every run recorded, kept or not).
    pub fn skipped_bytes(&self) -> u64 {
        self.skipped
    }

    /// Issue counts per category, in first-seen order (every issue recorded, kept or not).
    pub fn issue_counts(&self) -> Vec<(&'static str, u64)> {
        self.issue_categories.clone()
    }

    /// The summary printed on stderr for `file`.
    pub fn summary(&self, file: &str) -> String {
        let mut s = String::new();
        let how = if self.detected {
            "detected"
        } else {
            "as given"
        };
        let _ = write!(
            s,
            "{file}: format {} ({how}), {} records decoded",
            self.format.name(),
            self.total_records()
        );
        if !self.records.is_empty() {
            let per: Vec<String> = self
                .records
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            let _ = write!(s, " ({})", per.join(", "));
        }
        let _ = writeln!(
            s,
            ", {} bad records/skipped runs, {} bytes skipped",
            self.issue_total,
            self.skipped_bytes()
        );
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        if self.issue_total > 0 {
            let per: Vec<String> = self
                .issue_categories
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect();
            let _ = writeln!(s, "  problems: {}", per.join(", "));
            for i in self.issues.iter().take(LISTED_ISSUES) {
                let _ = writeln!(s, "  {i}");
            }
            let listed = self.issues.len().min(LISTED_ISSUES) as u64;
            if self.issue_total > listed {
                let _ = writeln!(s, "  … and {} more", self.issue_total - listed);
            }
        }
        s
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.category)?;
        if let Some(b) = self.bytes {
            write!(f, ", {b} bytes skipped")?;
        }
        write!(f, ": {}", self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lists_counts_and_issues() {
        let mut r = Report::new(Format::Nortek, true);
        r.count("a");
        r.count("b");
        r.count("a");
        r.issue("offset 7".into(), Some(4), "no sync", "junk".into());
        let s = r.summary("f.aqd");
        assert!(s.starts_with(
            "f.aqd: format nortek (detected), 3 records decoded (2 a, 1 b), \
             1 bad records/skipped runs, 4 bytes skipped\n"
        ));
        assert!(s.contains("  problems: 1 no sync\n"));
        assert!(s.contains("  offset 7: no sync, 4 bytes skipped: junk\n"));
    }

    #[test]
    fn issues_beyond_the_cap_are_counted_not_kept() {
        let mut r = Report::new(Format::Cstar, false);
        let n = KEPT_ISSUES as u64 * 3 + 7;
        for i in 0..n {
            let category = if i % 2 == 0 {
                "not a record"
            } else {
                "overlong line"
            };
            r.issue(format!("line {}", i + 1), Some(2), category, "junk".into());
        }
        assert_eq!(r.issues.len(), KEPT_ISSUES);
        assert_eq!(r.issue_total(), n);
        assert_eq!(r.skipped_bytes(), 2 * n);
        assert_eq!(
            r.issue_counts(),
            vec![("not a record", n.div_ceil(2)), ("overlong line", n / 2)]
        );
        let s = r.summary("f");
        assert!(s.contains(&format!(
            ", {n} bad records/skipped runs, {} bytes skipped\n",
            2 * n
        )));
        assert!(s.contains(&format!(
            "  problems: {} not a record, {} overlong line\n",
            n.div_ceil(2),
            n / 2
        )));
        assert!(s.contains("  line 20: overlong line"));
        assert!(!s.contains("  line 21:"));
        assert!(s.ends_with(&format!("  … and {} more\n", n - 20)));
    }
}
