//! Planning: turn a policy, a budget and a catalogue into a deterministic plan of who gets which
//! measure when, before the run.
//!
//! Each year, in order:
//! 1. the money of the year arrives in each pool (one pool, or one per county), plus what the pool
//!    carried over;
//! 2. recurring commitments of assignments started in earlier years (floors, premiums, schooling,
//!    interest subsidies, the second year of a move, …) are funded first, in the order the
//!    assignments were made; one that no longer fits ends that year;
//! 3. the policy's rule makes new assignments starting this year, each funded only if its
//!    start-year reservation fits what is left;
//! 4. what is left is carried over (if the budget says so).
//!
//! Every amount is an integer of weight units × fen (a household of weight w counts w times), and a
//! reservation is what the measure may spend at most ([`crate::measures::Reservation`]), so
//! **Σ spending of a year ≤ Σ reservations of the year ≤ the pool's money of the year**, in every
//! replicate: no scenario spends more than its budget (plus what it carried over) in any year.

use std::collections::HashMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::budget::Budget;
use super::order::{ExplicitRef, cause_lists, resolve_explicit};
use super::planner::Planner;
use super::rules::Policy;
use super::valid_budget::ValidBudget;
use crate::dynamics::PovertyLine;
use crate::error::{Error, Result};
use crate::measures::MeasureCatalog;
use crate::registry::Registry;
use crate::units::WEIGHT_SCALE;

/// One household's measure from a start year (to an end year, exclusive, if its funding stopped).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Row of the household in the registry.
    pub household: u32,
    /// Index of the measure in the plan's catalogue.
    pub measure: u16,
    /// First year.
    pub start_year: i32,
    /// First year no longer funded (none: funded to the end of the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_year: Option<i32>,
    /// Intensity (1: the measure as specified).
    pub intensity: f64,
    /// Bit of the household's memory flags (stateful measures: Industry, Employment).
    pub slot: u8,
}

impl Assignment {
    /// Whether the assignment acts in `year`.
    #[inline]
    pub fn active(&self, year: i32) -> bool {
        self.start_year <= year && self.end_year.is_none_or(|e| year < e)
    }
}

/// A deterministic plan: assignments and the money of each pool and year, in weight units × fen
/// (divide by `100 · WEIGHT_SCALE` for yuan; the accessors do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Calendar years.
    pub years: Vec<i32>,
    /// The poverty line of each year (the floor's reservation depends on it).
    pub lines: Vec<f64>,
    /// The catalogue planned with (the order of measure indices).
    pub catalog: MeasureCatalog,
    /// Pool names: `["all"]`, or county ids.
    pub pools: Vec<String>,
    /// No budget: nothing is rationed.
    pub unlimited: bool,
    /// Assignments, by household row, then in the order they were made.
    pub assignments: Vec<Assignment>,
    /// New money by pool × year.
    pub budget: Vec<i128>,
    /// Money available by pool × year (new money plus carry-over).
    pub available: Vec<i128>,
    /// Reservations by pool × year × measure.
    pub committed: Vec<i128>,
    /// Explicit rows that did not fit their year's money or the guarantee fund (indices into the
    /// table).
    pub unfunded: Vec<usize>,
    /// Most microcredit outstanding at once, weight units × fen: the guarantee fund's
    /// `capital × leverage` (none: no budget, no limit).
    #[serde(default)]
    pub loan_capacity: Option<i128>,
    /// Microcredit outstanding by year, weight units × fen.
    #[serde(default)]
    pub loans_outstanding: Vec<i128>,
    /// Id of each assignment's household (as the registry displays it), so that a shard of the
    /// registry can pick its own assignments ([`Plan::for_registry`]).
    #[serde(default)]
    pub household_ids: Vec<String>,
    /// The policy and budget the plan was made for (none in plans saved before they were kept),
    /// so that a run refuses to execute it under another scenario's (`scenario::treatment_for`).
    #[serde(default)]
    pub made_for: Option<(Policy, Option<Budget>)>,
}

const UNIT: f64 = 100.0 * WEIGHT_SCALE as f64;

/// Yuan as the plan's money units (fen × weight units), rounded down to the fen.
pub(super) fn money_units(yuan: f64) -> i128 {
    (yuan * 100.0).floor() as i128 * i128::from(WEIGHT_SCALE)
}

impl Plan {
    /// Number of measures.
    pub fn n_measures(&self) -> usize {
        self.catalog.len()
    }

    fn sum_pools(&self, v: &[i128]) -> Vec<f64> {
        let t_n = self.years.len();
        (0..t_n)
            .map(|t| (0..self.pools.len()).map(|p| v[p * t_n + t]).sum::<i128>() as f64 / UNIT)
            .collect()
    }

    /// New money by year (all pools), yuan.
    pub fn budget_by_year(&self) -> Vec<f64> {
        self.sum_pools(&self.budget)
    }

    /// Money available by year (all pools, with carry-over), yuan.
    pub fn available_by_year(&self) -> Vec<f64> {
        self.sum_pools(&self.available)
    }

    /// Reservations by year × measure (all pools), yuan.
    pub fn committed_by_year(&self) -> Array2<f64> {
        let (t_n, m_n) = (self.years.len(), self.n_measures());
        Array2::from_shape_fn((t_n, m_n), |(t, m)| {
            (0..self.pools.len())
                .map(|p| self.committed[(p * t_n + t) * m_n + m])
                .sum::<i128>() as f64
                / UNIT
        })
    }

    /// This plan's assignments for the households of `registry` (a shard of the registry planned
    /// for, or the whole), found by household id; rows renumbered to `registry`'s. The money
    /// fields still describe the whole plan. Simulating shards with the plan of the whole registry
    /// gives results that merge exactly into the whole run, even under a budget rationed over all
    /// households.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `plan.household_ids` if the plan does not carry one id
    /// per assignment.
    ///
    /// # Examples
    /// ```
    /// use fupin_core::dynamics::PovertyLine;
    /// use fupin_core::measures::MeasureCatalog;
    /// use fupin_core::policy::{Budget, ByCause, Policy, plan};
    /// let reg = fupin_core::synth::county("changle", 0)?;
    /// let p = plan(&reg, &MeasureCatalog::default(), &Policy::ByCause(ByCause::default()),
    ///              Some(&Budget::yearly(500_000.0)), &[2016, 2017], &PovertyLine::national())?;
    /// let first: Vec<usize> = (0..reg.n_households())
    ///     .filter(|&r| reg.households().village[r] == 0).collect();
    /// let shard = reg.select(&first)?;
    /// let mine = p.for_registry(&shard)?;
    /// assert!(mine.assignments.iter().all(|a| (a.household as usize) < shard.n_households()));
    /// assert_eq!(p.for_registry(&reg)?, p);
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn for_registry(&self, registry: &Registry) -> Result<Plan> {
        if self.household_ids.len() != self.assignments.len() {
            return Err(Error::invalid_parameter(
                "plan.household_ids",
                format!("{} ids", self.household_ids.len()),
                format!("needs one id per assignment ({})", self.assignments.len()),
            ));
        }
        let ids = &registry.households().id;
        let index: HashMap<String, u32> =
            (0..ids.len()).map(|i| (ids.display(i), i as u32)).collect();
        let mut pairs: Vec<(Assignment, &String)> = self
            .assignments
            .iter()
            .zip(&self.household_ids)
            .filter_map(|(a, id)| {
                index.get(id).map(|&row| {
                    (
                        Assignment {
                            household: row,
                            ..*a
                        },
                        id,
                    )
                })
            })
            .collect();
        pairs.sort_by_key(|(a, _)| a.household); // stable: a household's order is kept
        let mut out = self.clone();
        out.household_ids = pairs.iter().map(|(_, id)| (*id).clone()).collect();
        out.assignments = pairs.into_iter().map(|(a, _)| a).collect();
        Ok(out)
    }

    /// The guarantee fund's lending capacity (capital × leverage), yuan; `None` without a budget.
    pub fn loan_capacity_yuan(&self) -> Option<f64> {
        self.loan_capacity.map(|c| c as f64 / UNIT)
    }

    /// Microcredit outstanding by year (granted loans within their term), yuan.
    pub fn loans_outstanding_by_year(&self) -> Vec<f64> {
        self.loans_outstanding
            .iter()
            .map(|&v| v as f64 / UNIT)
            .collect()
    }

    /// Reservations by pool × year (all measures), weight units × fen.
    pub fn committed_by_pool(&self) -> Vec<i128> {
        self.committed
            .chunks(self.n_measures().max(1))
            .map(|c| c.iter().sum())
            .collect()
    }

    /// Check the budget invariant: reservations never exceed the money available, pool by pool and
    /// year by year, and loans outstanding never exceed the guarantee fund's capacity.
    ///
    /// # Errors
    /// [`Error::Internal`] naming the pool and year where it fails (a bug).
    pub fn check(&self) -> Result<()> {
        if let Some(cap) = self.loan_capacity {
            for (t, &v) in self.loans_outstanding.iter().enumerate() {
                if v > cap {
                    return Err(Error::Internal(format!(
                        "plan lends {v} of {cap} in year {}",
                        self.years[t]
                    )));
                }
            }
        }
        if self.unlimited {
            return Ok(());
        }
        let t_n = self.years.len();
        let used = self.committed_by_pool();
        for p in 0..self.pools.len() {
            for t in 0..t_n {
                let i = p * t_n + t;
                if used[i] > self.available[i] {
                    return Err(Error::Internal(format!(
                        "plan commits {} of {} in pool {} year {}",
                        used[i], self.available[i], self.pools[p], self.years[t]
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Plan `policy` for `registry` over `years` under `budget` (none: unlimited), with `line` the
/// scenario's poverty line.
///
/// # Errors
/// Validation errors of the policy, budget and catalogue; unknown household or county ids,
/// explicit start years outside the run, a score vector of the wrong length.
///
/// # Examples
/// ```
/// use fupin_core::dynamics::PovertyLine;
/// use fupin_core::measures::MeasureCatalog;
/// use fupin_core::policy::{Budget, ByCause, Policy, plan};
/// let reg = fupin_core::synth::county("changle", 0)?;
/// let p = plan(&reg, &MeasureCatalog::default(), &Policy::ByCause(ByCause::default()),
///              Some(&Budget::yearly(2_000_000.0)), &[2016, 2017, 2018], &PovertyLine::national())?;
/// p.check()?;
/// assert!(p.available_by_year()[0] == 2_000_000.0);
/// assert!(p.committed_by_year().row(0).sum() <= 2_000_000.0);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn plan(
    registry: &Registry,
    catalog: &MeasureCatalog,
    policy: &Policy,
    budget: Option<&Budget>,
    years: &[i32],
    line: &PovertyLine,
) -> Result<Plan> {
    catalog.validate()?;
    policy.validate(catalog)?;
    let budget = budget.cloned().map(ValidBudget::new).transpose()?;
    plan_valid(registry, catalog, policy, budget.as_ref(), years, line)
}

/// As [`plan`], under a budget validated when it was made (it is not checked again).
///
/// # Errors
/// As [`plan`].
pub fn plan_valid(
    registry: &Registry,
    catalog: &MeasureCatalog,
    policy: &Policy,
    budget: Option<&ValidBudget>,
    years: &[i32],
    line: &PovertyLine,
) -> Result<Plan> {
    let budget: Option<&Budget> = budget.map(ValidBudget::budget);
    check_inputs(catalog, policy, years)?;
    let pools = Pools::new(registry, budget, years)?;
    let n = registry.n_households();
    let t_n = years.len();
    let mut p = Planner {
        registry,
        specs: catalog.measures.iter().map(|m| &m.spec).collect(),
        lines: line.lines(years)?,
        years: years.to_vec(),
        pool_of: pools.pool_of,
        unlimited: budget.is_none(),
        remaining: vec![0; pools.names.len()],
        assignments: Vec::new(),
        slots: vec![0; n],
        given: HashMap::new(),
        committed: vec![0; pools.names.len() * t_n * catalog.len()],
        n_pools: pools.names.len(),
        loan_capacity: budget.map(|b| money_units(b.guarantee_fund.capacity())),
        outstanding: vec![0; t_n],
    };
    let rule = RuleInputs::new(registry, catalog, policy, years, p.lines[0])?;
    let carry_over = budget.is_none_or(|b| b.carry_over);
    let (available, unfunded) = fund_years(&mut p, policy, &rule, &pools.money, carry_over)?;
    let mut assignments = p.assignments;
    assignments.sort_by_key(|a| a.household); // stable: keeps the order they were made
    let ids = &registry.households().id;
    let household_ids = assignments
        .iter()
        .map(|a| ids.display(a.household as usize))
        .collect();
    let out = Plan {
        years: years.to_vec(),
        lines: p.lines,
        catalog: catalog.clone(),
        pools: pools.names,
        unlimited: budget.is_none(),
        assignments,
        budget: pools.money,
        available,
        committed: p.committed,
        unfunded,
        loan_capacity: p.loan_capacity,
        loans_outstanding: p.outstanding,
        household_ids,
        made_for: Some((policy.clone(), budget.cloned())),
    };
    out.check()?;
    Ok(out)
}

/// The catalogue, the policy against it, and at least one year (the budget is valid by type).
fn check_inputs(catalog: &MeasureCatalog, policy: &Policy, years: &[i32]) -> Result<()> {
    catalog.validate()?;
    policy.validate(catalog)?;
    if years.is_empty() {
        return Err(Error::invalid_parameter(
            "years",
            "[]",
            "needs at least one year",
        ));
    }
    Ok(())
}

/// The budget's pools (one, or one per county), their money by pool × year (weight units × fen)
/// and the pool of each household (empty for one pool).
struct Pools {
    names: Vec<String>,
    money: Vec<i128>,
    pool_of: Vec<u32>,
}

impl Pools {
    fn new(registry: &Registry, budget: Option<&Budget>, years: &[i32]) -> Result<Self> {
        let t_n = years.len();
        let n = registry.n_households();
        let nc = registry.n_counties();
        let by_county = budget.is_some_and(|b| !b.by_county.is_empty());
        let names: Vec<String> = if by_county {
            (0..nc).map(|c| registry.counties().id.display(c)).collect()
        } else {
            vec!["all".into()]
        };
        let mut money = vec![0i128; names.len() * t_n];
        if let Some(b) = budget {
            if by_county {
                for (id, amount) in &b.by_county {
                    let c = names.iter().position(|p| p == id).ok_or_else(|| {
                        Error::invalid_parameter(
                            format!("budget.by_county[{id}]"),
                            id,
                            "is not a county id of the registry",
                        )
                    })?;
                    for (t, &y) in years.iter().enumerate() {
                        money[c * t_n + t] = money_units(amount.at(y));
                    }
                }
            } else if let Some(a) = &b.yearly {
                for (t, &y) in years.iter().enumerate() {
                    money[t] = money_units(a.at(y));
                }
            }
        }
        let pool_of: Vec<u32> = if by_county {
            (0..n).map(|r| registry.county_of(r) as u32).collect()
        } else {
            Vec::new()
        };
        Ok(Pools {
            names,
            money,
            pool_of,
        })
    }
}

/// What the policy's rule needs, resolved before the yearly loop: an Explicit table's rows,
/// Uniform's measure mix and household-id order, ByCause's measure lists.
struct RuleInputs {
    explicit: Option<Vec<ExplicitRef>>,
    mix: Vec<u16>,
    id_order: Vec<u32>,
    by_cause: Option<Vec<(u32, Vec<u16>)>>,
}

impl RuleInputs {
    fn new(
        registry: &Registry,
        catalog: &MeasureCatalog,
        policy: &Policy,
        years: &[i32],
        first_line: f64,
    ) -> Result<Self> {
        let explicit = match policy {
            Policy::Explicit(e) => Some(resolve_explicit(registry, catalog, e, years)?),
            _ => None,
        };
        let mix: Vec<u16> = match policy {
            Policy::Uniform(u) => u
                .mix
                .iter()
                .map(|name| catalog.require(name, "policy.mix").map(|i| i as u16))
                .collect::<Result<_>>()?,
            _ => Vec::new(),
        };
        // Uniform funds households in id order where money runs short (decision 9: never row
        // order).
        let id_order: Vec<u32> = match policy {
            Policy::Uniform(_) => registry
                .households()
                .id
                .rows_by_id()
                .into_iter()
                .map(|r| r as u32)
                .collect(),
            _ => Vec::new(),
        };
        let by_cause = match policy {
            Policy::ByCause(b) => Some(cause_lists(registry, catalog, b, first_line)?),
            _ => None,
        };
        Ok(RuleInputs {
            explicit,
            mix,
            id_order,
            by_cause,
        })
    }
}

/// The yearly loop: each year's money (plus what was carried over) arrives, recurring
/// commitments are funded, the rule makes new assignments, and what is left is carried over (if
/// `carry_over`). Returns the money available by pool × year and the Explicit rows left unfunded.
fn fund_years(
    p: &mut Planner<'_>,
    policy: &Policy,
    rule: &RuleInputs,
    money: &[i128],
    carry_over: bool,
) -> Result<(Vec<i128>, Vec<usize>)> {
    let t_n = p.years.len();
    let mut unfunded = Vec::new();
    let mut available = vec![0i128; p.n_pools * t_n];
    let mut carry = vec![0i128; p.n_pools];
    for t in 0..t_n {
        for q in 0..p.n_pools {
            p.remaining[q] = money[q * t_n + t] + carry[q];
            available[q * t_n + t] = p.remaining[q];
        }
        p.recurring(t)?;
        match policy {
            Policy::Uniform(u) => p.uniform(t, &rule.mix, u.min_intensity, &rule.id_order)?,
            Policy::ByCause(_) => {
                for (i, (row, measures)) in rule.by_cause.iter().flatten().enumerate() {
                    crate::cancel::poll(i)?;
                    for &m in measures {
                        if !p.given.contains_key(&(*row, m)) {
                            p.try_add(t, *row, m, 1.0);
                        }
                    }
                }
            }
            Policy::Explicit(_) => {
                let year = p.years[t];
                for (k, &(i, row, m, start, intensity)) in
                    rule.explicit.iter().flatten().enumerate()
                {
                    crate::cancel::poll(k)?;
                    if start == year && !p.try_add(t, row, m, intensity) {
                        unfunded.push(i);
                    }
                }
            }
        }
        for (c, &left) in carry.iter_mut().zip(&p.remaining) {
            *c = if carry_over { left } else { 0 };
        }
    }
    Ok((available, unfunded))
}
