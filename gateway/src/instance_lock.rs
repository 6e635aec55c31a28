//! One instance per data directory: an OS advisory lock on a lock file in the directory.
//!
//! `albatross run` (and `demo`) lock `<data_dir>/albatross.lock`, `albatross writer` locks
//! `<dir>/albatross-writer.lock` in its store; a second process on the same directory
//! gets [`LockError::Held`], naming the holder (its pid, command and start time, which the
//! holder writes into the file once it has the lock), and must refuse to start: two
//! processes appending to one archive, spool or day file would store records twice.
//!
//! The lock is `flock(2)` (through `fs4`): the kernel releases it when the process ends,
//! however it ends (even SIGKILL), so a lock file left behind by a killed process never
//! blocks a restart; only a live holder does. The lock is held as long as the
//! [`InstanceLock`] lives.

use crate::{clock, durable};
use fs4::FileExt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock file of `albatross run` and `demo` in their data directory.
pub const RUN_LOCK: &str = "albatross.lock";
/// The lock file of `albatross writer` in its store directory.
pub const WRITER_LOCK: &str = "albatross-writer.lock";

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live process holds the lock.
    #[error("{} is in use: {holder} holds {} (one instance per directory; stop it first)", .dir.display(), .path.display())]
    Held {
        /// The directory.
        dir: PathBuf,
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as the holder wrote it (`albatross run, pid 1234, started …`).
        holder: String,
    },
    /// The directory or the lock file could not be created, opened or locked.
    #[error("cannot lock {}: {source}", .path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

/// A held instance lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct InstanceLock {
    path: PathBuf,
    _file: File,
}

impl InstanceLock {
    /// Takes the lock `name` ([`RUN_LOCK`], [`WRITER_LOCK`]) in `dir` (created if missing)
    /// for `command` (`albatross run` …), without waiting, and writes this process's pid,
    /// command and start time into the file.
    pub fn acquire(dir: &Path, name: &str, command: &str) -> Result<Self, LockError> {
        let path = dir.join(name);
        let io_err = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        durable::create_dirs(dir).map_err(io_err)?;
        // never truncated before the lock is ours: the file names the live holder
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(LockError::Held {
                    dir: dir.to_owned(),
                    path,
                    holder: describe_holder(&text),
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        let text = format!(
            "pid {}\ncommand {command}\nstarted {}\n",
            std::process::id(),
            clock::now()
        );
        (|| {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(text.as_bytes())?;
            file.sync_data()
        })()
        .map_err(io_err)?;
        Ok(InstanceLock { path, _file: file })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `albatross run, pid 1234, started 2026-03-01T00:00:00Z` from the lock file's text
/// (`another process (it has not written its pid yet)` while the holder is starting).
fn describe_holder(text: &str) -> String {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match field("pid") {
        Some(pid) => format!(
            "{}, pid {pid}, started {}",
            field("command").unwrap_or("another process"),
            field("started").unwrap_or("at an unknown time")
        ),
        None => "another process (it has not written its pid yet)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("albatross-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_second_lock_names_the_holder_and_a_released_one_is_taken_again() {
        let dir = temp("second");
        let first = InstanceLock::acquire(&dir, RUN_LOCK, "albatross run").unwrap();
        let err = InstanceLock::acquire(&dir, RUN_LOCK, "albatross run").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "albatross run, pid {}, started 20",
                std::process::id()
            )),
            "{text}"
        );
        // another lock name in the same directory is independent
        let writer = InstanceLock::acquire(&dir, WRITER_LOCK, "albatross writer").unwrap();
        drop(first);
        // the file stays behind (as after a crash): it does not block the next one
        assert!(dir.join(RUN_LOCK).exists());
        let again = InstanceLock::acquire(&dir, RUN_LOCK, "albatross demo").unwrap();
        let held = std::fs::read_to_string(again.path()).unwrap();
        assert!(held.starts_with(&format!(
            "pid {}\ncommand albatross demo\n",
            std::process::id()
        )));
        drop((again, writer));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn holders_are_described_from_what_they_wrote() {
        assert_eq!(
            describe_holder("pid 7\ncommand albatross writer\nstarted 2026-03-01T00:00:00Z\n"),
            "albatross writer, pid 7, started 2026-03-01T00:00:00Z"
        );
        assert_eq!(
            describe_holder(""),
            "another process (it has not written its pid yet)"
        );
    }
}
