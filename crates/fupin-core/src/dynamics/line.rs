//! The poverty line as a schedule by calendar year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A poverty line: yuan per person per year (nominal), one value per calendar year.
///
/// Years before the first entry take the first value; years after the last entry take the last
/// value grown by `growth_after` a year (0 by default: held constant).
///
/// The default is China's national rural poverty line, 2,300 yuan a person a year at 2010 prices
/// (State Council, 中国农村扶贫开发纲要 2011–2020), at the current prices published by the National
/// Bureau of Statistics (NBS, 中国农村贫困监测报告, yearly editions; statistical communiqués):
///
/// | year | 2010 | 2011 | 2012 | 2013 | 2014 | 2015 | 2016 | 2017 | 2018 | 2019 | 2020 |
/// | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
/// | yuan | 2,300 | 2,536 | 2,625 | 2,736 | 2,800 | 2,855 | 2,952 | 2,952 | 2,995 | 3,218 | 4,000 |
///
/// The 2010–2016, 2018 and 2019 figures are the NBS current-price lines as we recall them from the
/// monitoring reports; 2017 repeats 2016 (the report's figure is within a few yuan of it); 2020 is the
/// "about 4,000 yuan" widely cited by the State Council Leading Group Office of Poverty Alleviation
/// (LGOP) for the final year (it folds in the 两不愁 food-and-clothing standard). Treat the schedule as
/// approximate to ±2 % and override it where a province used its own, higher line.
///
/// # Examples
/// ```
/// use fupin_core::dynamics::PovertyLine;
/// let line = PovertyLine::national();
/// assert_eq!(line.at(2014), 2800.0);
/// assert_eq!(line.at(2020), 4000.0);
/// assert_eq!(line.at(2025), 4000.0); // held after the last year
/// let flat = PovertyLine::constant(3000.0);
/// assert_eq!(flat.at(1999), 3000.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PovertyLine {
    /// Yuan per person per year by calendar year (at least one entry, all finite and ≥ 0).
    /// In TOML: `[line.schedule]` with keys as quoted years, `"2014" = 2800.0`.
    pub schedule: BTreeMap<i32, f64>,
    /// Yearly growth of the line after the last scheduled year (0: held constant).
    #[serde(default)]
    pub growth_after: f64,
}

impl Default for PovertyLine {
    fn default() -> Self {
        PovertyLine::national()
    }
}

impl PovertyLine {
    /// The national line schedule (see the type's documentation for values and sources).
    pub fn national() -> Self {
        let schedule = [
            (2010, 2300.0),
            (2011, 2536.0),
            (2012, 2625.0),
            (2013, 2736.0),
            (2014, 2800.0),
            (2015, 2855.0),
            (2016, 2952.0),
            (2017, 2952.0),
            (2018, 2995.0),
            (2019, 3218.0),
            (2020, 4000.0),
        ]
        .into_iter()
        .collect();
        PovertyLine {
            schedule,
            growth_after: 0.0,
        }
    }

    /// The same line in every year.
    pub fn constant(yuan: f64) -> Self {
        PovertyLine {
            schedule: [(2000, yuan)].into_iter().collect(),
            growth_after: 0.0,
        }
    }

    /// The line in `year`, yuan per person per year.
    pub fn at(&self, year: i32) -> f64 {
        if let Some(v) = self.schedule.get(&year) {
            return *v;
        }
        let (Some((&first, &first_v)), Some((&last, &last_v))) = (
            self.schedule.iter().next(),
            self.schedule.iter().next_back(),
        ) else {
            return 0.0;
        };
        if year < first {
            first_v
        } else if year > last {
            last_v * (1.0 + self.growth_after).powi(year - last)
        } else {
            // Between two scheduled years: hold the previous entry.
            self.schedule
                .range(..year)
                .next_back()
                .map_or(first_v, |(_, &v)| v)
        }
    }

    /// Check the schedule: at least one year, finite non-negative values, growth > −1.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `line.schedule.<year>` or `line.growth_after`.
    pub fn validate(&self) -> Result<()> {
        if self.schedule.is_empty() {
            return Err(Error::invalid_parameter(
                "line.schedule",
                "{}",
                "needs at least one year",
            ));
        }
        for (year, v) in &self.schedule {
            super::model::model_money(&format!("line.schedule.{year}"), *v)?;
        }
        super::model::growth_rate("line.growth_after", self.growth_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_lookup_before_between_and_after() {
        let mut line = PovertyLine {
            schedule: [(2014, 2800.0), (2016, 3000.0)].into_iter().collect(),
            growth_after: 0.1,
        };
        assert_eq!(line.at(2010), 2800.0);
        assert_eq!(line.at(2015), 2800.0);
        assert_eq!(line.at(2016), 3000.0);
        assert!((line.at(2018) - 3000.0 * 1.21).abs() < 1e-9);
        line.growth_after = 0.0;
        assert_eq!(line.at(2030), 3000.0);
    }

    #[test]
    fn national_values() {
        let l = PovertyLine::national();
        assert_eq!(l.at(2014), 2800.0);
        assert_eq!(l.at(2019), 3218.0);
        assert_eq!(l.at(2009), 2300.0);
        l.validate().unwrap();
    }

    #[test]
    fn validation_names_the_year() {
        let mut l = PovertyLine::national();
        l.schedule.insert(2017, f64::NAN);
        let e = l.validate().unwrap_err();
        assert_eq!(e.column(), Some("line.schedule.2017"));
        let mut l = PovertyLine::constant(1.0);
        l.growth_after = -1.5;
        assert_eq!(
            l.validate().unwrap_err().column(),
            Some("line.growth_after")
        );
        let empty = PovertyLine {
            schedule: BTreeMap::new(),
            growth_after: 0.0,
        };
        assert_eq!(
            empty.validate().unwrap_err().column(),
            Some("line.schedule")
        );
        assert_eq!(empty.at(2015), 0.0);
    }
}
