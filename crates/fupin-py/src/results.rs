//! The `Results` handle of a run. Every table converts by `convert::table_to_py` from the core's
//! `Table` (`Results::table` by name); per-replicate arrays and paths cross as NumPy arrays.

use std::sync::Arc;

use fupin_core::Error;
use fupin_core::engine::Results;
use fupin_core::registry::Table;
use fupin_core::results::{CompareOptions, ExitLevel, Outcome, exit_summary as summarise};
use numpy::{IntoPyArray, PyArray2, PyArray3, PyArrayDyn, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{from_json, table_to_py};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;

/// The outcome of `simulate` (see `fupin.Results` for the documented Python face).
#[pyclass(module = "fupin._native", name = "Results", frozen)]
#[derive(Debug)]
pub struct PyResults {
    inner: Arc<Results>,
    #[pyo3(get)]
    years: Vec<i32>,
    #[pyo3(get)]
    replications: u32,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    scenario_names: Vec<String>,
    #[pyo3(get)]
    population: u64,
}

impl PyResults {
    pub(crate) fn new(results: Results) -> Self {
        PyResults {
            years: results.years.clone(),
            replications: results.replications,
            seed: results.seed,
            scenario_names: results.scenarios.iter().map(|s| s.name.clone()).collect(),
            population: results.population(),
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
type Matrix<'py> = PyResult<Bound<'py, PyArray2<f64>>>;
type Cube<'py> = PyResult<Bound<'py, PyArray3<f64>>>;
type ByCounty<'py> = PyResult<(Vec<String>, Bound<'py, PyArrayDyn<f64>>)>;

#[pymethods]
impl PyResults {
    /// A table by name (`summary`, `villages`, `counties`, `households` of `scenario`,
    /// `county_spending`, `guarantee_losses`, `flows_by_cause`) as a dict of columns.
    #[pyo3(signature = (name, scenario=None))]
    fn table<'py>(&self, py: Python<'py>, name: &str, scenario: Option<&str>) -> Dict<'py> {
        dict(py, self.inner.table(name, scenario))
    }

    /// Per-replicate totals of one outcome (by its name): replicates × years.
    fn replicate_values<'py>(&self, py: Python<'py>, scenario: &str, measure: &str) -> Matrix<'py> {
        let s = self.index(py, scenario)?;
        let measure: Outcome = from_json("measure", &format!("\"{measure}\"")).py_err(py)?;
        Ok(self.inner.replicate_values(s, measure).into_pyarray(py))
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
        let r = &self.inner;
        dict(
            py,
            r.exit_projections(scenario, level, deadline, conf_level),
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

    /// Programme spending of a scenario by replicate × year × category, yuan.
    fn spending_values<'py>(&self, py: Python<'py>, scenario: &str) -> Cube<'py> {
        let s = self.index(py, scenario)?;
        Ok(self.inner.spending_array(s).into_pyarray(py))
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

    /// Guarantee-fund losses (defaulted microcredit) of a scenario by replicate × year, yuan.
    fn guarantee_loss_values<'py>(&self, py: Python<'py>, scenario: &str) -> Matrix<'py> {
        let s = self.index(py, scenario)?;
        Ok(self.inner.guarantee_loss_values(s).into_pyarray(py))
    }

    /// Sustained exits of a scenario (exited, not returned within `k` years): replicates × years.
    fn sustained_exits<'py>(&self, py: Python<'py>, scenario: &str, k: u32) -> Matrix<'py> {
        let s = self.index(py, scenario)?;
        Ok(self.inner.sustained_exits(s, k).into_pyarray(py))
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
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (slf.get().to_json(slf.py())?,)))
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
    Ok(())
}
