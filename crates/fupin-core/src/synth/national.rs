//! Synthetic registries of any size, generated in parallel.
//!
//! Household `i` (id `i + 1`) draws everything from `rng::stream(seed, [HOUSEHOLD, i])`, village
//! `j` from `rng::stream(seed, [VILLAGE, j])` and county `c` from `rng::stream(seed, [COUNTY, c])`,
//! so the registry is a pure function of the configuration, whatever the number of threads. The
//! columns are allocated once and filled in place by recursive halving (`rayon::join`), with no
//! allocation per household.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::household::{self, CauseShares};
use super::sizes::SizeDistribution;
use super::villages::{
    allocate, draw_population, draw_weight, non_poor_population, poor_population,
};
use super::{national_line, purpose};
use crate::error::{Error, Result};
use crate::random::{open01, stream};
use crate::registry::{Cause, CauseSet, Counties, Households, Ids, Region, Registry, Villages};

/// Share of counties in each region.
///
/// Default: the regional split of China's rural poor in 2014 (NBS rural poverty monitoring: east
/// 9.56 million, centre 24.61 million, west 36.00 million of 70.17 million), used as the
/// probability that a county lies in the region. Shares need not sum to 1 (they are normalised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionShares {
    /// West (default 0.513).
    pub west: f64,
    /// Centre (default 0.351).
    pub centre: f64,
    /// East (default 0.136).
    pub east: f64,
}

impl Default for RegionShares {
    fn default() -> Self {
        RegionShares {
            west: 0.513,
            centre: 0.351,
            east: 0.136,
        }
    }
}

/// Everything that shapes a synthetic registry. Build with [`SynthConfig::new`] and adjust fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthConfig {
    /// Registered households (≥ 1).
    pub households: usize,
    /// Villages (≥ 1). More villages than households is allowed: villages without registered
    /// households are non-poor with a drawn population.
    pub villages: usize,
    /// Counties (1 ≤ counties ≤ villages); `None`: one per 200 villages, rounded up (China had
    /// about 560,000 administrative villages in some 2,850 county-level divisions around 2016).
    pub counties: Option<usize>,
    /// Seed of every random draw.
    pub seed: u64,
    /// Year, which sets the poverty line of the incomes (default 2016; see [`super::national_line`]).
    pub year: u16,
    /// Mean people per household (default 3.04, the 2014 national register).
    pub mean_size: f64,
    /// Probability that a village is designated poor (default 0.22: about 128,000 poor villages
    /// among some 580,000 administrative villages in the 2014 register). A designated village that
    /// receives no household is not poor.
    pub poor_village_share: f64,
    /// How many times more registered households a poor village receives on average than a
    /// non-poor one (default 20: poor villages then have incidence around 20 % and the others
    /// around 1 % with villages of 1,000–3,000 people, as the village exit rules require).
    pub poor_village_concentration: f64,
    /// Region of each county.
    pub regions: RegionShares,
    /// Causes of poverty.
    pub causes: CauseShares,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            households: 10_000,
            villages: 200,
            counties: None,
            seed: 0,
            year: 2016,
            mean_size: super::presets::NATIONAL_PEOPLE_PER_HOUSEHOLD,
            poor_village_share: 0.22,
            poor_village_concentration: 20.0,
            regions: RegionShares::default(),
            causes: CauseShares::default(),
        }
    }
}

/// A synthetic registry of `households` in `villages`, drawn with `seed` and the defaults of
/// [`SynthConfig`].
///
/// # Errors
/// [`Error::InvalidParameter`] for 0 households or 0 villages (see [`SynthConfig::generate`]).
///
/// # Examples
/// ```
/// let reg = fupin_core::synth::synthetic(5_000, 40, 7).unwrap();
/// assert_eq!(reg.n_households(), 5_000);
/// assert_eq!(reg.n_villages(), 40);
/// assert_eq!(reg, fupin_core::synth::synthetic(5_000, 40, 7).unwrap());
/// ```
pub fn synthetic(households: usize, villages: usize, seed: u64) -> Result<Registry> {
    SynthConfig {
        seed,
        ..SynthConfig::new(households, villages)
    }
    .generate()
}

impl SynthConfig {
    /// The default configuration for `households` in `villages`.
    pub fn new(households: usize, villages: usize) -> Self {
        SynthConfig {
            households,
            villages,
            ..SynthConfig::default()
        }
    }

    fn check(&self) -> Result<usize> {
        let bad = |name: &str, value: String, reason: &str| {
            Err(Error::invalid_parameter(name, value, reason))
        };
        if self.households == 0 || i64::try_from(self.households).is_err() {
            return bad(
                "households",
                self.households.to_string(),
                "must be at least 1",
            );
        }
        if self.villages == 0 || u32::try_from(self.villages).is_err() {
            return bad(
                "villages",
                self.villages.to_string(),
                "must lie between 1 and 2^32 - 1",
            );
        }
        let counties = self.counties.unwrap_or(self.villages.div_ceil(200));
        if counties == 0 || counties > self.villages {
            return bad(
                "counties",
                counties.to_string(),
                "must lie between 1 and the number of villages",
            );
        }
        let p = self.poor_village_share;
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            return bad(
                "poor_village_share",
                p.to_string(),
                "is not a probability in [0, 1]",
            );
        }
        let c = self.poor_village_concentration;
        if !(c.is_finite() && c > 0.0 && c <= 1e6) {
            return bad(
                "poor_village_concentration",
                c.to_string(),
                "must be a positive number up to 1e6",
            );
        }
        let r = &self.regions;
        for (name, s) in [
            ("regions.west", r.west),
            ("regions.centre", r.centre),
            ("regions.east", r.east),
        ] {
            if !(s.is_finite() && s >= 0.0) {
                return bad(name, s.to_string(), "is not a non-negative share");
            }
        }
        if r.west + r.centre + r.east <= 0.0 {
            return bad("regions", "0".into(), "shares sum to zero");
        }
        self.causes.validate()?;
        national_line(self.year)?;
        SizeDistribution::with_mean(self.mean_size)?;
        Ok(counties)
    }

    fn region(&self, u: f64) -> Region {
        let r = &self.regions;
        let x = u * (r.west + r.centre + r.east);
        if x < r.west {
            Region::West
        } else if x < r.west + r.centre {
            Region::Centre
        } else {
            Region::East
        }
    }

    /// Generate the registry (in parallel on the current rayon pool).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field for 0 households, 0 villages, counties outside
    /// 1–villages, shares outside [0, 1], a year without a poverty line, a mean size outside
    /// (1, 8), or villages so few that a population would exceed the `u32` range.
    pub fn generate(&self) -> Result<Registry> {
        let nc = self.check()?;
        let (n, nv) = (self.households, self.villages);
        let seed = self.seed;
        let line = national_line(self.year)?;
        let sizes = SizeDistribution::with_mean(self.mean_size)?;
        let shares = self.causes.probabilities();

        let county_region: Vec<Region> = (0..nc)
            .map(|c| {
                let mut rng = stream(seed, &[purpose::COUNTY, c as u64]);
                self.region(open01(rng.next_u64()))
            })
            .collect();
        let village_county: Vec<u32> = (0..nv)
            .map(|j| (j as u128 * nc as u128 / nv as u128) as u32)
            .collect();
        // Per village: designated poor?, allocation weight, drawn population.
        let draws: Vec<(bool, u64, u64)> = (0..nv)
            .into_par_iter()
            .map(|j| {
                let mut rng = stream(seed, &[purpose::VILLAGE, j as u64]);
                let poor = open01(rng.next_u64()) < self.poor_village_share;
                let w = draw_weight(&mut rng, 0.5, 1.5);
                let w = if poor {
                    ((w as f64 * self.poor_village_concentration) as u64).max(1)
                } else {
                    w
                };
                (poor, w, draw_population(&mut rng))
            })
            .collect();
        let weights: Vec<u64> = draws.iter().map(|d| d.1).collect();
        let starts = allocate(n, &weights);

        let mut h = Households {
            id: Ids::Int(Vec::new()),
            village: vec![0; n],
            size: vec![0; n],
            income_per_capita: vec![0.0; n],
            labour: vec![0; n],
            elderly: vec![0; n],
            students: vec![0; n],
            chronic_illness: vec![0; n],
            disability: vec![0; n],
            housing_safe: vec![false; n],
            safe_water: vec![false; n],
            insured: vec![false; n],
            inhospitable: vec![false; n],
            head_education_years: vec![0; n],
            causes: vec![CauseSet::EMPTY; n],
            primary_cause: vec![None; n],
            weight: vec![1.0; n],
            registered: vec![true; n],
        };
        let mut ids = vec![0i64; n];
        let ctx = Context {
            seed,
            line,
            sizes: &sizes,
            shares: &shares,
            starts: &starts,
        };
        fill(ColumnsMut::new(&mut h, &mut ids), 0, &ctx);
        crate::cancel::check()?;
        h.id = Ids::Int(ids);

        let people: Vec<u64> = (0..nv)
            .into_par_iter()
            .map(|j| {
                h.size[starts[j]..starts[j + 1]]
                    .iter()
                    .map(|&s| u64::from(s))
                    .sum()
            })
            .collect();
        let region: Vec<Region> = village_county
            .iter()
            .map(|&c| county_region[c as usize])
            .collect();
        let poor: Vec<bool> = (0..nv).map(|j| draws[j].0 && people[j] > 0).collect();
        let population = (0..nv)
            .into_par_iter()
            .map(|j| {
                if poor[j] {
                    poor_population(people[j], draws[j].2, region[j], j)
                } else {
                    non_poor_population(people[j], draws[j].2, region[j], j)
                }
            })
            .collect::<Result<Vec<u32>>>()?;
        let villages = Villages {
            id: Ids::Int((1..=nv as i64).collect()),
            county: village_county,
            population,
            region,
            poor,
        };
        let counties = Counties {
            id: Ids::Int((1..=nc as i64).collect()),
            region: county_region,
        };
        Registry::new(h, villages, counties)
    }
}

struct Context<'a> {
    seed: u64,
    line: f64,
    sizes: &'a SizeDistribution,
    shares: &'a [f64; 13],
    starts: &'a [usize],
}

/// Mutable views of the household columns that are drawn (weight and registered are constant).
struct ColumnsMut<'a> {
    id: &'a mut [i64],
    village: &'a mut [u32],
    size: &'a mut [u16],
    income: &'a mut [f64],
    labour: &'a mut [u16],
    elderly: &'a mut [u16],
    students: &'a mut [u16],
    chronic: &'a mut [u16],
    disability: &'a mut [u16],
    housing_safe: &'a mut [bool],
    safe_water: &'a mut [bool],
    insured: &'a mut [bool],
    inhospitable: &'a mut [bool],
    education: &'a mut [u8],
    causes: &'a mut [CauseSet],
    primary: &'a mut [Option<Cause>],
}

impl<'a> ColumnsMut<'a> {
    fn new(h: &'a mut Households, id: &'a mut [i64]) -> Self {
        ColumnsMut {
            id,
            village: &mut h.village,
            size: &mut h.size,
            income: &mut h.income_per_capita,
            labour: &mut h.labour,
            elderly: &mut h.elderly,
            students: &mut h.students,
            chronic: &mut h.chronic_illness,
            disability: &mut h.disability,
            housing_safe: &mut h.housing_safe,
            safe_water: &mut h.safe_water,
            insured: &mut h.insured,
            inhospitable: &mut h.inhospitable,
            education: &mut h.head_education_years,
            causes: &mut h.causes,
            primary: &mut h.primary_cause,
        }
    }

    fn len(&self) -> usize {
        self.id.len()
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        macro_rules! split {
            ($($f:ident),*) => {{
                $(let $f = self.$f.split_at_mut(mid);)*
                (ColumnsMut { $($f: $f.0,)* }, ColumnsMut { $($f: $f.1,)* })
            }};
        }
        split!(
            id,
            village,
            size,
            income,
            labour,
            elderly,
            students,
            chronic,
            disability,
            housing_safe,
            safe_water,
            insured,
            inhospitable,
            education,
            causes,
            primary
        )
    }
}

/// Households per sequential leaf of the parallel fill.
const LEAF: usize = 16 * 1024;

/// Fill rows `offset..offset + cols.len()`. Leaves left once the run is cancelled (see
/// [`crate::cancel`]) are skipped; the caller then returns [`crate::Error::Cancelled`].
fn fill(cols: ColumnsMut<'_>, offset: usize, ctx: &Context<'_>) {
    let len = cols.len();
    if crate::cancel::is_cancelled() {
        return;
    }
    if len > LEAF {
        let mid = len / 2;
        let (a, b) = cols.split_at(mid);
        rayon::join(|| fill(a, offset, ctx), || fill(b, offset + mid, ctx));
        return;
    }
    let starts = ctx.starts;
    // The village of row `offset`: the last j with starts[j] ≤ offset.
    let mut v = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    for k in 0..len {
        let i = offset + k;
        while starts[v + 1] <= i {
            v += 1;
        }
        let mut rng = stream(ctx.seed, &[purpose::HOUSEHOLD, i as u64]);
        let size = ctx.sizes.sample(open01(rng.next_u64()));
        let d = household::draw(&mut rng, size, ctx.line, ctx.shares);
        cols.id[k] = i as i64 + 1;
        cols.village[k] = v as u32;
        cols.size[k] = size;
        cols.income[k] = d.income_per_capita;
        cols.labour[k] = d.labour;
        cols.elderly[k] = d.elderly;
        cols.students[k] = d.students;
        cols.chronic[k] = d.chronic_illness;
        cols.disability[k] = d.disability;
        cols.housing_safe[k] = d.housing_safe;
        cols.safe_water[k] = d.safe_water;
        cols.insured[k] = d.insured;
        cols.inhospitable[k] = d.inhospitable;
        cols.education[k] = d.head_education_years;
        cols.causes[k] = d.causes;
        cols.primary[k] = d.primary_cause;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_sizes_and_bad_parameters_are_errors() {
        assert_eq!(
            synthetic(0, 10, 1).unwrap_err().column(),
            Some("households")
        );
        assert_eq!(synthetic(10, 0, 1).unwrap_err().column(), Some("villages"));
        let cases: Vec<(SynthConfig, &str)> = vec![
            (
                SynthConfig {
                    counties: Some(11),
                    ..SynthConfig::new(100, 10)
                },
                "counties",
            ),
            (
                SynthConfig {
                    counties: Some(0),
                    ..SynthConfig::new(100, 10)
                },
                "counties",
            ),
            (
                SynthConfig {
                    poor_village_share: 1.2,
                    ..SynthConfig::new(100, 10)
                },
                "poor_village_share",
            ),
            (
                SynthConfig {
                    poor_village_concentration: f64::NAN,
                    ..SynthConfig::new(100, 10)
                },
                "poor_village_concentration",
            ),
            (
                SynthConfig {
                    year: 2031,
                    ..SynthConfig::new(100, 10)
                },
                "year",
            ),
            (
                SynthConfig {
                    mean_size: 9.0,
                    ..SynthConfig::new(100, 10)
                },
                "mean_size",
            ),
            (
                SynthConfig {
                    regions: RegionShares {
                        west: -1.0,
                        ..RegionShares::default()
                    },
                    ..SynthConfig::new(100, 10)
                },
                "regions.west",
            ),
        ];
        for (cfg, column) in cases {
            assert_eq!(cfg.generate().unwrap_err().column(), Some(column));
        }
    }

    #[test]
    fn one_household_and_more_villages_than_households() {
        let one = synthetic(1, 1, 3).unwrap();
        assert_eq!(one.n_households(), 1);
        let sparse = synthetic(5, 50, 3).unwrap();
        assert_eq!(sparse.n_villages(), 50);
        let v = sparse.villages();
        let mut people = vec![0u64; v.len()];
        for (i, &j) in sparse.households().village.iter().enumerate() {
            people[j as usize] += u64::from(sparse.households().size[i]);
        }
        for (j, &pj) in people.iter().enumerate() {
            if pj == 0 {
                assert!(!v.poor[j]);
                let (lo, hi) = super::super::VILLAGE_POPULATION;
                assert!((lo..=hi).contains(&v.population[j]));
            }
        }
    }

    #[test]
    fn config_round_trips_through_json_and_toml() {
        let cfg = SynthConfig {
            counties: Some(3),
            seed: 99,
            ..SynthConfig::new(1_000, 30)
        };
        let json = serde_json::to_string(&cfg).unwrap();
        assert_eq!(serde_json::from_str::<SynthConfig>(&json).unwrap(), cfg);
        let toml_text = toml::to_string(&cfg).unwrap();
        assert_eq!(toml::from_str::<SynthConfig>(&toml_text).unwrap(), cfg);
        // Missing fields take the defaults.
        let partial: SynthConfig = serde_json::from_str(r#"{"households": 5}"#).unwrap();
        assert_eq!(partial.villages, SynthConfig::default().villages);
    }

    #[test]
    fn counties_are_contiguous_blocks_of_villages_with_one_region() {
        let cfg = SynthConfig {
            counties: Some(7),
            ..SynthConfig::new(3_000, 100)
        };
        let reg = cfg.generate().unwrap();
        assert_eq!(reg.n_counties(), 7);
        let v = reg.villages();
        assert!(v.county.windows(2).all(|w| w[0] <= w[1]));
        for j in 0..v.len() {
            assert_eq!(v.region[j], reg.counties().region[v.county[j] as usize]);
        }
        assert_eq!(SynthConfig::new(10, 401).check().unwrap(), 3);
    }
}
