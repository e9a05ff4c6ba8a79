//! The household-year contract between the engine and the measures: where the engine is
//! ([`YearContext`]), what a measure may read and change ([`YearState`]), and the [`Treatment`]
//! the engine consults every household-year. It sits below `measures`, `policy` and `engine`, so
//! each of them depends on it and none on another for it.

use std::fmt;

use crate::random::Draws;
use crate::registry::Registry;

/// Where the engine is: one household in one year of one replicate.
#[derive(Debug, Clone, Copy)]
pub struct YearContext<'a> {
    /// The registry being simulated.
    pub registry: &'a Registry,
    /// Row of the household in the registry (0-based).
    pub household: usize,
    /// The household's stream key `random::key(seed, &[purpose::HOUSEHOLD, id_key])`; draw a measure's
    /// randomness with `streams::Keys`/`Draws` under a purpose ≥ `random::purpose::FIRST_FREE` (listed in [`crate::random::purpose`]).
    pub household_key: u64,
    /// The draws of this household-replicate-year (`Draws::bits(purpose)` for new purposes).
    pub draws: Draws,
    /// Replicate number (0-based).
    pub replicate: u32,
    /// Calendar year.
    pub year: i32,
    /// Index of the year in the run (0 = first simulated year).
    pub year_index: usize,
    /// The poverty line this year, yuan per person.
    pub line: f64,
}

/// What a treatment may read and change in one household-year, before net income and status are
/// computed. Guarantees carry over to the next year; `memory` carries over within a replicate (it
/// starts at zero), for lags, durations and failures of measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearState {
    /// Market income per person this year after growth, shocks and any disaster, yuan.
    pub market_income: f64,
    /// Total cost of this year's health shock for the household before its share, yuan (0: none).
    pub medical_cost: f64,
    /// Share of `medical_cost` the household pays (set from `insured` at the start of the year).
    pub oop_share: f64,
    /// Schooling costs of the household this year, yuan.
    pub schooling_cost: f64,
    /// Transfers and programme income per person this year, yuan (measures add here).
    pub transfers: f64,
    /// Guaranteed minimum net income per person, yuan (0: none). The engine raises net income to
    /// it and adds the top-up (per person × size, in fen) to `spending_fen` itself, so a floor's
    /// cost follows the draws exactly (低保兜底).
    pub income_floor: f64,
    /// Safe housing (住房安全有保障).
    pub housing_safe: bool,
    /// Basic medical insurance (基本医疗有保障).
    pub insured: bool,
    /// Compulsory education guaranteed (义务教育有保障).
    pub schooling_guaranteed: bool,
    /// Programme spending on this household this year, fen (1/100 yuan); summed exactly by year.
    pub spending_fen: i64,
    /// Most the engine may pay to raise income to `income_floor`, fen for the whole household
    /// (`i64::MAX`: no limit). A floor measure sets it to its reservation, so the top-up never
    /// exceeds what the plan reserved; net income is then `raw + cap / size` when the cap binds.
    pub floor_cap_fen: i64,
    /// Microcredit defaulted this year, fen for the whole household: a loss of the guarantee fund
    /// (not programme spending), summed by the engine by replicate × year.
    pub guarantee_loss_fen: i64,
    /// Scratch state kept across the years of a replicate (zero at the start of each replicate).
    pub memory: [f64; 4],
}

/// Measures applied to households: the engine calls [`Treatment::apply`] once per
/// household-replicate-year, after the shocks are drawn and before net income is computed.
///
/// The loop is household-major (one household's years and replicates at a time, in parallel over
/// villages), so a treatment may depend on the registry, the household's own path so far (through
/// `memory` and the guarantees) and its own draws, but not on other households' states in the same
/// year: budget rationing across households must be decided before the run (a plan of who gets
/// what from when), as the registry's one-household-one-plan (一户一策) practice did.
pub trait Treatment: Send + Sync + fmt::Debug {
    /// Change this household-year's state.
    fn apply(&self, ctx: &YearContext<'_>, state: &mut YearState);

    /// Names of the spending categories (measures) this treatment reports through
    /// [`Treatment::apply_tracked`]; empty (the default) for a treatment that reports only the
    /// total in `spending_fen`.
    fn categories(&self) -> &[String] {
        &[]
    }

    /// As [`Treatment::apply`], also adding this household-year's spending by category (fen) to
    /// `by_category` (one slot per [`Treatment::categories`]; the slots must sum to what is added
    /// to `state.spending_fen`). Returns the category the engine charges the floor's top-up to.
    fn apply_tracked(
        &self,
        ctx: &YearContext<'_>,
        state: &mut YearState,
        by_category: &mut [i64],
    ) -> Option<usize> {
        let _ = by_category;
        self.apply(ctx, state);
        None
    }
}
