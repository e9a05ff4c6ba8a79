//! The Alkire–Foster index (a frozen pyclass holding the core result, for `by_group`) and the
//! indicator presets.

use std::sync::Arc;

use fupin_core::targeting::{self, GroupMpi, IndicatorSet, Mpi};
use ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict};

use super::select::{Arr, group_codes};
use crate::convert::{fields_to_py, opt_vec, set_arrays, table_to_py, vec, whole_numbers};
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
    /// The index as a dict: k, h, a, m0, m1, m2 and the per-unit and per-indicator arrays.
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &*self.inner;
        let out = [("k", m.k), ("h", m.h), ("a", m.a), ("m0", m.m0)].into_py_dict(py)?;
        out.set_item("m1", m.m1)?;
        out.set_item("m2", m.m2)?;
        set_arrays(
            &out,
            [
                ("indicator_weights", m.indicator_weights.clone()),
                ("weights", m.weights.clone()),
                ("scores", m.scores.clone()),
                ("uncensored_headcount", m.uncensored_headcount.clone()),
                ("censored_headcount", m.censored_headcount.clone()),
                ("contribution", m.contribution.clone()),
            ],
        )?;
        out.set_item("poor", m.poor.clone().into_pyarray(py))?;
        out.set_item("deprivation", m.deprivation.clone().into_pyarray(py))?;
        out.set_item("gaps", m.gaps.clone().map(|g| g.into_pyarray(py)))?;
        Ok(out)
    }

    /// Decomposition by 0-based group codes: a dict of columns (one row per group) and the
    /// `groups × indicators` censored headcounts.
    #[pyo3(signature = (group, n_groups=None))]
    fn by_group<'py>(
        &self,
        py: Python<'py>,
        group: Arr<'_, i64>,
        n_groups: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let g = group_codes(py, "group", &group)?;
        let rows = run_short(py, || self.inner.by_group(&g, n_groups))?;
        let out = table_to_py(py, GroupMpi::table(&rows))?;
        let d = self.inner.indicator_weights.len();
        let censored =
            Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i].censored_headcount[j]);
        out.set_item("censored_headcount", censored.into_pyarray(py))?;
        Ok(out)
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!("Mpi(k={}, H={:.6}, A={:.6}, M0={:.6})", m.k, m.h, m.a, m.m0)
    }
}

/// The Alkire–Foster index of an `n × d` matrix of deprivations (0/1) or achievements (with
/// cutoffs).
#[pyfunction]
#[pyo3(signature = (indicators, indicator_weights, k, cutoffs=None, weights=None))]
pub(super) fn mpi(
    py: Python<'_>,
    indicators: PyReadonlyArray2<'_, f64>,
    indicator_weights: Arr<'_, f64>,
    k: f64,
    cutoffs: Option<Arr<'_, f64>>,
    weights: Option<Arr<'_, f64>>,
) -> PyResult<PyMpi> {
    let (x, iw) = (indicators.as_array().to_owned(), vec(&indicator_weights));
    let (z, w) = (opt_vec(cutoffs), opt_vec(weights));
    let work = || targeting::mpi(x.view(), &iw, k, z.as_deref(), w.as_deref());
    let m = run_short(py, work)?;
    Ok(PyMpi { inner: Arc::new(m) })
}

fn set_to_py<'py>(py: Python<'py>, s: IndicatorSet) -> PyResult<Bound<'py, PyDict>> {
    let out = fields_to_py(py, &s, &["weights", "cutoffs", "achievements"])?;
    set_arrays(&out, [("weights", s.weights), ("cutoffs", s.cutoffs)])?;
    out.set_item("achievements", s.achievements.into_pyarray(py))?;
    Ok(out)
}

/// The five looks (五看法) of every household of a registry.
#[pyfunction]
pub(super) fn five_looks<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
) -> PyResult<Bound<'py, PyDict>> {
    let reg = &registry.inner;
    set_to_py(py, run_short(py, || Ok(targeting::five_looks(reg)))?)
}

/// 两不愁三保障 of every household of a registry at poverty line `line`.
#[pyfunction]
#[pyo3(signature = (registry, line, dropouts=None))]
pub(super) fn two_assurances_three_guarantees<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    line: f64,
    dropouts: Option<Arr<'_, i64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let reason = "must be a count from 0 to 65535";
    let count =
        |a: Arr<'_, i64>| whole_numbers("households", "dropouts", &a, |_: u16| true, reason);
    let d = dropouts.map(count).transpose().py_err(py)?;
    let reg = &registry.inner;
    let work = || targeting::two_assurances_three_guarantees(reg, line, d.as_deref());
    let s = run_short(py, work)?;
    set_to_py(py, s)
}
