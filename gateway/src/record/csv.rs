//! Records as CSV rows, for files that hold many records of one layout.
//!
//! A record's columns depend on its *shape*: its type, whether it has a time and a serial,
//! and the names and array lengths of its fields. [`Shape::of`] spells that as a short byte
//! key, so the column names and the mapping of a record's cells to a header's columns are
//! worked out once per shape, not once per record ([`CsvRows`]). Promise: the rows equal
//! [`Record::csv_row`] (the tests compare them), with no allocation per record.

use std::collections::HashMap;

use super::json::{write_fixed, Style};
use super::{Record, Value};

/// A record's shape as bytes: equal shapes have the same CSV columns in the same order.
#[derive(Debug, Default)]
pub struct Shape(Vec<u8>);

impl Shape {
    /// Sets the shape to that of `r`, reusing the buffer.
    pub fn of(&mut self, r: &Record) -> &[u8] {
        let k = &mut self.0;
        k.clear();
        k.extend_from_slice(r.kind.as_bytes());
        k.push(u8::from(r.time.is_some()) | (u8::from(r.serial.is_some()) << 1));
        for (name, value) in &r.fields {
            k.extend_from_slice(name.as_bytes());
            k.push(0);
            shape_of(value, k);
        }
        k
    }
}

/// Appends the shape of `v`: a tag per value, with the length of lists and the keys of maps.
fn shape_of(v: &Value, k: &mut Vec<u8>) {
    match v {
        Value::List(items) => {
            k.push(1);
            k.extend_from_slice(&(items.len() as u64).to_le_bytes());
            items.iter().for_each(|i| shape_of(i, k));
        }
        Value::Map(members) => {
            k.push(2);
            k.extend_from_slice(&(members.len() as u64).to_le_bytes());
            for (key, i) in members {
                k.extend_from_slice(key.as_bytes());
                k.push(0);
                shape_of(i, k);
            }
        }
        _ => k.push(3),
    }
}

/// Writes rows of records for one header, remembering per shape which cell goes to which
/// column.
#[derive(Debug)]
pub struct CsvRows {
    index: HashMap<String, usize>,
    columns: usize,
    /// Per shape: for each column, the index of the record's cell that fills it, if any
    /// (`None` for the whole vector: the cells are the columns, in order).
    layouts: HashMap<Vec<u8>, Option<Vec<Option<usize>>>>,
    shape: Shape,
    cells: Vec<u8>,
    ends: Vec<usize>,
}

impl CsvRows {
    /// Rows for the header `columns`.
    pub fn new(columns: &[String]) -> Self {
        let mut index = HashMap::new();
        for (i, c) in columns.iter().enumerate() {
            index.entry(c.clone()).or_insert(i);
        }
        CsvRows {
            index,
            columns: columns.len(),
            layouts: HashMap::new(),
            shape: Shape::default(),
            cells: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Appends `r`'s row (no line break) to `out`: the same text as [`Record::csv_row`].
    pub fn write(&mut self, r: &Record, out: &mut Vec<u8>) {
        self.cells.clear();
        self.ends.clear();
        write_cells(r, &mut self.cells, &mut self.ends);
        let key = self.shape.of(r);
        if !self.layouts.contains_key(key) {
            let layout = layout(&self.index, self.columns, r);
            self.layouts.insert(key.to_vec(), layout);
        }
        let Some(layout) = self.layouts.get(self.shape.0.as_slice()) else {
            return; // inserted just above
        };
        match layout {
            None => {
                for (i, w) in self.ends.windows(2).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(&self.cells[w[0]..w[1]]);
                }
            }
            Some(slots) => {
                for (i, slot) in slots.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    // Records of one shape have the same number of cells, so `c` indexes
                    // this record's cells.
                    if let Some(&[a, b]) = slot.and_then(|c| self.ends.get(c..c + 2)) {
                        out.extend_from_slice(self.cells.get(a..b).unwrap_or_default());
                    }
                }
            }
        }
    }
}

/// Which cell of a record of `r`'s shape fills each of the `columns` columns (`index`: a
/// column's position by name); `None` when the cells are the columns, in order.
fn layout(
    index: &HashMap<String, usize>,
    columns: usize,
    r: &Record,
) -> Option<Vec<Option<usize>>> {
    let names = r.csv_columns();
    let mut slots = vec![None; columns];
    for (cell, name) in names.iter().enumerate() {
        if let Some(&col) = index.get(name) {
            // The first cell of a name fills its column, as `csv_row` does.
            if slots[col].is_none() {
                slots[col] = Some(cell);
            }
        }
    }
    let in_order = names.len() == columns && slots.iter().enumerate().all(|(i, s)| *s == Some(i));
    (!in_order).then_some(slots)
}

/// Writes `r`'s cells one after another into `cells`, `ends` getting the start of the first
/// and the end of each.
fn write_cells(r: &Record, cells: &mut Vec<u8>, ends: &mut Vec<usize>) {
    ends.push(0);
    cells.extend_from_slice(r.kind.as_bytes());
    ends.push(cells.len());
    if let Some(t) = r.time {
        Value::Time(t).write_csv_cell(cells);
        ends.push(cells.len());
    }
    if let Some(s) = &r.serial {
        cells.extend_from_slice(super::csv_escape(s).as_bytes());
        ends.push(cells.len());
    }
    for (_, v) in &r.fields {
        v.write_csv_cells(cells, ends);
    }
}

impl Value {
    fn write_csv_cells(&self, cells: &mut Vec<u8>, ends: &mut Vec<usize>) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.write_csv_cells(cells, ends)),
            Value::Map(members) => members
                .iter()
                .for_each(|(_, v)| v.write_csv_cells(cells, ends)),
            other => {
                other.write_csv_cell(cells);
                ends.push(cells.len());
            }
        }
    }

    /// Appends the value as one CSV cell: the text of [`Value::csv_cell`].
    fn write_csv_cell(&self, out: &mut Vec<u8>) {
        match self {
            Value::Fixed(v, d) if v.is_finite() => write_fixed(out, *v, *d, Style::Display),
            Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Value::Time(t) => super::write_time(out, *t),
            other => out.extend_from_slice(other.csv_cell().as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use protocol::time::UtcTime;

    fn record(serial: Option<String>, n: usize, extra: bool, v: f64) -> Record {
        let t = UtcTime::from_unix_millis(1_500_000_000_123);
        let mut r = Record::new("awac_profile", Some(t), serial);
        r.push("temperature_c", Value::Fixed(v, 3));
        r.push(
            "velocity_m_s",
            Value::List(vec![Value::fixed_list(&[v, -v], 4); n]),
        );
        if extra {
            r.push("note", Value::Text("a, \"b\"".into()));
            r.push("speed", Value::Float(v / 3.0));
        }
        r.push("qc", Value::Map(vec![("temperature_c", Value::Int(1))]));
        r
    }

    proptest! {
        #[test]
        fn rows_equal_csv_row(
            shapes in proptest::collection::vec(
                (proptest::option::of("[a-z,]{0,4}"), 0usize..4, any::<bool>(), any::<f64>()),
                1..12,
            ),
        ) {
            let records: Vec<Record> = shapes
                .into_iter()
                .map(|(s, n, e, v)| record(s, n, e, v))
                .collect();
            // The header of the first record, then of the longest: both the in-order and
            // the mapped paths.
            for header in [records[0].csv_columns(), records.iter().map(|r| r.csv_columns()).max_by_key(|c| c.len()).unwrap_or_default()] {
                let mut rows = CsvRows::new(&header);
                for r in &records {
                    let mut ours = Vec::new();
                    rows.write(r, &mut ours);
                    prop_assert_eq!(String::from_utf8(ours).unwrap(), r.csv_row(&header));
                }
            }
        }
    }
}
