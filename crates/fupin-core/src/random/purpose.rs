//! Every purpose constant of every random draw in the crate, in one table.
//!
//! Keys come in two positions:
//!
//! * **Stream domains** — the first key after the seed: [`HOUSEHOLD`] and [`VILLAGE`] start the
//!   engine's household and village draws (`key(seed, &[HOUSEHOLD, id, replicate, year, purpose])`);
//!   the others start the one-off streams of synthetic registries, cross-validation folds and the
//!   calibration bootstrap (`stream(seed, &[SYNTH_HOUSEHOLD, id])`, …).
//! * **Draw purposes** — the last key of an engine draw: the model's own shocks (1–5), and the
//!   measures' draws from [`FIRST_FREE`] up.
//!
//! No two constants share a value (the test below checks every constant of this file), so no two
//! uses of the same seed and ids share draws. A new use of randomness adds its constant here.
//! Values never change: results depend on them, bit for bit.

/// Domain of every household draw of the engine ("househol").
pub const HOUSEHOLD: u64 = 0x686f_7573_6568_6f6c;
/// Domain of every village draw of the engine ("village!").
pub const VILLAGE: u64 = 0x7669_6c6c_6167_6521;

/// Transitory income shock ε (normal).
pub const TRANSITORY: u64 = 1;
/// Innovation η of the persistent component (normal).
pub const PERSISTENT: u64 = 2;
/// Whether a health shock happens (uniform).
pub const HEALTH: u64 = 3;
/// The cost of a health shock (normal, exponentiated).
pub const HEALTH_COST: u64 = 4;
/// Whether a village disaster happens (uniform).
pub const DISASTER: u64 = 5;
/// First purpose free for measures and policies.
pub const FIRST_FREE: u64 = 1000;
/// Level of an Industry gain (normal, once per household-replicate).
pub const INDUSTRY_GAIN: u64 = FIRST_FREE + 1;
/// Whether a producing Industry venture fails this year (uniform).
pub const INDUSTRY_FAILURE: u64 = FIRST_FREE + 2;
/// Employment: placement or job loss this year (uniform).
pub const EMPLOYMENT: u64 = FIRST_FREE + 3;

/// Size and attributes of a household of a synthetic registry.
pub const SYNTH_HOUSEHOLD: u64 = 0x5359_4e48_0001;
/// Village draws (poor flag, weight, population) of a synthetic registry.
pub const SYNTH_VILLAGE: u64 = 0x5359_4e48_0002;
/// County draws (region) of a synthetic registry.
pub const SYNTH_COUNTY: u64 = 0x5359_4e48_0003;
/// Household sizes of a preset.
pub const PRESET_SIZE: u64 = 0x5359_4e48_0011;
/// Order in which preset sizes are adjusted to the published total.
pub const PRESET_ADJUST: u64 = 0x5359_4e48_0012;
/// Village draws of a preset.
pub const PRESET_VILLAGE: u64 = 0x5359_4e48_0013;
/// Household attributes of a preset.
pub const PRESET_HOUSEHOLD: u64 = 0x5359_4e48_0014;
/// The shuffle behind the folds of a proxy-means test's cross-validation ("pmt-cv").
pub const CV_FOLDS: u64 = 0x706d_742d_6376;
/// The cluster bootstrap of the income-process calibration ("calibrat").
pub const BOOTSTRAP: u64 = 0x6361_6c69_6272_6174;

/// Every constant above, by name.
pub const ALL: &[(&str, u64)] = &[
    ("HOUSEHOLD", HOUSEHOLD),
    ("VILLAGE", VILLAGE),
    ("TRANSITORY", TRANSITORY),
    ("PERSISTENT", PERSISTENT),
    ("HEALTH", HEALTH),
    ("HEALTH_COST", HEALTH_COST),
    ("DISASTER", DISASTER),
    ("FIRST_FREE", FIRST_FREE),
    ("INDUSTRY_GAIN", INDUSTRY_GAIN),
    ("INDUSTRY_FAILURE", INDUSTRY_FAILURE),
    ("EMPLOYMENT", EMPLOYMENT),
    ("SYNTH_HOUSEHOLD", SYNTH_HOUSEHOLD),
    ("SYNTH_VILLAGE", SYNTH_VILLAGE),
    ("SYNTH_COUNTY", SYNTH_COUNTY),
    ("PRESET_SIZE", PRESET_SIZE),
    ("PRESET_ADJUST", PRESET_ADJUST),
    ("PRESET_VILLAGE", PRESET_VILLAGE),
    ("PRESET_HOUSEHOLD", PRESET_HOUSEHOLD),
    ("CV_FOLDS", CV_FOLDS),
    ("BOOTSTRAP", BOOTSTRAP),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the `pub const NAME: u64` items of `source`.
    fn declared(source: &str) -> Vec<String> {
        source
            .lines()
            .filter_map(|l| l.strip_prefix("pub const "))
            .filter_map(|l| l.split_once(": u64 ="))
            .map(|(name, _)| name.to_string())
            .collect()
    }

    #[test]
    fn every_purpose_is_listed_once_and_no_two_share_a_value() {
        let names = declared(include_str!("purpose.rs"));
        let listed: Vec<&str> = ALL.iter().map(|&(n, _)| n).collect();
        assert_eq!(names, listed, "ALL must list every constant, in file order");
        for (i, &(a, va)) in ALL.iter().enumerate() {
            for &(b, vb) in &ALL[..i] {
                assert_ne!(va, vb, "purposes {a} and {b} share the value {va:#x}");
            }
        }
        // The measures' purposes are above the model's own, which the engine precomputes.
        for p in [INDUSTRY_GAIN, INDUSTRY_FAILURE, EMPLOYMENT] {
            assert!(p > FIRST_FREE);
        }
        assert!(
            [TRANSITORY, PERSISTENT, HEALTH, HEALTH_COST, DISASTER]
                .iter()
                .all(|&p| p < 6)
        );
    }

    #[test]
    fn the_collision_check_sees_a_shared_value() {
        // The same scan over a table with a clash finds it.
        let clash = "pub const A: u64 = 7;\npub const B: u64 = 7;\n";
        assert_eq!(declared(clash), vec!["A", "B"]);
    }
}
