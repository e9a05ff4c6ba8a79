//! `fupin._native.Registry`: the column-wise registry, with tables crossing as NumPy arrays
//! (numbers, flags) and lists (text).

use fupin_core::Registry;
use fupin_core::registry::csv_io;
use fupin_core::registry::unread_columns_warning;
use numpy::IntoPyArray;
use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::ffi::CString;

use crate::convert::{table_from_py, table_to_py};
use crate::errors::validation;
use crate::long_call::{run_long, run_short};

/// A validated household registry (see `fupin.Registry` for the documented Python face).
#[pyclass(module = "fupin._native", name = "Registry", frozen)]
#[derive(Debug)]
pub struct PyRegistry {
    pub inner: std::sync::Arc<Registry>,
}

impl PyRegistry {
    pub fn wrap(registry: Registry) -> Self {
        PyRegistry {
            inner: std::sync::Arc::new(registry),
        }
    }
}

/// A `UserWarning` at the caller of the Python wrapper (`Registry.from_frame` / `read_csv`)
/// listing the columns that were not read, so that none vanishes without a word.
fn warn_unread(py: Python<'_>, unread: Option<String>) -> PyResult<()> {
    let Some(message) = unread else { return Ok(()) };
    let message =
        CString::new(message.replace('\0', "\\0")).map_err(|e| validation(py, e.to_string()))?;
    PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 2)
}

#[pymethods]
impl PyRegistry {
    /// Build a registry from column dicts (name → array or list).
    #[staticmethod]
    #[pyo3(signature = (households, villages=None, households_name="households", villages_name="villages"))]
    fn from_columns(
        py: Python<'_>,
        households: &Bound<'_, PyDict>,
        villages: Option<&Bound<'_, PyDict>>,
        households_name: &str,
        villages_name: &str,
    ) -> PyResult<Self> {
        let ht = table_from_py(py, households_name, households)?;
        let vt = villages
            .map(|v| table_from_py(py, villages_name, v))
            .transpose()?;
        let unread = unread_columns_warning(&ht, vt.as_ref());
        let registry = run_long(py, None, move |_| Registry::from_tables(&ht, vt.as_ref()))?;
        warn_unread(py, unread)?;
        Ok(PyRegistry::wrap(registry))
    }

    /// Read a registry from CSV files.
    #[staticmethod]
    #[pyo3(signature = (households, villages=None))]
    fn read_csv(
        py: Python<'_>,
        households: std::path::PathBuf,
        villages: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let (registry, unread) = run_long(py, None, move |_| {
            let ht = csv_io::read_csv(&households)?;
            let vt = villages.map(csv_io::read_csv).transpose()?;
            let registry = Registry::from_tables(&ht, vt.as_ref())?;
            Ok((registry, unread_columns_warning(&ht, vt.as_ref())))
        })?;
        warn_unread(py, unread)?;
        Ok(PyRegistry::wrap(registry))
    }

    /// Write households (and optionally villages) as CSV.
    #[pyo3(signature = (households, villages=None))]
    fn write_csv(
        &self,
        py: Python<'_>,
        households: std::path::PathBuf,
        villages: Option<std::path::PathBuf>,
    ) -> PyResult<()> {
        let reg = self.inner.clone();
        run_short(py, move || {
            csv_io::write_csv(&reg.households_table(), &households)?;
            if let Some(v) = villages {
                csv_io::write_csv(&reg.villages_table(), &v)?;
            }
            Ok(())
        })
    }

    /// The `households` or `villages` table as a dict of NumPy arrays (numbers, flags) and lists
    /// (text).
    fn columns<'py>(&self, py: Python<'py>, table: &str) -> PyResult<Bound<'py, PyDict>> {
        match table {
            "households" => table_to_py(py, self.inner.households_table()),
            "villages" => table_to_py(py, self.inner.villages_table()),
            other => Err(validation(
                py,
                format!("no table {other:?} (households, villages)"),
            )),
        }
    }

    /// Per-capita incomes (yuan per person per year) as a float64 array.
    fn incomes<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        self.inner
            .households()
            .income_per_capita
            .clone()
            .into_pyarray(py)
    }

    /// Keep the households at 0-based `rows` (all villages and counties stay).
    fn select(&self, py: Python<'_>, rows: Vec<usize>) -> PyResult<Self> {
        let reg = self.inner.clone();
        Ok(PyRegistry::wrap(run_short(py, move || reg.select(&rows))?))
    }

    /// The counts: `n_households`, `n_villages`, `n_counties`, `poor_villages` (designated),
    /// `registered_households` and `registered_people` (weighted).
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (r, out) = (&self.inner, PyDict::new(py));
        out.set_item("n_households", r.n_households())?;
        out.set_item("n_villages", r.n_villages())?;
        out.set_item("n_counties", r.n_counties())?;
        out.set_item(
            "poor_villages",
            r.villages().poor.iter().filter(|&&p| p).count(),
        )?;
        out.set_item("registered_households", r.registered_households())?;
        out.set_item("registered_people", r.registered_people())?;
        Ok(out)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRegistry>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    /// Pickle as the two column dicts (large arrays travel as NumPy arrays).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let ctor = py.get_type::<PyRegistry>().getattr("from_columns")?;
        let args = (
            this.columns(py, "households")?,
            this.columns(py, "villages")?,
        );
        PyTuple::new(py, [ctor.into_any(), args.into_pyobject(py)?.into_any()])
    }
}
