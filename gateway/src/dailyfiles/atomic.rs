//! Publishing a file so that a reader (ERDDAP) never sees half of it, and a crash after the
//! rename never leaves an empty day: [`crate::durable::replace`] (`<name>.tmp` in the same
//! directory, not matched by the datasets' `fileNameRegex`, fsync, rename, directory
//! fsync), skipped when the file already holds the bytes.

use crate::durable;
use std::fs;
use std::io;
use std::path::Path;

/// Whether the file was (re)written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// New or changed content was published.
    Written,
    /// The file already had exactly these bytes: left untouched (its mtime too, so
    /// ERDDAP does not re-read it).
    Unchanged,
}

/// Atomically replaces `path` with `bytes` (creating parent directories); does nothing
/// when the file already holds `bytes`. Returns once the data and the rename are durable,
/// or, when `sync` is off, leaves that to a later [`durable::sync_filesystem`].
pub fn publish(path: &Path, bytes: &[u8], sync: bool) -> io::Result<Published> {
    if let Ok(existing) = fs::read(path) {
        if existing == bytes {
            return Ok(Published::Unchanged);
        }
    }
    if sync {
        durable::replace(path, bytes)?;
    } else {
        durable::replace_unsynced(path, bytes)?;
    }
    Ok(Published::Written)
}
