//! Publishing a file so that a reader (ERDDAP) never sees half of it: write
//! `<name>.tmp` in the same directory (not matched by the datasets' `fileNameRegex`),
//! fsync it, rename it over the target, fsync the directory.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether the file was (re)written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// New or changed content was published.
    Written,
    /// The file already had exactly these bytes: left untouched (its mtime too, so
    /// ERDDAP does not re-read it).
    Unchanged,
}

/// The temporary name used while writing `path`.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Atomically replaces `path` with `bytes` (creating parent directories); does nothing
/// when the file already holds `bytes`. Returns once the data and the rename are durable.
pub fn publish(path: &Path, bytes: &[u8]) -> io::Result<Published> {
    if let Ok(existing) = fs::read(path) {
        if existing == bytes {
            return Ok(Published::Unchanged);
        }
    }
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no directory"))?;
    fs::create_dir_all(dir)?;
    let tmp = tmp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // the rename itself is durable once the directory is synced
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| Published::Written)
}
