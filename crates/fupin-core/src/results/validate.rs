//! What [`Results::from_json`] checks beyond table lengths: every index and id a table refers to,
//! the counts' ranges, and the run settings, so that tampered or corrupted results JSON is refused
//! with an error naming the field instead of panicking (or dividing by zero) in a table later.

use crate::engine::{Groups, Results, ScenarioResults};
use crate::engine::{MAX_REPLICATIONS, MAX_YEARS};
use crate::error::{Error, Result};
use crate::registry::Ids;

impl Results {
    /// Indices, ids, counts and settings are consistent (see the module docs). Lengths are checked
    /// first by `check_shapes`.
    pub(super) fn check_references(&self) -> Result<()> {
        self.check_settings()?;
        check_groups(
            "results.villages",
            &self.villages,
            Some(self.counties.ids.len()),
        )?;
        check_groups("results.counties", &self.counties, None)?;
        check_unique("results.household_ids", &self.household_ids)?;
        for (field, v) in [
            ("results.registry_households", self.registry_households),
            ("results.registry_people", self.registry_people),
        ] {
            if v < 0 {
                return Err(Error::invalid_parameter(
                    field,
                    v,
                    "is a count of weight units and must be ≥ 0",
                ));
            }
        }
        for (i, sc) in self.scenarios.iter().enumerate() {
            if self.scenarios[..i].iter().any(|o| o.name == sc.name) {
                return Err(Error::invalid_parameter(
                    "results.scenarios.name",
                    format!("{:?}", sc.name),
                    "is used by two scenarios",
                ));
            }
            self.check_scenario(sc)?;
        }
        Ok(())
    }

    fn check_settings(&self) -> Result<()> {
        if self.scenarios.is_empty() {
            return Err(Error::invalid_parameter(
                "results.scenarios",
                "[]",
                "must hold at least one scenario",
            ));
        }
        if !(1..=MAX_REPLICATIONS).contains(&self.replications) {
            return Err(Error::invalid_parameter(
                "results.replications",
                self.replications,
                format!("must be between 1 and {MAX_REPLICATIONS}"),
            ));
        }
        let t_n = self.years.len();
        if t_n == 0 || t_n > MAX_YEARS as usize {
            return Err(Error::invalid_parameter(
                "results.years",
                format!("{t_n} years"),
                format!("must hold 1 to {MAX_YEARS} years"),
            ));
        }
        if let Some(w) = self
            .years
            .windows(2)
            .position(|w| w[0].checked_add(1) != Some(w[1]))
        {
            return Err(Error::invalid_parameter(
                format!("results.years[{}]", w + 1),
                self.years[w + 1],
                format!("must follow {} (consecutive calendar years)", self.years[w]),
            ));
        }
        Ok(())
    }

    fn check_scenario(&self, sc: &ScenarioResults) -> Result<()> {
        let name = &sc.name;
        let reps = self.replications;
        let t_n = self.n_years();
        let t1 = t_n + 1;
        for (v, &n) in sc.village_households.iter().enumerate() {
            let row = &sc.village_exit[v * t1..(v + 1) * t1];
            let total: u64 = row.iter().map(|&x| u64::from(x)).sum();
            let want = if n > 0 { u64::from(reps) } else { 0 };
            if total != want {
                return Err(Error::invalid_parameter(
                    format!("results.{name}.village_exit[{v}]"),
                    format!("{total} replicates"),
                    format!(
                        "must count each of the {want} replicates once (village with {n} \
                         simulated households)"
                    ),
                ));
            }
        }
        if let Some(h) = &sc.households {
            for (i, row) in h.first_exit.chunks(t_n.max(1)).enumerate() {
                let total: u64 = row.iter().map(|&x| u64::from(x)).sum();
                if total > u64::from(reps) {
                    return Err(Error::invalid_parameter(
                        format!("results.{name}.households.first_exit[{i}]"),
                        format!("{total} replicates"),
                        format!("counts more first exits than the {reps} replicates"),
                    ));
                }
            }
            if let Some(i) = h.returned.iter().position(|&x| u32::from(x) > reps) {
                return Err(Error::invalid_parameter(
                    format!("results.{name}.households.returned[{i}]"),
                    h.returned[i],
                    format!("exceeds the {reps} replicates"),
                ));
            }
        }
        if let Some(p) = &sc.paths
            && let Some(i) = p.income.iter().position(|x| !(x.is_finite() && *x >= 0.0))
        {
            return Err(Error::invalid_parameter(
                format!("results.{name}.paths.income[{i}]"),
                p.income[i],
                "must be a finite income ≥ 0",
            ));
        }
        check_counts(sc)
    }
}

/// Every count and sum of a scenario is ≥ 0 (they are weight units, people and fen).
fn check_counts(sc: &ScenarioResults) -> Result<()> {
    let name = &sc.name;
    let negative = |field: &str, i: usize, v: i128| {
        Error::invalid_parameter(
            format!("results.{name}.{field}[{i}]"),
            v,
            "is a count or sum of money and must be ≥ 0",
        )
    };
    for (i, c) in sc.totals.iter().enumerate() {
        let fields = [
            i128::from(c.poor_households),
            i128::from(c.poor_people),
            i128::from(c.income_poor_people),
            i128::from(c.exits),
            i128::from(c.returns),
            i128::from(c.entrants),
            c.fgt1,
            c.fgt2,
            c.income_fen,
            c.health_oop_fen,
            c.spending_fen,
        ];
        if let Some(&v) = fields.iter().find(|&&v| v < 0) {
            return Err(negative("totals", i, v));
        }
    }
    for (field, cells) in [
        ("county_poor", &sc.county_poor),
        ("village_poor", &sc.village_poor),
    ] {
        if let Some(i) = cells
            .iter()
            .position(|g| g.poor_households < 0 || g.poor_people < 0)
        {
            let v = cells[i].poor_households.min(cells[i].poor_people);
            return Err(negative(field, i, i128::from(v)));
        }
    }
    for (field, xs) in [
        ("spending", &sc.spending),
        ("county_spending", &sc.county_spending),
        ("guarantee_losses", &sc.guarantee_losses),
    ] {
        if let Some(i) = xs.iter().position(|&x| x < 0) {
            return Err(negative(field, i, xs[i]));
        }
    }
    for (field, xs) in [
        ("cause_exits", &sc.cause_exits),
        ("cause_returns", &sc.cause_returns),
        ("exit_spells", &sc.exit_spells),
    ] {
        if let Some(i) = xs.iter().position(|&x| x < 0) {
            return Err(negative(field, i, i128::from(xs[i])));
        }
    }
    Ok(())
}

/// Lengths of a group table, its county indices (`counties`: the number of counties, for
/// villages), thresholds in [0, 1] and unique ids.
fn check_groups(field: &str, g: &Groups, counties: Option<usize>) -> Result<()> {
    let n = g.ids.len();
    let county_len = if counties.is_some() { n } else { 0 };
    for (part, len, want) in [
        ("population", g.population.len(), n),
        ("threshold", g.threshold.len(), n),
        ("county", g.county.len(), county_len),
    ] {
        if len != want {
            return Err(Error::invalid_parameter(
                format!("{field}.{part}"),
                format!("{len} values"),
                format!("should have {want}, one per id"),
            ));
        }
    }
    if let Some(nc) = counties
        && let Some(v) = g.county.iter().position(|&c| c as usize >= nc)
    {
        return Err(Error::invalid_parameter(
            format!("{field}.county[{v}]"),
            g.county[v],
            format!("is not the index of one of the {nc} counties"),
        ));
    }
    // Populations are summed (Results::population): the total must fit a u64.
    let mut total = 0u64;
    for (i, &p) in g.population.iter().enumerate() {
        total = match total.checked_add(p) {
            Some(t) => t,
            None => {
                return Err(Error::invalid_parameter(
                    format!("{field}.population[{i}]"),
                    p,
                    "takes the total population past 2^64 − 1 people",
                ));
            }
        };
    }
    if let Some(i) = g.threshold.iter().position(|t| !(0.0..=1.0).contains(t)) {
        return Err(Error::invalid_parameter(
            format!("{field}.threshold[{i}]"),
            g.threshold[i],
            "must be an incidence threshold in [0, 1]",
        ));
    }
    check_unique(&format!("{field}.ids"), &g.ids)
}

fn check_unique(field: &str, ids: &Ids) -> Result<()> {
    match ids.first_duplicate() {
        None => Ok(()),
        Some((row, _)) => Err(Error::invalid_parameter(
            format!("{field}[{row}]"),
            ids.display(row),
            "appears twice: ids must be unique",
        )),
    }
}
