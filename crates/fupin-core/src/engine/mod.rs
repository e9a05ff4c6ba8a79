//! The Monte Carlo runner: random streams, accumulators, results.
//!
//! [`simulate`] runs every household of a [`Registry`](crate::Registry) through the
//! [`IncomeModel`](crate::dynamics::IncomeModel) under each [`Scenario`], for many replicates, in
//! parallel, and returns [`Results`]:
//!
//! * **Randomness** ([`streams`]): every draw is a pure function of (seed, household external id,
//!   replicate, calendar year, purpose) — village disasters of (seed, village id, replicate, year) —
//!   so results do not depend on thread count, chunking, household order or sharding, and all
//!   scenarios share common random numbers.
//! * **Speed**: households go 8 at a time through the hot loop — draws, `exp` and the status
//!   logic over lanes, compiled for AVX2 where the CPU has it ([`crate::simd`]) — with results
//!   identical, bit for bit, to a household-by-household evaluation of the model.
//! * **Accumulators** ([`Cell`], [`GroupCell`]): integer sums (weight units, fen, fixed-point
//!   gaps) that merge exactly; [`Results::merge`] combines shards.
//! * **Memory**: O(households + groups × replicates × years) — households are grouped by village,
//!   villages processed in parallel chunks, each village reduced to its exit-year histogram as soon
//!   as its replicates are done. Paths are stored only on request ([`RunConfig::keep_paths`]).
//! * **Measures** plug in through [`Treatment`], consulted every household-year; a scenario's
//!   policy is planned before the run ([`crate::policy`]) and executed as its treatment. Spending
//!   by measure, year and county, exits and returns by cause, and exit spells are kept per
//!   replicate ([`Results::spending`], [`Results::flows_by_cause`]), and [`Results::compare`]
//!   gives paired differences between scenarios.

mod accumulate;
mod compare;
mod config;
mod flows;
mod kernel;
mod projections;
mod result_tables;
mod results;
mod results_check;
mod runner;
mod scenario;
mod settle;
mod shocks;
pub mod streams;
mod tables;
mod ziggurat;

pub use accumulate::{
    CAUSE_GROUPS, Cell, GAP_SCALE, GroupCell, WEIGHT_SCALE, below_threshold, weight_units,
};
pub use compare::{CompareOptions, Comparison, t_quantile};
pub use config::{MAX_PATH_VALUES, MAX_REPLICATIONS, MAX_YEARS, RunConfig, THREADS_ENV};
pub use flows::{CauseTable, CountySpendingTable, LossTable, SpendingTable, cause_group_code};
pub use projections::{ExitLevel, exit_summary};
pub use results::{Groups, HouseholdOutputs, Paths, Results, ScenarioResults};
pub use runner::simulate;
pub use scenario::{Scenario, Treatment, YearContext, YearState};
pub use tables::{HouseholdSummary, Measure, Summary, percentile};
