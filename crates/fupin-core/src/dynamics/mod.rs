//! The stochastic income model and its shocks.
//!
//! [`IncomeModel`] holds every parameter of a household's yearly income (growth, persistence,
//! transitory shocks, health shocks, village disasters, schooling costs), the exit standard and the
//! [`PovertyLine`]. It is plain data: it round-trips through TOML and JSON and validates itself,
//! naming the field at fault. The Monte Carlo runner in [`crate::engine`] evaluates it.

mod line;
mod model;

pub use line::{MAX_YEAR, MIN_YEAR, PovertyLine};
pub use model::{Disasters, ExitStandard, HealthShocks, IncomeModel, IncomeProcess, Schooling};
