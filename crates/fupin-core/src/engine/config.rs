//! Run settings: years, replicates, seed, threads, optional outputs.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Environment variable that sets the number of threads when [`RunConfig::threads`] is `None`.
pub use crate::parallel::THREADS_ENV;

/// Largest number of stored path values (scenarios × replicates × households × years) for
/// [`RunConfig::keep_paths`]: about 90 MB of incomes and flags.
pub const MAX_PATH_VALUES: usize = 10_000_000;

/// Largest number of replicates (per-household counters are 16-bit).
pub const MAX_REPLICATIONS: u32 = u16::MAX as u32;

/// Largest number of simulated years.
pub use crate::units::MAX_YEARS;

/// How to run a simulation.
///
/// The registry's incomes are those of the base year `first_year − 1`; the run simulates the
/// calendar years `first_year .. first_year + years`.
///
/// # Examples
/// ```
/// use fupin_core::engine::RunConfig;
/// let cfg = RunConfig { replications: 50, ..RunConfig::new(2016, 5) };
/// assert_eq!(cfg.calendar_years(), vec![2016, 2017, 2018, 2019, 2020]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// First simulated calendar year.
    pub first_year: i32,
    /// Number of simulated years (1 ..= 200).
    pub years: u32,
    /// Number of Monte Carlo replicates (1 ..= 65,535).
    pub replications: u32,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads; `None` reads `FUPIN_NUM_THREADS`, else uses every core. Results do not
    /// depend on it.
    pub threads: Option<usize>,
    /// Keep per-household outputs (probability of exit by year, return probability): 2 bytes per
    /// household per year per scenario.
    pub household_outputs: bool,
    /// Keep every household's income and status path (small registries only: at most
    /// [`MAX_PATH_VALUES`] values).
    pub keep_paths: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig::new(2016, 5)
    }
}

impl RunConfig {
    /// `years` years from `first_year`, 100 replicates, seed 0, default threads, household outputs on.
    pub fn new(first_year: i32, years: u32) -> Self {
        RunConfig {
            first_year,
            years,
            replications: 100,
            seed: 0,
            threads: None,
            household_outputs: true,
            keep_paths: false,
        }
    }

    /// The simulated calendar years.
    pub fn calendar_years(&self) -> Vec<i32> {
        (0..self.years as i32)
            .map(|t| self.first_year + t)
            .collect()
    }

    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `years`, `replications`, `threads` or `first_year`.
    pub fn validate(&self) -> Result<()> {
        if self.years == 0 || self.years > MAX_YEARS {
            return Err(Error::invalid_parameter(
                "years",
                self.years,
                format!("must be between 1 and {MAX_YEARS}"),
            ));
        }
        if self.replications == 0 || self.replications > MAX_REPLICATIONS {
            return Err(Error::invalid_parameter(
                "replications",
                self.replications,
                format!("must be between 1 and {MAX_REPLICATIONS}"),
            ));
        }
        if self.threads == Some(0) {
            return Err(Error::invalid_parameter("threads", 0, "must be ≥ 1"));
        }
        if !(1900..=2200).contains(&self.first_year) {
            return Err(Error::invalid_parameter(
                "first_year",
                self.first_year,
                "is not a plausible calendar year (1900–2200)",
            ));
        }
        Ok(())
    }

    /// The number of threads to use: `threads`, else `FUPIN_NUM_THREADS`, else all cores.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `FUPIN_NUM_THREADS` if it is set but not a positive integer.
    pub fn resolved_threads(&self) -> Result<usize> {
        crate::parallel::resolve_threads(self.threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_fields() {
        let ok = RunConfig::new(2016, 5);
        ok.validate().unwrap();
        for (cfg, name) in [
            (
                RunConfig {
                    years: 0,
                    ..ok.clone()
                },
                "years",
            ),
            (
                RunConfig {
                    replications: 0,
                    ..ok.clone()
                },
                "replications",
            ),
            (
                RunConfig {
                    replications: 70_000,
                    ..ok.clone()
                },
                "replications",
            ),
            (
                RunConfig {
                    threads: Some(0),
                    ..ok.clone()
                },
                "threads",
            ),
            (
                RunConfig {
                    first_year: 15,
                    ..ok.clone()
                },
                "first_year",
            ),
        ] {
            assert_eq!(cfg.validate().unwrap_err().column(), Some(name));
        }
    }

    #[test]
    fn explicit_threads_win_and_round_trip() {
        let cfg = RunConfig {
            threads: Some(3),
            ..RunConfig::new(2014, 7)
        };
        assert_eq!(cfg.resolved_threads().unwrap(), 3);
        let back: RunConfig = toml::from_str(&toml::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
        assert_eq!(cfg.calendar_years().len(), 7);
    }
}
