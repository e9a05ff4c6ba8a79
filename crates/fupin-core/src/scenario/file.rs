//! Scenario files: one [`Scenario`] or a file of `[[scenario]]` tables, in TOML or JSON, parsed
//! and validated; and scenarios written back as TOML. The format is defined here, next to
//! [`Scenario`], so that every front end (the Python binding, the CLI, Rust users) reads the same
//! files.

use serde::{Deserialize, Serialize};

use super::definition::Scenario;
use super::valid::ValidScenario;
use crate::error::{Error, Result};

/// A file of scenarios: `[[scenario]]` tables in TOML, `{"scenario": [...]}` in JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenarios, in file order.
    #[serde(default)]
    pub scenario: Vec<Scenario>,
}

/// The first 80 characters of `text`, marked when cut (for error values).
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// Malformed JSON, naming `what` and where.
fn json_error(what: &str, text: &str, e: &serde_json::Error) -> Error {
    Error::invalid_parameter(
        what,
        excerpt(text),
        format!("{e} (line {}, column {})", e.line(), e.column()),
    )
}

fn bad_format(format: &str) -> Error {
    Error::invalid_parameter("format", format, "must be \"json\" or \"toml\"")
}

impl ScenarioFile {
    /// Parse a file of scenarios (`format`: `"toml"` or `"json"`) and validate every scenario
    /// (once: the scenarios come back valid by construction).
    ///
    /// # Errors
    /// [`Error::Parse`] (with the line) for malformed TOML; [`Error::InvalidParameter`] naming
    /// `scenarios` for malformed JSON, `scenario` for a file without scenarios, `format` for
    /// another format, or the bad field of a scenario (as [`Scenario::validate`]).
    ///
    /// # Examples
    /// ```
    /// use fupin_core::scenario::ScenarioFile;
    /// let s = ScenarioFile::parse("[[scenario]]\nname = \"baseline\"\n", "toml")?;
    /// assert_eq!(s[0].name, "baseline");
    /// let f = ScenarioFile { scenario: vec![s[0].scenario().clone()] };
    /// assert!(ScenarioFile::parse(&f.to_toml()?, "toml").is_ok());
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn parse(text: &str, format: &str) -> Result<Vec<ValidScenario>> {
        let file: ScenarioFile = match format {
            "json" => serde_json::from_str(text).map_err(|e| json_error("scenarios", text, &e))?,
            "toml" => toml::from_str(text).map_err(|e| Error::Parse {
                path: "<scenarios TOML>".into(),
                line: e
                    .span()
                    .map_or(0, |s| text[..s.start].lines().count().max(1) as u64),
                message: e.message().to_string(),
            })?,
            other => return Err(bad_format(other)),
        };
        if file.scenario.is_empty() {
            return Err(Error::invalid_parameter(
                "scenario",
                excerpt(text),
                "no [[scenario]] tables found",
            ));
        }
        file.scenario.into_iter().map(ValidScenario::new).collect()
    }

    /// The scenarios as TOML `[[scenario]]` tables.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

impl Scenario {
    /// Parse one scenario (`format`: `"json"` or `"toml"`) and validate it (once: it comes back
    /// valid by construction).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario` for malformed text, `format` for another
    /// format, or the bad field (as [`Scenario::validate`]).
    pub fn parse(text: &str, format: &str) -> Result<ValidScenario> {
        let scenario: Scenario = match format {
            "json" => serde_json::from_str(text).map_err(|e| json_error("scenario", text, &e))?,
            "toml" => toml::from_str(text)
                .map_err(|e| Error::invalid_parameter("scenario", excerpt(text), e.to_string()))?,
            other => return Err(bad_format(other)),
        };
        ValidScenario::new(scenario)
    }

    /// The scenario as TOML.
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_parse_validate_and_round_trip() {
        let text = "[[scenario]]\nname = \"a\"\n\n[[scenario]]\nname = \"b\"\nline = { schedule = { \"2016\" = 3000.0 }, growth_after = 0.0 }\n";
        let read = ScenarioFile::parse(text, "toml").unwrap();
        let names: Vec<&str> = read.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let f = ScenarioFile {
            scenario: read.iter().map(|s| s.scenario().clone()).collect(),
        };
        let back = ScenarioFile::parse(&f.to_toml().unwrap(), "toml").unwrap();
        assert_eq!(back[1].line, read[1].line);
        let json = r#"{"scenario": [{"name": "j"}]}"#;
        assert_eq!(ScenarioFile::parse(json, "json").unwrap()[0].name, "j");

        let e = ScenarioFile::parse("", "toml").unwrap_err();
        assert_eq!(e.column(), Some("scenario"));
        let e = ScenarioFile::parse("[[scenario]]\nname = \" \"\n", "toml").unwrap_err();
        assert_eq!(e.column(), Some("scenario.name"));
        let e = ScenarioFile::parse("[[scenario]]\nname = 3\n", "toml").unwrap_err();
        assert!(matches!(e, Error::Parse { line: 2, .. }), "{e:?}");
        let e = ScenarioFile::parse("{", "json").unwrap_err();
        assert_eq!(e.column(), Some("scenarios"));
        assert_eq!(
            ScenarioFile::parse("", "yaml").unwrap_err().column(),
            Some("format")
        );
    }

    #[test]
    fn one_scenario_parses_in_either_format() {
        let s = Scenario::parse(r#"{"name": "x"}"#, "json").unwrap();
        let t = Scenario::parse(&s.to_toml().unwrap(), "toml").unwrap();
        assert_eq!(t.name, "x");
        let e = Scenario::parse("name = [", "toml").unwrap_err();
        assert_eq!(e.column(), Some("scenario"));
        let e = Scenario::parse(r#"{"name": ""}"#, "json").unwrap_err();
        assert_eq!(e.column(), Some("scenario.name"));
    }
}
