//! Files and schemas the tests compare against: a directory snapshot (byte-identical
//! rebuilds), the rows of the daily CSV files, and the record JSON Schemas of docs/schema.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Every file under `dir`, by path relative to `dir`, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The JSON Schemas of docs/schema (draft 2020-12, formats validated), by name: the record
/// types (`sbe37`, …) and the retained `status` and `online` payloads.
pub fn schemas() -> HashMap<String, jsonschema::Validator> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/schema");
    let mut out = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(kind) = name.strip_suffix(".schema.json") else {
            continue;
        };
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap())
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let v = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        out.insert(kind.to_owned(), v);
    }
    out
}

/// (header, rows) of every daily CSV of `platform` named `<sensor>_<serial>_*.csv`, rows
/// in time order.
pub fn product_rows(
    files: &Path,
    platform: &str,
    sensor: &str,
    serial: &str,
) -> (Vec<String>, Vec<Vec<String>>) {
    let prefix = format!("{sensor}_{serial}_");
    let mut paths = Vec::new();
    for y in std::fs::read_dir(files.join(platform)).unwrap().flatten() {
        for f in std::fs::read_dir(y.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(".csv") {
                assert!(
                    f.path().with_extension("nc").exists(),
                    "{name} has its NetCDF"
                );
                paths.push(f.path());
            }
        }
    }
    paths.sort();
    assert!(!paths.is_empty(), "no {prefix}*.csv under {platform}");
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).unwrap();
        let mut lines = text.lines();
        header = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect();
        rows.extend(lines.map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>()));
    }
    (header, rows)
}

/// The index of column `name` in `header`.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}
