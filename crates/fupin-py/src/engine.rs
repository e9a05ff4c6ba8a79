//! Bindings of `fupin_core::engine`: the `Results` handle (`simulate` is bound with the scenario
//! layer, in `scenario.rs`); tables come back as dicts of NumPy columns.

use std::sync::Arc;

use fupin_core::Error;
use fupin_core::engine::Results;
use fupin_core::results::{CompareOptions, Outcome};
use ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyArray3, PyArrayDyn};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{from_json, ids_to_py};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;

/// The outcome of `simulate` (see `fupin.Results` for the documented Python face).
#[pyclass(module = "fupin._native", name = "Results", frozen)]
#[derive(Debug)]
pub struct PyResults {
    inner: Arc<Results>,
}

fn matrix(py: Python<'_>, a: Array2<f64>) -> Bound<'_, PyArray2<f64>> {
    a.into_pyarray(py)
}

impl PyResults {
    pub(crate) fn new(results: Results) -> Self {
        PyResults {
            inner: Arc::new(results),
        }
    }

    fn scenario_index(&self, py: Python<'_>, name: &str) -> PyResult<usize> {
        self.inner.scenario_index(name).py_err(py)
    }
}

#[pymethods]
impl PyResults {
    #[getter]
    fn years(&self) -> Vec<i32> {
        self.inner.years.clone()
    }

    #[getter]
    fn replications(&self) -> u32 {
        self.inner.replications
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    #[getter]
    fn scenario_names(&self) -> Vec<String> {
        self.inner
            .scenario_names()
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[getter]
    fn population(&self) -> u64 {
        self.inner.population()
    }

    /// Yearly summary, one row per scenario × year, as a dict of columns.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.summary();
        let out = PyDict::new(py);
        out.set_item("scenario", s.scenario)?;
        out.set_item("year", s.year.into_pyarray(py))?;
        for (name, v) in [
            ("poor_households_mean", s.poor_households_mean),
            ("poor_households_p5", s.poor_households_p5),
            ("poor_households_p95", s.poor_households_p95),
            ("poor_people_mean", s.poor_people_mean),
            ("poor_people_p5", s.poor_people_p5),
            ("poor_people_p95", s.poor_people_p95),
            ("headcount_ratio", s.headcount_ratio),
            ("income_headcount_ratio", s.income_headcount_ratio),
            ("fgt1", s.fgt1),
            ("fgt2", s.fgt2),
            ("exits_mean", s.exits_mean),
            ("returns_mean", s.returns_mean),
            ("entrants_mean", s.entrants_mean),
            ("mean_income", s.mean_income),
            ("health_spending", s.health_spending),
            ("programme_spending", s.programme_spending),
        ] {
            out.set_item(name, v.into_pyarray(py))?;
        }
        Ok(out)
    }

    /// Per-replicate totals of one measure: replicates × years.
    fn replicate_values<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
        measure: &str,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let s = self.scenario_index(py, scenario)?;
        let measure: Outcome = from_json("measure", &format!("\"{measure}\"")).py_err(py)?;
        Ok(matrix(py, self.inner.replicate_values(s, measure)))
    }

    /// Villages: ids, county index, population, threshold, and the exit-year distribution
    /// (villages × (years + 1)) and mean poor people (villages × years) of a scenario.
    fn villages<'py>(&self, py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyDict>> {
        let s = self.scenario_index(py, scenario)?;
        let g = &self.inner.villages;
        let out = PyDict::new(py);
        out.set_item("village_id", ids_to_py(py, &g.ids)?)?;
        let county_ids: Vec<usize> = g.county.iter().map(|&c| c as usize).collect();
        out.set_item(
            "county_id",
            ids_to_py(py, &self.inner.counties.ids.take(&county_ids))?,
        )?;
        out.set_item("population", g.population.clone().into_pyarray(py))?;
        out.set_item("threshold", g.threshold.clone().into_pyarray(py))?;
        out.set_item(
            "exit_distribution",
            matrix(py, self.inner.village_exit_distribution(s)),
        )?;
        out.set_item(
            "mean_poor_people",
            matrix(py, self.inner.village_mean_poor_people(s)),
        )?;
        Ok(out)
    }

    /// Counties: ids, population, threshold, exit-year distribution (counties × (years + 1)).
    fn counties<'py>(&self, py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyDict>> {
        let s = self.scenario_index(py, scenario)?;
        let g = &self.inner.counties;
        let out = PyDict::new(py);
        out.set_item("county_id", ids_to_py(py, &g.ids)?)?;
        out.set_item("population", g.population.clone().into_pyarray(py))?;
        out.set_item("threshold", g.threshold.clone().into_pyarray(py))?;
        out.set_item(
            "exit_distribution",
            matrix(py, self.inner.county_exit_distribution(s)),
        )?;
        Ok(out)
    }

    /// Households: ids, probability of having exited by each year (households × years), expected
    /// first exit year given an exit, share never exiting, probability of return given an exit.
    fn households<'py>(&self, py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyDict>> {
        let s = self.scenario_index(py, scenario)?;
        let exit = self.inner.household_exit_probability(s).py_err(py)?;
        let summary = self.inner.household_exit_summary(s).py_err(py)?;
        let out = PyDict::new(py);
        out.set_item("household_id", ids_to_py(py, &self.inner.household_ids)?)?;
        out.set_item("exited_by_year", matrix(py, exit))?;
        out.set_item(
            "expected_exit_year",
            summary.expected_exit_year.into_pyarray(py),
        )?;
        out.set_item(
            "never_exit_share",
            summary.never_exit_share.into_pyarray(py),
        )?;
        out.set_item(
            "return_probability",
            summary.return_probability.into_pyarray(py),
        )?;
        Ok(out)
    }

    /// Stored paths of a scenario (runs with `keep_paths=True`): income and poor flags as
    /// replicates × households × years arrays.
    fn paths<'py>(&self, py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyDict>> {
        let s = self.scenario_index(py, scenario)?;
        let paths = self.inner.scenarios[s].paths.as_ref().ok_or_else(|| {
            crate::errors::to_py(
                py,
                Error::invalid_parameter(
                    "keep_paths",
                    "False",
                    "the run did not keep paths; pass keep_paths=True",
                ),
            )
        })?;
        let shape = (paths.replications as usize, paths.households, paths.years);
        let income = ndarray::Array3::from_shape_vec(shape, paths.income.clone())
            .map_err(|e| crate::errors::to_py(py, Error::Internal(e.to_string())))?;
        let poor = ndarray::Array3::from_shape_vec(shape, paths.poor.clone())
            .map_err(|e| crate::errors::to_py(py, Error::Internal(e.to_string())))?;
        let out = PyDict::new(py);
        out.set_item("income", income.into_pyarray(py))?;
        out.set_item("poor", poor.into_pyarray(py))?;
        Ok(out)
    }

    /// Paired and unpaired differences `b − a` by quantity × year, as a dict of columns.
    #[pyo3(signature = (a, b, sustained_years=2, level=0.95))]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        a: &str,
        b: &str,
        sustained_years: u32,
        level: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = CompareOptions {
            sustained_years,
            level,
        };
        let (inner, a, b) = (self.inner.clone(), a.to_string(), b.to_string());
        let c = run_short(py, move || inner.compare(&a, &b, &options))?;
        let out = PyDict::new(py);
        out.set_item("quantity", c.quantity)?;
        out.set_item("year", c.year.into_pyarray(py))?;
        for (name, v) in [
            ("mean_a", c.mean_a),
            ("mean_b", c.mean_b),
            ("difference", c.difference),
            ("paired_se", c.paired_se),
            ("paired_low", c.paired_low),
            ("paired_high", c.paired_high),
            ("unpaired_se", c.unpaired_se),
            ("unpaired_low", c.unpaired_low),
            ("unpaired_high", c.unpaired_high),
        ] {
            out.set_item(name, v.into_pyarray(py))?;
        }
        Ok(out)
    }

    /// Spending categories (measure names) of a scenario; empty without a policy.
    fn categories(&self, py: Python<'_>, scenario: &str) -> PyResult<Vec<String>> {
        let s = self.scenario_index(py, scenario)?;
        Ok(self.inner.scenarios[s].categories.clone())
    }

    /// Programme spending of a scenario by replicate × year × category, yuan.
    fn spending_values<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
    ) -> PyResult<Bound<'py, PyArray3<f64>>> {
        let s = self.scenario_index(py, scenario)?;
        let k_n = self.inner.scenarios[s].categories.len();
        let shape = (self.inner.replications as usize, self.inner.n_years(), k_n);
        let mut out = ndarray::Array3::<f64>::zeros(shape);
        for k in 0..k_n {
            let v = self.inner.spending_values(s, k);
            out.index_axis_mut(ndarray::Axis(2), k).assign(&v);
        }
        Ok(out.into_pyarray(py))
    }

    /// Spending by scenario × year × measure (mean, 5th and 95th percentiles over replicates).
    fn spending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.inner.spending();
        let out = PyDict::new(py);
        out.set_item("scenario", t.scenario)?;
        out.set_item("year", t.year.into_pyarray(py))?;
        out.set_item("measure", t.measure)?;
        out.set_item("mean", t.mean.into_pyarray(py))?;
        out.set_item("p5", t.p5.into_pyarray(py))?;
        out.set_item("p95", t.p95.into_pyarray(py))?;
        Ok(out)
    }

    /// Guarantee-fund losses (defaulted microcredit) of a scenario by replicate × year, yuan.
    fn guarantee_loss_values<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let s = self.scenario_index(py, scenario)?;
        Ok(matrix(py, self.inner.guarantee_loss_values(s)))
    }

    /// Spending by scenario × county × year × measure (mean, 5th and 95th percentiles over
    /// replicates; rows with spending only).
    fn county_spending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.inner.county_spending();
        let out = PyDict::new(py);
        out.set_item("scenario", t.scenario)?;
        out.set_item("county_id", t.county)?;
        out.set_item("year", t.year.into_pyarray(py))?;
        out.set_item("measure", t.measure)?;
        out.set_item("mean", t.mean.into_pyarray(py))?;
        out.set_item("p5", t.p5.into_pyarray(py))?;
        out.set_item("p95", t.p95.into_pyarray(py))?;
        Ok(out)
    }

    /// Spending of a scenario by county × replicate × year × category, yuan, with the county ids
    /// (dense order).
    fn county_spending_values<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
    ) -> PyResult<(Vec<String>, Bound<'py, PyArrayDyn<f64>>)> {
        let s = self.scenario_index(py, scenario)?;
        let k_n = self.inner.scenarios[s].categories.len();
        let nc = self.inner.counties.population.len();
        let (reps, t_n) = (self.inner.replications as usize, self.inner.n_years());
        let mut out = ndarray::Array4::<f64>::zeros((nc, reps, t_n, k_n));
        for c in 0..nc {
            for k in 0..k_n {
                let v = self.inner.county_spending_values(s, c, k);
                out.index_axis_mut(ndarray::Axis(0), c)
                    .index_axis_mut(ndarray::Axis(2), k)
                    .assign(&v);
            }
        }
        let ids = (0..nc)
            .map(|c| self.inner.counties.ids.display(c))
            .collect();
        Ok((ids, out.into_dyn().into_pyarray(py)))
    }

    /// Mean exits and returns by scenario × year × primary cause (rows with any flow only).
    fn flows_by_cause<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.inner.flows_by_cause();
        let out = PyDict::new(py);
        out.set_item("scenario", t.scenario)?;
        out.set_item("year", t.year.into_pyarray(py))?;
        out.set_item("cause", t.cause)?;
        out.set_item("exits", t.exits_mean.into_pyarray(py))?;
        out.set_item("returns", t.returns_mean.into_pyarray(py))?;
        Ok(out)
    }

    /// Sustained exits of a scenario (exited, not returned within `k` years): replicates × years.
    fn sustained_exits<'py>(
        &self,
        py: Python<'py>,
        scenario: &str,
        k: u32,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let s = self.scenario_index(py, scenario)?;
        Ok(matrix(py, self.inner.sustained_exits(s, k)))
    }

    /// Merge the results of another shard of the same run (exact).
    fn merge(&self, py: Python<'_>, other: &PyResults) -> PyResult<PyResults> {
        let mut merged = (*self.inner).clone();
        let other = other.inner.clone();
        let merged = run_short(py, move || merged.merge(&other).map(|()| merged))?;
        Ok(PyResults {
            inner: Arc::new(merged),
        })
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json().py_err(py)
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyResults> {
        Ok(PyResults {
            inner: Arc::new(Results::from_json(text).py_err(py)?),
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyResults>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = py.get_type::<PyResults>().getattr("from_json")?;
        let args = (slf.get().to_json(py)?,);
        PyTuple::new(py, [ctor.into_any(), args.into_pyobject(py)?.into_any()])
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyResults>()?;
    Ok(())
}
