//! Configuration errors that point at the file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration error: where it is and what is wrong.
///
/// Displays as `FILE:LINE:COLUMN: field `FIELD`: MESSAGE` (line and column 1-based; 0 when
/// the error has no place in the file, e.g. it cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file.
    pub file: PathBuf,
    /// 1-based line, 0 if unknown.
    pub line: usize,
    /// 1-based column, 0 if unknown.
    pub column: usize,
    /// Dotted path or name of the offending field, when known.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// The file cannot be read.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        ConfigError {
            file: path.to_owned(),
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("cannot read: {e}"),
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at(
        path: &Path,
        text: &str,
        offset: usize,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(text, offset);
        ConfigError {
            file: path.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A parse or type error from the TOML deserializer.
    pub fn from_toml(path: &Path, text: &str, e: &toml::de::Error) -> Self {
        let message = e.message().trim().to_owned();
        let offset = e.span().map_or(0, |s| s.start);
        let field = quoted_field(&message).unwrap_or_else(|| key_at(text, offset));
        ConfigError::at(path, text, offset, &field, message)
    }
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - start + 1)
}

/// The field named in a serde message such as "unknown field `serail`, expected …".
fn quoted_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

/// The key on the line holding `offset` (`key = value`), or the table header there.
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line = text[start..].lines().next().unwrap_or("").trim();
    if let Some((key, _)) = line.split_once('=') {
        return key.trim().trim_matches('"').to_owned();
    }
    line.trim_matches(|c| c == '[' || c == ']')
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        assert_eq!(line_col("a\nbc\n", 3), (2, 2));
        assert_eq!(key_at("x = 1\n  baud = \"fast\"\n", 10), "baud");
        assert_eq!(
            quoted_field("unknown field `serail`, expected one of"),
            Some("serail".into())
        );
    }
}
