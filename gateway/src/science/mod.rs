//! The science core: what the gateway computes from each instrument's measurements, shared
//! by the live records (`pipeline::enrich`, MicroCATs) and the daily files (`dailyfiles`),
//! so that a live record and its row in the files agree. Free of I/O and of any output
//! format.
//!
//! - [`variables`]: what a variable is ([`VarSpec`]): record field, decimals, units, CF
//!   and SeaDataNet description; [`round`].
//! - [`products`]: one catalogue per product ([`MICROCAT`], [`AQUADOPP`], [`CSTAR`],
//!   [`OPTODE`], [`LINE_STATUS`]): measured then derived variables in a fixed order, and
//!   how they are derived ([`Derivation`]).
//! - [`sample`]: a record's measured inputs rounded to the catalogue's decimals
//!   ([`Sample`]), and one sample per time ([`dedup`]).
//! - [`derived`]: the derived variables of a sample ([`values_at`], with
//!   [`crate::seawater`]).
//! - [`flags`]: how flags combine: own tests, inheritance from the inputs
//!   ([`variable_flags`]), which variables take density inversion.
//! - [`line`](mod@line): matching the records of one poll across a mooring line, and density
//!   inversion on that profile.
//! - [`series`]: an instrument's series assessed with its [`Context`] (QARTOD tests over
//!   the series and its neighbours, density inversion, combined flags).
//! - [`defaults`]: the QC applied when the configuration sets none ([`default_qc`]).
//!
//! It builds on [`crate::seawater`] (TEOS-10, oxygen) and [`crate::qc`] (the QARTOD tests)
//! and reads [`crate::record`]s; it imports nothing else of the gateway.

pub mod defaults;
pub mod deployment;
pub mod derived;
pub mod flags;
pub mod line;
pub mod products;
pub mod sample;
pub mod series;
pub mod variables;

pub use defaults::default_qc;
pub use deployment::Deployment;
pub use derived::{values_at, Values};
pub use flags::{
    configured_tests, takes_inversion, variable_flags, Test, TestFlags, NTESTS, TESTS,
};
pub use line::{LinePoint, LineSeries, MAX_POLL_SPREAD_MS};
pub use products::{
    plotted, product_of_kind, Derivation, Product, AQUADOPP, CSTAR, LINE_STATUS, MICROCAT, OPTODE,
    PRODUCTS,
};
pub use sample::{dedup, record_of_json, Deduplicated, Sample};
pub use series::{assess, Assessment, Context, Row};
pub use variables::{round, VarKind, VarSpec, MAX_MEASURED, MAX_VARS};
