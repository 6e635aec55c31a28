//! One instance per data directory: a second `albatross run` on the same configuration,
//! or a second `albatross writer` on the same store, refuses to start (exit 1) with a
//! message naming the holder's pid; a SIGKILLed holder leaves its lock file behind, and
//! that file does not block a restart. A gateway and a writer each hold their own lock.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on: the link and the broker connections retry, the processes run.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let port = closed_port();
    let config = config(&dir, &format!("[link.tcp]\naddress = \"127.0.0.1:{port}\""));
    let text = std::fs::read_to_string(&config).unwrap();
    let extra = format!(
        "\n[sinks.mqtt]\naddress = \"127.0.0.1:{port}\"\n\n[writer]\ndir = {:?}\n",
        dir.join("writer").display().to_string()
    );
    std::fs::write(&config, text + &extra).unwrap();
    (dir, config)
}

fn spawn(command: &str, config: &Path, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_albatross"))
        .args([command, "--config"])
        .arg(config)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// Waits until the lock file names `pid` (the holder writes it once it has the lock).
fn wait_for_holder(lock: &Path, pid: u32) {
    let guard = Instant::now();
    let want = format!("pid {pid}\n");
    while !std::fs::read_to_string(lock).is_ok_and(|t| t.starts_with(&want)) {
        assert!(
            guard.elapsed() < Duration::from_secs(60),
            "hang guard: {} never named pid {pid}",
            lock.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `albatross <command>` to its end (hang guard 60 s); its exit code and stderr.
fn run_to_end(command: &str, config: &Path, log: &Path) -> (Option<i32>, String) {
    let mut child = spawn(command, config, log);
    let guard = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if guard.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("hang guard: a second `albatross {command}` did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), std::fs::read_to_string(log).unwrap())
}

/// The second `command` refuses while the first holds `lock`; after a SIGKILL of the
/// first, a new one starts and stops cleanly.
fn one_instance(command: &str, dir: &Path, config: &Path, lock: &Path) {
    let mut first = spawn(command, config, &dir.join("first.log"));
    wait_for_holder(lock, first.id());
    let (code, err) = run_to_end(command, config, &dir.join("second.log"));
    assert_eq!(code, Some(1), "second {command}: {err}");
    let holder = format!("albatross {command}, pid {}, started 20", first.id());
    assert!(
        err.contains(&format!("albatross {command}: ")) && err.contains(&holder),
        "the refusal names the holder ({holder}): {err}"
    );
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first {command} runs on"
    );
    // killed, it leaves its lock file (with its pid) behind: no obstacle to a restart
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(lock.exists());
    let again = spawn(command, config, &dir.join("restart.log"));
    wait_for_holder(lock, again.id());
    stop(again);
}

#[test]
fn a_second_run_on_one_data_directory_refuses_and_a_killed_one_restarts() {
    let (dir, config) = setup("lock-run");
    one_instance("run", &dir, &config, &dir.join("data/albatross.lock"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_second_writer_on_one_store_refuses_and_a_killed_one_restarts() {
    let (dir, config) = setup("lock-writer");
    // a gateway on the same configuration holds its own lock, not the writer's
    let gateway = spawn("run", &config, &dir.join("gateway.log"));
    wait_for_holder(&dir.join("data/albatross.lock"), gateway.id());
    one_instance(
        "writer",
        &dir,
        &config,
        &dir.join("writer/albatross-writer.lock"),
    );
    stop(gateway);
    std::fs::remove_dir_all(&dir).unwrap();
}
