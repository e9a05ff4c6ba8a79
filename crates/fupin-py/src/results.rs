//! The `Results` handle of a run. Every table converts by `convert::table_to_py` from the core's
//! `Table` (`Results::table` by name); per-replicate arrays and paths cross as NumPy arrays.

use std::sync::Arc;

use fupin_core::Error;
use fupin_core::engine::Results;
use fupin_core::registry::{Table, serde_name};
use fupin_core::results::{CompareOptions, ExitLevel, Outcome, exit_summary as summarise};
use numpy::{IntoPyArray, PyArrayDyn, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{from_json, reduce_json, table_to_py};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;

/// The outcome of `simulate` (see `fupin.Results` for the documented Python face).
#[pyclass(module = "fupin._native", name = "Results", frozen)]
#[derive(Debug)]
pub struct PyResults {
    inner: Arc<Results>,
}

impl PyResults {
    pub(crate) fn new(results: Results) -> Self {
        PyResults {
            inner: Arc::new(results),
        }
    }

    fn index(&self, py: Python<'_>, name: &str) -> PyResult<usize> {
        self.inner.scenario_index(name).py_err(py)
    }
}

/// A core table (or its error) as a dict of columns.
fn dict(py: Python<'_>, table: fupin_core::Result<Table>) -> Dict<'_> {
    table_to_py(py, table.py_err(py)?)
}

type Dict<'py> = PyResult<Bound<'py, PyDict>>;
type Values<'py> = PyResult<Bound<'py, PyArrayDyn<f64>>>;
type ByCounty<'py> = PyResult<(Vec<String>, Bound<'py, PyArrayDyn<f64>>)>;

#[pymethods]
impl PyResults {
    /// A table by name (`summary`, `villages`, `counties`, `households` of `scenario`,
    /// `county_spending`, `guarantee_losses`, `flows_by_cause`) as a dict of columns.
    #[pyo3(signature = (name, scenario=None))]
    fn table<'py>(&self, py: Python<'py>, name: &str, scenario: Option<&str>) -> Dict<'py> {
        dict(py, self.inner.table(name, scenario))
    }

    /// The run's `years`, `replications`, `seed`, `scenario_names` and `population`.
    fn info<'py>(&self, py: Python<'py>) -> Dict<'py> {
        let (r, out) = (&self.inner, PyDict::new(py));
        out.set_item("years", r.years.clone())?;
        out.set_item("replications", r.replications)?;
        out.set_item("seed", r.seed)?;
        let names: Vec<&String> = r.scenarios.iter().map(|s| &s.name).collect();
        out.set_item("scenario_names", names)?;
        out.set_item("population", r.population())?;
        Ok(out)
    }

    /// Per-replicate values of a scenario by `name`: an outcome's totals (replicates × years),
    /// `sustained_exits` (exited, not returned within `sustained_years`: replicates × years),
    /// `guarantee_losses` (defaulted microcredit, yuan: replicates × years) or `spending`
    /// (programme spending, yuan: replicates × years × categories).
    #[pyo3(signature = (scenario, name, sustained_years=0))]
    fn values<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
        name: &str,
        sustained_years: u32,
    ) -> Values<'py> {
        let (r, s) = (&self.inner, self.index(py, scenario)?);
        let values = match name {
            "spending" => r.spending_array(s).into_dyn(),
            "guarantee_losses" => r.guarantee_loss_values(s).into_dyn(),
            "sustained_exits" => r.sustained_exits(s, sustained_years).into_dyn(),
            outcome => {
                let outcome: Outcome =
                    from_json("measure", &format!("\"{outcome}\"")).py_err(py)?;
                r.replicate_values(s, outcome).into_dyn()
            }
        };
        Ok(values.into_pyarray(py))
    }

    /// Exit projections of a scenario at `level` by `deadline` (default: the last year).
    fn exit_projections<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
        level: &str,
        deadline: Option<i32>,
        conf_level: f64,
    ) -> Dict<'py> {
        let level: ExitLevel = level.parse().py_err(py)?;
        dict(
            py,
            self.inner
                .exit_projections(scenario, level, deadline, conf_level),
        )
    }

    /// Stored paths (`keep_paths=True`): income and poor, replicates × households × years.
    fn paths<'py>(&self, py: Python<'py>, scenario: &str) -> Dict<'py> {
        let s = self.index(py, scenario)?;
        let paths = self.inner.scenarios[s].paths.as_ref().ok_or_else(|| {
            let reason = "the run did not keep paths; pass keep_paths=True";
            Error::invalid_parameter("keep_paths", "False", reason)
        });
        let (income, poor) = paths.and_then(|p| p.arrays()).py_err(py)?;
        let out = PyDict::new(py);
        out.set_item("income", income.into_pyarray(py))?;
        out.set_item("poor", poor.into_pyarray(py))?;
        Ok(out)
    }

    /// Paired and unpaired differences `b − a` by quantity × year, as a dict of columns.
    fn compare<'py>(
        &self,
        py: Python<'py>,
        a: &str,
        b: &str,
        sustained_years: u32,
        level: f64,
    ) -> Dict<'py> {
        let options = CompareOptions {
            sustained_years,
            level,
        };
        let (inner, a, b) = (self.inner.clone(), a.to_string(), b.to_string());
        let table = run_short(py, move || inner.compare(&a, &b, &options)?.to_table())?;
        table_to_py(py, table)
    }

    /// Spending categories (measure names) of a scenario; empty without a policy.
    fn categories(&self, py: Python<'_>, scenario: &str) -> PyResult<Vec<String>> {
        let s = self.index(py, scenario)?;
        Ok(self.inner.scenarios[s].categories.clone())
    }

    /// Spending by scenario (or one) and fields `by`: mean, 5th and 95th percentiles.
    #[pyo3(signature = (by=vec!["measure".into(), "year".into()], scenario=None))]
    fn spending<'py>(&self, py: Python<'py>, by: Vec<String>, scenario: Option<&str>) -> Dict<'py> {
        let by: Vec<&str> = by.iter().map(String::as_str).collect();
        dict(py, self.inner.spending_by(&by, scenario))
    }

    /// Spending of a scenario by county × replicate × year × category, yuan, with the county ids.
    fn county_spending_values<'py>(&self, py: Python<'py>, scenario: &str) -> ByCounty<'py> {
        let (ids, values) = self.inner.county_spending_array(self.index(py, scenario)?);
        Ok((ids, values.into_dyn().into_pyarray(py)))
    }

    /// Merge the results of another shard of the same run (exact).
    fn merge(&self, py: Python<'_>, other: &PyResults) -> PyResult<PyResults> {
        let (mut merged, other) = ((*self.inner).clone(), other.inner.clone());
        let merged = run_short(py, move || merged.merge(&other).map(|()| merged))?;
        Ok(PyResults::new(merged))
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json().py_err(py)
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyResults> {
        Ok(PyResults::new(Results::from_json(text).py_err(py)?))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let other = other.cast::<PyResults>();
        other.is_ok_and(|o| *o.get().inner == *self.inner)
    }

    /// Pickle through the JSON form: `(Results.from_json, (json,))`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

/// Exit summary of a units × (years + 1) exit-year distribution over `replications` replicates:
/// P(exit by `deadline`) with its Wilson band, expected exit year, exit-year quantiles.
#[pyfunction]
fn exit_summary<'py>(
    py: Python<'py>,
    distribution: PyReadonlyArray2<'py, f64>,
    years: Vec<i32>,
    replications: u32,
    deadline: i32,
    conf_level: f64,
) -> Dict<'py> {
    let distribution = distribution.as_array().to_owned();
    dict(
        py,
        summarise(&distribution, &years, replications, deadline, conf_level),
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyResults>()?;
    m.add_function(wrap_pyfunction!(exit_summary, m)?)?;
    let outcomes: Vec<String> = Outcome::ALL.iter().map(serde_name).collect();
    m.add("OUTCOMES", outcomes)?;
    Ok(())
}
