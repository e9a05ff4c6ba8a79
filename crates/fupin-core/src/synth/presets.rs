//! County presets calibrated to the seed reports (`shared/seeds/`, DESIGN.md "Seed facts").

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::household::{self, CauseShares};
use super::sizes::{MAX_SIZE, SizeDistribution};
use super::villages::{
    allocate, draw_population, draw_weight, non_poor_population, poor_population, threshold_percent,
};
use super::{national_line, purpose};
use crate::error::{Error, Result};
use crate::random::{open01, stream};
use crate::registry::{Counties, Households, Ids, Region, Registry, Villages};

/// People per registered household in the national register of 2014 (29.48 million households,
/// 89.62 million people; State Council LGOP): used to derive household counts a report omits.
pub const NATIONAL_PEOPLE_PER_HOUSEHOLD: f64 = 89.62 / 29.48;

/// The published figures of one county (or township) and how the unpublished ones were derived.
///
/// Counts listed in `published` come straight from the seed report named in `source`; the others
/// are derived or assumed as `notes` explains. [`CountyPreset::generate`] reproduces every count
/// exactly. Ids: the county is its GB/T 2260 code, village `k` (from 1) is `county_id × 1000 + k`,
/// and the `k`-th household of a village is `village_id × 10000 + k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountyPreset {
    /// Key used by [`county`] (`taiqian`, …).
    pub name: String,
    /// Name in Chinese.
    pub chinese_name: String,
    /// Province.
    pub province: String,
    /// Administrative division code (GB/T 2260) of the county, used as its id.
    pub county_id: i64,
    /// Region (sets the village exit threshold).
    pub region: Region,
    /// Year the figures describe (sets the poverty line of the incomes).
    pub year: u16,
    /// Registered poor households.
    pub households: u32,
    /// Registered poor people.
    pub people: u32,
    /// Villages (administrative villages and communities).
    pub villages: u32,
    /// Designated poor villages among them.
    pub poor_villages: u32,
    /// Registered households with unsafe housing, where published.
    pub unsafe_housing: Option<u32>,
    /// The seed report the figures come from.
    pub source: String,
    /// Which of the counts the report publishes.
    pub published: Vec<String>,
    /// Derivations and assumptions for everything else.
    pub notes: String,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Households derived from people by the national register's ratio, rounded to nearest.
fn derived_households(people: u32) -> u32 {
    (f64::from(people) / NATIONAL_PEOPLE_PER_HOUSEHOLD).round() as u32
}

/// Every preset, in the order of the seed files.
///
/// # Examples
/// ```
/// let names: Vec<String> = fupin_core::synth::presets().into_iter().map(|p| p.name).collect();
/// assert_eq!(names, ["taiqian", "changle", "taoyuan", "pingguo"]);
/// ```
pub fn presets() -> Vec<CountyPreset> {
    vec![
        CountyPreset {
            name: "taiqian".into(),
            chinese_name: "台前县".into(),
            province: "Henan".into(),
            county_id: 410_927,
            region: Region::Centre,
            year: 2016,
            households: 13_710,
            people: 41_414,
            villages: 372,
            poor_villages: 108,
            unsafe_housing: None,
            source: "000_8af57d7577663591.txt".into(),
            published: strings(&["households", "people", "poor_villages"]),
            notes: "Figures of June 2016: 13,710 poor households and 41,414 people remain, 108 poor \
                    villages. Total villages are not in the report: 372 administrative villages is \
                    the county's commonly cited count (an assumption here, not verified)."
                .into(),
        },
        CountyPreset {
            name: "changle".into(),
            chinese_name: "长乐乡 (平和县)".into(),
            province: "Fujian".into(),
            county_id: 350_628,
            region: Region::East,
            year: 2016,
            households: derived_households(1_058),
            people: 1_058,
            villages: 10,
            poor_villages: 3,
            unsafe_housing: Some(85),
            source: "002_ed77d4f6185e3b0a.txt".into(),
            published: strings(&["unsafe_housing"]),
            notes: "A township of Pinghe county (county id is Pinghe's). Published: 85 households \
                    without a house or in an unsafe one (\"有其屋\" cases), and employment lifting \
                    42 households / 128 people, 12.1 % of the poor: people = 128 / 0.121 = 1,058; \
                    households = 1,058 / 3.04 (national ratio) = 348. Villages are not published: \
                    the report names six (农家, 乐北, 秀山, 联胜, 建三, 建南); 10 villages of which 3 \
                    poor are assumptions. 409 exits were expected in 2016."
                .into(),
        },
        CountyPreset {
            name: "taoyuan".into(),
            chinese_name: "桃源县".into(),
            province: "Hunan".into(),
            county_id: 430_725,
            region: Region::Centre,
            year: 2016,
            households: derived_households(80_460),
            people: 80_460,
            villages: 451,
            poor_villages: 66,
            unsafe_housing: None,
            source: "003_63f6f3f41f56b0d9.txt".into(),
            published: strings(&["people", "villages", "poor_villages"]),
            notes: "451 villages and communities, 66 (provincial) poor villages, 80,460 poor \
                    people, 20,000 to exit within the year; agricultural population 835,000. The \
                    report is undated (its author was county party secretary around 2015–2016): \
                    year 2016 assumed. Households are not published: 80,460 / 3.04 (national \
                    ratio) = 26,467."
                .into(),
        },
        CountyPreset {
            name: "pingguo".into(),
            chinese_name: "平果县".into(),
            province: "Guangxi".into(),
            county_id: 451_023,
            region: Region::West,
            year: 2018,
            households: derived_households(12_621),
            people: 12_621,
            villages: 181,
            poor_villages: 19,
            unsafe_housing: None,
            source: "004_40dacdc703979f2b.txt".into(),
            published: strings(&["people", "villages", "poor_villages"]),
            notes: "2018 plan: 19 poor villages and 12,621 people to exit, incidence to fall below \
                    3 %; 181 villages. The registry holds the poor still registered at the start \
                    of 2018 (the 12,621 to exit) and the 19 poor villages not yet exited. \
                    Households are not published: 12,621 / 3.04 (national ratio) = 4,152."
                .into(),
        },
    ]
}

/// The preset called `name` (case-insensitive; the Chinese name without the parenthesis also
/// works).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `name` and listing the valid names.
pub fn preset(name: &str) -> Result<CountyPreset> {
    let all = presets();
    let key = name.trim();
    let valid: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
    all.into_iter()
        .find(|p| {
            p.name.eq_ignore_ascii_case(key)
                || p.chinese_name.split_whitespace().next() == Some(key)
        })
        .ok_or_else(|| {
            Error::invalid_parameter(
                "name",
                format!("{name:?}"),
                format!("is not a county preset; valid names: {}", valid.join(", ")),
            )
        })
}

/// The registry of county preset `name`, drawn with `seed`.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown name (the message lists the valid ones).
///
/// # Examples
/// ```
/// let reg = fupin_core::synth::county("taiqian", 0).unwrap();
/// assert_eq!(reg.n_households(), 13_710);
/// assert_eq!(reg.registered_people(), 41_414.0);
/// assert_eq!(reg.villages().poor.iter().filter(|&&p| p).count(), 108);
/// ```
pub fn county(name: &str, seed: u64) -> Result<Registry> {
    preset(name)?.generate(seed)
}

/// Village ids are `county_id × 1000 + k` and household ids `village_id × 10000 + k` (k from 1).
const VILLAGE_ID_SPAN: i64 = 1_000;
const HOUSEHOLD_ID_SPAN: i64 = 10_000;

impl CountyPreset {
    fn check(&self) -> Result<()> {
        let bad = |name: &str, value: String, reason: &str| {
            Err(Error::invalid_parameter(name, value, reason))
        };
        if self.households == 0 {
            return bad("households", "0".into(), "must be at least 1");
        }
        let (h, p) = (u64::from(self.households), u64::from(self.people));
        if p < h || p > h * u64::from(MAX_SIZE) {
            return bad(
                "people",
                p.to_string(),
                &format!("must lie between households ({h}) and {MAX_SIZE} × households"),
            );
        }
        if self.villages == 0 || i64::from(self.villages) >= VILLAGE_ID_SPAN {
            return bad(
                "villages",
                self.villages.to_string(),
                "must lie between 1 and 999",
            );
        }
        if self.poor_villages > self.villages || self.poor_villages > self.households {
            return bad(
                "poor_villages",
                self.poor_villages.to_string(),
                "exceeds the villages or the households",
            );
        }
        if let Some(u) = self.unsafe_housing
            && u > self.households
        {
            return bad("unsafe_housing", u.to_string(), "exceeds the households");
        }
        if !(0..=i64::MAX / VILLAGE_ID_SPAN / HOUSEHOLD_ID_SPAN).contains(&self.county_id) {
            return bad(
                "county_id",
                self.county_id.to_string(),
                "must be a non-negative administrative code",
            );
        }
        national_line(self.year).map(|_| ())
    }

    /// Draw the registry: exact counts, consistent village flags, households drawn by the model.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for inconsistent figures (people outside 1–8 per household,
    /// more poor villages than villages or households, a year without a poverty line, …).
    pub fn generate(&self, seed: u64) -> Result<Registry> {
        self.check()?;
        let line = national_line(self.year)?;
        let n = self.households as usize;
        let nv = self.villages as usize;
        let cid = self.county_id as u64;
        let pct = threshold_percent(self.region);

        // Sizes: the tilted distribution, then ±1 adjustments in a keyed random order until the
        // total is exactly the published number of people.
        let sizes = exact_sizes(n, u64::from(self.people), seed, cid)?;

        // Poor villages: the `poor_villages` villages with the smallest keyed draws.
        let mut order: Vec<(u64, usize)> = (0..nv)
            .map(|j| {
                let key = stream(seed, &[purpose::PRESET_VILLAGE, cid, 0, j as u64]).next_u64();
                (key, j)
            })
            .collect();
        order.sort_unstable();
        let mut poor = vec![false; nv];
        for &(_, j) in &order[..self.poor_villages as usize] {
            poor[j] = true;
        }

        // Each non-poor village takes households (in order) up to a keyed fraction of the people
        // its drawn population allows below the threshold, leaving at least one household for
        // each poor village; the poor villages share the rest in proportion to keyed weights.
        let mut drawn_pop = vec![0u64; nv];
        let mut village_of = vec![0u32; n];
        let mut cursor = 0usize;
        let reserve = self.poor_villages as usize;
        let mut weights = Vec::new();
        let mut poor_ids = Vec::new();
        for j in 0..nv {
            let mut rng = stream(seed, &[purpose::PRESET_VILLAGE, cid, 1, j as u64]);
            drawn_pop[j] = draw_population(&mut rng);
            let fill = 0.3 + 0.65 * open01(rng.next_u64());
            let weight = draw_weight(&mut rng, 0.5, 1.5);
            if poor[j] {
                weights.push(weight);
                poor_ids.push(j);
                continue;
            }
            // Largest people count strictly below the threshold, times the fill fraction.
            let capacity = (drawn_pop[j] * pct - 1) / 100;
            let target = (capacity as f64 * fill) as u64;
            let mut people = 0u64;
            while cursor + reserve < n && people + u64::from(sizes[cursor]) <= target {
                people += u64::from(sizes[cursor]);
                village_of[cursor] = j as u32;
                cursor += 1;
            }
        }
        // Households left over go to the poor villages (one each first), or, with no poor
        // village, to the others (their populations then grow to keep incidence below threshold).
        let rest = n - cursor;
        let (targets, weights) = if poor_ids.is_empty() {
            let targets: Vec<usize> = (0..nv).collect();
            let w = (0..nv)
                .map(|j| {
                    draw_weight(
                        &mut stream(seed, &[purpose::PRESET_VILLAGE, cid, 2, j as u64]),
                        0.5,
                        1.5,
                    )
                })
                .collect();
            (targets, w)
        } else {
            (poor_ids, weights)
        };
        let reserved = if self.poor_villages > 0 {
            targets.len()
        } else {
            0
        };
        let starts = allocate(rest - reserved, &weights);
        for (k, &j) in targets.iter().enumerate() {
            let count = starts[k + 1] - starts[k] + usize::from(reserved > 0);
            for slot in &mut village_of[cursor..cursor + count] {
                *slot = j as u32;
            }
            cursor += count;
        }
        debug_assert_eq!(cursor, n);

        // Lay households out village by village (stable: original order within a village).
        let mut rows: Vec<usize> = (0..n).collect();
        rows.sort_by_key(|&i| village_of[i]);
        let mut people = vec![0u64; nv];
        let mut within = vec![0i64; nv];
        let village_id: Vec<i64> = (0..nv)
            .map(|j| self.county_id * VILLAGE_ID_SPAN + j as i64 + 1)
            .collect();
        let shares = CauseShares::default().probabilities();
        let mut h = Households::default();
        let mut ids = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n);
        for &i in &rows {
            let j = village_of[i] as usize;
            within[j] += 1;
            if within[j] >= HOUSEHOLD_ID_SPAN {
                return Err(Error::invalid_parameter(
                    "households",
                    self.households,
                    format!(
                        "village {} would hold 10,000 or more households",
                        village_id[j]
                    ),
                ));
            }
            let id = village_id[j] * HOUSEHOLD_ID_SPAN + within[j];
            let size = sizes[i];
            people[j] += u64::from(size);
            let mut rng = stream(seed, &[purpose::PRESET_HOUSEHOLD, id as u64]);
            let d = household::draw(&mut rng, size, line, &shares);
            ids.push(id);
            scores.push(d.housing_score);
            h.village.push(j as u32);
            h.size.push(size);
            h.income_per_capita.push(d.income_per_capita);
            h.labour.push(d.labour);
            h.elderly.push(d.elderly);
            h.students.push(d.students);
            h.chronic_illness.push(d.chronic_illness);
            h.disability.push(d.disability);
            h.housing_safe.push(d.housing_safe);
            h.safe_water.push(d.safe_water);
            h.insured.push(d.insured);
            h.inhospitable.push(d.inhospitable);
            h.head_education_years.push(d.head_education_years);
            h.causes.push(d.causes);
            h.primary_cause.push(d.primary_cause);
            h.weight.push(1.0);
            h.registered.push(true);
        }
        h.id = Ids::Int(ids);
        if let Some(k) = self.unsafe_housing {
            // Exactly k unsafe: the households whose draws put them most at risk.
            let mut by_risk: Vec<usize> = (0..n).collect();
            // Equal scores to the lower household id (never by row: decision 9).
            by_risk.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(h.id.cmp_rows(a, b)));
            h.housing_safe.iter_mut().for_each(|s| *s = true);
            for &i in &by_risk[..k as usize] {
                h.housing_safe[i] = false;
            }
        }

        let population = (0..nv)
            .map(|j| {
                if poor[j] {
                    poor_population(people[j], drawn_pop[j], self.region, j)
                } else {
                    non_poor_population(people[j], drawn_pop[j], self.region, j)
                }
            })
            .collect::<Result<Vec<u32>>>()?;
        let villages = Villages {
            id: Ids::Int(village_id),
            county: vec![0; nv],
            population,
            region: vec![self.region; nv],
            poor,
        };
        let counties = Counties {
            id: Ids::Int(vec![self.county_id]),
            region: vec![self.region],
        };
        Registry::new(h, villages, counties)
    }
}

/// `n` household sizes in 1–8 summing exactly to `people`.
fn exact_sizes(n: usize, people: u64, seed: u64, cid: u64) -> Result<Vec<u16>> {
    let mean = people as f64 / n as f64;
    let mut sizes: Vec<u16> = if mean <= 1.0 {
        vec![1; n]
    } else if mean >= f64::from(MAX_SIZE) {
        vec![MAX_SIZE; n]
    } else {
        let dist = SizeDistribution::with_mean(mean)?;
        (0..n)
            .map(|i| {
                let u = open01(stream(seed, &[purpose::PRESET_SIZE, cid, i as u64]).next_u64());
                dist.sample(u)
            })
            .collect()
    };
    let mut diff = people as i64 - sizes.iter().map(|&s| i64::from(s)).sum::<i64>();
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| {
            let key = stream(seed, &[purpose::PRESET_ADJUST, cid, i as u64]).next_u64();
            (key, i)
        })
        .collect();
    order.sort_unstable();
    // Each pass moves every adjustable household by one; `people` within [n, 8n] guarantees the
    // loop ends.
    while diff != 0 {
        for &(_, i) in &order {
            if diff > 0 && sizes[i] < MAX_SIZE {
                sizes[i] += 1;
                diff -= 1;
            } else if diff < 0 && sizes[i] > 1 {
                sizes[i] -= 1;
                diff += 1;
            }
            if diff == 0 {
                break;
            }
        }
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sizes_hit_the_total() {
        for (n, people) in [(1usize, 1u64), (1, 8), (10, 11), (13_710, 41_414), (5, 40)] {
            let s = exact_sizes(n, people, 9, 1).unwrap();
            assert_eq!(s.len(), n);
            assert_eq!(s.iter().map(|&x| u64::from(x)).sum::<u64>(), people);
            assert!(s.iter().all(|&x| (1..=MAX_SIZE).contains(&x)));
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let err = county("linfen", 0).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.column(), Some("name"));
        for name in ["taiqian", "taoyuan", "pingguo", "changle"] {
            assert!(msg.contains(name), "{msg}");
        }
        assert_eq!(preset("TaiQian").unwrap().name, "taiqian");
        assert_eq!(preset("平果县").unwrap().name, "pingguo");
    }

    #[test]
    fn derived_household_counts_follow_the_national_ratio() {
        assert_eq!(derived_households(80_460), 26_467);
        assert_eq!(derived_households(12_621), 4_152);
        assert_eq!(derived_households(1_058), 348);
        // Changle's people from the published 128 people = 12.1 % of the poor.
        assert_eq!((128.0f64 / 0.121).round(), 1_058.0);
    }

    #[test]
    fn inconsistent_presets_are_rejected() {
        let base = preset("changle").unwrap();
        let mut p = base.clone();
        p.people = p.households * 9;
        assert_eq!(p.generate(0).unwrap_err().column(), Some("people"));
        let mut p = base.clone();
        p.poor_villages = p.villages + 1;
        assert_eq!(p.generate(0).unwrap_err().column(), Some("poor_villages"));
        let mut p = base.clone();
        p.year = 2009;
        assert_eq!(p.generate(0).unwrap_err().column(), Some("year"));
        let mut p = base.clone();
        p.households = 0;
        assert_eq!(p.generate(0).unwrap_err().column(), Some("households"));
        let mut p = base;
        p.unsafe_housing = Some(p.households + 1);
        assert_eq!(p.generate(0).unwrap_err().column(), Some("unsafe_housing"));
    }

    #[test]
    fn presets_without_poor_villages_keep_every_village_below_threshold() {
        let mut p = preset("changle").unwrap();
        p.poor_villages = 0;
        let reg = p.generate(3).unwrap();
        assert_eq!(reg.registered_people(), f64::from(p.people));
        let v = reg.villages();
        let mut people = vec![0u64; v.len()];
        for (i, &j) in reg.households().village.iter().enumerate() {
            people[j as usize] += u64::from(reg.households().size[i]);
        }
        for (j, &pj) in people.iter().enumerate() {
            assert!(!v.poor[j]);
            assert!(pj as f64 / f64::from(v.population[j]) <= reg.village_threshold(j));
        }
    }

    #[test]
    fn presets_round_trip_through_json() {
        let all = presets();
        let text = serde_json::to_string(&all).unwrap();
        let back: Vec<CountyPreset> = serde_json::from_str(&text).unwrap();
        assert_eq!(all, back);
    }
}
