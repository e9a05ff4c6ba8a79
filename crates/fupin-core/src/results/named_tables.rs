//! Every table of [`Results`] as the core's column [`Table`], under the one name of each outcome
//! that Rust, Python and the docs share (`poor_people`, `fgt0`, `exits`, `programme_spending`, …):
//! the form in which the Python binding hands them over, converted by one function.

use ndarray::{Array3, Array4, Axis};

use super::compare::Comparison;
use super::flows::{CauseTable, CountySpendingTable, LossTable, SpendingTable};
use super::tables::Summary;
use crate::engine::Results;
use crate::error::{Error, Result};
use crate::registry::{ColumnData, Ids, Table};
use crate::stats::band;
use crate::units::WEIGHT_SCALE;

/// A table called `name` from named columns (equal lengths).
pub(crate) fn table(name: &str, columns: Vec<(String, ColumnData)>) -> Result<Table> {
    let mut out = Table::new(name);
    for (column, data) in columns {
        out.push(column, data)?;
    }
    Ok(out)
}

/// Text values as a column.
pub(crate) fn text(values: &[String]) -> ColumnData {
    ColumnData::Text(values.iter().cloned().map(Some).collect())
}

/// Whole numbers as a column.
pub(crate) fn ints<T: Copy + Into<i64>>(values: &[T]) -> ColumnData {
    ColumnData::Int(values.iter().map(|&x| x.into()).collect())
}

/// Numbers as a column.
pub(crate) fn floats(values: &[f64]) -> ColumnData {
    ColumnData::Float(values.to_vec())
}

/// External ids as a column (integers or text).
pub(crate) fn ids_column(ids: &Ids) -> ColumnData {
    match ids {
        Ids::Int(v) => ColumnData::Int(v.clone()),
        Ids::Text(v) => ColumnData::Text(v.iter().cloned().map(Some).collect()),
    }
}

/// Named float columns after the leading ones.
fn with_floats(
    mut columns: Vec<(String, ColumnData)>,
    values: &[(&str, &Vec<f64>)],
) -> Vec<(String, ColumnData)> {
    columns.extend(values.iter().map(|(n, v)| (n.to_string(), floats(v))));
    columns
}

/// `to_table` of a column-wise output type: the table `$name` with the columns `$col`, each the
/// field `$field` converted by `$kind` (`text`, `ints` or `floats`), in this order.
macro_rules! to_table {
    ($t:ty, $name:literal, $($col:literal: $kind:ident($field:ident)),* $(,)?) => {
        impl $t {
            #[doc = concat!("As the `", $name, "` table: columns ", $("`", $col, "` ",)* ".")]
            pub fn to_table(&self) -> Result<Table> {
                table($name, vec![$(($col.to_string(), $kind(&self.$field))),*])
            }
        }
    };
}

to_table!(Summary, "summary",
    "scenario": text(scenario), "year": ints(year),
    "poor_households": floats(poor_households),
    "poor_households_p5": floats(poor_households_p5),
    "poor_households_p95": floats(poor_households_p95),
    "poor_people": floats(poor_people), "poor_people_p5": floats(poor_people_p5),
    "poor_people_p95": floats(poor_people_p95), "headcount_ratio": floats(headcount_ratio),
    "fgt0": floats(fgt0), "fgt1": floats(fgt1), "fgt2": floats(fgt2),
    "exits": floats(exits), "returns": floats(returns), "entrants": floats(entrants),
    "mean_income": floats(mean_income), "health_spending": floats(health_spending),
    "programme_spending": floats(programme_spending),
);

to_table!(Comparison, "compare",
    "quantity": text(quantity), "year": ints(year), "mean_a": floats(mean_a),
    "mean_b": floats(mean_b), "difference": floats(difference), "paired_se": floats(paired_se),
    "paired_low": floats(paired_low), "paired_high": floats(paired_high),
    "unpaired_se": floats(unpaired_se), "unpaired_low": floats(unpaired_low),
    "unpaired_high": floats(unpaired_high),
);

to_table!(SpendingTable, "spending",
    "scenario": text(scenario), "measure": text(measure), "year": ints(year),
    "mean": floats(mean), "p5": floats(p5), "p95": floats(p95),
);

to_table!(CountySpendingTable, "county_spending",
    "scenario": text(scenario), "county_id": text(county), "measure": text(measure),
    "year": ints(year), "mean": floats(mean), "p5": floats(p5), "p95": floats(p95),
);

to_table!(LossTable, "guarantee_losses",
    "scenario": text(scenario), "year": ints(year),
    "mean": floats(mean), "p5": floats(p5), "p95": floats(p95),
);

to_table!(CauseTable, "flows_by_cause",
    "scenario": text(scenario), "year": ints(year), "cause": text(cause),
    "exits": floats(exits), "returns": floats(returns),
);

/// The tables of [`Results::table`], by name.
pub const TABLES: [&str; 7] = [
    "summary",
    "villages",
    "counties",
    "households",
    "county_spending",
    "guarantee_losses",
    "flows_by_cause",
];

/// A field of [`Results::spending_by`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpendingKey {
    County,
    Year,
    Measure,
}

impl Results {
    /// The table called `name` (one of [`TABLES`]); `villages`, `counties` and `households` are
    /// of one scenario, named by `scenario`, the others of every scenario.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `table` for an unknown name, `scenario` for a missing or
    /// unknown scenario, or `household_outputs` for households of a run that did not keep them.
    pub fn table(&self, name: &str, scenario: Option<&str>) -> Result<Table> {
        let s = || self.scenario_index(scenario.unwrap_or_default());
        match name {
            "summary" => self.summary().to_table(),
            "villages" => self.village_table(s()?),
            "counties" => self.county_table(s()?),
            "households" => self.household_table(s()?),
            "county_spending" => self.county_spending().to_table(),
            "guarantee_losses" => self.guarantee_losses().to_table(),
            "flows_by_cause" => self.flows_by_cause().to_table(),
            _ => Err(Error::invalid_parameter(
                "table",
                format!("{name:?}"),
                format!("must be one of {TABLES:?}"),
            )),
        }
    }

    /// Programme spending of scenario `s` by replicate × year × category, yuan.
    pub fn spending_array(&self, s: usize) -> Array3<f64> {
        let k_n = self.scenarios[s].categories.len();
        let shape = (self.replications as usize, self.n_years(), k_n);
        let mut out = Array3::zeros(shape);
        for k in 0..k_n {
            out.index_axis_mut(Axis(2), k)
                .assign(&self.spending_values(s, k));
        }
        out
    }

    /// Programme spending of scenario `s` by county × replicate × year × category, yuan, with
    /// the county ids as text (dense order).
    pub fn county_spending_array(&self, s: usize) -> (Vec<String>, Array4<f64>) {
        let (nc, k_n) = (self.counties.ids.len(), self.scenarios[s].categories.len());
        let shape = (nc, self.replications as usize, self.n_years(), k_n);
        let mut out = Array4::zeros(shape);
        for c in 0..nc {
            for k in 0..k_n {
                let mut county = out.index_axis_mut(Axis(0), c);
                county
                    .index_axis_mut(Axis(2), k)
                    .assign(&self.county_spending_values(s, c, k));
            }
        }
        let ids = (0..nc).map(|c| self.counties.ids.display(c)).collect();
        (ids, out)
    }

    /// One column per year of a units × years matrix, called `<prefix>_<year>`.
    fn year_columns(&self, prefix: &str, m: &ndarray::Array2<f64>) -> Vec<(String, ColumnData)> {
        (0..m.ncols())
            .map(|t| {
                let name = format!("{prefix}_{}", self.years[t]);
                (name, ColumnData::Float(m.column(t).to_vec()))
            })
            .collect()
    }

    /// Exit columns of a group table: `exited_by_<year>` (cumulative) and `not_exited`.
    fn exit_columns(&self, distribution: &ndarray::Array2<f64>) -> Vec<(String, ColumnData)> {
        let mut columns = self.year_columns("exited_by", &Results::exited_by_year(distribution));
        let last = distribution.ncols().saturating_sub(1);
        let not_exited = distribution.column(last).to_vec();
        columns.push(("not_exited".to_string(), ColumnData::Float(not_exited)));
        columns
    }

    /// Villages of scenario `s`: `village_id`, `county_id`, `population`, `threshold`, the
    /// probability of having exited (出列) by each year (`exited_by_<year>`), of not exiting
    /// within the run (`not_exited`), and mean poor people by year (`poor_people_<year>`).
    ///
    /// # Errors
    /// Only if the results are inconsistent (columns of unequal length).
    pub fn village_table(&self, s: usize) -> Result<Table> {
        let g = &self.villages;
        let county: Vec<usize> = g.county.iter().map(|&c| c as usize).collect();
        let mut columns = vec![
            ("village_id".to_string(), ids_column(&g.ids)),
            (
                "county_id".to_string(),
                ids_column(&self.counties.ids.take(&county)),
            ),
            ("population".to_string(), population(&g.population)?),
            ("threshold".to_string(), floats(&g.threshold)),
        ];
        columns.extend(self.exit_columns(&self.village_exit_distribution(s)));
        columns.extend(self.year_columns("poor_people", &self.village_mean_poor_people(s)));
        table("villages", columns)
    }

    /// Counties of scenario `s`: `county_id`, `population`, `threshold`, `exited_by_<year>`
    /// (摘帽) and `not_exited`.
    ///
    /// # Errors
    /// Only if the results are inconsistent (columns of unequal length).
    pub fn county_table(&self, s: usize) -> Result<Table> {
        let g = &self.counties;
        let mut columns = vec![
            ("county_id".to_string(), ids_column(&g.ids)),
            ("population".to_string(), population(&g.population)?),
            ("threshold".to_string(), floats(&g.threshold)),
        ];
        columns.extend(self.exit_columns(&self.county_exit_distribution(s)));
        table("counties", columns)
    }

    /// Households of scenario `s`: `household_id`, the probability of having exited (脱贫) by
    /// each year (`exited_by_<year>`), `expected_exit_year` given an exit, `never_exit_share`
    /// and `return_probability` given an exit.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `household_outputs` if the run did not keep them.
    pub fn household_table(&self, s: usize) -> Result<Table> {
        let exited = self.household_exit_probability(s)?;
        let summary = self.household_exit_summary(s)?;
        let mut columns = vec![("household_id".to_string(), ids_column(&self.household_ids))];
        columns.extend(self.year_columns("exited_by", &exited));
        columns.extend(with_floats(
            Vec::new(),
            &[
                ("expected_exit_year", &summary.expected_exit_year),
                ("never_exit_share", &summary.never_exit_share),
                ("return_probability", &summary.return_probability),
            ],
        ));
        table("households", columns)
    }

    /// Programme spending (yuan) by scenario and the fields `by` (any of `county`, `year`,
    /// `measure`, distinct, the first varying slowest; none for the run's total): the mean over
    /// replicates and the 5th and 95th percentiles of the per-replicate sums (`mean`, `p5`,
    /// `p95`). Columns `scenario`, the fields (`county_id` for `county`), `mean`, `p5`, `p95`;
    /// scenarios without measures have no rows, and by county only rows with spending.
    /// `scenario`: one scenario, or every one.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `by` for an unknown or repeated field, or `scenario`
    /// for an unknown name.
    pub fn spending_by(&self, by: &[&str], scenario: Option<&str>) -> Result<Table> {
        let keys = spending_keys(by)?;
        let scenarios = match scenario {
            Some(name) => vec![self.scenario_index(name)?],
            None => (0..self.scenarios.len()).collect(),
        };
        let mut rows = SpendingRows::default();
        for s in scenarios {
            self.spending_rows(s, &keys, &mut rows);
        }
        let mut columns = vec![("scenario".to_string(), text(&rows.scenario))];
        for (i, key) in keys.iter().enumerate() {
            let name = match key {
                SpendingKey::County => "county_id",
                SpendingKey::Year => "year",
                SpendingKey::Measure => "measure",
            };
            let data = match key {
                SpendingKey::Year => {
                    ColumnData::Int(rows.labels.iter().map(|l| l[i].year).collect())
                }
                _ => ColumnData::Text(
                    rows.labels
                        .iter()
                        .map(|l| Some(l[i].text.clone()))
                        .collect(),
                ),
            };
            columns.push((name.to_string(), data));
        }
        let bands = [("mean", &rows.mean), ("p5", &rows.p5), ("p95", &rows.p95)];
        let columns = with_floats(columns, &bands);
        table("spending", columns)
    }

    /// The rows of [`Results::spending_by`] for scenario `s`.
    fn spending_rows(&self, s: usize, keys: &[SpendingKey], out: &mut SpendingRows) {
        let sc = &self.scenarios[s];
        let (reps, t_n, k_n) = (
            self.replications as usize,
            self.n_years(),
            sc.categories.len(),
        );
        if k_n == 0 {
            return;
        }
        let by_county = keys.contains(&SpendingKey::County);
        let nc = if by_county {
            self.counties.ids.len()
        } else {
            1
        };
        let size = |k: &SpendingKey| match k {
            SpendingKey::County => nc,
            SpendingKey::Year => t_n,
            SpendingKey::Measure => k_n,
        };
        let n_rows: usize = keys.iter().map(size).product();
        let unit = 100.0 * WEIGHT_SCALE as f64;
        for row in 0..n_rows {
            // Positions of the keyed fields, the last varying fastest.
            let mut pos = vec![0; keys.len()];
            let mut rest = row;
            for (i, key) in keys.iter().enumerate().rev() {
                pos[i] = rest % size(key);
                rest /= size(key);
            }
            let range = |key: SpendingKey, n: usize| match keys.iter().position(|&k| k == key) {
                Some(i) => pos[i]..pos[i] + 1,
                None => 0..n,
            };
            let (cs, ts, ks) = (
                range(SpendingKey::County, nc),
                range(SpendingKey::Year, t_n),
                range(SpendingKey::Measure, k_n),
            );
            let mut per: Vec<f64> = (0..reps)
                .map(|r| {
                    let mut sum: i128 = 0;
                    for c in cs.clone() {
                        for t in ts.clone() {
                            for k in ks.clone() {
                                sum += if by_county {
                                    sc.county_spending[((c * reps + r) * t_n + t) * k_n + k]
                                } else {
                                    sc.spending[(r * t_n + t) * k_n + k]
                                };
                            }
                        }
                    }
                    sum as f64 / unit
                })
                .collect();
            if by_county && per.iter().all(|&x| x == 0.0) {
                continue;
            }
            let labels = keys
                .iter()
                .zip(&pos)
                .map(|(key, &p)| match key {
                    SpendingKey::County => Label::text(self.counties.ids.display(p)),
                    SpendingKey::Year => Label::year(self.years[p]),
                    SpendingKey::Measure => Label::text(sc.categories[p].clone()),
                })
                .collect();
            let [mean, p5, p95] = band(&mut per);
            out.scenario.push(sc.name.clone());
            out.labels.push(labels);
            out.mean.push(mean);
            out.p5.push(p5);
            out.p95.push(p95);
        }
    }
}

/// Population counts as an integer column.
fn population(values: &[u64]) -> Result<ColumnData> {
    values
        .iter()
        .map(|&p| {
            i64::try_from(p)
                .map_err(|_| Error::Internal(format!("population {p} beyond the int64 range")))
        })
        .collect::<Result<Vec<i64>>>()
        .map(ColumnData::Int)
}

/// The fields named by `by`, checked.
fn spending_keys(by: &[&str]) -> Result<Vec<SpendingKey>> {
    let mut keys = Vec::with_capacity(by.len());
    for &name in by {
        let key = match name {
            "county" => SpendingKey::County,
            "year" => SpendingKey::Year,
            "measure" => SpendingKey::Measure,
            _ => return Err(bad_by(by)),
        };
        if keys.contains(&key) {
            return Err(bad_by(by));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn bad_by(by: &[&str]) -> Error {
    Error::invalid_parameter(
        "by",
        format!("{by:?}"),
        "must name distinct fields among 'measure', 'year', 'county'",
    )
}

/// One label of a spending row: a year or a text (county id, measure).
#[derive(Debug, Clone, Default)]
struct Label {
    year: i64,
    text: String,
}

impl Label {
    fn text(text: String) -> Self {
        Label { year: 0, text }
    }

    fn year(year: i32) -> Self {
        Label {
            year: year.into(),
            text: String::new(),
        }
    }
}

/// Rows of [`Results::spending_by`], column-wise.
#[derive(Debug, Default)]
struct SpendingRows {
    scenario: Vec<String>,
    labels: Vec<Vec<Label>>,
    mean: Vec<f64>,
    p5: Vec<f64>,
    p95: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_read_their_former_spellings() {
        use super::super::tables::Outcome as Measure;
        let old: Measure = serde_json::from_str("\"income_headcount_ratio\"").unwrap();
        assert_eq!(old, Measure::Fgt0);
        assert_eq!(serde_json::to_string(&Measure::Fgt0).unwrap(), "\"fgt0\"");
        let c: CauseTable = serde_json::from_str(
            r#"{"scenario":["a"],"year":[2016],"cause":["none"],"exits_mean":[1.0],"returns_mean":[0.0]}"#,
        )
        .unwrap();
        assert_eq!(c.exits, vec![1.0]);
    }

    #[test]
    fn spending_keys_are_checked() {
        assert_eq!(
            spending_keys(&["year", "county"]).unwrap(),
            vec![SpendingKey::Year, SpendingKey::County]
        );
        assert!(spending_keys(&[]).unwrap().is_empty());
        let e = spending_keys(&["year", "year"]).unwrap_err().to_string();
        assert!(e.contains("`by`") && e.contains("distinct"), "{e}");
        assert!(spending_keys(&["village"]).is_err());
    }

    #[test]
    fn tables_carry_their_columns_in_order() {
        let c = CauseTable {
            scenario: vec!["a".into()],
            year: vec![2016],
            cause: vec!["illness".into()],
            exits: vec![1.5],
            returns: vec![0.25],
        };
        let t = c.to_table().unwrap();
        assert_eq!(t.names(), ["scenario", "year", "cause", "exits", "returns"]);
        assert_eq!(t.get("year"), Some(&ColumnData::Int(vec![2016])));
        assert_eq!(t.get("returns"), Some(&ColumnData::Float(vec![0.25])));
        let ids = ids_column(&Ids::Text(vec!["x".into()]));
        assert_eq!(ids, ColumnData::Text(vec![Some("x".into())]));
    }
}
