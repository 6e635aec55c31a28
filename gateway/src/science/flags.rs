//! How the flags of one sample's variables are combined: a variable's own tests, the
//! inheritance of a derived variable from its inputs, and which variables take the
//! density-inversion test across the line. The daily files and the live records share
//! these rules ([`variable_flags`]).

use super::variables::{Input, NVARS, VARS};
use crate::qc::{self, inherit, Flag, QcError, VariableTests};
use protocol::time::UtcTime;

/// Whether the density-inversion flag is one of `field`'s own tests: temperature and
/// conductivity (QARTOD test 13 flags T, C and SP; salinity and the other derived variables
/// inherit it from them) and sigma-theta, the variable the test is computed on.
pub fn takes_inversion(field: &str) -> bool {
    matches!(
        field,
        "temperature_c" | "conductivity_s_m" | "sigma_theta_kg_m3"
    )
}

/// The flag of every variable of one sample: a missing value is MISSING; a measured
/// variable takes its own tests' aggregate (NOT EVALUATED when none is configured); a
/// derived variable takes the worst flag of its inputs ([`inherit`]), made worse by its own
/// tests' aggregate when they found something (an own test that could not be evaluated,
/// e.g. density inversion without a partner, leaves the inherited flag as it is, as NOT
/// EVALUATED never hides a PASS in [`qc::aggregate`]). `own(k)` is the aggregate of
/// variable `k`'s configured tests, `None` when none is configured.
pub fn variable_flags(
    values: &[Option<f64>; NVARS],
    own: impl Fn(usize) -> Option<Flag>,
) -> [Flag; NVARS] {
    let mut flags = [Flag::Missing; NVARS];
    for (k, spec) in VARS.iter().enumerate() {
        let present = values.get(k).is_some_and(Option::is_some);
        let flag = if !present {
            Flag::Missing
        } else if spec.inputs.is_empty() {
            own(k).unwrap_or(Flag::NotEvaluated)
        } else {
            let inputs: Vec<Flag> = spec
                .inputs
                .iter()
                .map(|i: &Input| flags.get(i.index()).copied().unwrap_or(Flag::Missing))
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
/// at `depths`), in a fixed order: gross range, climatology, spike, rate of change, flat
/// line (empty when none is configured).
pub fn series_tests(
    tests: Option<&VariableTests>,
    times: &[UtcTime],
    values: &[f64],
    depths: &[f64],
) -> Result<Vec<Vec<Flag>>, QcError> {
    let Some(t) = tests else {
        return Ok(Vec::new());
    };
    let mut per_test: Vec<Vec<Flag>> = Vec::new();
    if let Some(g) = &t.gross_range {
        per_test.push(qc::series::gross_range(values, g));
    }
    if let Some(c) = &t.climatology {
        per_test.push(qc::series::climatology(times, values, Some(depths), c)?);
    }
    if let Some(s) = &t.spike {
        per_test.push(qc::series::spike(values, s));
    }
    if let Some(r) = &t.rate_of_change {
        per_test.push(qc::series::rate_of_change(times, values, r)?);
    }
    if let Some(f) = &t.flat_line {
        per_test.push(qc::series::flat_line(times, values, f)?);
    }
    Ok(per_test)
}
