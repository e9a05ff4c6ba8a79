//! Exit projections: when households (脱贫), villages (出列) and counties (摘帽) exit, the
//! probability of exit by a deadline with its Monte Carlo (Wilson) band, the expected exit year
//! and the quantiles of the exit year across replicates — from the exit-year distributions the
//! results hold.

use std::str::FromStr;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::named_tables::{floats, ids_column, table};
use crate::engine::Results;
use crate::error::{Error, Result};
use crate::registry::{ColumnData, Table};
use crate::stats::{wilson_interval, z_for_level};

/// The units an exit projection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitLevel {
    /// Households (脱贫).
    Household,
    /// Villages (出列).
    Village,
    /// Counties (摘帽).
    County,
}

impl FromStr for ExitLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "household" => Ok(ExitLevel::Household),
            "village" => Ok(ExitLevel::Village),
            "county" => Ok(ExitLevel::County),
            _ => Err(Error::invalid_parameter(
                "level",
                format!("{s:?}"),
                "must be one of \"household\", \"village\", \"county\"",
            )),
        }
    }
}

impl Results {
    /// Exit-year distribution of scenario `s` at `level`: units × (years + 1), the share of
    /// replicates first exiting in each year, the last column not within the run.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `household_outputs` for households of a run that did
    /// not keep them.
    pub fn exit_distribution(&self, s: usize, level: ExitLevel) -> Result<Array2<f64>> {
        match level {
            ExitLevel::Village => Ok(self.village_exit_distribution(s)),
            ExitLevel::County => Ok(self.county_exit_distribution(s)),
            ExitLevel::Household => {
                let h = self.scenarios[s].households.as_ref().ok_or_else(|| {
                    Error::invalid_parameter(
                        "household_outputs",
                        "false",
                        "per-household outputs were not kept in this run",
                    )
                })?;
                let (t_n, r) = (self.n_years(), f64::from(self.replications));
                let n = h.returned.len();
                Ok(Array2::from_shape_fn((n, t_n + 1), |(i, t)| {
                    if t < t_n {
                        f64::from(h.first_exit[i * t_n + t]) / r
                    } else {
                        let exited: u32 = h.first_exit[i * t_n..(i + 1) * t_n]
                            .iter()
                            .map(|&c| u32::from(c))
                            .sum();
                        f64::from(self.replications.saturating_sub(exited)) / r
                    }
                }))
            }
        }
    }

    /// Exit projections of scenario `scenario` for every unit at `level`: its id columns
    /// (`household_id`; `village_id` and `county_id`; `county_id`) followed by the columns of
    /// [`exit_summary`] at `deadline` (default: the last simulated year) over the run's replicates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario`, `deadline`, `conf_level` or
    /// `household_outputs`.
    pub fn exit_projections(
        &self,
        scenario: &str,
        level: ExitLevel,
        deadline: Option<i32>,
        conf_level: f64,
    ) -> Result<Table> {
        let s = self.scenario_index(scenario)?;
        let distribution = self.exit_distribution(s, level)?;
        let mut columns = match level {
            ExitLevel::Household => vec![("household_id", ids_column(&self.household_ids))],
            ExitLevel::Village => {
                let county: Vec<usize> = self.villages.county.iter().map(|&c| c as usize).collect();
                vec![
                    ("village_id", ids_column(&self.villages.ids)),
                    ("county_id", ids_column(&self.counties.ids.take(&county))),
                ]
            }
            ExitLevel::County => vec![("county_id", ids_column(&self.counties.ids))],
        };
        let deadline = deadline.or(self.years.last().copied()).unwrap_or_default();
        let summary = exit_summary(
            &distribution,
            &self.years,
            self.replications,
            deadline,
            conf_level,
        )?;
        let mut out = Table::new("exit_projections");
        for (name, data) in columns.drain(..) {
            out.push(name, data)?;
        }
        for column in summary.columns {
            out.push(column.name, column.data)?;
        }
        Ok(out)
    }
}

/// Per unit of an exit-year `distribution` (units × (years + 1), the last column not within the
/// run) over `replications` replicates: `p_exit`, the share exited by the end of `deadline`, with
/// `p_exit_low` / `p_exit_high` its Wilson score band at `conf_level`; `expected_exit_year` given
/// an exit within the run (NaN if none); `exit_year_p5` / `exit_year_median` / `exit_year_p95`,
/// the smallest year whose cumulative share reaches the quantile (∞: not within the run); and
/// `p_not_within_run`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `deadline` if it is not a simulated year, `conf_level`
/// outside (0, 1), or `distribution` without one column per year and one more.
pub fn exit_summary(
    distribution: &Array2<f64>,
    years: &[i32],
    replications: u32,
    deadline: i32,
    conf_level: f64,
) -> Result<Table> {
    let t_n = years.len();
    if distribution.ncols() != t_n + 1 {
        return Err(Error::invalid_parameter(
            "distribution",
            format!("{} columns", distribution.ncols()),
            format!("must have one per year and one more ({})", t_n + 1),
        ));
    }
    let k = years.iter().position(|&y| y == deadline).ok_or_else(|| {
        Error::invalid_parameter(
            "deadline",
            deadline,
            format!("must be one of the simulated years {years:?}"),
        )
    })?;
    let z = z_for_level(conf_level)?;
    let n = f64::from(replications);
    let mut cols: [Vec<f64>; 8] = Default::default();
    for row in distribution.rows() {
        let d: Vec<f64> = row.iter().map(|x| x.clamp(0.0, 1.0)).collect();
        let p: f64 = d[..=k].iter().sum();
        let (low, high) = wilson_interval(p, n, z);
        let within: f64 = d[..t_n].iter().sum();
        let weighted: f64 = d[..t_n]
            .iter()
            .zip(years)
            .map(|(x, &y)| x * f64::from(y))
            .sum();
        let expected = if within > 0.0 {
            weighted / within
        } else {
            f64::NAN
        };
        let quantile = |q: f64| {
            let mut cum = 0.0;
            for (t, x) in d.iter().enumerate() {
                cum += x;
                if cum >= q - 1e-12 {
                    return years.get(t).map_or(f64::INFINITY, |&y| f64::from(y));
                }
            }
            f64::INFINITY
        };
        let values = [
            p,
            low,
            high,
            expected,
            quantile(0.05),
            quantile(0.5),
            quantile(0.95),
            d[t_n],
        ];
        for (col, v) in cols.iter_mut().zip(values) {
            col.push(v);
        }
    }
    let names = [
        "p_exit",
        "p_exit_low",
        "p_exit_high",
        "expected_exit_year",
        "exit_year_p5",
        "exit_year_median",
        "exit_year_p95",
        "p_not_within_run",
    ];
    let columns: Vec<(String, ColumnData)> = names
        .iter()
        .zip(&cols)
        .map(|(name, v)| (name.to_string(), floats(v)))
        .collect();
    table("exit_summary", columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(t: &Table, name: &str) -> Vec<f64> {
        match t.get(name) {
            Some(ColumnData::Float(v)) => v.clone(),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn summary_of_a_hand_made_distribution() {
        // Unit 0 exits in 2016 (0.2), 2017 (0.3), 2018 (0.1), not within the run (0.4).
        let d =
            Array2::from_shape_vec((2, 4), vec![0.2, 0.3, 0.1, 0.4, 1.0, 0.0, 0.0, 0.0]).unwrap();
        let t = exit_summary(&d, &[2016, 2017, 2018], 100, 2017, 0.90).unwrap();
        let p = column(&t, "p_exit");
        assert!((p[0] - 0.5).abs() < 1e-15 && p[1] == 1.0);
        // (0.2·2016 + 0.3·2017 + 0.1·2018) / 0.6 = 2016 + 5/6.
        assert!((column(&t, "expected_exit_year")[0] - (2016.0 + 5.0 / 6.0)).abs() < 1e-9);
        assert_eq!(column(&t, "exit_year_p5")[0], 2016.0);
        assert_eq!(column(&t, "exit_year_median")[0], 2017.0);
        assert_eq!(column(&t, "exit_year_p95")[0], f64::INFINITY);
        assert_eq!(column(&t, "p_not_within_run")[0], 0.4);
        // Wilson band for 50/100 at z = 1.6448536: 0.5 ± z·√(0.0025 + z²/40000)/(1 + z²/100).
        let z: f64 = 1.644_853_626_951_472_2;
        let half = z * (0.25f64 / 100.0 + z * z / 40000.0).sqrt() / (1.0 + z * z / 100.0);
        assert!((column(&t, "p_exit_high")[0] - 0.5 - half).abs() < 1e-9);
        assert_eq!(column(&t, "p_exit_high")[1], 1.0);
        let e = exit_summary(&d, &[2016, 2017, 2018], 100, 2020, 0.9).unwrap_err();
        assert!(e.to_string().contains("`deadline`"), "{e}");
        assert!(exit_summary(&d, &[2016, 2017], 100, 2017, 0.9).is_err());
    }

    #[test]
    fn levels_parse_by_name() {
        assert_eq!("county".parse::<ExitLevel>().unwrap(), ExitLevel::County);
        let e = "township".parse::<ExitLevel>().unwrap_err().to_string();
        assert!(e.contains("`level`") && e.contains("township"), "{e}");
    }
}
