//! The Monte Carlo runner: prepared arms over households and replicates into exact accumulators.
//!
//! [`run`] runs every household of a [`Registry`](crate::Registry) through each [`Arm`] — a name,
//! the [`IncomeModel`](crate::dynamics::IncomeModel) with its poverty line, and the
//! [`Treatment`](crate::dynamics::Treatment) of its measures, if any — for many replicates, in
//! parallel, and returns the raw [`Results`]. It never plans: scenarios with a policy are planned
//! into treatments by [`crate::scenario`], above this module, which calls [`run`].
//!
//! * **Randomness** ([`crate::random::streams`]): every draw is a pure function of (seed, household
//!   external id, replicate, calendar year, purpose) — village disasters of (seed, village id,
//!   replicate, year) — so results do not depend on thread count, chunking, household order or
//!   sharding, and all arms share common random numbers.
//! * **Speed**: households go 8 at a time through the hot loop — draws, `exp` and the status
//!   logic over lanes, compiled for AVX2 where the CPU has it ([`crate::simd`]) — with results
//!   identical, bit for bit, to a household-by-household evaluation of the model.
//! * **Accumulators** ([`Cell`], [`GroupCell`]): integer sums (weight units, fen, fixed-point
//!   gaps, [`crate::units`]) that merge exactly; the tables read from them are in
//!   [`crate::results`].
//! * **Memory**: O(households + groups × replicates × years) — households are grouped by village,
//!   villages processed in parallel chunks, each village reduced to its exit-year histogram as soon
//!   as its replicates are done. Paths are stored only on request ([`RunConfig::keep_paths`]).
//! * **Measures** plug in through [`Treatment`](crate::dynamics::Treatment), consulted every
//!   household-year. Spending by measure, year and county, exits and returns by cause, and exit
//!   spells are kept per replicate.

mod accumulate;
mod arm;
mod chunks;
mod config;
mod flow_sums;
mod kernel;
mod output;
mod runner;
mod settle;
mod shocks;

pub(crate) use accumulate::add_slices;
pub use accumulate::{CAUSE_GROUPS, Cell, GroupCell, below_threshold};
pub use arm::Arm;
pub use config::{MAX_PATH_VALUES, MAX_REPLICATIONS, MAX_YEARS, RunConfig, THREADS_ENV};
pub use output::{Groups, HouseholdOutputs, Paths, Results, ScenarioResults};
pub use runner::{CheckedRun, check_run, run};
