//! What a run produces: exact integer sums that merge across shards, and what they hold.
//!
//! [`Results`] keeps raw, additive data only, filled by the runner; the tables that analysts read
//! (means, bands, exit probabilities, comparisons) are computed from it in [`crate::results`], so
//! merging shard results and then reading a table gives exactly what one run over the whole
//! registry gives. The engine owns these plain data types (and the storage of paths); every method
//! that reads them as tables lives in `results`, above the engine.

use serde::{Deserialize, Serialize};

use super::accumulate::{Cell, GroupCell};
use crate::error::{Error, Result};
use crate::registry::Ids;

/// Villages or counties of the registry, as the results need them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    /// External ids.
    pub ids: Ids,
    /// Population (户籍人口), people: the denominator of incidence.
    pub population: Vec<u64>,
    /// Exit threshold of incidence (0.02, 0.03 in the west).
    pub threshold: Vec<f64>,
    /// For villages: dense index of the county; empty for counties.
    pub county: Vec<u32>,
}

/// Per-household outputs of one scenario, reduced online over replicates (registry order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdOutputs {
    /// Replicates in which the household first exited in year t: household-major, `years` per row.
    pub first_exit: Vec<u16>,
    /// Replicates in which the household returned to poverty after an exit.
    pub returned: Vec<u16>,
}

/// Stored paths (small registries): net income per person and poor status, by replicate ×
/// household × year (households in the results' household order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paths {
    /// Households.
    pub households: usize,
    /// Years.
    pub years: usize,
    /// Replicates.
    pub replications: u32,
    /// Net income per person, yuan.
    pub income: Vec<f64>,
    /// Failing the exit standard (poor) at the end of the year.
    pub poor: Vec<bool>,
}

impl Paths {
    /// Empty paths of this shape.
    pub fn new(households: usize, years: usize, replications: u32) -> Self {
        let n = households * years * replications as usize;
        Paths {
            households,
            years,
            replications,
            income: vec![0.0; n],
            poor: vec![false; n],
        }
    }

    /// Flat index of (replicate, household, year).
    pub fn index(&self, replicate: u32, household: usize, year: usize) -> usize {
        (replicate as usize * self.households + household) * self.years + year
    }

    /// Net income per person and poor flags as replicate × household × year arrays.
    ///
    /// # Errors
    /// [`Error::Internal`] if the stored values do not fill the shape.
    pub fn arrays(&self) -> Result<(ndarray::Array3<f64>, ndarray::Array3<bool>)> {
        let shape = (self.replications as usize, self.households, self.years);
        let internal = |e: ndarray::ShapeError| Error::Internal(e.to_string());
        Ok((
            ndarray::Array3::from_shape_vec(shape, self.income.clone()).map_err(internal)?,
            ndarray::Array3::from_shape_vec(shape, self.poor.clone()).map_err(internal)?,
        ))
    }

    /// Store one household's replicate × year values.
    pub(crate) fn store(&mut self, household: usize, income: &[f64], poor: &[bool]) {
        for r in 0..self.replications {
            let src = r as usize * self.years;
            let dst = self.index(r, household, 0);
            self.income[dst..dst + self.years].copy_from_slice(&income[src..src + self.years]);
            self.poor[dst..dst + self.years].copy_from_slice(&poor[src..src + self.years]);
        }
    }

    pub(crate) fn concat(&self, other: &Paths) -> Paths {
        let mut out = Paths::new(
            self.households + other.households,
            self.years,
            self.replications,
        );
        for r in 0..self.replications {
            for (part, offset) in [(self, 0), (other, self.households)] {
                let src = part.index(r, 0, 0);
                let len = part.households * part.years;
                let dst = out.index(r, offset, 0);
                out.income[dst..dst + len].copy_from_slice(&part.income[src..src + len]);
                out.poor[dst..dst + len].copy_from_slice(&part.poor[src..src + len]);
            }
        }
        out
    }
}

/// The raw outputs of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResults {
    /// The scenario's name.
    pub name: String,
    /// Sums by replicate × year (replicate-major).
    pub totals: Vec<Cell>,
    /// Poor households and people by county × replicate × year.
    pub county_poor: Vec<GroupCell>,
    /// Households simulated in each village (0: none in this shard).
    pub village_households: Vec<u32>,
    /// Replicates whose village incidence first fell below its threshold in year t, by village ×
    /// (years + 1); the last column counts replicates where it never did. Zero rows for villages
    /// without households (their incidence is 0: they exit in the first year).
    pub village_exit: Vec<u32>,
    /// Poor households and people by village × year, summed over replicates.
    pub village_poor: Vec<GroupCell>,
    /// Per-household outputs (if `RunConfig::household_outputs`).
    pub households: Option<HouseholdOutputs>,
    /// Paths (if `RunConfig::keep_paths`).
    pub paths: Option<Paths>,
    /// Spending categories (the measures of the scenario's catalogue; empty without a policy).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Programme spending by replicate × year × category, weight units × fen.
    #[serde(default)]
    pub spending: Vec<i128>,
    /// Programme spending by county × replicate × year × category, weight units × fen.
    #[serde(default)]
    pub county_spending: Vec<i128>,
    /// Exits (脱贫) by replicate × year × primary cause ([`CAUSE_GROUPS`](super::CAUSE_GROUPS):
    /// the causes in code order, then none recorded), weight units.
    #[serde(default)]
    pub cause_exits: Vec<i64>,
    /// Returns (返贫) by replicate × year × primary cause, weight units.
    #[serde(default)]
    pub cause_returns: Vec<i64>,
    /// Exits by replicate × exit year × (years + 1), weight units: column d ≥ 1 counts exits
    /// followed by a return d years later; column 0 exits not followed by a return within the run.
    #[serde(default)]
    pub exit_spells: Vec<i64>,
    /// Microcredit defaults charged to the guarantee fund by replicate × year, weight units × fen.
    #[serde(default)]
    pub guarantee_losses: Vec<i128>,
}

/// Everything a run produces. Merge shard results with [`Results::merge`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Simulated calendar years.
    pub years: Vec<i32>,
    /// Replicates.
    pub replications: u32,
    /// The seed.
    pub seed: u64,
    /// Villages of the registry.
    pub villages: Groups,
    /// Counties of the registry (population: sum over their villages).
    pub counties: Groups,
    /// Households simulated (registry order; shards appended in merge order).
    pub household_ids: Ids,
    /// Σ weight units of the simulated households.
    pub registry_households: i64,
    /// Σ weight units × size of the simulated households.
    pub registry_people: i64,
    /// One entry per scenario, in the order given.
    pub scenarios: Vec<ScenarioResults>,
}
