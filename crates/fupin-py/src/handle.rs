//! Parameter handles: frozen Python classes wrapping a core value in an `Arc`, made only by a
//! validating constructor (validated once, at construction), compared by their serde form, pickled
//! through their JSON (`__reduce__`) and shown by a short `__repr__`. One macro writes the common
//! methods so every handle behaves the same.

/// Declare a parameter handle `$py` (Python name `$name`) around the core type `$core`:
/// `param_handle! { PyPlan("Plan", Plan), parse, repr, { more #[pymethods] items } }`.
///
/// `parse` turns JSON text into a validated core value (the handle's `from_json`, also what
/// unpickling calls); `repr` writes the short summary. With `formats = Core::parse` (a core
/// `parse(text, format)`), the handle also has `parse(text, format="json")` and `to_toml()`.
macro_rules! param_handle {
    ($py:ident($name:literal, $core:ty), $parse:expr, $repr:expr, $(formats = $formats:path,)?
     { $($extra:tt)* }) => {
        #[doc = concat!("The native `", $name, "` parameter handle (see the `fupin` class of that name).")]
        #[pyclass(module = "fupin._native", name = $name, frozen)]
        #[derive(Debug, Clone)]
        pub struct $py {
            pub(crate) inner: std::sync::Arc<$core>,
        }

        impl $py {
            pub(crate) fn new(value: $core) -> Self {
                $py { inner: std::sync::Arc::new(value) }
            }
        }

        #[pymethods]
        impl $py {
            /// Parse and validate the JSON form.
            #[staticmethod]
            fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
                let parse: fn(&str) -> fupin_core::Result<$core> = $parse;
                Ok($py::new(crate::errors::IntoPyResult::py_err(parse(text), py)?))
            }

            /// The JSON form (every default filled in).
            fn to_json(&self, py: Python<'_>) -> PyResult<String> {
                crate::errors::IntoPyResult::py_err(crate::convert::to_json(&*self.inner), py)
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<$py>().is_ok_and(|o| {
                    crate::handle::same_serde(&*o.get().inner, &*self.inner)
                })
            }

            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
                crate::convert::reduce_json(slf, slf.get().to_json(slf.py())?)
            }

            fn __repr__(&self) -> String {
                let repr: fn(&$core) -> String = $repr;
                repr(&self.inner)
            }

            $(
                /// Parse and validate from `format` (`"json"` or `"toml"`) text.
                #[staticmethod]
                #[pyo3(signature = (text, format="json"))]
                fn parse(py: Python<'_>, text: &str, format: &str) -> PyResult<Self> {
                    crate::errors::IntoPyResult::py_err($formats(text, format).map($py::new), py)
                }

                /// The TOML form.
                fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
                    crate::errors::IntoPyResult::py_err(self.inner.to_toml(), py)
                }
            )?

            $($extra)*
        }
    };
}

pub(crate) use param_handle;

/// Whether two values have the same serde form (maps compared by key, not by order).
pub(crate) fn same_serde<T: serde::Serialize>(a: &T, b: &T) -> bool {
    match (serde_json::to_value(a), serde_json::to_value(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
