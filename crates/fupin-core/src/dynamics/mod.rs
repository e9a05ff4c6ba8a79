//! The stochastic income model, its shocks and poverty line, and the household-year contract.
//!
//! [`IncomeModel`] holds every parameter of a household's yearly income (growth, persistence,
//! transitory shocks, health shocks, village disasters, schooling costs), the exit standard and the
//! [`PovertyLine`]. It is plain data: it round-trips through TOML and JSON and validates itself,
//! naming the field at fault. The Monte Carlo runner (the `engine` module) evaluates it.
//!
//! The household-year contract ([`YearContext`], [`YearState`], [`Treatment`]) lives here, below
//! `measures`, `policy` and `engine`: measures and plans implement it, the engine consults it.

mod contract;
mod line;
mod model;

pub use contract::{Treatment, YearContext, YearState};
pub use line::{MAX_YEAR, MIN_YEAR, PovertyLine};
pub use model::{Disasters, ExitStandard, HealthShocks, IncomeModel, IncomeProcess, Schooling};
