//! Synthetic registries calibrated to published county figures.
//!
//! Two entry points:
//!
//! - [`county`] builds one of the calibration presets of DESIGN.md ("Seed facts"): Taiqian (Henan),
//!   Taoyuan (Hunan), Pingguo (Guangxi) and Changle township (Pinghe county, Fujian). Each
//!   reproduces its published counts exactly — registered households, registered people, poor
//!   villages, total villages — and fills in what the reports do not publish with plausible joint
//!   distributions ([`presets`] lists every figure, where it comes from, and how anything not
//!   published was derived).
//! - [`synthetic`] (or [`SynthConfig::generate`]) builds a registry of any size, in parallel,
//!   deterministic for a seed whatever the number of threads.
//!
//! Every household is drawn by the same model (causes of poverty first, then the members, flags and
//! income consistent with the causes); its draws come from [`crate::rng::stream`] keyed by the seed,
//! a purpose constant and the household's id, so they are pure functions of `(seed, id)`.
//!
//! Villages: a designated poor village (贫困村) always has registered-poor incidence above its exit
//! threshold (3 % in the west, 2 % elsewhere) and every other village at most its threshold, so the
//! `poor` flag agrees with incidence. Village populations (the incidence denominator) are drawn in
//! [`VILLAGE_POPULATION`] and widened only where incidence requires it; no unregistered households
//! are generated (the population column carries the denominator).

#[cfg(test)]
mod checks;
mod household;
mod national;
mod presets;
mod sizes;
mod villages;

pub use household::CauseShares;
pub use national::{RegionShares, SynthConfig, synthetic};
pub use presets::{CountyPreset, NATIONAL_PEOPLE_PER_HOUSEHOLD, county, preset, presets};
pub use sizes::{MAX_SIZE, SizeDistribution};
pub use villages::VILLAGE_POPULATION;

use crate::dynamics::PovertyLine;
use crate::error::{Error, Result};

/// The national poverty line of `year`, yuan per person per year: the schedule of
/// [`PovertyLine::national`] (one schedule for the whole crate, with its sources there).
///
/// # Errors
/// [`Error::InvalidParameter`] for a year the schedule does not list (2010–2020).
///
/// # Examples
/// ```
/// assert_eq!(fupin_core::synth::national_line(2016).unwrap(), 2_952.0);
/// assert!(fupin_core::synth::national_line(2030).is_err());
/// ```
pub fn national_line(year: u16) -> Result<f64> {
    let line = PovertyLine::national();
    line.schedule.get(&i32::from(year)).copied().ok_or_else(|| {
        Error::invalid_parameter(
            "year",
            year,
            "has no national poverty line in the schedule (2010–2020)",
        )
    })
}

/// Purpose keys of the random streams used here (the first key after the seed), so that no two
/// uses of the same `(seed, id)` share draws.
mod purpose {
    /// Size and attributes of a household of a synthetic registry.
    pub const HOUSEHOLD: u64 = 0x5359_4e48_0001;
    /// Village draws (poor flag, weight, population) of a synthetic registry.
    pub const VILLAGE: u64 = 0x5359_4e48_0002;
    /// County draws (region) of a synthetic registry.
    pub const COUNTY: u64 = 0x5359_4e48_0003;
    /// Household sizes of a preset.
    pub const PRESET_SIZE: u64 = 0x5359_4e48_0011;
    /// Order in which preset sizes are adjusted to the published total.
    pub const PRESET_ADJUST: u64 = 0x5359_4e48_0012;
    /// Village draws of a preset.
    pub const PRESET_VILLAGE: u64 = 0x5359_4e48_0013;
    /// Household attributes of a preset.
    pub const PRESET_HOUSEHOLD: u64 = 0x5359_4e48_0014;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_schedule_rises_and_matches_the_published_values() {
        assert_eq!(national_line(2014).unwrap(), 2_800.0);
        assert_eq!(national_line(2015).unwrap(), 2_855.0);
        assert_eq!(national_line(2020).unwrap(), 4_000.0);
        for year in 2010..2020 {
            assert!(national_line(year + 1).unwrap() >= national_line(year).unwrap());
        }
        let err = national_line(2009).unwrap_err();
        assert_eq!(err.column(), Some("year"));
        assert_eq!(err.value(), Some("2009"));
    }
}
