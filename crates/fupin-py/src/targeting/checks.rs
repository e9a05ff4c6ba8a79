//! Exit standards (checklists as data), exit checks, record checks and dynamic adjustment.

use std::collections::BTreeMap;

use fupin_core::targeting::{self, Checklist, ExitData, Persons, RecordData, RecordRules};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyTuple};

use crate::convert::{
    fields_to_py, from_json, ids_from_py, opt_vec, reduce_json, table_to_py, to_json, vec,
};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;
use crate::registry::PyRegistry;

type Extra<'py> = Option<BTreeMap<String, PyReadonlyArray1<'py, f64>>>;

fn checklist_or_national(checklist: Option<&PyChecklist>) -> Checklist {
    checklist.map_or_else(Checklist::national, |c| c.inner.clone())
}

fn extra(columns: Extra<'_>) -> BTreeMap<String, Vec<f64>> {
    let columns = columns.unwrap_or_default().into_iter();
    columns.map(|(k, v)| (k, vec(&v))).collect()
}

/// A frozen pyclass around a core rule set kept as data: the `$default` set, TOML and JSON
/// both ways (validated), equality, and pickling through JSON; `$extra` are its own methods.
macro_rules! rules_class {
    ($(#[$doc:meta])* $py:ident, $name:literal, $core:ty, $what:literal, $default:ident,
     { $($extra:tt)* }) => {
        $(#[$doc])*
        #[pyclass(module = "fupin._native", name = $name, frozen)]
        #[derive(Debug)]
        pub struct $py {
            inner: $core,
        }

        #[pymethods]
        impl $py {
            #[staticmethod]
            fn $default() -> Self {
                $py { inner: <$core>::$default() }
            }
            /// Parse and validate TOML.
            #[staticmethod]
            fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
                let inner = <$core>::from_toml(text).py_err(py)?;
                Ok($py { inner })
            }
            /// Parse and validate JSON (the same schema as the TOML).
            #[staticmethod]
            fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
                let inner: $core = from_json($what, text).py_err(py)?;
                inner.validate().py_err(py)?;
                Ok($py { inner })
            }
            fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
                self.inner.to_toml().py_err(py)
            }
            fn to_json(&self, py: Python<'_>) -> PyResult<String> {
                to_json(&self.inner).py_err(py)
            }
            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<$py>().is_ok_and(|o| o.get().inner == self.inner)
            }
            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
                reduce_json(slf, slf.get().to_json(slf.py())?)
            }
            $($extra)*
        }
    };
}

rules_class!(
    /// Exit standards for households, villages and counties (see `fupin.targeting.Checklist`);
    /// `national()` is the 2016 exit mechanism with the county error rates of the 2017 rules.
    PyChecklist, "Checklist", Checklist, "checklist", national, {
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }
    fn __repr__(&self) -> String {
        let c = &self.inner;
        let (h, v, k) = (c.household.len(), c.village.len(), c.county.len());
        format!("Checklist({:?}: {h} household, {v} village, {k} county conditions)", c.name)
    }
});

rules_class!(
    /// Rules of the record checks (see `fupin.targeting.RecordRules`); TOML as `[[rules]]`
    /// tables, JSON as `{"rules": [...]}`.
    PyRecordRules, "RecordRules", RecordRules, "record rules", default, {
    /// Rule names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.rules.iter().map(|r| r.name().to_string()).collect()
    }
    fn __repr__(&self) -> String {
        format!("RecordRules({})", self.names().join(", "))
    }
});

/// Exit check of every household, village and county; a dict with one dict of columns per level.
#[pyfunction]
#[pyo3(signature = (registry, year, line, checklist=None, exited=None, household=None, village=None, county=None))]
#[allow(clippy::too_many_arguments)]
pub(super) fn exit_check<'py>(
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
    let (reg, list) = (&registry.inner, checklist_or_national(checklist));
    let (exited, household) = (opt_vec(exited), extra(household));
    let (village, county) = (extra(village), extra(county));
    let data = ExitData {
        exited,
        household,
        village,
        county,
    };
    let work = || targeting::exit_check_with(reg, year, line, &list, &data);
    let report = run_short(py, work)?;
    let levels = ["households", "villages", "counties"];
    let out = fields_to_py(py, &report, &levels)?;
    let (h, v, c) = (&report.households, &report.villages, &report.counties);
    let failing: [Vec<_>; 3] = [
        h.iter().map(|x| &x.failing).collect(),
        v.iter().map(|x| &x.failing).collect(),
        c.iter().map(|x| &x.failing).collect(),
    ];
    for ((level, table), failing) in levels.into_iter().zip(report.tables(reg)).zip(failing) {
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
pub(super) fn check_records<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    line: f64,
    rules: Option<&PyRecordRules>,
    person_keys: Option<Vec<String>>,
    person_households: Option<&Bound<'_, PyAny>>,
    exited: Option<PyReadonlyArray1<'_, bool>>,
    floor: Option<PyReadonlyArray1<'_, bool>>,
) -> PyResult<Bound<'py, PyDict>> {
    let reg = &registry.inner;
    let rules = rules.map_or_else(RecordRules::default, |r| r.inner.clone());
    let persons = match (person_keys, person_households) {
        (Some(key), Some(h)) => Some(Persons {
            key,
            household_id: ids_from_py(h)?,
        }),
        _ => None,
    };
    let (exited, floor) = (opt_vec(exited), opt_vec(floor));
    let (exited, floor) = (exited.as_deref(), floor.as_deref());
    let data = RecordData {
        persons: persons.as_ref(),
        exited,
        floor,
    };
    let out = run_short(py, || targeting::check_records(reg, line, &rules, &data))?;
    let d = table_to_py(py, out.to_table(reg))?;
    let values = out.flags.iter().map(|f| f.values.clone().into_py_dict(py));
    d.set_item("values", values.collect::<PyResult<Vec<_>>>()?)?;
    d.set_item("skipped", out.skipped)?;
    Ok(d)
}

/// Dynamic adjustment from last year's registry and exit marks to this year's data.
#[pyfunction]
#[pyo3(signature = (old, exited, new, line, checklist=None, household=None))]
pub(super) fn adjust<'py>(
    py: Python<'py>,
    old: &PyRegistry,
    exited: PyReadonlyArray1<'_, bool>,
    new: &PyRegistry,
    line: f64,
    checklist: Option<&PyChecklist>,
    household: Extra<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let (ro, rn, ex) = (&old.inner, &new.inner, vec(&exited));
    let list = checklist_or_national(checklist);
    let data = ExitData {
        household: extra(household),
        ..ExitData::default()
    };
    let work = || targeting::adjust_with(ro, &ex, rn, line, &list, &data);
    let a = run_short(py, work)?;
    let changes = table_to_py(py, a.to_table(ro, rn))?;
    let c = &a.changes;
    changes.set_item("old_row", c.iter().map(|c| c.old_row).collect::<Vec<_>>())?;
    changes.set_item("new_row", c.iter().map(|c| c.new_row).collect::<Vec<_>>())?;
    changes.set_item("failing", c.iter().map(|c| &c.failing).collect::<Vec<_>>())?;
    let out = fields_to_py(py, &a, &["changes", "registered", "exited"])?;
    out.set_item("changes", changes)?;
    out.set_item("registered", a.registered.into_pyarray(py))?;
    out.set_item("exited", a.exited.into_pyarray(py))?;
    Ok(out)
}
