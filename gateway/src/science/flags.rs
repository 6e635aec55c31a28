//! How the flags of one sample's variables are combined: a variable's own tests, the
//! inheritance of a derived variable from its inputs, and which variables take the
//! density-inversion test across the line. The daily files and the live records share
//! these rules ([`variable_flags`]).

use super::derived::Values;
use super::products::Product;
use super::variables::MAX_VARS;
use crate::qc::{self, inherit, Flag, QcError, VariableTests};
use protocol::time::UtcTime;

/// One QARTOD test, as the files name it (a per-test flag variable
/// `<VAR>_qc_<name>` holds its flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Test {
    /// QARTOD gross range (T4).
    GrossRange,
    /// QARTOD climatology (T5).
    Climatology,
    /// QARTOD spike (T6).
    Spike,
    /// QARTOD rate of change (T7).
    RateOfChange,
    /// QARTOD flat line (T8).
    FlatLine,
    /// QARTOD density inversion across the line (T13).
    DensityInversion,
}

/// Number of [`Test`]s.
pub const NTESTS: usize = 6;

/// Every test, in the order the files list them.
pub const TESTS: [Test; NTESTS] = [
    Test::GrossRange,
    Test::Climatology,
    Test::Spike,
    Test::RateOfChange,
    Test::FlatLine,
    Test::DensityInversion,
];

impl Test {
    /// Its name in variable names (`gross_range`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Test::GrossRange => "gross_range",
            Test::Climatology => "climatology",
            Test::Spike => "spike",
            Test::RateOfChange => "rate_of_change",
            Test::FlatLine => "flat_line",
            Test::DensityInversion => "density_inversion",
        }
    }

    /// Its CF standard name (`<test>_quality_flag`); density inversion has none in the CF
    /// table.
    pub const fn standard_name(self) -> Option<&'static str> {
        match self {
            Test::GrossRange => Some("gross_range_test_quality_flag"),
            Test::Climatology => Some("climatology_test_quality_flag"),
            Test::Spike => Some("spike_test_quality_flag"),
            Test::RateOfChange => Some("rate_of_change_test_quality_flag"),
            Test::FlatLine => Some("flat_line_test_quality_flag"),
            Test::DensityInversion => None,
        }
    }

    /// Its position in [`TESTS`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Each test's flag of one variable of one sample (`None`: not configured for it).
pub type TestFlags = [Option<Flag>; NTESTS];

/// Whether the density-inversion flag is one of the own tests of the variable with
/// `qc_key` (MicroCATs only): temperature and
/// conductivity (QARTOD test 13 flags T, C and SP; salinity and the other derived variables
/// inherit it from them) and sigma-theta, the variable the test is computed on.
pub fn takes_inversion(qc_key: &str) -> bool {
    matches!(
        qc_key,
        "temperature_c" | "conductivity_s_m" | "sigma_theta_kg_m3"
    )
}

/// The flag of every variable of one sample of `product` (slots past its variables are
/// MISSING): a missing value is MISSING; a measured
/// variable takes its own tests' aggregate (NOT EVALUATED when none is configured); a
/// derived variable takes the worst flag of its inputs ([`inherit`]), made worse by its own
/// tests' aggregate when they found something (an own test that could not be evaluated,
/// e.g. density inversion without a partner, leaves the inherited flag as it is, as NOT
/// EVALUATED never hides a PASS in [`qc::aggregate`]). `own(k)` is the aggregate of
/// variable `k`'s configured tests, `None` when none is configured.
pub fn variable_flags(
    product: &Product,
    values: &Values,
    own: impl Fn(usize) -> Option<Flag>,
) -> [Flag; MAX_VARS] {
    let mut flags = [Flag::Missing; MAX_VARS];
    for (k, spec) in product.vars.iter().enumerate() {
        let present = values.get(k).is_some_and(Option::is_some);
        let flag = if !present {
            Flag::Missing
        } else if spec.inputs.is_empty() {
            own(k).unwrap_or(Flag::NotEvaluated)
        } else {
            let inputs: Vec<Flag> = spec
                .inputs
                .iter()
                .map(|&i| flags.get(i).copied().unwrap_or(Flag::Missing))
                .collect();
            let inherited = inherit(&inputs);
            match own(k) {
                Some(f) if f != Flag::NotEvaluated => inherit(&[inherited, f]),
                _ => inherited,
            }
        };
        if let Some(slot) = flags.get_mut(k) {
            *slot = flag;
        }
    }
    flags
}

/// Each configured test's flags on one variable's series `values` (at `times`, measured
/// at `depths`), in [`TESTS`] order: gross range, climatology, spike, rate of change, flat
/// line (empty when none is configured).
pub fn series_tests(
    tests: Option<&VariableTests>,
    times: &[UtcTime],
    values: &[f64],
    depths: &[f64],
) -> Result<Vec<(Test, Vec<Flag>)>, QcError> {
    let Some(t) = tests else {
        return Ok(Vec::new());
    };
    let mut per_test = Vec::new();
    if let Some(g) = &t.gross_range {
        per_test.push((Test::GrossRange, qc::series::gross_range(values, g)));
    }
    if let Some(c) = &t.climatology {
        let flags = qc::series::climatology(times, values, Some(depths), c)?;
        per_test.push((Test::Climatology, flags));
    }
    if let Some(s) = &t.spike {
        per_test.push((Test::Spike, qc::series::spike(values, s)));
    }
    if let Some(r) = &t.rate_of_change {
        let flags = qc::series::rate_of_change(times, values, r)?;
        per_test.push((Test::RateOfChange, flags));
    }
    if let Some(f) = &t.flat_line {
        per_test.push((Test::FlatLine, qc::series::flat_line(times, values, f)?));
    }
    Ok(per_test)
}

/// The tests configured for variable `qc_key` of `product` under `qc`, in [`TESTS`] order:
/// those the files have a per-test flag for (density inversion when `inversion`, i.e.
/// configured and the platform has a line of MicroCATs).
pub fn configured_tests(
    product: &Product,
    qc_key: &str,
    qc: &qc::QcConfig,
    inversion: bool,
) -> Vec<Test> {
    let mut out = Vec::new();
    if let Some(t) = qc.variables.get(qc_key) {
        for (test, on) in [
            (Test::GrossRange, t.gross_range.is_some()),
            (Test::Climatology, t.climatology.is_some()),
            (Test::Spike, t.spike.is_some()),
            (Test::RateOfChange, t.rate_of_change.is_some()),
            (Test::FlatLine, t.flat_line.is_some()),
        ] {
            if on {
                out.push(test);
            }
        }
    }
    if inversion && product.density_inversion && takes_inversion(qc_key) {
        out.push(Test::DensityInversion);
    }
    out
}
