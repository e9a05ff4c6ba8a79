//! Tests across the module: published counts, consistency of every household, village flags
//! against incidence, determinism across thread counts, and distributions against the model's
//! documented formulas with tolerances from sampling error (99.9 % two-sided, z = 3.29).

use statrs::distribution::{ContinuousCDF, Normal};

use super::household::{CauseShares, median_income, model};
use super::*;
use crate::registry::{Cause, Region, Registry};

const Z999: f64 = 3.290_526_731_491_926;

/// Published (or, where marked, derived) figures, typed in from the seed reports.
struct Published {
    name: &'static str,
    county_id: i64,
    region: Region,
    households: usize,
    people: u64,
    poor_villages: usize,
    villages: usize,
}

fn published() -> Vec<Published> {
    // Households not published for Taoyuan, Pingguo and Changle: people / (89.62 / 29.48).
    let derived = |people: f64| (people * 29.48 / 89.62).round() as usize;
    vec![
        Published {
            name: "taiqian",
            county_id: 410_927,
            region: Region::Centre,
            households: 13_710,
            people: 41_414,
            poor_villages: 108,
            villages: 372,
        },
        Published {
            name: "taoyuan",
            county_id: 430_725,
            region: Region::Centre,
            households: derived(80_460.0),
            people: 80_460,
            poor_villages: 66,
            villages: 451,
        },
        Published {
            name: "pingguo",
            county_id: 451_023,
            region: Region::West,
            households: derived(12_621.0),
            people: 12_621,
            poor_villages: 19,
            villages: 181,
        },
        Published {
            name: "changle",
            county_id: 350_628,
            region: Region::East,
            // 128 people are 12.1 % of the poor.
            households: derived((128.0f64 / 0.121).round()),
            people: 1_058,
            poor_villages: 3,
            villages: 10,
        },
    ]
}

/// Registered people by village, counted from the household columns.
fn people_by_village(reg: &Registry) -> Vec<u64> {
    let h = reg.households();
    let mut people = vec![0u64; reg.n_villages()];
    for (i, &v) in h.village.iter().enumerate() {
        people[v as usize] += u64::from(h.size[i]);
    }
    people
}

/// Every consistency rule of the household model, on every household.
fn assert_consistent(reg: &Registry) {
    let h = reg.households();
    for i in 0..h.len() {
        let s = h.size[i];
        let c = h.causes[i];
        let ctx = || format!("household row {} ({:?})", i + 1, h.id.get(i));
        assert!((1..=8).contains(&s), "{}", ctx());
        assert!(!c.is_empty(), "{}: no cause", ctx());
        let primary = h.primary_cause[i].expect("a primary cause");
        assert!(c.contains(primary), "{}", ctx());
        if c.contains(Cause::Illness) {
            assert!(h.chronic_illness[i] >= 1, "{}", ctx());
        }
        if c.contains(Cause::Disability) {
            assert!(h.disability[i] >= 1, "{}", ctx());
        }
        if c.contains(Cause::Schooling) {
            assert!(h.students[i] >= 1 && s >= 2, "{}", ctx());
        }
        if c.contains(Cause::Labour) {
            assert!(h.labour[i] <= 1 && h.elderly[i] >= 1, "{}", ctx());
        }
        if c.contains(Cause::Skills) || c.contains(Cause::Motivation) {
            assert!(h.labour[i] >= 1, "{}", ctx());
        }
        if c.contains(Cause::Skills) {
            assert!(h.head_education_years[i] <= 9, "{}", ctx());
        }
        if c.contains(Cause::Water) {
            assert!(!h.safe_water[i], "{}", ctx());
        }
        assert!(h.labour[i] + h.elderly[i] + h.students[i] <= s, "{}", ctx());
        assert!(
            h.chronic_illness[i] <= s && h.disability[i] <= s,
            "{}",
            ctx()
        );
        let y = h.income_per_capita[i];
        assert!(y.is_finite() && y >= 0.0 && y == y.round(), "{}", ctx());
        assert!(h.registered[i] && h.weight[i] == 1.0, "{}", ctx());
    }
}

/// Poor villages above their threshold, the others at or below it.
fn assert_flags_agree_with_incidence(reg: &Registry) {
    let people = people_by_village(reg);
    let v = reg.villages();
    for (j, &pj) in people.iter().enumerate() {
        let incidence = pj as f64 / f64::from(v.population[j]);
        let thr = reg.village_threshold(j);
        if v.poor[j] {
            assert!(incidence > thr, "poor village {j}: {incidence}");
        } else {
            assert!(incidence <= thr, "village {j}: {incidence}");
        }
    }
}

fn within(observed: f64, expected: f64, sd: f64, what: &str) {
    assert!(
        (observed - expected).abs() <= Z999 * sd,
        "{what}: observed {observed}, expected {expected} ± {}",
        Z999 * sd
    );
}

#[test]
fn presets_reproduce_the_published_counts_exactly() {
    for p in published() {
        for seed in [0, 1, 2024] {
            let reg = county(p.name, seed).unwrap();
            let h = reg.households();
            assert_eq!(reg.n_households(), p.households, "{}", p.name);
            let people: u64 = h.size.iter().map(|&s| u64::from(s)).sum();
            assert_eq!(people, p.people, "{}", p.name);
            assert_eq!(reg.registered_people(), p.people as f64);
            assert_eq!(reg.registered_households(), p.households as f64);
            let poor = reg.villages().poor.iter().filter(|&&x| x).count();
            assert_eq!(poor, p.poor_villages, "{}", p.name);
            assert_eq!(reg.n_villages(), p.villages, "{}", p.name);
            assert_eq!(reg.n_counties(), 1);
            assert_eq!(reg.counties().id, crate::Ids::Int(vec![p.county_id]));
            assert!(reg.villages().region.iter().all(|&r| r == p.region));
            if p.name == "changle" {
                let unsafe_housing = h.housing_safe.iter().filter(|&&s| !s).count();
                assert_eq!(unsafe_housing, 85);
            }
        }
    }
}

#[test]
fn preset_figures_match_the_typed_in_table() {
    for p in published() {
        let preset = preset(p.name).unwrap();
        assert_eq!(preset.households as usize, p.households);
        assert_eq!(u64::from(preset.people), p.people);
        assert_eq!(preset.villages as usize, p.villages);
        assert_eq!(preset.poor_villages as usize, p.poor_villages);
        assert_eq!((preset.county_id, preset.region), (p.county_id, p.region));
        assert!(preset.source.ends_with(".txt") && !preset.notes.is_empty());
    }
}

#[test]
fn every_household_is_consistent_and_every_village_flag_agrees() {
    for name in ["taiqian", "taoyuan", "pingguo", "changle"] {
        let reg = county(name, 5).unwrap();
        assert_consistent(&reg);
        assert_flags_agree_with_incidence(&reg);
        // Non-poor villages keep their drawn size; poor ones stretch only as incidence requires
        // (at most 40 %, so at most 2.5 × their registered people).
        let people = people_by_village(&reg);
        let v = reg.villages();
        let (lo, hi) = VILLAGE_POPULATION;
        for (j, &pj) in people.iter().enumerate() {
            let pop = v.population[j];
            if v.poor[j] {
                assert!(
                    pop >= lo && u64::from(pop) <= (pj * 5).div_ceil(2).max(u64::from(hi)),
                    "{name} poor village {j}: {pop} for {} people",
                    pj
                );
            } else {
                assert!((lo..=hi).contains(&pop), "{name} village {j}: {pop}");
            }
        }
    }
    for (n, nv, seed) in [(60_000, 400, 1), (2_000, 5_000, 2), (7, 3, 3)] {
        let reg = synthetic(n, nv, seed).unwrap();
        assert_consistent(&reg);
        assert_flags_agree_with_incidence(&reg);
    }
}

#[test]
fn same_seed_same_registry_whatever_the_thread_count() {
    // 100,000 households: several leaves of the parallel fill.
    let build = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| synthetic(100_000, 700, 11).unwrap())
    };
    let one = build(1);
    assert_eq!(one, build(2));
    assert_eq!(one, build(3));
    assert_ne!(one, synthetic(100_000, 700, 12).unwrap());
    let a = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| county("pingguo", 4).unwrap());
    assert_eq!(a, county("pingguo", 4).unwrap());
    assert_ne!(a, county("pingguo", 5).unwrap());
}

#[test]
fn illness_share_is_the_national_register_share() {
    let p = CauseShares::default().illness;
    assert_eq!(p, 0.42);
    let mut registries = vec![synthetic(100_000, 500, 21).unwrap()];
    for name in ["taiqian", "taoyuan", "pingguo", "changle"] {
        registries.push(county(name, 0).unwrap());
    }
    for reg in &registries {
        let h = reg.households();
        let n = h.len() as f64;
        let ill = h
            .causes
            .iter()
            .filter(|c| c.contains(Cause::Illness))
            .count() as f64;
        within(ill / n, p, (p * (1.0 - p) / n).sqrt(), "illness share");
        // Schooling is only named by households of two or more.
        assert!((0..h.len()).all(|i| h.size[i] >= 2 || !h.causes[i].contains(Cause::Schooling)));
        // After illness, capital, skills and labour are the commonest causes, as in the register.
        let share = |c: Cause| h.causes.iter().filter(|s| s.contains(c)).count() as f64 / n;
        let (cap, ski, lab) = (
            share(Cause::Capital),
            share(Cause::Skills),
            share(Cause::Labour),
        );
        for other in [
            Cause::Schooling,
            Cause::Disaster,
            Cause::Marriage,
            Cause::Land,
            Cause::Water,
            Cause::Transport,
            Cause::Motivation,
            Cause::Other,
        ] {
            assert!(share(other) < cap.min(ski).min(lab), "{other}");
        }
    }
}

#[test]
fn household_sizes_have_the_configured_mean() {
    let reg = synthetic(100_000, 500, 31).unwrap();
    let h = reg.households();
    let d = SizeDistribution::with_mean(3.04).unwrap();
    let pmf = d.pmf();
    let mean: f64 = pmf
        .iter()
        .enumerate()
        .map(|(k, p)| (k + 1) as f64 * p)
        .sum();
    let var: f64 = pmf
        .iter()
        .enumerate()
        .map(|(k, p)| ((k + 1) as f64 - mean).powi(2) * p)
        .sum();
    let n = h.len() as f64;
    let observed = h.size.iter().map(|&s| f64::from(s)).sum::<f64>() / n;
    // 89.62 / 29.48 = 3.0400…: the configured default.
    assert!((SynthConfig::default().mean_size - 3.04).abs() < 1e-3);
    within(
        observed,
        SynthConfig::default().mean_size,
        (var / n).sqrt(),
        "mean size",
    );
    // Each size's count within its binomial interval.
    for (k, p) in pmf.iter().enumerate() {
        let count = h.size.iter().filter(|&&s| usize::from(s) == k + 1).count() as f64;
        within(count / n, *p, (p * (1.0 - p) / n).sqrt(), "size share");
    }
}

#[test]
fn incomes_follow_the_documented_lognormal_around_the_line() {
    let cfg = SynthConfig {
        seed: 41,
        year: 2018,
        ..SynthConfig::new(100_000, 500)
    };
    let reg = cfg.generate().unwrap();
    let line = national_line(2018).unwrap();
    let h = reg.households();
    let n = h.len();
    let sigma = model::INCOME_SIGMA;
    let std = Normal::new(0.0, 1.0).unwrap();
    let (mut sum_z, mut sum_z2, mut expected_below, mut var_below, mut below) =
        (0.0, 0.0, 0.0, 0.0, 0usize);
    for i in 0..n {
        let median = median_income(
            line,
            h.labour[i],
            h.size[i],
            h.causes[i].contains(Cause::Labour),
            h.causes[i].contains(Cause::Illness),
        );
        let z = (h.income_per_capita[i] / median).ln() / sigma;
        sum_z += z;
        sum_z2 += z * z;
        // Rounded to whole yuan: below an integer line iff the unrounded income < line − 0.5.
        let p = std.cdf(((line - 0.5) / median).ln() / sigma);
        expected_below += p;
        var_below += p * (1.0 - p);
        below += usize::from(h.income_per_capita[i] < line);
    }
    let nf = n as f64;
    let mean_z = sum_z / nf;
    within(
        mean_z,
        0.0,
        (1.0 / nf).sqrt(),
        "mean standardised log income",
    );
    let var_z = sum_z2 / nf - mean_z * mean_z;
    within(
        var_z,
        1.0,
        (2.0 / (nf - 1.0)).sqrt(),
        "variance of log income",
    );
    within(
        below as f64,
        expected_below,
        var_below.sqrt(),
        "households below the line",
    );
    // Mostly below the line, the rest mostly just above it.
    let share_below = below as f64 / nf;
    assert!((0.7..0.9).contains(&share_below), "{share_below}");
    let far_above = h
        .income_per_capita
        .iter()
        .filter(|&&y| y > 2.0 * line)
        .count();
    assert!((far_above as f64) < 0.01 * nf);
}

#[test]
fn flags_follow_the_documented_probabilities() {
    let reg = synthetic(100_000, 500, 51).unwrap();
    let h = reg.households();
    let (mut inh, mut inh_e, mut inh_v) = (0.0, 0.0, 0.0);
    let (mut uns, mut uns_e, mut uns_v) = (0.0, 0.0, 0.0);
    for i in 0..h.len() {
        let c = h.causes[i];
        let place = [Cause::Land, Cause::Water, Cause::Transport, Cause::Disaster]
            .iter()
            .any(|&x| c.contains(x));
        let p = if place { 0.25 } else { 0.03 };
        inh += f64::from(u8::from(h.inhospitable[i]));
        inh_e += p;
        inh_v += p * (1.0 - p);
        let q =
            0.12 + if c.contains(Cause::Disaster) {
                0.25
            } else {
                0.0
            } + if h.inhospitable[i] { 0.15 } else { 0.0 };
        uns += f64::from(u8::from(!h.housing_safe[i]));
        uns_e += q;
        uns_v += q * (1.0 - q);
    }
    within(inh, inh_e, inh_v.sqrt(), "inhospitable households");
    within(uns, uns_e, uns_v.sqrt(), "unsafe housing");
}

#[test]
fn changles_unsafe_houses_are_the_households_most_at_risk() {
    // The 85 are chosen by risk, so disaster-hit households are over-represented among them.
    let reg = county("changle", 0).unwrap();
    let h = reg.households();
    let n = h.len() as f64;
    let disaster = |i: usize| h.causes[i].contains(Cause::Disaster);
    let overall = (0..h.len()).filter(|&i| disaster(i)).count() as f64 / n;
    let unsafe_rows: Vec<usize> = (0..h.len()).filter(|&i| !h.housing_safe[i]).collect();
    let among = unsafe_rows.iter().filter(|&&i| disaster(i)).count() as f64 / 85.0;
    assert!(among > overall, "{among} vs {overall}");
}

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
