//! One instrument's UTC day as a table: the day's samples assessed by the science core
//! ([`crate::science::assess`]) with its [`Context`] (the instrument's neighbouring days
//! and the line's other instruments, gathered by [`super::batch`]).

use super::meta::Series;
use crate::qc::{QcConfig, QcError};
use crate::science::{assess, Assessment, Context, Sample};

/// A built day: its rows (in increasing time) and what de-duplication and derivation
/// dropped, exactly what the CSV and the NetCDF file of the day hold.
pub type DayTable = Assessment;

/// Builds the day table of `series` from `samples` (any order, duplicates allowed) with the
/// QC tests of `qc` (keyed by record field name, e.g. `temperature_c`), without context:
/// [`build_with`] and an empty [`Context`].
pub fn build(samples: Vec<Sample>, series: &Series, qc: &QcConfig) -> Result<DayTable, QcError> {
    build_with(samples, series, qc, &Context::default())
}

/// Builds the day table of `series` from `samples` (any order, duplicates allowed) with
/// `context` ([`assess`]): the first and last samples of the day are flagged as in the
/// continuous series, and with `qc.density_inversion` temperature, conductivity and
/// sigma-theta also take the density-inversion flag against `context.line`.
pub fn build_with(
    samples: Vec<Sample>,
    series: &Series,
    qc: &QcConfig,
    context: &Context,
) -> Result<DayTable, QcError> {
    assess(series.product, samples, &series.deployment(), qc, context)
}
