//! Checks of a plan that did not come from [`plan`](super::plan) in this process (plan JSON, a plan
//! attached to a scenario): its shape and domains ([`Plan::validate`]), and that what its
//! assignments would spend fits the money it was made for ([`check_plan_money`]). A tampered or
//! corrupted plan is refused with an error naming the field path (`plan.assignments[3].intensity`)
//! and the value, instead of panicking in the engine or spending more than its budget.

use super::budget::Budget;
use super::plan::{Plan, money_units};
use super::rules::MAX_INTENSITY;
use crate::error::{Error, Result};
use crate::measures::memory;
use crate::registry::Registry;
use crate::units::{MAX_YEARS, weight_units};

impl Plan {
    /// A plan read from JSON: parsed, then [validated](Plan::validate).
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed JSON; as [`Plan::validate`].
    pub fn from_json(text: &str) -> Result<Plan> {
        let plan: Plan = serde_json::from_str(text).map_err(|e| Error::Parse {
            path: "<plan JSON>".into(),
            line: e.line() as u64,
            message: e.to_string(),
        })?;
        plan.validate()?;
        Ok(plan)
    }

    /// Check the plan's shape and domains without a registry: consecutive years and their lines;
    /// a valid catalogue; tables of pools × years (× measures); money ≥ 0; reservations within the
    /// money available and the money available within the new money plus what the year before left;
    /// loans within the guarantee fund's capacity; each assignment's measure in the catalogue, start
    /// year in the years, end year after it, intensity in (0, [`MAX_INTENSITY`]] (what
    /// [`Policy::validate`](super::Policy::validate) allows), memory slot below
    /// [`memory::SLOTS`]; and, for a plan that records its budget, the new money and loan capacity
    /// of that budget and no unlimited spending.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field path (`plan.assignments[3].intensity`) and value.
    pub fn validate(&self) -> Result<()> {
        self.validate_years()?;
        self.catalog.validate()?;
        self.validate_money()?;
        self.validate_assignments()?;
        self.validate_budget_made_for()
    }

    fn validate_years(&self) -> Result<()> {
        let t_n = self.years.len();
        if t_n == 0 || t_n > MAX_YEARS as usize {
            return Err(Error::invalid_parameter(
                "plan.years",
                format!("{t_n} years"),
                format!("must hold 1 to {} years", MAX_YEARS),
            ));
        }
        if let Some(w) = self
            .years
            .windows(2)
            .position(|w| w[0].checked_add(1) != Some(w[1]))
        {
            return Err(Error::invalid_parameter(
                format!("plan.years[{}]", w + 1),
                self.years[w + 1],
                format!("must follow {} (consecutive calendar years)", self.years[w]),
            ));
        }
        if self.lines.len() != t_n {
            return Err(Error::invalid_parameter(
                "plan.lines",
                format!("{} values", self.lines.len()),
                format!("needs one poverty line per year ({t_n})"),
            ));
        }
        if let Some(t) = self
            .lines
            .iter()
            .position(|l| !(l.is_finite() && *l >= 0.0))
        {
            return Err(Error::invalid_parameter(
                format!("plan.lines[{t}]"),
                self.lines[t],
                "must be a finite poverty line ≥ 0 (yuan per person per year)",
            ));
        }
        Ok(())
    }

    fn validate_money(&self) -> Result<()> {
        let (t_n, m_n, p_n) = (self.years.len(), self.n_measures(), self.pools.len());
        if p_n == 0 {
            return Err(Error::invalid_parameter(
                "plan.pools",
                "[]",
                "needs at least one pool",
            ));
        }
        let loans_len = self.loans_outstanding.len();
        for (field, len, want) in [
            ("plan.budget", self.budget.len(), p_n * t_n),
            ("plan.available", self.available.len(), p_n * t_n),
            ("plan.committed", self.committed.len(), p_n * t_n * m_n),
            (
                "plan.loans_outstanding",
                loans_len,
                if loans_len == 0 { 0 } else { t_n },
            ),
        ] {
            if len != want {
                return Err(Error::invalid_parameter(
                    field,
                    format!("{len} values"),
                    format!("should have {want} ({p_n} pools, {t_n} years, {m_n} measures)"),
                ));
            }
        }
        for (field, xs) in [
            ("plan.budget", &self.budget),
            ("plan.available", &self.available),
            ("plan.committed", &self.committed),
            ("plan.loans_outstanding", &self.loans_outstanding),
        ] {
            if let Some(i) = xs.iter().position(|&x| x < 0) {
                return Err(Error::invalid_parameter(
                    format!("{field}[{i}]"),
                    xs[i],
                    "is money and must be ≥ 0",
                ));
            }
        }
        if let Some(cap) = self.loan_capacity {
            if cap < 0 {
                return Err(Error::invalid_parameter(
                    "plan.loan_capacity",
                    cap,
                    "is money and must be ≥ 0",
                ));
            }
            if let Some(t) = self.loans_outstanding.iter().position(|&v| v > cap) {
                return Err(Error::invalid_parameter(
                    format!("plan.loans_outstanding[{t}]"),
                    self.loans_outstanding[t],
                    format!("exceeds the guarantee fund's capacity {cap}"),
                ));
            }
        }
        if self.unlimited {
            return Ok(());
        }
        let used = self.committed_by_pool();
        for i in 0..p_n * t_n {
            let t = i % t_n;
            let before = if t == 0 {
                0
            } else {
                self.available[i - 1] - used[i - 1]
            };
            if used[i] > self.available[i] || self.available[i] > self.budget[i] + before {
                return Err(Error::invalid_parameter(
                    format!("plan.available[{i}]"),
                    self.available[i],
                    format!(
                        "is inconsistent: pool {} in {} reserves {}, has new money {} and {} left \
                         from the year before",
                        self.pools[i / t_n],
                        self.years[t],
                        used[i],
                        self.budget[i],
                        before
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_assignments(&self) -> Result<()> {
        let (first, last) = (self.years[0], self.years[self.years.len() - 1]);
        if self.household_ids.len() != self.assignments.len() {
            return Err(Error::invalid_parameter(
                "plan.household_ids",
                format!("{} ids", self.household_ids.len()),
                format!("needs one id per assignment ({})", self.assignments.len()),
            ));
        }
        for (i, a) in self.assignments.iter().enumerate() {
            let field = |name: &str| format!("plan.assignments[{i}].{name}");
            if usize::from(a.measure) >= self.n_measures() {
                return Err(Error::invalid_parameter(
                    field("measure"),
                    a.measure,
                    format!(
                        "is not a measure index of the plan's catalogue ({} measures)",
                        self.n_measures()
                    ),
                ));
            }
            if !(first..=last).contains(&a.start_year) {
                return Err(Error::invalid_parameter(
                    field("start_year"),
                    a.start_year,
                    format!("must be one of the plan's years {first}–{last}"),
                ));
            }
            if let Some(end) = a.end_year
                && !(a.start_year < end && end <= last.saturating_add(1))
            {
                return Err(Error::invalid_parameter(
                    field("end_year"),
                    end,
                    format!(
                        "must be after the start year {} and at most {}",
                        a.start_year,
                        last.saturating_add(1)
                    ),
                ));
            }
            if !(a.intensity.is_finite() && a.intensity > 0.0 && a.intensity <= MAX_INTENSITY) {
                return Err(Error::invalid_parameter(
                    field("intensity"),
                    a.intensity,
                    format!(
                        "must be in (0, {MAX_INTENSITY}]: the share of the measure's cost and effect"
                    ),
                ));
            }
            if u32::from(a.slot) >= memory::SLOTS {
                return Err(Error::invalid_parameter(
                    field("slot"),
                    a.slot,
                    format!("must be below {}", memory::SLOTS),
                ));
            }
        }
        Ok(())
    }

    /// The recorded budget (if any) gives the plan's new money, loan capacity and no unlimited flag.
    fn validate_budget_made_for(&self) -> Result<()> {
        let Some((_, budget)) = &self.made_for else {
            return Ok(());
        };
        if self.unlimited != budget.is_none() {
            return Err(Error::invalid_parameter(
                "plan.unlimited",
                self.unlimited,
                "contradicts the budget the plan was made for",
            ));
        }
        match budget {
            Some(b) => {
                b.validate()?;
                self.check_budget_money(b)
            }
            None => Ok(()),
        }
    }

    /// New money and loan capacity are those of `budget`.
    pub(crate) fn check_budget_money(&self, budget: &Budget) -> Result<()> {
        if self.unlimited {
            return Err(Error::invalid_parameter(
                "plan.unlimited",
                true,
                "but the scenario has a budget",
            ));
        }
        let t_n = self.years.len();
        let by_county = !budget.by_county.is_empty();
        for (p, pool) in self.pools.iter().enumerate() {
            for (t, &y) in self.years.iter().enumerate() {
                let amount = if by_county {
                    budget.by_county.get(pool).map(|a| a.at(y))
                } else if p == 0 {
                    budget.yearly.as_ref().map(|a| a.at(y))
                } else {
                    None
                };
                let want = amount.map_or(0, money_units);
                let i = p * t_n + t;
                if self.budget[i] != want {
                    return Err(Error::invalid_parameter(
                        format!("plan.budget[{i}]"),
                        self.budget[i],
                        format!("is not the budget's new money {want} for pool {pool} in {y}"),
                    ));
                }
            }
        }
        let capacity = money_units(budget.guarantee_fund.capacity());
        if self.loan_capacity != Some(capacity) {
            return Err(Error::invalid_parameter(
                "plan.loan_capacity",
                format!("{:?}", self.loan_capacity),
                format!("is not the budget's guarantee-fund capacity {capacity}"),
            ));
        }
        Ok(())
    }
}

/// What the assignments of `plan` (already [for](Plan::for_registry) `registry`) reserve, pool by
/// pool and year by year, and the microcredit they lend, recomputed with the measures' own
/// reservation function: within the plan's reservations and loan capacity (equal to them for the
/// whole registry; a shard reserves part). A plan whose intensities or measures were changed after
/// planning would spend beyond its budget and is refused. Unlimited plans only need the row check.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `plan.assignments` (the first pool-year over its
/// reservations) or `plan.loans_outstanding`, or `plan.pools` when a household's county is not one
/// of the plan's pools.
pub(crate) fn check_plan_money(plan: &Plan, registry: &Registry) -> Result<()> {
    let t_n = plan.years.len();
    let h = registry.households();
    let single = plan.pools.len() == 1 && plan.pools[0] == "all";
    let mut reserved = vec![0i128; plan.pools.len() * t_n];
    let mut lent = vec![0i128; t_n];
    for (i, a) in plan.assignments.iter().enumerate() {
        let row = a.household as usize;
        if row >= h.len() {
            return Err(Error::invalid_parameter(
                format!("plan.assignments[{i}].household"),
                a.household,
                format!("is not a household row ({} households)", h.len()),
            ));
        }
        let pool = if single {
            0
        } else {
            let id = registry.counties().id.display(registry.county_of(row));
            plan.pools.iter().position(|p| *p == id).ok_or_else(|| {
                Error::invalid_parameter(
                    "plan.pools",
                    format!("{:?}", plan.pools),
                    format!("has no pool for county {id}"),
                )
            })?
        };
        let w = i128::from(weight_units(h.weight[row]));
        let spec = &plan.catalog.measures[usize::from(a.measure)].spec;
        for (t, &y) in plan.years.iter().enumerate() {
            if a.active(y) {
                let k = (y - a.start_year) as u32;
                let r = spec.reservation(registry, row, k, plan.lines[t], a.intensity);
                reserved[pool * t_n + t] += w * i128::from(r.total());
            }
        }
        let (loan, term) = spec.loan(a.intensity);
        if loan > 0 {
            let t0 = (a.start_year - plan.years[0]) as usize;
            for v in &mut lent[t0..(t0 + term as usize).min(t_n)] {
                *v += w * i128::from(loan);
            }
        }
    }
    if !plan.unlimited {
        let claimed = plan.committed_by_pool();
        if let Some(i) = (0..reserved.len()).find(|&i| reserved[i] > claimed[i]) {
            return Err(Error::invalid_parameter(
                "plan.assignments",
                format!("{} reserved", reserved[i]),
                format!(
                    "exceed the plan's reservations {} for pool {} in {} (of money available {}): \
                     the assignments were changed after planning",
                    claimed[i],
                    plan.pools[i / t_n],
                    plan.years[i % t_n],
                    plan.available[i]
                ),
            ));
        }
    }
    if let Some(cap) = plan.loan_capacity
        && let Some(t) = (0..t_n).find(|&t| lent[t] > cap)
    {
        return Err(Error::invalid_parameter(
            "plan.loans_outstanding",
            lent[t],
            format!(
                "the assignments lend more than the guarantee fund's capacity {cap} in {}",
                plan.years[t]
            ),
        ));
    }
    Ok(())
}
