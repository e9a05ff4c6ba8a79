//! Indicator presets for the Alkire–Foster index, built from registry fields: the five looks
//! (五看法) and 两不愁三保障.
//!
//! Every indicator is an *achievement* with a cutoff (deprived when strictly below it), so the
//! presets feed [`mpi`] with cutoffs; binary indicators are 1 (achieved) / 0 with cutoff 1, and
//! the cardinal ones (labour, years of schooling, income) also give M1 and M2 meaningful gaps.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::mpi::{Mpi, mpi};
use super::validate::{same_len, show};
use crate::error::{Error, Result};
use crate::registry::{Cause, Registry};

/// A named set of indicators, with weights and cutoffs, evaluated on a registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSet {
    /// Name of the set (`five_looks`, `two_assurances_three_guarantees`).
    pub name: String,
    /// Indicator names (the columns of `achievements`).
    pub indicators: Vec<String>,
    /// Chinese labels of the indicators.
    pub labels: Vec<String>,
    /// Indicator weights (sum to 1).
    pub weights: Vec<f64>,
    /// Cutoffs: deprived when the achievement is strictly below.
    pub cutoffs: Vec<f64>,
    /// `households × indicators` achievements.
    pub achievements: Array2<f64>,
    /// How each indicator was derived from the registry, and which are proxies.
    pub notes: Vec<String>,
}

impl IndicatorSet {
    /// The Alkire–Foster index of this set at cutoff `k` with survey `weights` (for people rather
    /// than households pass `size × weight`).
    ///
    /// # Errors
    /// Those of [`mpi`].
    pub fn mpi(&self, k: f64, weights: Option<&[f64]>) -> Result<Mpi> {
        mpi(
            self.achievements.view(),
            &self.weights,
            k,
            Some(&self.cutoffs),
            weights,
        )
    }
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Years of schooling below which a household head is deprived in education: primary school
/// (6 years; China's Compulsory Education Law of 1986 makes primary school the first 6 of 9
/// compulsory years).
pub const EDUCATION_CUTOFF_YEARS: f64 = 6.0;

/// The five looks (五看法: 看住房条件、看生产资料、看劳动能力、看教育程度、看健康状况, as used in
/// Taoyuan county, Hunan), equal weights 1/5. Mappings from registry fields:
///
/// | indicator | achievement | cutoff |
/// | --- | --- | --- |
/// | `housing` 住房条件 | 1 if `housing_safe` and `safe_water`, else 0 | 1 |
/// | `production_means` 生产资料 | 0 if `inhospitable` or a cause among lack of land, water or capital (缺土地、缺水、缺资金), else 1 — a proxy: the registry has no asset column | 1 |
/// | `labour` 劳动能力 | `labour` (members able to work) | 1 (deprived with no labour) |
/// | `education` 教育程度 | `head_education_years` | 6 ([`EDUCATION_CUTOFF_YEARS`]) |
/// | `health` 健康状况 | 1 if no member has a chronic illness or disability, else 0 | 1 |
///
/// # Examples
/// ```no_run
/// # fn f(reg: &fupin_core::Registry) -> fupin_core::Result<()> {
/// let set = fupin_core::targeting::five_looks(reg);
/// let m = set.mpi(0.4, Some(&reg.households().weight))?; // poor in 2 of 5 looks
/// # Ok(()) }
/// ```
pub fn five_looks(registry: &Registry) -> IndicatorSet {
    let h = registry.households();
    let n = h.len();
    let mut a = Array2::<f64>::zeros((n, 5));
    for i in 0..n {
        let c = h.causes[i];
        let lacks =
            c.contains(Cause::Land) || c.contains(Cause::Water) || c.contains(Cause::Capital);
        a[[i, 0]] = flag(h.housing_safe[i] && h.safe_water[i]);
        a[[i, 1]] = flag(!(h.inhospitable[i] || lacks));
        a[[i, 2]] = f64::from(h.labour[i]);
        a[[i, 3]] = f64::from(h.head_education_years[i]);
        a[[i, 4]] = flag(h.chronic_illness[i] == 0 && h.disability[i] == 0);
    }
    IndicatorSet {
        name: "five_looks".into(),
        indicators: [
            "housing",
            "production_means",
            "labour",
            "education",
            "health",
        ]
        .map(String::from)
        .to_vec(),
        labels: [
            "看住房条件",
            "看生产资料",
            "看劳动能力",
            "看教育程度",
            "看健康状况",
        ]
        .map(String::from)
        .to_vec(),
        weights: vec![0.2; 5],
        cutoffs: vec![1.0, 1.0, 1.0, EDUCATION_CUTOFF_YEARS, 1.0],
        achievements: a,
        notes: vec![
            "housing: housing_safe AND safe_water".into(),
            "production_means: proxy — not inhospitable and no cause land/water/capital".into(),
            "labour: members able to work, deprived at 0".into(),
            "education: head_education_years, deprived below 6".into(),
            "health: no member with chronic_illness or disability".into(),
        ],
    }
}

/// 两不愁三保障 ("no worry about food and clothing; guaranteed compulsory education, basic medical
/// care and safe housing"), with nested weights: the two halves of the slogan weigh 1/2 each, equal
/// within (food 1/4, clothing 1/4, education, medical care and housing 1/6 each). Mappings:
///
/// | indicator | achievement | cutoff |
/// | --- | --- | --- |
/// | `food` 不愁吃 | `income_per_capita` | `line` (judged by income, as in the exit standard) |
/// | `clothing` 不愁穿 | `income_per_capita` | `line` |
/// | `compulsory_education` 义务教育 | 1 if `dropouts[i] == 0` (school-age children out of school), else 0; without `dropouts`, the proxy 0 if the household is poor because of schooling costs (cause `schooling`, 因学), else 1 | 1 |
/// | `basic_medical` 基本医疗 | 1 if `insured`, else 0 | 1 |
/// | `safe_housing` 住房安全 | 1 if `housing_safe`, else 0 | 1 |
///
/// # Errors
/// [`Error::InvalidParameter`] `line` unless positive and finite; [`Error::LengthMismatch`] for
/// `dropouts`.
pub fn two_assurances_three_guarantees(
    registry: &Registry,
    line: f64,
    dropouts: Option<&[u16]>,
) -> Result<IndicatorSet> {
    if !(line.is_finite() && line > 0.0) {
        return Err(Error::invalid_parameter(
            "line",
            show(line),
            "must be a positive finite poverty line",
        ));
    }
    let h = registry.households();
    let n = h.len();
    if let Some(d) = dropouts {
        same_len("two_assurances_three_guarantees", "dropouts", n, d.len())?;
    }
    let mut a = Array2::<f64>::zeros((n, 5));
    for i in 0..n {
        let income = h.income_per_capita[i];
        a[[i, 0]] = income;
        a[[i, 1]] = income;
        a[[i, 2]] = match dropouts {
            Some(d) => flag(d[i] == 0),
            None => flag(!h.causes[i].contains(Cause::Schooling)),
        };
        a[[i, 3]] = flag(h.insured[i]);
        a[[i, 4]] = flag(h.housing_safe[i]);
    }
    let education_note = if dropouts.is_some() {
        "compulsory_education: no school-age dropouts (given)"
    } else {
        "compulsory_education: proxy — not poor because of schooling costs (no dropout data given)"
    };
    Ok(IndicatorSet {
        name: "two_assurances_three_guarantees".into(),
        indicators: [
            "food",
            "clothing",
            "compulsory_education",
            "basic_medical",
            "safe_housing",
        ]
        .map(String::from)
        .to_vec(),
        labels: [
            "不愁吃",
            "不愁穿",
            "义务教育有保障",
            "基本医疗有保障",
            "住房安全有保障",
        ]
        .map(String::from)
        .to_vec(),
        weights: vec![0.25, 0.25, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0],
        cutoffs: vec![line, line, 1.0, 1.0, 1.0],
        achievements: a,
        notes: vec![
            "food: income_per_capita below the line".into(),
            "clothing: income_per_capita below the line".into(),
            education_note.into(),
            "basic_medical: insured".into(),
            "safe_housing: housing_safe".into(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{CauseSet, Region};
    use crate::targeting::testutil::{H, registry};

    fn causes(cs: &[Cause]) -> CauseSet {
        let mut s = CauseSet::EMPTY;
        for c in cs {
            s.insert(*c);
        }
        s
    }

    #[test]
    fn five_looks_maps_each_field() {
        let hs = vec![
            H::default(), // deprived in nothing
            H {
                safe_water: false,
                ..H::default()
            }, // housing
            H {
                causes: causes(&[Cause::Land]),
                ..H::default()
            }, // production means
            H {
                inhospitable: true,
                ..H::default()
            }, // production means
            H {
                labour: 0,
                ..H::default()
            }, // labour
            H {
                education: 5,
                ..H::default()
            }, // education (5 < 6)
            H {
                education: 6,
                disability: 1,
                ..H::default()
            }, // health only (6 is not < 6)
            H {
                housing_safe: false,
                labour: 0,
                chronic: 2,
                ..H::default()
            }, // three looks
        ];
        let reg = registry(&hs, &[100], &[0], Region::Centre);
        let set = five_looks(&reg);
        let m = set.mpi(0.2, None).unwrap();
        let want_dep = [
            [false, false, false, false, false],
            [true, false, false, false, false],
            [false, true, false, false, false],
            [false, true, false, false, false],
            [false, false, true, false, false],
            [false, false, false, true, false],
            [false, false, false, false, true],
            [true, false, true, false, true],
        ];
        for (i, row) in want_dep.iter().enumerate() {
            assert_eq!(m.deprivation.row(i).to_vec(), row.to_vec(), "household {i}");
        }
        // At k = 0.4 (2 of 5) only the last household is poor, with score 3/5.
        let m = set.mpi(0.4, None).unwrap();
        assert_eq!(m.poor.iter().filter(|p| **p).count(), 1);
        assert!((m.scores[7] - 0.6).abs() < 1e-15);
        // Education gap (6 − 5)/6 appears in M1 at k = 0.2: gaps 1 for binaries and labour.
        let m = set.mpi(0.2, None).unwrap();
        let want_m1 = 0.2 * (1.0 + 1.0 + 1.0 + 1.0 + 1.0 / 6.0 + 1.0 + 3.0) / 8.0;
        assert!((m.m1.unwrap() - want_m1).abs() < 1e-15);
    }

    #[test]
    fn two_assurances_maps_each_field() {
        let hs = vec![
            H::default(),
            H {
                income: 2000.0,
                ..H::default()
            },
            H {
                causes: causes(&[Cause::Schooling]),
                ..H::default()
            },
            H {
                insured: false,
                ..H::default()
            },
            H {
                housing_safe: false,
                ..H::default()
            },
        ];
        let reg = registry(&hs, &[100], &[0], Region::Centre);
        let set = two_assurances_three_guarantees(&reg, 3000.0, None).unwrap();
        let m = set.mpi(1.0 / 6.0, None).unwrap();
        let scores = [0.0, 0.5, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0];
        for (got, want) in m.scores.iter().zip(scores) {
            assert!((got - want).abs() < 1e-15);
        }
        assert_eq!(m.poor, vec![false, true, true, true, true]);
        // With dropout data the schooling proxy is replaced.
        let set = two_assurances_three_guarantees(&reg, 3000.0, Some(&[1, 0, 0, 0, 0])).unwrap();
        let m = set.mpi(1.0 / 6.0, None).unwrap();
        assert_eq!(m.poor, vec![true, true, false, true, true]);
        assert!((set.weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        let e = two_assurances_three_guarantees(&reg, 0.0, None).unwrap_err();
        assert_eq!(e.column(), Some("line"));
        let e = two_assurances_three_guarantees(&reg, 3000.0, Some(&[0])).unwrap_err();
        assert_eq!(e.column(), Some("dropouts"));
    }
}
