//! docs/products.md stays true to the products' catalogues (`gateway::science::PRODUCTS`):
//! every product has a `## ` section whose heading names its file prefix (`` `MICROCAT_` ``),
//! holding one variable table row per catalogue variable with its units, CF standard name,
//! SeaDataNet P01/P06 codes, OceanSITES code, EMSO variable_type, decimals, qc_key and
//! inputs, and the CSV header of the default QC; the QARTOD -> OceanSITES flag mapping
//! appears as the files write it. A catalogue change without a doc change fails here.

use gateway::dailyfiles::schema::{csv_columns, FLAG_MAPPING};
use gateway::qc::Flag;
use gateway::science::{default_qc, Product, VarSpec, PRODUCTS};

/// The header of every product's variable table: the columns the rows are checked against.
const TABLE_HEADER: &str = "| variable | units | standard_name | P01 | P06 | OceanSITES | \
                            variable_type | decimals | qc_key | derived from |";

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/products.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of the `## ` section whose heading contains `` `<SENSOR>_` `` (exactly one).
fn section<'a>(doc: &'a str, product: &Product) -> &'a str {
    let prefix = format!("`{}_`", product.sensor);
    let starts: Vec<usize> = doc
        .match_indices("\n## ")
        .map(|(i, _)| i + 1)
        .chain(doc.starts_with("## ").then_some(0))
        .collect();
    let heading_of = |start: usize| doc[start..].lines().next().unwrap_or("");
    let mine: Vec<usize> = starts
        .iter()
        .copied()
        .filter(|&s| heading_of(s).contains(&prefix))
        .collect();
    assert_eq!(
        mine.len(),
        1,
        "docs/products.md: expected one `## ` heading containing {prefix}, found {}",
        mine.len()
    );
    let start = mine[0];
    let end = starts
        .iter()
        .copied()
        .filter(|&s| s > start)
        .min()
        .unwrap_or(doc.len());
    &doc[start..end]
}

/// The cells of a Markdown table row, trimmed (`| a | b |` -> `["a", "b"]`).
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

/// The rows of the variable table of a section (after [`TABLE_HEADER`] and its separator).
fn variable_rows(section: &str, sensor: &str) -> Vec<Vec<String>> {
    let header = cells(TABLE_HEADER);
    let mut lines = section.lines().skip_while(|l| cells(l) != header);
    assert!(
        lines.next().is_some(),
        "{sensor}: no variable table with the header {TABLE_HEADER}"
    );
    lines
        .skip(1) // |---|---|
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(cells)
        .collect()
}

fn code(s: &str) -> String {
    if s.is_empty() {
        "—".to_owned()
    } else {
        format!("`{s}`")
    }
}

/// What the row of `v` must say, column by column (the `derived from` cell must start with
/// the inputs; a measured variable's with `measured`, a note may follow).
fn expected_row(product: &Product, v: &VarSpec) -> Vec<String> {
    let standard_name = if v.standard_name.is_empty() {
        "none (CF has none)".to_owned()
    } else {
        code(v.standard_name)
    };
    let from = if v.inputs.is_empty() {
        "measured".to_owned()
    } else {
        let names: Vec<String> = v
            .inputs
            .iter()
            .map(|&i| code(product.vars[i].name))
            .collect();
        names.join(", ")
    };
    vec![
        code(v.name),
        code(v.units),
        standard_name,
        code(v.sdn_parameter.0),
        code(v.sdn_uom.0),
        code(v.oceansites_name),
        v.kind.variable_type().to_owned(),
        v.decimals.to_string(),
        code(v.qc_key),
        from,
    ]
}

#[test]
fn every_product_and_variable_is_documented() {
    let doc = doc();
    for product in PRODUCTS {
        let sensor = product.sensor;
        assert!(
            doc.contains(&format!("{sensor}_")),
            "docs/products.md does not name the file prefix {sensor}_"
        );
        let section = section(&doc, product);
        assert!(
            section.contains(&format!("`{}`", product.serial_column)),
            "{sensor}: the serial column {} is not named",
            product.serial_column
        );
        let rows = variable_rows(section, sensor);
        let documented: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let catalogue: Vec<String> = product.vars.iter().map(|v| code(v.name)).collect();
        assert_eq!(
            documented, catalogue,
            "{sensor}: the variable table's rows are not the catalogue's variables in order"
        );
        for (row, v) in rows.iter().zip(product.vars) {
            let want = expected_row(product, v);
            assert_eq!(row.len(), want.len(), "{sensor} {}: {row:?}", v.name);
            for ((got, want), column) in row.iter().zip(&want).zip(cells(TABLE_HEADER)) {
                let ok = if column == "derived from" {
                    got.starts_with(want.as_str())
                } else {
                    got == want
                };
                assert!(ok, "{sensor} {}: {column} is {got:?}, not {want:?}", v.name);
            }
            // the catalogue's strings appear verbatim too (a non-empty code or name)
            for s in [
                v.name,
                v.units,
                v.standard_name,
                v.sdn_parameter.0,
                v.sdn_uom.0,
                v.qc_key,
            ] {
                assert!(s.is_empty() || section.contains(s), "{sensor}: {s} missing");
            }
        }
    }
}

#[test]
fn csv_headers_of_the_default_qc_are_documented() {
    let doc = doc();
    for product in PRODUCTS {
        let section = section(&doc, product);
        let header = csv_columns(product, &default_qc()).join(",");
        assert!(
            section.lines().any(|l| l == header),
            "{}: the CSV header of the default QC is not in its section:\n{header}",
            product.sensor
        );
    }
    // a platform with a single MicroCAT: no density inversion
    let mut lone = default_qc();
    lone.density_inversion = None;
    let microcat = section(&doc, &gateway::science::MICROCAT);
    let header = csv_columns(&gateway::science::MICROCAT, &lone).join(",");
    assert!(microcat.lines().any(|l| l == header), "{header}");
}

#[test]
fn the_flag_mapping_is_documented_as_the_files_write_it() {
    let doc = doc();
    assert!(
        doc.contains(FLAG_MAPPING),
        "docs/products.md lacks the flag mapping line:\n{FLAG_MAPPING}"
    );
    // and the mapping line says what the code does
    for f in [
        Flag::Pass,
        Flag::NotEvaluated,
        Flag::Suspect,
        Flag::Fail,
        Flag::Missing,
    ] {
        let pair = format!("{} -> {}", f.code(), f.to_oceansites());
        assert!(FLAG_MAPPING.contains(&pair), "{pair} not in {FLAG_MAPPING}");
        let row = format!("| {} |", f.code());
        let documented = doc.lines().any(|l| {
            let c = cells(l);
            l.starts_with(&row) && c.len() == 4 && c[2] == f.to_oceansites().to_string()
        });
        assert!(documented, "no mapping table row for QARTOD {}", f.code());
    }
}
