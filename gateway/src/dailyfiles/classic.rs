//! A NetCDF-3 classic (CDF-1) file built in memory and serialised in one pass: the subset
//! of the format the daily files use (one unlimited dimension, fixed dimensions, `NC_BYTE`,
//! `NC_CHAR` and `NC_DOUBLE` variables and attributes).
//!
//! Why not the `netcdf3` crate's writer: it copies every value through a `Write` call of
//! its own and rebuilds reference-counted structures per file, which made it half the time
//! of a 10-year reprocess; and it pads `NC_BYTE` attribute values with fill bytes where the
//! format requires zeros. The layout here is the one `netcdf3` 0.6.1 writes (header with
//! no extra space, fixed-size variables first in definition order, then the records, each
//! record variable's values padded to 4 bytes with its type's fill value), with zero
//! attribute padding: the unit tests compare the bytes with that writer's (and its
//! padding corrected) on random files, and its reader reads ours back.
//!
//! Format: "NetCDF Classic Format Specification" (Unidata, CDL grammar of the header).

use super::netcdf::NetcdfError;
use std::borrow::Cow;

/// The fill value of `NC_BYTE` (the format's default).
const FILL_I8: i8 = -127;
/// The fill value of `NC_CHAR`.
const FILL_CHAR: u8 = 0;
/// The fill value of `NC_DOUBLE`.
const FILL_F64: f64 = 9.969_209_968_386_869e36;

/// Values of a variable or an attribute.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    /// `NC_BYTE`.
    I8(Vec<i8>),
    /// `NC_CHAR`.
    Char(Vec<u8>),
    /// `NC_DOUBLE`.
    F64(Vec<f64>),
}

impl Values {
    fn type_code(&self) -> u32 {
        match self {
            Values::I8(_) => 1,
            Values::Char(_) => 2,
            Values::F64(_) => 6,
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::I8(v) => v.len(),
            Values::Char(v) => v.len(),
            Values::F64(v) => v.len(),
        }
    }

    fn size_of(&self) -> usize {
        match self {
            Values::I8(_) | Values::Char(_) => 1,
            Values::F64(_) => 8,
        }
    }

    /// Appends values `range` big-endian, then padding to 4 bytes of `pad` (a fill byte
    /// pattern is the type's fill value; attributes pad with zeros).
    fn put(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>, zero_pad: bool) {
        let start = out.len();
        match self {
            Values::I8(v) => out.extend(v[range].iter().map(|x| x.to_be_bytes()[0])),
            Values::Char(v) => out.extend_from_slice(&v[range]),
            Values::F64(v) => {
                for x in &v[range] {
                    out.extend_from_slice(&x.to_be_bytes());
                }
            }
        }
        let fill = match self {
            _ if zero_pad => 0,
            Values::I8(_) => FILL_I8.to_be_bytes()[0],
            // NC_DOUBLE values are 8 bytes: never padded
            Values::Char(_) | Values::F64(_) => FILL_CHAR,
        };
        let written = out.len() - start;
        out.resize(out.len() + padding(written), fill);
    }
}

/// Bytes that bring `n` to a multiple of 4.
fn padding(n: usize) -> usize {
    (4 - n % 4) % 4
}

#[derive(Debug, Clone)]
struct Attr {
    name: String,
    values: Values,
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    /// Dimension ids.
    dims: Vec<usize>,
    attrs: Vec<Attr>,
    /// Its data, empty until written.
    data: Values,
}

/// A classic NetCDF file being defined and filled (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Classic {
    /// (name, size); the unlimited dimension has size `None`.
    dims: Vec<(String, Option<usize>)>,
    /// The number of records (the unlimited dimension's length).
    records: usize,
    attrs: Vec<Attr>,
    vars: Vec<Var>,
}

fn err(what: String) -> NetcdfError {
    NetcdfError(what)
}

impl Classic {
    /// An empty file.
    pub fn new() -> Classic {
        Classic::default()
    }

    /// Adds the unlimited dimension `name`, with `records` records.
    pub fn set_unlimited_dim(&mut self, name: &str, records: usize) -> Result<(), NetcdfError> {
        if self.dims.iter().any(|(_, s)| s.is_none()) {
            return Err(err("a second unlimited dimension".into()));
        }
        self.records = records;
        self.add_dim(name, None)
    }

    /// Adds the fixed dimension `name` of `size`.
    pub fn add_fixed_dim(&mut self, name: &str, size: usize) -> Result<(), NetcdfError> {
        self.add_dim(name, Some(size))
    }

    fn add_dim(&mut self, name: &str, size: Option<usize>) -> Result<(), NetcdfError> {
        if self.dims.iter().any(|(n, _)| n == name) {
            return Err(err(format!("dimension {name} defined twice")));
        }
        self.dims.push((name.to_owned(), size));
        Ok(())
    }

    fn add_var(&mut self, name: &str, dims: &[&str], data: Values) -> Result<(), NetcdfError> {
        if self.vars.iter().any(|v| v.name == name) {
            return Err(err(format!("variable {name} defined twice")));
        }
        let mut ids = Vec::with_capacity(dims.len());
        for (k, d) in dims.iter().enumerate() {
            let id = self
                .dims
                .iter()
                .position(|(n, _)| n == d)
                .ok_or_else(|| err(format!("variable {name}: no dimension {d}")))?;
            if k > 0 && self.dims[id].1.is_none() {
                return Err(err(format!(
                    "variable {name}: unlimited dimension not first"
                )));
            }
            ids.push(id);
        }
        self.vars.push(Var {
            name: name.to_owned(),
            dims: ids,
            attrs: Vec::new(),
            data,
        });
        Ok(())
    }

    /// Defines an `NC_CHAR` variable over `dims`.
    pub fn add_var_u8(&mut self, name: &str, dims: &[&str]) -> Result<(), NetcdfError> {
        self.add_var(name, dims, Values::Char(Vec::new()))
    }

    /// Defines an `NC_DOUBLE` variable over `dims`.
    pub fn add_var_f64(&mut self, name: &str, dims: &[&str]) -> Result<(), NetcdfError> {
        self.add_var(name, dims, Values::F64(Vec::new()))
    }

    /// Defines an `NC_BYTE` variable over `dims`.
    pub fn add_var_i8(&mut self, name: &str, dims: &[&str]) -> Result<(), NetcdfError> {
        self.add_var(name, dims, Values::I8(Vec::new()))
    }

    fn var_mut(&mut self, name: &str) -> Result<&mut Var, NetcdfError> {
        // attributes mostly follow their variable's definition: look from the end
        self.vars
            .iter_mut()
            .rev()
            .find(|v| v.name == name)
            .ok_or_else(|| err(format!("no variable {name}")))
    }

    fn add_var_attr(&mut self, var: &str, name: &str, values: Values) -> Result<(), NetcdfError> {
        let v = self.var_mut(var)?;
        if v.attrs.iter().any(|a| a.name == name) {
            return Err(err(format!("{var}: attribute {name} defined twice")));
        }
        v.attrs.push(Attr {
            name: name.to_owned(),
            values,
        });
        Ok(())
    }

    /// Adds a text attribute to variable `var`.
    pub fn add_var_attr_string(
        &mut self,
        var: &str,
        name: &str,
        value: &str,
    ) -> Result<(), NetcdfError> {
        self.add_var_attr(var, name, Values::Char(value.as_bytes().to_vec()))
    }

    /// Adds an `NC_DOUBLE` attribute to variable `var`.
    pub fn add_var_attr_f64(
        &mut self,
        var: &str,
        name: &str,
        values: Vec<f64>,
    ) -> Result<(), NetcdfError> {
        self.add_var_attr(var, name, Values::F64(values))
    }

    /// Adds an `NC_BYTE` attribute to variable `var`.
    pub fn add_var_attr_i8(
        &mut self,
        var: &str,
        name: &str,
        values: Vec<i8>,
    ) -> Result<(), NetcdfError> {
        self.add_var_attr(var, name, Values::I8(values))
    }

    fn add_global_attr(&mut self, name: &str, values: Values) -> Result<(), NetcdfError> {
        if self.attrs.iter().any(|a| a.name == name) {
            return Err(err(format!("global attribute {name} defined twice")));
        }
        self.attrs.push(Attr {
            name: name.to_owned(),
            values,
        });
        Ok(())
    }

    /// Adds a global text attribute.
    pub fn add_global_attr_string(&mut self, name: &str, value: &str) -> Result<(), NetcdfError> {
        self.add_global_attr(name, Values::Char(value.as_bytes().to_vec()))
    }

    /// Adds a global `NC_DOUBLE` attribute.
    pub fn add_global_attr_f64(&mut self, name: &str, values: Vec<f64>) -> Result<(), NetcdfError> {
        self.add_global_attr(name, Values::F64(values))
    }

    /// Values in one record of `v` (all of them for a fixed-size variable).
    fn chunk_len(&self, v: &Var) -> usize {
        v.dims.iter().filter_map(|&d| self.dims[d].1).product()
    }

    fn is_record(&self, v: &Var) -> bool {
        v.dims.first().is_some_and(|&d| self.dims[d].1.is_none())
    }

    fn write_var(&mut self, name: &str, data: Values) -> Result<(), NetcdfError> {
        let records = self.records;
        let idx = self
            .vars
            .iter()
            .position(|v| v.name == name)
            .ok_or_else(|| err(format!("no variable {name}")))?;
        let v = &self.vars[idx];
        if v.data.type_code() != data.type_code() {
            return Err(err(format!("{name}: data of another type")));
        }
        let want = self.chunk_len(v) * if self.is_record(v) { records } else { 1 };
        if data.len() != want {
            return Err(err(format!("{name}: {} values for {want}", data.len())));
        }
        self.vars[idx].data = data;
        Ok(())
    }

    /// Writes all the values of the `NC_CHAR` variable `name`.
    pub fn write_var_u8(&mut self, name: &str, data: &[u8]) -> Result<(), NetcdfError> {
        self.write_var(name, Values::Char(data.to_vec()))
    }

    /// Writes all the values of the `NC_DOUBLE` variable `name`.
    pub fn write_var_f64(&mut self, name: &str, data: &[f64]) -> Result<(), NetcdfError> {
        self.write_var(name, Values::F64(data.to_vec()))
    }

    /// Writes all the values of the `NC_BYTE` variable `name`.
    pub fn write_var_i8(&mut self, name: &str, data: &[i8]) -> Result<(), NetcdfError> {
        self.write_var(name, Values::I8(data.to_vec()))
    }

    /// The file's bytes. A variable never written holds fill values.
    pub fn to_bytes(&self) -> Result<Vec<u8>, NetcdfError> {
        // (chunk size with padding, is record) per variable, in definition order
        let layout: Vec<(usize, bool)> = self
            .vars
            .iter()
            .map(|v| {
                let n = self.chunk_len(v) * v.data.size_of();
                (n + padding(n), self.is_record(v))
            })
            .collect();
        let header = self.header_len();
        // begin offsets: fixed-size variables first, then the record variables
        let mut begins = vec![0usize; self.vars.len()];
        let mut at = header;
        for record in [false, true] {
            for (k, &(size, r)) in layout.iter().enumerate() {
                if r == record {
                    begins[k] = at;
                    at += size;
                }
            }
        }
        let record_size: usize = layout.iter().filter(|l| l.1).map(|l| l.0).sum();
        let fixed_end = at - record_size;
        let total = fixed_end + record_size * self.records;
        let mut out = Vec::with_capacity(total);
        self.put_header(&mut out, &begins, &layout)?;
        debug_assert_eq!(out.len(), header);
        fn filled(v: &Var, n: usize) -> Cow<'_, Values> {
            match &v.data {
                d if d.len() > 0 || n == 0 => Cow::Borrowed(d),
                Values::I8(_) => Cow::Owned(Values::I8(vec![FILL_I8; n])),
                Values::Char(_) => Cow::Owned(Values::Char(vec![FILL_CHAR; n])),
                Values::F64(_) => Cow::Owned(Values::F64(vec![FILL_F64; n])),
            }
        }
        for (k, v) in self.vars.iter().enumerate() {
            if !layout[k].1 {
                let n = self.chunk_len(v);
                filled(v, n).put(0..n, &mut out, false);
            }
        }
        let record_vars: Vec<(&Var, Cow<'_, Values>, usize)> = self
            .vars
            .iter()
            .filter(|v| self.is_record(v))
            .map(|v| {
                let n = self.chunk_len(v);
                (v, filled(v, n * self.records), n)
            })
            .collect();
        for r in 0..self.records {
            for (_, data, n) in &record_vars {
                data.put(r * n..(r + 1) * n, &mut out, false);
            }
        }
        debug_assert_eq!(out.len(), total);
        Ok(out)
    }

    fn attrs_len(attrs: &[Attr]) -> usize {
        8 + attrs
            .iter()
            .map(|a| {
                let n = a.values.len() * a.values.size_of();
                name_len(&a.name) + 8 + n + padding(n)
            })
            .sum::<usize>()
    }

    fn header_len(&self) -> usize {
        let dims = 8 + self
            .dims
            .iter()
            .map(|(n, _)| name_len(n) + 4)
            .sum::<usize>();
        let vars = 8 + self
            .vars
            .iter()
            .map(|v| name_len(&v.name) + 4 + 4 * v.dims.len() + Self::attrs_len(&v.attrs) + 12)
            .sum::<usize>();
        8 + dims + Self::attrs_len(&self.attrs) + vars
    }

    fn put_header(
        &self,
        out: &mut Vec<u8>,
        begins: &[usize],
        layout: &[(usize, bool)],
    ) -> Result<(), NetcdfError> {
        let u32_of = |n: usize, what: &str| {
            i32::try_from(n)
                .map(|x| x as u32)
                .map_err(|_| err(format!("{what} too large for the classic format")))
        };
        out.extend_from_slice(b"CDF\x01");
        out.extend_from_slice(&u32_of(self.records, "record count")?.to_be_bytes());
        list(out, 0x0A, self.dims.len());
        for (name, size) in &self.dims {
            put_name(out, name);
            out.extend_from_slice(&u32_of(size.unwrap_or(0), "dimension")?.to_be_bytes());
        }
        put_attrs(out, &self.attrs);
        list(out, 0x0B, self.vars.len());
        for (k, v) in self.vars.iter().enumerate() {
            put_name(out, &v.name);
            out.extend_from_slice(&(v.dims.len() as u32).to_be_bytes());
            for &d in &v.dims {
                out.extend_from_slice(&(d as u32).to_be_bytes());
            }
            put_attrs(out, &v.attrs);
            out.extend_from_slice(&v.data.type_code().to_be_bytes());
            out.extend_from_slice(&u32_of(layout[k].0, "variable")?.to_be_bytes());
            out.extend_from_slice(&u32_of(begins[k], "offset")?.to_be_bytes());
        }
        Ok(())
    }
}

/// Bytes of a name in the header: length, bytes, zero padding.
fn name_len(name: &str) -> usize {
    4 + name.len() + padding(name.len())
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(&(name.len() as u32).to_be_bytes());
    out.extend_from_slice(name.as_bytes());
    out.resize(out.len() + padding(name.len()), 0);
}

/// A list's tag and count, or ABSENT (two zero words) when empty.
fn list(out: &mut Vec<u8>, tag: u32, n: usize) {
    let tag = if n == 0 { 0 } else { tag };
    out.extend_from_slice(&tag.to_be_bytes());
    out.extend_from_slice(&(n as u32).to_be_bytes());
}

fn put_attrs(out: &mut Vec<u8>, attrs: &[Attr]) {
    list(out, 0x0C, attrs.len());
    for a in attrs {
        put_name(out, &a.name);
        out.extend_from_slice(&a.values.type_code().to_be_bytes());
        out.extend_from_slice(&(a.values.len() as u32).to_be_bytes());
        a.values.put(0..a.values.len(), out, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An attribute of a random file: name, type (0 i8, 1 char, 2 f64), length.
    type AttrSpec = (String, u8, usize);
    /// A variable of a random file: type (as [`AttrSpec`]), record variable?, attributes.
    type VarSpec = (u8, bool, Vec<AttrSpec>);

    /// What a random file holds.
    #[derive(Debug, Clone)]
    struct Spec {
        records: usize,
        strlen: usize,
        globals: Vec<(String, String)>,
        vars: Vec<VarSpec>,
        seed: u64,
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let attr = ("[a-z][a-z_]{0,8}", 0u8..3, 0usize..7);
        let var = (0u8..3, any::<bool>(), prop::collection::vec(attr, 0..4));
        (
            0usize..6,
            1usize..11,
            prop::collection::vec(("[a-z][a-z_]{0,8}", "[ -~]{0,13}"), 0..4),
            prop::collection::vec(var, 0..6),
            any::<u64>(),
        )
            .prop_map(|(records, strlen, globals, vars, seed)| Spec {
                records,
                strlen,
                globals,
                vars,
                seed,
            })
    }

    /// Deterministic values from a seed.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 11
        }
        fn i8s(&mut self, n: usize) -> Vec<i8> {
            (0..n).map(|_| self.next() as i8).collect()
        }
        fn chars(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| b'a' + (self.next() % 26) as u8).collect()
        }
        fn f64s(&mut self, n: usize) -> Vec<f64> {
            (0..n).map(|_| (self.next() as f64) / 7.0 - 1e15).collect()
        }
    }

    /// The same file through ours and through netcdf3's writer (its padding corrected).
    fn both(s: &Spec) -> (Vec<u8>, Vec<u8>) {
        let mut ours = Classic::new();
        let mut ds = netcdf3::DataSet::new();
        ours.set_unlimited_dim("time", s.records).unwrap();
        ds.set_unlimited_dim("time", s.records).unwrap();
        ours.add_fixed_dim("strlen", s.strlen).unwrap();
        ds.add_fixed_dim("strlen", s.strlen).unwrap();
        let mut g = Gen(s.seed);
        for (k, (name, value)) in s.globals.iter().enumerate() {
            let name = format!("{name}{k}");
            ours.add_global_attr_string(&name, value).unwrap();
            ds.add_global_attr_string(&name, value).unwrap();
        }
        let mut data = Vec::new();
        for (k, (ty, record, attrs)) in s.vars.iter().enumerate() {
            let name = format!("v{k}");
            let dims: Vec<&str> = match (record, ty) {
                (true, 1) => vec!["time", "strlen"],
                (true, _) => vec!["time"],
                (false, 1) => vec!["strlen"],
                (false, _) => vec![],
            };
            let n = match (record, ty) {
                (true, 1) => s.records * s.strlen,
                (true, _) => s.records,
                (false, 1) => s.strlen,
                (false, _) => 1,
            };
            match ty {
                0 => {
                    ours.add_var_i8(&name, &dims).unwrap();
                    ds.add_var_i8(&name, &dims).unwrap();
                }
                1 => {
                    ours.add_var_u8(&name, &dims).unwrap();
                    ds.add_var_u8(&name, &dims).unwrap();
                }
                _ => {
                    ours.add_var_f64(&name, &dims).unwrap();
                    ds.add_var_f64(&name, &dims).unwrap();
                }
            }
            for (j, (a, aty, len)) in attrs.iter().enumerate() {
                let a = format!("{a}{j}");
                match aty {
                    0 => {
                        let v = g.i8s(*len);
                        ours.add_var_attr_i8(&name, &a, v.clone()).unwrap();
                        ds.add_var_attr_i8(&name, &a, v).unwrap();
                    }
                    1 => {
                        let v = String::from_utf8(g.chars(*len)).unwrap();
                        ours.add_var_attr_string(&name, &a, &v).unwrap();
                        ds.add_var_attr_string(&name, &a, &v).unwrap();
                    }
                    _ => {
                        let v = g.f64s(*len);
                        ours.add_var_attr_f64(&name, &a, v.clone()).unwrap();
                        ds.add_var_attr_f64(&name, &a, v).unwrap();
                    }
                }
            }
            // all written: netcdf3 0.6.1 fills an unwritten fixed-size variable once per
            // record, over the data that follows it (ours writes its fill values once)
            data.push((name, *ty, n));
        }
        let buf = std::rc::Rc::new(std::cell::RefCell::new(std::io::Cursor::new(Vec::new())));
        {
            #[derive(Clone)]
            struct Shared(std::rc::Rc<std::cell::RefCell<std::io::Cursor<Vec<u8>>>>);
            impl std::io::Write for Shared {
                fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                    self.0.borrow_mut().write(b)
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            impl std::io::Seek for Shared {
                fn seek(&mut self, p: std::io::SeekFrom) -> std::io::Result<u64> {
                    self.0.borrow_mut().seek(p)
                }
            }
            let mut w = netcdf3::FileWriter::open_seek_write("t.nc", Box::new(Shared(buf.clone())))
                .unwrap();
            w.set_def(&ds, netcdf3::Version::Classic, 0).unwrap();
            for (name, ty, n) in &data {
                match ty {
                    0 => {
                        let v = g.i8s(*n);
                        ours.write_var_i8(name, &v).unwrap();
                        w.write_var_i8(name, &v).unwrap();
                    }
                    1 => {
                        let v = g.chars(*n);
                        ours.write_var_u8(name, &v).unwrap();
                        w.write_var_u8(name, &v).unwrap();
                    }
                    _ => {
                        let v = g.f64s(*n);
                        ours.write_var_f64(name, &v).unwrap();
                        w.write_var_f64(name, &v).unwrap();
                    }
                }
            }
            w.close().unwrap();
        }
        let mut theirs = buf.borrow().get_ref().clone();
        super::super::padding::zero_attribute_padding(&mut theirs).unwrap();
        (ours.to_bytes().unwrap(), theirs)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn the_bytes_of_netcdf3s_writer(s in spec()) {
            let (ours, theirs) = both(&s);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn refuses_what_the_format_cannot_hold() {
        let mut c = Classic::new();
        c.set_unlimited_dim("time", 2).unwrap();
        assert!(c.set_unlimited_dim("t2", 1).is_err());
        c.add_fixed_dim("n", 3).unwrap();
        assert!(c.add_fixed_dim("n", 3).is_err());
        assert!(
            c.add_var_f64("x", &["n", "time"]).is_err(),
            "unlimited not first"
        );
        assert!(c.add_var_f64("x", &["nope"]).is_err());
        c.add_var_f64("x", &["time"]).unwrap();
        assert!(c.add_var_f64("x", &["time"]).is_err());
        assert!(c.write_var_f64("x", &[1.0]).is_err(), "two records");
        assert!(c.write_var_i8("x", &[1, 2]).is_err(), "another type");
        assert!(c.add_var_attr_string("y", "a", "b").is_err());
        c.write_var_f64("x", &[1.0, 2.0]).unwrap();
        c.add_var_i8("flag", &[]).unwrap();
        let bytes = c.to_bytes().unwrap();
        assert_eq!(&bytes[..8], b"CDF\x01\0\0\0\x02");
        // the unwritten scalar holds its fill value, then the two records follow
        let data = &bytes[bytes.len() - 20..];
        assert_eq!(data[..4], [0x81; 4]);
        assert_eq!(data[4..12], 1.0f64.to_be_bytes());
        assert_eq!(data[12..], 2.0f64.to_be_bytes());
    }
}
