//! Durable writes: the one place the gateway fsyncs files and directories.
//!
//! Two shapes of write, and what each caller needs from them:
//!
//! - **Replacing a whole file** ([`replace`]: `<name>.tmp`, fsync, rename over the target,
//!   fsync the directory). A reader sees the old bytes or the new ones, never half a file,
//!   and once it returns a power cut cannot bring back the old bytes nor leave an empty
//!   file (which a rename without the file's fsync can on filesystems that do not order
//!   data before metadata).
//!   - The link state checkpoint (`<data>/state/<link>.seq`, [`crate::links::checkpoint`]):
//!     the decoder resumes from it after a restart, so it must never be empty or torn (the
//!     decoder would lose its place on the line). An older state after a power cut would
//!     only re-decode observations already stored; the directory fsync makes even that
//!     rare, at one extra fsync per saved state (a blocking task, off the link's path).
//!   - The daily CSV and NetCDF files ([`crate::dailyfiles::atomic::publish`]): ERDDAP reads
//!     them at any moment, and the CSV is the day's only store, so a crash after the rename
//!     must not leave an empty day.
//! - **Replacing a file that may lag** ([`replace_unsynced`]: `<name>.tmp` and a rename,
//!   no fsync). Atomic for readers of a running system; after a power cut the file may hold
//!   an older version or nothing. Only for the MQTT spool's acknowledged watermark
//!   ([`crate::sinks::mqtt::spool`]): a stale or missing watermark only re-sends records
//!   (QoS 1 allows duplicates), and it is rewritten up to twice a second under the spool's
//!   lock, where an fsync would hold up every append.
//! - **Replacing many files, durable together** ([`replace_unsynced`] for each, then
//!   [`sync_filesystem`] once): `albatross reprocess` writes tens of thousands of daily
//!   files, where an fsync per file would be most of its time. Each file is atomic for
//!   readers; they are all durable when the reprocess returns; after a power cut during it,
//!   the reprocess is run again.
//! - **Appending** ([`open_append`] or [`create_new`], then [`append`]): a new file's
//!   directory entry (and each directory created for it) is fsynced before the file is
//!   returned, and [`append`] returns once the bytes are on disk (`fdatasync`). The raw
//!   archive (a byte is safe before the decoder sees it), the record files of the
//!   JSON-lines sink and the spool's segments (a link's state checkpoint moves past a
//!   record once its sinks stored it), and the writer's day files and rejected messages
//!   (a message is acknowledged to the broker after it) all append this way.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The directory holding `path` (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Fsyncs directory `dir` (`.` when empty), making the entries created or renamed in it
/// durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    let d = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(d)?.sync_all()
}

/// Creates `dir` and its missing parents, and fsyncs the parent of each directory created,
/// so that a new directory entry survives a power cut.
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// The temporary name used while replacing `path`: `<name>.tmp` in the same directory
/// (so that the rename is atomic, and not matched by ERDDAP's `fileNameRegex`).
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes `bytes` to the temporary file of `path` (creating missing directories durably)
/// and renames it over `path`, fsyncing the file first when `sync`; returns the directory.
/// The temporary file is removed on failure.
fn write_and_rename<'a>(path: &'a Path, bytes: &[u8], sync: bool) -> io::Result<&'a Path> {
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path names no file",
        ));
    }
    let dir = parent_of(path);
    create_dirs(dir)?;
    let tmp = tmp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| dir)
}

/// Atomically and durably replaces `path` with `bytes`: on return the new content and
/// its name are on disk; a reader never sees a partial file.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = write_and_rename(path, bytes, true)?;
    // the rename itself is durable once the directory is synced
    sync_dir(dir)
}

/// Atomically replaces `path` with `bytes` without any fsync: readers see the old or the
/// new content, but after a power cut the file may be older, or empty. Only for a file
/// whose loss is harmless, or one made durable later by [`sync_filesystem`] (see the module
/// documentation).
pub fn replace_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_and_rename(path, bytes, false).map(|_| ())
}

/// Makes every write to the filesystem holding `dir` durable: `syncfs(2)` on Linux; elsewhere
/// an fsync of every file and directory under `dir`.
pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        rustix::fs::syncfs(File::open(dir)?)?;
    }
    #[cfg(not(target_os = "linux"))]
    {
        for e in fs::read_dir(dir)? {
            let p = e?.path();
            if p.is_dir() {
                sync_filesystem(&p)?;
            } else {
                File::open(&p)?.sync_all()?;
            }
        }
        sync_dir(dir)?;
    }
    Ok(())
}

/// Creates the new file `path` (an error if it exists) for appending, with its
/// directories; returns once its directory entry is durable.
pub fn create_new(path: &Path) -> io::Result<File> {
    let dir = parent_of(path);
    create_dirs(dir)?;
    let file = OpenOptions::new()
        .create_new(true)
        .read(true)
        .append(true)
        .open(path)?;
    sync_dir(dir)?;
    Ok(file)
}

/// Opens `path` for reading and appending, creating it as [`create_new`] does when it
/// does not exist yet.
pub fn open_append(path: &Path) -> io::Result<File> {
    match create_new(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            OpenOptions::new().read(true).append(true).open(path)
        }
        r => r,
    }
}

/// Appends `bytes` to `file` and returns once they are on disk (`fdatasync`).
pub fn append(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("albatross-durable-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn replaces_creating_directories_and_leaves_no_temporary_file() {
        let dir = temp("replace");
        let path = dir.join("a/b/state.seq");
        replace(&path, b"one").unwrap();
        replace(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        replace_unsynced(&path, b"three").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        assert!(!tmp_path(&path).exists());
        assert_eq!(tmp_path(&path), dir.join("a/b/state.seq.tmp"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn appends_to_new_and_existing_files() {
        let dir = temp("append");
        let path = dir.join("x/day.jsonl");
        let mut f = open_append(&path).unwrap();
        append(&mut f, b"1\n").unwrap();
        drop(f);
        assert_eq!(
            create_new(&path).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        let mut f = open_append(&path).unwrap();
        append(&mut f, b"2\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"1\n2\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
