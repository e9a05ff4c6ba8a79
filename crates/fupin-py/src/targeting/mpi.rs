//! The Alkire–Foster index (a frozen pyclass holding the core result, for `by_group`) and the
//! indicator presets.

use std::sync::Arc;

use fupin_core::targeting::{self, GroupMpi, IndicatorSet, Mpi};
use ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::select::group_codes;
use crate::convert::{fields_to_py, table_to_py, whole_numbers};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;
use crate::registry::PyRegistry;

/// An Alkire–Foster index (see `fupin.targeting.mpi`).
#[pyclass(module = "fupin._native", name = "Mpi", frozen)]
#[derive(Debug)]
pub struct PyMpi {
    inner: Arc<Mpi>,
}

#[pymethods]
impl PyMpi {
    #[getter]
    fn k(&self) -> f64 {
        self.inner.k
    }
    #[getter]
    fn indicator_weights<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.indicator_weights.clone().into_pyarray(py)
    }
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.weights.clone().into_pyarray(py)
    }
    #[getter]
    fn deprivation<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<bool>> {
        self.inner.deprivation.clone().into_pyarray(py)
    }
    #[getter]
    fn gaps<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray2<f64>>> {
        self.inner.gaps.clone().map(|g| g.into_pyarray(py))
    }
    #[getter]
    fn scores<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.scores.clone().into_pyarray(py)
    }
    #[getter]
    fn poor<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        self.inner.poor.clone().into_pyarray(py)
    }
    #[getter]
    fn h(&self) -> f64 {
        self.inner.h
    }
    #[getter]
    fn a(&self) -> f64 {
        self.inner.a
    }
    #[getter]
    fn m0(&self) -> f64 {
        self.inner.m0
    }
    #[getter]
    fn m1(&self) -> Option<f64> {
        self.inner.m1
    }
    #[getter]
    fn m2(&self) -> Option<f64> {
        self.inner.m2
    }
    #[getter]
    fn uncensored_headcount<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.uncensored_headcount.clone().into_pyarray(py)
    }
    #[getter]
    fn censored_headcount<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.censored_headcount.clone().into_pyarray(py)
    }
    #[getter]
    fn contribution<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.contribution.clone().into_pyarray(py)
    }

    /// Decomposition by 0-based group codes: a dict of columns (one row per group) and the
    /// `groups × indicators` censored headcounts.
    #[pyo3(signature = (group, n_groups=None))]
    fn by_group<'py>(
        &self,
        py: Python<'py>,
        group: PyReadonlyArray1<'_, i64>,
        n_groups: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let g = group_codes(py, "group", &group)?;
        let inner = self.inner.clone();
        let rows = run_short(py, move || inner.by_group(&g, n_groups))?;
        let out = table_to_py(py, GroupMpi::table(&rows))?;
        let d = self.inner.indicator_weights.len();
        let censored =
            Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i].censored_headcount[j]);
        out.set_item("censored_headcount", censored.into_pyarray(py))?;
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "Mpi(k={}, H={:.6}, A={:.6}, M0={:.6})",
            self.inner.k, self.inner.h, self.inner.a, self.inner.m0
        )
    }
}

/// The Alkire–Foster index of an `n × d` matrix of deprivations (0/1) or achievements (with
/// cutoffs).
#[pyfunction]
#[pyo3(signature = (indicators, indicator_weights, k, cutoffs=None, weights=None))]
fn mpi(
    py: Python<'_>,
    indicators: PyReadonlyArray2<'_, f64>,
    indicator_weights: PyReadonlyArray1<'_, f64>,
    k: f64,
    cutoffs: Option<PyReadonlyArray1<'_, f64>>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<PyMpi> {
    let x = indicators.as_array().to_owned();
    let iw = indicator_weights.as_array().to_vec();
    let z = cutoffs.map(|c| c.as_array().to_vec());
    let w = weights.map(|w| w.as_array().to_vec());
    let m = run_short(py, move || {
        targeting::mpi(x.view(), &iw, k, z.as_deref(), w.as_deref())
    })?;
    Ok(PyMpi { inner: Arc::new(m) })
}

fn set_to_py<'py>(py: Python<'py>, s: IndicatorSet) -> PyResult<Bound<'py, PyDict>> {
    let out = fields_to_py(py, &s, &["weights", "cutoffs", "achievements"])?;
    out.set_item("weights", s.weights.into_pyarray(py))?;
    out.set_item("cutoffs", s.cutoffs.into_pyarray(py))?;
    out.set_item("achievements", s.achievements.into_pyarray(py))?;
    Ok(out)
}

/// The five looks (五看法) of every household of a registry.
#[pyfunction]
fn five_looks<'py>(py: Python<'py>, registry: &PyRegistry) -> PyResult<Bound<'py, PyDict>> {
    let reg = registry.inner.clone();
    let s = run_short(py, move || Ok(targeting::five_looks(&reg)))?;
    set_to_py(py, s)
}

/// 两不愁三保障 of every household of a registry at poverty line `line`.
#[pyfunction]
#[pyo3(signature = (registry, line, dropouts=None))]
fn two_assurances_three_guarantees<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    line: f64,
    dropouts: Option<PyReadonlyArray1<'_, i64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let count = |a: PyReadonlyArray1<'_, i64>| {
        whole_numbers(
            "households",
            "dropouts",
            &a,
            |_: u16| true,
            "must be a count from 0 to 65535",
        )
    };
    let d = dropouts.map(count).transpose().py_err(py)?;
    let reg = registry.inner.clone();
    let s = run_short(py, move || {
        targeting::two_assurances_three_guarantees(&reg, line, d.as_deref())
    })?;
    set_to_py(py, s)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMpi>()?;
    m.add_function(wrap_pyfunction!(mpi, m)?)?;
    m.add_function(wrap_pyfunction!(five_looks, m)?)?;
    m.add_function(wrap_pyfunction!(two_assurances_three_guarantees, m)?)?;
    Ok(())
}
