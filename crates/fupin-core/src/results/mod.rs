//! Every table, band and comparison read from a run's accumulators.
//!
//! The engine fills [`Results`] (plain data: exact integer sums by replicate, year, village,
//! county, measure and cause, defined in [`crate::engine`] so that the engine never imports this
//! module); this module owns everything read from it:
//!
//! * [`Outcome`]: one name per per-year outcome of the replicate totals, with
//!   [`Results::replicate_values`], [`Results::summary`] (means and bands), exit distributions of
//!   villages and counties and per-household exit probabilities (`tables.rs`);
//! * spending by measure, year and county, guarantee-fund losses, exits and returns by primary
//!   cause, sustained exits ([`Results::spending`], [`Results::flows_by_cause`], … in `flows.rs`);
//! * paired comparisons of two scenarios with common random numbers ([`Results::compare`]);
//! * every output as the core's column [`crate::registry::Table`] by name ([`Results::table`],
//!   `named_tables.rs`), and exit projections of villages, counties and households with Wilson
//!   bands ([`exit_summary`], `projections.rs`);
//! * merging shard results exactly ([`Results::merge`]), household order, and the JSON form,
//!   checked when read (`merge.rs`, `validate.rs`).

mod compare;
mod flows;
mod merge;
mod named_tables;
mod projections;
mod tables;
mod validate;

pub use compare::{CompareOptions, Comparison, t_quantile};
pub use flows::{CauseTable, CountySpendingTable, LossTable, SpendingTable, cause_group_code};
pub use projections::{ExitLevel, exit_summary};
pub use tables::{HouseholdSummary, Outcome, Summary, percentile};

pub use crate::engine::{Groups, HouseholdOutputs, Paths, Results, ScenarioResults};

/// The old name of [`Outcome`] (an outcome of the run, not an assistance measure).
#[deprecated(note = "use `fupin_core::results::Outcome`")]
pub type Measure = Outcome;
