//! Parameter files: TOML and JSON read into serde types with the line of the first error, and
//! written back. Used by every module whose parameters are files (models, measures, policies,
//! budgets, scenarios, rules).
//!
//! A leaf: it imports only [`crate::error`].

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parse TOML into `T`, mapping errors to [`Error::Parse`] with the line.
pub(crate) fn parse_toml<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Parse {
        path: what.into(),
        line: e
            .span()
            .map_or(0, |s| text[..s.start].lines().count().max(1) as u64),
        message: e.message().to_string(),
    })
}

/// Parse JSON into `T`, mapping errors to [`Error::Parse`] with the line.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Parse {
        path: what.into(),
        line: e.line() as u64,
        message: e.to_string(),
    })
}

/// Write `value` as TOML.
pub(crate) fn write_toml<T: Serialize>(value: &T, what: &str) -> Result<String> {
    toml::to_string(value).map_err(|e| Error::Parse {
        path: what.into(),
        line: 0,
        message: e.to_string(),
    })
}

/// Write `value` as pretty JSON.
pub(crate) fn write_json<T: Serialize>(value: &T, what: &str) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Parse {
        path: what.into(),
        line: 0,
        message: e.to_string(),
    })
}
