//! The poverty line as a schedule by calendar year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The earliest calendar year a line may schedule or be asked for.
pub const MIN_YEAR: i32 = 1900;
/// The latest calendar year a line may schedule or be asked for (the engine runs at most 200
/// years from a first year of at most 2200).
pub const MAX_YEAR: i32 = 2399;

/// A poverty line: yuan per person per year (nominal), one value per calendar year.
///
/// The line is defined from its first scheduled year on: a year between two entries takes the
/// earlier entry; years after the last entry take the last value grown by `growth_after` a year
/// (0 by default: held constant) — an explicit extrapolation. A year before the first entry has
/// no line: [`PovertyLine::at`] refuses it (nothing falls back to the nearest scheduled year), as
/// it refuses years outside [`MIN_YEAR`]`..=`[`MAX_YEAR`]. [`PovertyLine::constant`] schedules its
/// value from [`MIN_YEAR`], so it holds in every year.
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
/// assert_eq!(line.at(2014)?, 2800.0);
/// assert_eq!(line.at(2020)?, 4000.0);
/// assert_eq!(line.at(2025)?, 4000.0); // held after the last year (growth_after = 0)
/// assert!(line.at(1990).is_err()); // before the schedule: no line
/// let flat = PovertyLine::constant(3000.0);
/// assert_eq!(flat.at(1999)?, 3000.0);
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PovertyLine {
    /// Yuan per person per year by calendar year (at least one entry, all finite and ≥ 0, years in
    /// [`MIN_YEAR`]`..=`[`MAX_YEAR`]).
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

    /// The same line in every year (scheduled from [`MIN_YEAR`]).
    pub fn constant(yuan: f64) -> Self {
        PovertyLine {
            schedule: [(MIN_YEAR, yuan)].into_iter().collect(),
            growth_after: 0.0,
        }
    }

    /// The line in `year`, yuan per person per year.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `year` when the year lies before the first scheduled
    /// year or outside [`MIN_YEAR`]`..=`[`MAX_YEAR`] (the message gives the schedule's range).
    pub fn at(&self, year: impl Into<i64>) -> Result<f64> {
        let year: i64 = year.into();
        let (Some((&first, &first_v)), Some((&last, &last_v))) = (
            self.schedule.iter().next(),
            self.schedule.iter().next_back(),
        ) else {
            return Err(Error::invalid_parameter(
                "line.schedule",
                "{}",
                "needs at least one year",
            ));
        };
        let covered = i64::from(first.max(MIN_YEAR))..=i64::from(MAX_YEAR);
        let Some(year) = i32::try_from(year).ok().filter(|_| covered.contains(&year)) else {
            return Err(Error::invalid_parameter(
                "year",
                year,
                format!(
                    "has no poverty line: the schedule covers {first}–{last}, and years after \
                     {last} up to {MAX_YEAR} take {last}'s line grown by growth_after = {}",
                    self.growth_after
                ),
            ));
        };
        if let Some(v) = self.schedule.get(&year) {
            return Ok(*v);
        }
        if year > last {
            // Unvalidated schedules may start anywhere: count the years in i64.
            let after = i32::try_from(i64::from(year) - i64::from(last)).unwrap_or(i32::MAX);
            return Ok(last_v * (1.0 + self.growth_after).powi(after));
        }
        // Between two scheduled years: hold the previous entry.
        Ok(self
            .schedule
            .range(..year)
            .next_back()
            .map_or(first_v, |(_, &v)| v))
    }

    /// The line in each of `years`, yuan per person per year.
    ///
    /// # Errors
    /// As [`PovertyLine::at`], for the first year without a line.
    pub fn lines(&self, years: &[i32]) -> Result<Vec<f64>> {
        years.iter().map(|&y| self.at(y)).collect()
    }

    /// Check the schedule: at least one year, years in [`MIN_YEAR`]`..=`[`MAX_YEAR`], finite
    /// non-negative values, growth > −1.
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
            if !(MIN_YEAR..=MAX_YEAR).contains(year) {
                return Err(Error::invalid_parameter(
                    format!("line.schedule.{year}"),
                    year,
                    format!("is not a calendar year in {MIN_YEAR}–{MAX_YEAR}"),
                ));
            }
            super::model::model_money(&format!("line.schedule.{year}"), *v)?;
        }
        super::model::growth_rate("line.growth_after", self.growth_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_lookup_between_and_after() {
        let mut line = PovertyLine {
            schedule: [(2014, 2800.0), (2016, 3000.0)].into_iter().collect(),
            growth_after: 0.1,
        };
        assert_eq!(line.at(2014).unwrap(), 2800.0);
        assert_eq!(line.at(2015).unwrap(), 2800.0);
        assert_eq!(line.at(2016).unwrap(), 3000.0);
        assert!((line.at(2018).unwrap() - 3000.0 * 1.21).abs() < 1e-9);
        line.growth_after = 0.0;
        assert_eq!(line.at(2030).unwrap(), 3000.0);
        assert_eq!(line.at(MAX_YEAR).unwrap(), 3000.0);
    }

    #[test]
    fn years_without_a_line_are_refused_naming_the_year_and_the_schedule() {
        let l = PovertyLine::national();
        for year in [
            2009_i64,
            1990,
            -5,
            i64::from(MAX_YEAR) + 1,
            1 << 40,
            i64::MIN,
        ] {
            let e = l.at(year).unwrap_err();
            assert_eq!(e.column(), Some("year"), "{e}");
            assert_eq!(e.value(), Some(year.to_string().as_str()), "{e}");
            assert!(e.to_string().contains("2010–2020"), "{e}");
        }
        assert!(l.lines(&[2016, 2009]).is_err());
        assert_eq!(l.lines(&[2014, 2020]).unwrap(), vec![2800.0, 4000.0]);
        // A constant line holds from the earliest calendar year on.
        let flat = PovertyLine::constant(3000.0);
        assert_eq!(flat.at(MIN_YEAR).unwrap(), 3000.0);
        assert!(flat.at(MIN_YEAR - 1).is_err());
    }

    #[test]
    fn national_values() {
        let l = PovertyLine::national();
        assert_eq!(l.at(2010).unwrap(), 2300.0);
        assert_eq!(l.at(2014).unwrap(), 2800.0);
        assert_eq!(l.at(2019).unwrap(), 3218.0);
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
        assert_eq!(empty.at(2015).unwrap_err().column(), Some("line.schedule"));
        let mut far = PovertyLine::constant(1.0);
        far.schedule.insert(1899, 1.0);
        assert_eq!(
            far.validate().unwrap_err().column(),
            Some("line.schedule.1899")
        );
    }
}
