//! The module layering of ARCHITECTURE.md, checked on the source: every `crate::<module>`
//! path in a top-level module of the gateway library names a module that module may
//! import. A new import across layers fails here until ARCHITECTURE.md and this table say
//! why it is right.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the modules of the crate it may import (ARCHITECTURE.md, "Gateway").
const ALLOWED: &[(&str, &[&str])] = &[
    // foundations: no other module of the crate
    ("record", &[]),
    ("names", &[]),
    ("clock", &[]),
    ("durable", &[]),
    ("seawater", &[]),
    ("qc", &[]),
    ("mqtt_client", &[]),
    ("broker", &[]),
    ("metrics", &[]),
    // the HTTP endpoints over the live counters and the dashboard
    ("http", &["dashboard", "metrics"]),
    // one process per data directory (run, demo) and per store (writer)
    ("instance_lock", &["clock", "durable"]),
    // science: shared by the live records and the daily files
    ("science", &["qc", "record", "seawater"]),
    // configuration and the metadata a record travels with
    (
        "config",
        &["mqtt_client", "names", "qc", "record", "science"],
    ),
    ("observation", &["config", "record"]),
    // bytes to records
    ("decode", &["record"]),
    ("output", &["decode", "record"]),
    ("archive", &["durable"]),
    (
        "pipeline",
        &[
            "clock",
            "config",
            "decode",
            "metrics",
            "observation",
            "qc",
            "record",
            "science",
        ],
    ),
    // products
    (
        "dailyfiles",
        &[
            "config",
            "durable",
            "names",
            "observation",
            "qc",
            "science",
            "seawater",
        ],
    ),
    // the live dashboard: instruments' panels assessed as the daily files are
    (
        "dashboard",
        &[
            "clock",
            "config",
            "dailyfiles",
            "metrics",
            "names",
            "observation",
            "qc",
            "record",
            "science",
            "sinks",
        ],
    ),
    // the I/O edges and the commands on top
    (
        "links",
        &[
            "archive",
            "clock",
            "config",
            "durable",
            "metrics",
            "observation",
            "pipeline",
            "record",
        ],
    ),
    (
        "sinks",
        &[
            "clock",
            "config",
            "dailyfiles",
            "durable",
            "links",
            "metrics",
            "mqtt_client",
            "names",
            "observation",
            "record",
        ],
    ),
    (
        "service",
        &[
            "archive",
            "clock",
            "config",
            "dashboard",
            "durable",
            "http",
            "links",
            "metrics",
            "names",
            "observation",
            "pipeline",
            "record",
            "sinks",
        ],
    ),
    (
        "offline_replay",
        &["config", "links", "pipeline", "science"],
    ),
    (
        "ingest",
        &[
            "config",
            "dailyfiles",
            "decode",
            "observation",
            "record",
            "science",
        ],
    ),
    (
        "reprocess",
        &[
            "config",
            "dailyfiles",
            "links",
            "observation",
            "pipeline",
            "record",
        ],
    ),
    (
        "plot",
        &["config", "dailyfiles", "durable", "observation", "science"],
    ),
    (
        "status",
        &["config", "dailyfiles", "names", "record", "sinks"],
    ),
    (
        "writer",
        &[
            "clock",
            "config",
            "dailyfiles",
            "dashboard",
            "durable",
            "http",
            "instance_lock",
            "links",
            "metrics",
            "mqtt_client",
            "names",
            "observation",
            "record",
            "science",
            "sinks",
        ],
    ),
];

/// `crate::<name>` paths in `text`, comments left out.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let ident = |s: &str| -> String {
                s.trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            };
            match rest.strip_prefix('{') {
                // `crate::{a, b::c}`: every first segment of the group
                Some(group) => {
                    let inner = group.split('}').next().unwrap_or("");
                    out.extend(inner.split(',').map(ident).filter(|n| !n.is_empty()));
                }
                None => {
                    out.insert(ident(rest));
                }
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_imports_only_what_its_layer_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    // every library module has a row (a new module must be placed in a layer)
    for line in lib.lines() {
        if let Some(m) = line.trim().strip_prefix("pub mod ") {
            let m = m.trim_end_matches(';');
            assert!(
                allowed.contains_key(m),
                "module `{m}` of gateway/src/lib.rs has no layer in ARCHITECTURE.md / this test"
            );
        }
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        // the binary's own modules (main.rs, commands.rs, demo.rs) sit above everything
        let Some(may) = allowed.get(top.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for used in crate_paths(&text) {
            if used != top && !may.contains(&used.as_str()) {
                violations.push(format!("{} imports crate::{used}", rel.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports outside the layering of ARCHITECTURE.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_path_scanner_sees_imports_and_skips_comments() {
    let text = "use crate::science::VARS;\n// crate::sinks is not imported\nlet x = crate::clock::now(); // crate::links\nuse crate::{durable, names::safe_part};";
    let got: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(got, ["clock", "durable", "names", "science"]);
}
