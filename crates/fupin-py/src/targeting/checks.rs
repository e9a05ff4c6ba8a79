//! Exit standards (checklists as data), exit checks, record checks and dynamic adjustment.

use std::collections::BTreeMap;

use fupin_core::targeting::{
    self, Checklist, ExitData, HouseholdChange, Persons, RecordData, RecordRules,
};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyTuple};

use crate::convert::{fields_to_py, from_json, ids_from_py, reduce_json, table_to_py, to_json};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;
use crate::registry::PyRegistry;

type Extra<'py> = Option<BTreeMap<String, PyReadonlyArray1<'py, f64>>>;

fn extra(columns: Extra<'_>) -> BTreeMap<String, Vec<f64>> {
    columns
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.as_array().to_vec()))
        .collect()
}

fn flags(a: Option<PyReadonlyArray1<'_, bool>>) -> Option<Vec<bool>> {
    a.map(|a| a.as_array().to_vec())
}

/// Exit standards for households, villages and counties (see `fupin.targeting.Checklist`).
#[pyclass(module = "fupin._native", name = "Checklist", frozen)]
#[derive(Debug)]
pub struct PyChecklist {
    inner: Checklist,
}

#[pymethods]
impl PyChecklist {
    /// The national standard (2016 exit mechanism; county error rates of the 2017 rules).
    #[staticmethod]
    fn national() -> Self {
        PyChecklist {
            inner: Checklist::national(),
        }
    }
    /// Parse and validate TOML.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(PyChecklist {
            inner: Checklist::from_toml(text).py_err(py)?,
        })
    }
    /// Parse and validate JSON (the same schema as the TOML).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner: Checklist = from_json("checklist", text).py_err(py)?;
        inner.validate().py_err(py)?;
        Ok(PyChecklist { inner })
    }
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_toml().py_err(py)
    }
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&self.inner).py_err(py)
    }
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyChecklist>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "Checklist({:?}: {} household, {} village, {} county conditions)",
            self.inner.name,
            self.inner.household.len(),
            self.inner.village.len(),
            self.inner.county.len()
        )
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

/// Rules of the record checks (see `fupin.targeting.RecordRules`).
#[pyclass(module = "fupin._native", name = "RecordRules", frozen)]
#[derive(Debug)]
pub struct PyRecordRules {
    inner: RecordRules,
}

#[pymethods]
impl PyRecordRules {
    /// The default rules.
    #[staticmethod]
    fn default() -> Self {
        PyRecordRules {
            inner: RecordRules::default(),
        }
    }
    /// Parse and validate TOML (`[[rules]]` tables).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(PyRecordRules {
            inner: RecordRules::from_toml(text).py_err(py)?,
        })
    }
    /// Parse and validate JSON (`{"rules": [...]}`).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner: RecordRules = from_json("record rules", text).py_err(py)?;
        inner.validate().py_err(py)?;
        Ok(PyRecordRules { inner })
    }
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_toml().py_err(py)
    }
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&self.inner).py_err(py)
    }
    /// Rule names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner
            .rules
            .iter()
            .map(|r| r.name().to_string())
            .collect()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRecordRules>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!("RecordRules({})", self.names().join(", "))
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

/// Exit check of every household, village and county; a dict with one dict of columns per level.
#[pyfunction]
#[pyo3(signature = (registry, year, line, checklist=None, exited=None, household=None, village=None, county=None))]
#[allow(clippy::too_many_arguments)]
fn exit_check<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    year: i32,
    line: f64,
    checklist: Option<&PyChecklist>,
    exited: Option<PyReadonlyArray1<'_, bool>>,
    household: Extra<'_>,
    village: Extra<'_>,
    county: Extra<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let reg = registry.inner.clone();
    let list = checklist.map_or_else(Checklist::national, |c| c.inner.clone());
    let data = ExitData {
        exited: flags(exited),
        household: extra(household),
        village: extra(village),
        county: extra(county),
    };
    let r2 = reg.clone();
    let report = run_short(py, move || {
        targeting::exit_check_with(&r2, year, line, &list, &data)
    })?;
    let out = fields_to_py(py, &report, &["households", "villages", "counties"])?;
    let failing = [
        report
            .households
            .iter()
            .map(|x| &x.failing)
            .collect::<Vec<_>>(),
        report.villages.iter().map(|x| &x.failing).collect(),
        report.counties.iter().map(|x| &x.failing).collect(),
    ];
    let levels = ["households", "villages", "counties"].into_iter();
    for ((level, table), failing) in levels.zip(report.tables(&reg)).zip(failing) {
        let columns = table_to_py(py, table)?;
        columns.set_item("failing", failing)?;
        out.set_item(level, columns)?;
    }
    Ok(out)
}

/// Record checks; a dict of the flag columns and the skipped rules.
#[pyfunction]
#[pyo3(signature = (registry, line, rules=None, person_keys=None, person_households=None, exited=None, floor=None))]
#[allow(clippy::too_many_arguments)]
fn check_records<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    line: f64,
    rules: Option<&PyRecordRules>,
    person_keys: Option<Vec<String>>,
    person_households: Option<&Bound<'_, PyAny>>,
    exited: Option<PyReadonlyArray1<'_, bool>>,
    floor: Option<PyReadonlyArray1<'_, bool>>,
) -> PyResult<Bound<'py, PyDict>> {
    let reg = registry.inner.clone();
    let rules = rules.map_or_else(RecordRules::default, |r| r.inner.clone());
    let persons = match (person_keys, person_households) {
        (Some(key), Some(h)) => Some(Persons {
            key,
            household_id: ids_from_py(h)?,
        }),
        _ => None,
    };
    let (exited, floor) = (flags(exited), flags(floor));
    let r2 = reg.clone();
    let out = run_short(py, move || {
        let data = RecordData {
            persons: persons.as_ref(),
            exited: exited.as_deref(),
            floor: floor.as_deref(),
        };
        targeting::check_records(&r2, line, &rules, &data)
    })?;
    let d = table_to_py(py, out.to_table(&reg))?;
    let values = out.flags.iter().map(|f| f.values.clone().into_py_dict(py));
    d.set_item("values", values.collect::<PyResult<Vec<_>>>()?)?;
    d.set_item("skipped", out.skipped)?;
    Ok(d)
}

/// Dynamic adjustment from last year's registry and exit marks to this year's data.
#[pyfunction]
#[pyo3(signature = (old, exited, new, line, checklist=None, household=None))]
fn adjust<'py>(
    py: Python<'py>,
    old: &PyRegistry,
    exited: PyReadonlyArray1<'_, bool>,
    new: &PyRegistry,
    line: f64,
    checklist: Option<&PyChecklist>,
    household: Extra<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let (ro, rn) = (old.inner.clone(), new.inner.clone());
    let (ro2, rn2) = (ro.clone(), rn.clone());
    let ex = exited.as_array().to_vec();
    let list = checklist.map_or_else(Checklist::national, |c| c.inner.clone());
    let data = ExitData {
        household: extra(household),
        ..ExitData::default()
    };
    let a = run_short(py, move || {
        targeting::adjust_with(&ro2, &ex, &rn2, line, &list, &data)
    })?;
    let changes = table_to_py(py, a.to_table(&ro, &rn))?;
    let rows =
        |f: fn(&HouseholdChange) -> Option<usize>| a.changes.iter().map(f).collect::<Vec<_>>();
    changes.set_item("old_row", rows(|c| c.old_row))?;
    changes.set_item("new_row", rows(|c| c.new_row))?;
    changes.set_item(
        "failing",
        a.changes.iter().map(|c| &c.failing).collect::<Vec<_>>(),
    )?;
    let out = fields_to_py(py, &a, &["changes", "registered", "exited"])?;
    out.set_item("changes", changes)?;
    out.set_item("registered", a.registered.into_pyarray(py))?;
    out.set_item("exited", a.exited.into_pyarray(py))?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyChecklist>()?;
    m.add_class::<PyRecordRules>()?;
    m.add_function(wrap_pyfunction!(exit_check, m)?)?;
    m.add_function(wrap_pyfunction!(check_records, m)?)?;
    m.add_function(wrap_pyfunction!(adjust, m)?)?;
    Ok(())
}
