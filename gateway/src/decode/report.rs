//! What a decoding run saw: records per type, bad records and skipped bytes with reasons,
//! and notes (header facts, logger messages), printed as the `decode` summary on stderr.

use std::fmt::{self, Write as _};

use super::Format;

/// Most issues listed one by one in the summary; the rest are only counted.
const LISTED_ISSUES: usize = 20;

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
    /// Every bad record and skipped byte run, in file order.
    pub issues: Vec<Issue>,
    /// Facts worth telling (instrument identity from a header, logger messages, …).
    pub notes: Vec<String>,
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
        }
    }

    /// Counts one record of type `kind`.
    pub fn count(&mut self, kind: &'static str) {
        match self.records.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.records.push((kind, 1)),
        }
    }

    /// Records an issue.
    pub fn issue(
        &mut self,
        at: String,
        bytes: Option<u64>,
        category: &'static str,
        reason: String,
    ) {
        self.issues.push(Issue {
            at,
            bytes,
            category,
            reason,
        });
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

    /// Total bytes in skipped runs.
    pub fn skipped_bytes(&self) -> u64 {
        self.issues.iter().filter_map(|i| i.bytes).sum()
    }

    /// Issue counts per category, in first-seen order.
    pub fn issue_counts(&self) -> Vec<(&'static str, u64)> {
        let mut out: Vec<(&'static str, u64)> = Vec::new();
        for i in &self.issues {
            match out.iter_mut().find(|(c, _)| *c == i.category) {
                Some((_, n)) => *n += 1,
                None => out.push((i.category, 1)),
            }
        }
        out
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
            self.issues.len(),
            self.skipped_bytes()
        );
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        if !self.issues.is_empty() {
            let per: Vec<String> = self
                .issue_counts()
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect();
            let _ = writeln!(s, "  problems: {}", per.join(", "));
            for i in self.issues.iter().take(LISTED_ISSUES) {
                let _ = writeln!(s, "  {i}");
            }
            if self.issues.len() > LISTED_ISSUES {
                let _ = writeln!(s, "  … and {} more", self.issues.len() - LISTED_ISSUES);
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
}
