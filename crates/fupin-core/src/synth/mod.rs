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
//! income consistent with the causes); its draws come from [`crate::random::stream`] keyed by the seed,
//! a purpose constant and the household's id, so they are pure functions of `(seed, id)`.
//!
//! Villages: a designated poor village (贫困村) always has registered-poor incidence above its exit
//! threshold (3 % in the west, 2 % elsewhere) and every other village at most its threshold, so the
//! `poor` flag agrees with incidence. Village populations (the incidence denominator) are drawn in
//! [`VILLAGE_POPULATION`] and widened only where incidence requires it; no unregistered households
//! are generated (the population column carries the denominator).

mod household;
mod national;
mod presets;
mod sizes;
#[cfg(test)]
mod tests;
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
/// uses of the same `(seed, id)` share draws: the table of [`crate::random::purpose`].
mod purpose {
    pub use crate::random::purpose::{
        PRESET_ADJUST, PRESET_HOUSEHOLD, PRESET_SIZE, PRESET_VILLAGE, SYNTH_COUNTY as COUNTY,
        SYNTH_HOUSEHOLD as HOUSEHOLD, SYNTH_VILLAGE as VILLAGE,
    };
}
