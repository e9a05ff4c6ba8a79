//! The outputs of a run: exact integer sums that merge across shards, and what they hold.
//!
//! [`Results`] keeps raw, additive data only; the tables that analysts read (means, bands, exit
//! probabilities) are computed from it by the methods in `tables.rs`, so merging shard results and
//! then reading a table gives exactly what one run over the whole registry gives.

use serde::{Deserialize, Serialize};

use super::accumulate::{CAUSE_GROUPS, Cell, GroupCell, add_slices};
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

    fn concat(&self, other: &Paths) -> Paths {
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

fn mismatch(what: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> Error {
    Error::invalid_parameter(
        format!("merge.{what}"),
        format!("{a} vs {b}"),
        "results to merge must come from the same run settings and registry geography",
    )
}

impl Results {
    /// Number of simulated years.
    pub fn n_years(&self) -> usize {
        self.years.len()
    }

    /// Scenario names in order.
    pub fn scenario_names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }

    /// Index of the scenario called `name`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario` if there is none.
    pub fn scenario_index(&self, name: &str) -> Result<usize> {
        self.scenarios
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| {
                Error::invalid_parameter(
                    "scenario",
                    format!("{name:?}"),
                    format!("is not one of {:?}", self.scenario_names()),
                )
            })
    }

    /// The scenario called `name`.
    ///
    /// # Errors
    /// As [`Results::scenario_index`].
    pub fn scenario(&self, name: &str) -> Result<&ScenarioResults> {
        Ok(&self.scenarios[self.scenario_index(name)?])
    }

    /// Add the results of another shard of the same run (same seed, years, replicates, scenarios
    /// and villages; disjoint households). The merged results equal, exactly, those of one run over
    /// the union of the shards' households, provided every village's households lie in one shard
    /// (village exit needs the whole village in each replicate): shard by village or county.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `merge.<what>` for differing settings, a village simulated
    /// in both shards, a household id in both, or mismatched optional outputs.
    pub fn merge(&mut self, other: &Results) -> Result<()> {
        if self.years != other.years {
            return Err(mismatch(
                "years",
                format!("{:?}", self.years),
                format!("{:?}", other.years),
            ));
        }
        if self.replications != other.replications {
            return Err(mismatch(
                "replications",
                self.replications,
                other.replications,
            ));
        }
        if self.seed != other.seed {
            return Err(mismatch("seed", self.seed, other.seed));
        }
        if self.villages != other.villages || self.counties != other.counties {
            return Err(mismatch(
                "villages",
                self.villages.ids.len(),
                other.villages.ids.len(),
            ));
        }
        if self.scenario_names() != other.scenario_names() {
            return Err(mismatch(
                "scenarios",
                format!("{:?}", self.scenario_names()),
                format!("{:?}", other.scenario_names()),
            ));
        }
        let t1 = self.n_years() + 1;
        for (a, b) in self.scenarios.iter().zip(&other.scenarios) {
            for (v, (&na, &nb)) in a
                .village_households
                .iter()
                .zip(&b.village_households)
                .enumerate()
            {
                if na > 0 && nb > 0 {
                    return Err(Error::invalid_parameter(
                        "merge.village",
                        self.villages.ids.display(v),
                        "has households in both shards; shard by village or county so that \
                         village exit is exact",
                    ));
                }
            }
            // With equal settings and geography (checked above), equal categories make every
            // table the same length (`check_shapes`).
            if a.categories != b.categories {
                return Err(mismatch(
                    "categories",
                    format!("{:?}", a.categories),
                    format!("{:?}", b.categories),
                ));
            }
            if a.households.is_some() != b.households.is_some()
                || a.paths.is_some() != b.paths.is_some()
            {
                return Err(mismatch(
                    "outputs",
                    a.households.is_some(),
                    b.households.is_some(),
                ));
            }
        }
        let mut ids = self.household_ids.clone();
        match (&mut ids, &other.household_ids) {
            (Ids::Int(a), Ids::Int(b)) => a.extend_from_slice(b),
            (Ids::Text(a), Ids::Text(b)) => a.extend(b.iter().cloned()),
            (a, _) if a.is_empty() => ids = other.household_ids.clone(),
            (_, b) if b.is_empty() => {}
            _ => return Err(mismatch("household_ids", "integer", "text")),
        }
        if let Err((row, _)) = ids.index() {
            return Err(Error::invalid_parameter(
                "merge.household_id",
                ids.display(row),
                "is in both shards",
            ));
        }
        for (a, b) in self.scenarios.iter_mut().zip(&other.scenarios) {
            add_slices(&mut a.totals, &b.totals);
            add_slices(&mut a.county_poor, &b.county_poor);
            add_slices(&mut a.village_poor, &b.village_poor);
            add_slices(&mut a.spending, &b.spending);
            add_slices(&mut a.county_spending, &b.county_spending);
            add_slices(&mut a.guarantee_losses, &b.guarantee_losses);
            add_slices(&mut a.cause_exits, &b.cause_exits);
            add_slices(&mut a.cause_returns, &b.cause_returns);
            add_slices(&mut a.exit_spells, &b.exit_spells);
            for (v, &nb) in b.village_households.iter().enumerate() {
                if nb > 0 {
                    a.village_households[v] = nb;
                    a.village_exit[v * t1..(v + 1) * t1]
                        .copy_from_slice(&b.village_exit[v * t1..(v + 1) * t1]);
                }
            }
            if let (Some(ha), Some(hb)) = (&mut a.households, &b.households) {
                ha.first_exit.extend_from_slice(&hb.first_exit);
                ha.returned.extend_from_slice(&hb.returned);
            }
            if let (Some(pa), Some(pb)) = (&a.paths, &b.paths) {
                a.paths = Some(pa.concat(pb));
            }
        }
        self.household_ids = ids;
        self.registry_households += other.registry_households;
        self.registry_people += other.registry_people;
        Ok(())
    }

    /// The same results with households sorted by id (per-household outputs and paths follow), so
    /// results of shards merged in any order, or of a reordered registry, compare equal.
    pub fn sorted_by_household(&self) -> Results {
        let n = self.household_ids.len();
        let mut order: Vec<usize> = (0..n).collect();
        match &self.household_ids {
            Ids::Int(v) => order.sort_by_key(|&i| v[i]),
            Ids::Text(v) => order.sort_by(|&a, &b| v[a].cmp(&v[b])),
        }
        let mut out = self.clone();
        out.household_ids = self.household_ids.take(&order);
        let t_n = self.n_years();
        for s in &mut out.scenarios {
            if let Some(h) = &mut s.households {
                h.first_exit = order
                    .iter()
                    .flat_map(|&i| h.first_exit[i * t_n..(i + 1) * t_n].iter().copied())
                    .collect();
                h.returned = order.iter().map(|&i| h.returned[i]).collect();
            }
            if let Some(p) = &s.paths {
                let mut q = Paths::new(p.households, p.years, p.replications);
                for r in 0..p.replications {
                    for (new, &old) in order.iter().enumerate() {
                        let (src, dst) = (p.index(r, old, 0), q.index(r, new, 0));
                        q.income[dst..dst + t_n].copy_from_slice(&p.income[src..src + t_n]);
                        q.poor[dst..dst + t_n].copy_from_slice(&p.poor[src..src + t_n]);
                    }
                }
                s.paths = Some(q);
            }
        }
        out
    }

    /// The whole results as JSON (for pickling and shipping between workers).
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Parse {
            path: "<results JSON>".into(),
            line: 0,
            message: e.to_string(),
        })
    }

    /// Results from [`Results::to_json`] output.
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed input; [`Error::InvalidParameter`] naming the field
    /// (`results.<scenario>.<table>`, `results.villages.county[3]`, …) for a table of the wrong
    /// length, an index or id that refers to nothing (or twice), a count out of range (negative, or
    /// more replicates than the run had), no scenarios, or run settings out of range.
    pub fn from_json(text: &str) -> Result<Self> {
        let results: Results = serde_json::from_str(text).map_err(|e| Error::Parse {
            path: "<results JSON>".into(),
            line: e.line() as u64,
            message: e.to_string(),
        })?;
        results.check_shapes()?;
        results.check_references()?;
        Ok(results)
    }

    /// Every table has the length its dimensions give (JSON written elsewhere, or by an older
    /// fupin whose tables had another layout, is refused here rather than misread later).
    fn check_shapes(&self) -> Result<()> {
        let (reps, t_n) = (self.replications as usize, self.n_years());
        let n = reps * t_n;
        let (nv, nc) = (self.villages.ids.len(), self.counties.ids.len());
        let nh = self.household_ids.len();
        for sc in &self.scenarios {
            let k_n = sc.categories.len();
            let mut lengths = vec![
                ("totals", sc.totals.len(), n),
                ("county_poor", sc.county_poor.len(), nc * n),
                ("village_households", sc.village_households.len(), nv),
                ("village_exit", sc.village_exit.len(), nv * (t_n + 1)),
                ("village_poor", sc.village_poor.len(), nv * t_n),
                ("spending", sc.spending.len(), n * k_n),
                ("county_spending", sc.county_spending.len(), nc * n * k_n),
                ("cause_exits", sc.cause_exits.len(), n * CAUSE_GROUPS),
                ("cause_returns", sc.cause_returns.len(), n * CAUSE_GROUPS),
                ("exit_spells", sc.exit_spells.len(), n * (t_n + 1)),
                ("guarantee_losses", sc.guarantee_losses.len(), n),
            ];
            if let Some(h) = &sc.households {
                lengths.push(("households.first_exit", h.first_exit.len(), nh * t_n));
                lengths.push(("households.returned", h.returned.len(), nh));
            }
            if let Some(p) = &sc.paths {
                let cells = nh * t_n * reps;
                lengths.push(("paths.households", p.households, nh));
                lengths.push(("paths.years", p.years, t_n));
                lengths.push(("paths.replications", p.replications as usize, reps));
                lengths.push(("paths.income", p.income.len(), cells));
                lengths.push(("paths.poor", p.poor.len(), cells));
            }
            if let Some((field, got, want)) = lengths.into_iter().find(|&(_, g, w)| g != w) {
                return Err(Error::invalid_parameter(
                    format!("results.{}.{field}", sc.name),
                    format!("{got} values"),
                    format!(
                        "should have {want} for {reps} replicates, {t_n} years, {nv} villages, \
                         {nc} counties, {nh} households and {k_n} spending categories"
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_concat_keeps_replicate_blocks() {
        let mut a = Paths::new(1, 2, 2);
        a.store(0, &[1.0, 2.0, 3.0, 4.0], &[true, false, true, true]);
        let mut b = Paths::new(2, 2, 2);
        b.store(0, &[5.0, 6.0, 7.0, 8.0], &[false; 4]);
        b.store(1, &[9.0, 10.0, 11.0, 12.0], &[true; 4]);
        let c = a.concat(&b);
        assert_eq!(c.households, 3);
        assert_eq!(
            c.income,
            vec![
                1.0, 2.0, 5.0, 6.0, 9.0, 10.0, 3.0, 4.0, 7.0, 8.0, 11.0, 12.0
            ]
        );
        assert!(c.poor[c.index(1, 0, 0)]);
        assert!(!c.poor[c.index(0, 0, 1)]);
        assert_eq!(c.income[c.index(1, 2, 1)], 12.0);
    }
}
