//! The one error type of the crate.
//!
//! Every variant that concerns user data names the table, column, row and value, so a message can be
//! acted on without a debugger. Rows are 1-based positions among the data rows of a table (the first
//! household is row 1), which is also what a spreadsheet shows below its header line.

use std::path::PathBuf;

/// Result alias used across `fupin-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `fupin-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A required column is absent from an input table.
    #[error("{table}: required column `{column}` is missing")]
    MissingColumn { table: String, column: String },

    /// A cell holds a value that violates a rule (NaN, negative size, labour above size, …).
    #[error("{table}: column `{column}`, row {row}: value {value} {reason}")]
    InvalidValue {
        table: String,
        column: String,
        row: usize,
        value: String,
        reason: String,
    },

    /// Two rows share an identifier that must be unique.
    #[error(
        "{table}: column `{column}`, row {row}: duplicate id {value} (first seen in row {first_row})"
    )]
    DuplicateId {
        table: String,
        column: String,
        row: usize,
        value: String,
        first_row: usize,
    },

    /// A row refers to an id absent from the table it points to.
    #[error("{table}: column `{column}`, row {row}: {value} is not a known {target}")]
    UnknownReference {
        table: String,
        column: String,
        row: usize,
        value: String,
        target: String,
    },

    /// A column that fupin does not read but whose name is a near miss of one it does (`wieght`,
    /// `Weight`): refused, so a misspelt optional column never silently takes its default.
    #[error(
        "{table}: column `{column}` is not a column fupin reads; did you mean `{known}`? \
         (rename it to `{known}`, or drop it)"
    )]
    MisspeltColumn {
        table: String,
        column: String,
        known: String,
    },

    /// Columns of one table have different lengths.
    #[error("{table}: column `{column}` has {found} rows, expected {expected}")]
    LengthMismatch {
        table: String,
        column: String,
        expected: usize,
        found: usize,
    },

    /// An input table has no rows where at least one is needed.
    #[error("{table}: no rows")]
    Empty { table: String },

    /// A model, measure or run parameter is out of its domain.
    #[error("parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        name: String,
        value: String,
        reason: String,
    },

    /// A file could not be parsed (CSV, TOML, JSON).
    #[error("{path}: line {line}: {message}")]
    Parse {
        path: String,
        line: u64,
        message: String,
    },

    /// A CSV file is malformed: a ragged row, bytes that are not UTF-8, a duplicate header name,
    /// a record over the size limit. `row` (1-based data row; `None` for the header line),
    /// `column` and `value` are given where known; the message says all of it.
    #[error("{path}: line {line}: {message}")]
    Csv {
        path: String,
        line: u64,
        row: Option<usize>,
        column: Option<String>,
        value: Option<String>,
        message: String,
    },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A numerical procedure failed (singular matrix, no convergence, …).
    #[error("{what}: {reason}")]
    Numerical { what: String, reason: String },

    /// A long computation was stopped by its caller (Ctrl-C in Python).
    #[error("cancelled")]
    Cancelled,

    /// A bug in fupin (a broken internal invariant); never the caller's fault.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidValue`].
    pub fn invalid_value(
        table: impl Into<String>,
        column: impl Into<String>,
        row: usize,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            table: table.into(),
            column: column.into(),
            row,
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid_parameter(
        name: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// True for errors caused by the caller's data or parameters (Python's `ValidationError`).
    pub fn is_validation(&self) -> bool {
        !matches!(
            self,
            Error::Io { .. } | Error::Cancelled | Error::Numerical { .. } | Error::Internal(_)
        )
    }

    /// The column a data error names, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            Error::MissingColumn { column, .. }
            | Error::InvalidValue { column, .. }
            | Error::DuplicateId { column, .. }
            | Error::UnknownReference { column, .. }
            | Error::MisspeltColumn { column, .. }
            | Error::LengthMismatch { column, .. } => Some(column),
            Error::InvalidParameter { name, .. } => Some(name),
            Error::Csv { column, .. } => column.as_deref(),
            _ => None,
        }
    }

    /// The 1-based row a data error names, if any.
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::InvalidValue { row, .. }
            | Error::DuplicateId { row, .. }
            | Error::UnknownReference { row, .. } => Some(*row),
            Error::Csv { row, .. } => *row,
            _ => None,
        }
    }

    /// The offending value, as text, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Error::InvalidValue { value, .. }
            | Error::DuplicateId { value, .. }
            | Error::UnknownReference { value, .. }
            | Error::InvalidParameter { value, .. } => Some(value),
            Error::Csv { value, .. } => value.as_deref(),
            _ => None,
        }
    }
}

/// Return early with an [`Error::InvalidParameter`] unless `cond` holds.
#[macro_export]
macro_rules! ensure_param {
    ($cond:expr, $name:expr, $value:expr, $reason:expr) => {
        if !$cond {
            return Err($crate::Error::invalid_parameter($name, $value, $reason));
        }
    };
}
