//! The Alkire–Foster multidimensional poverty index (Alkire & Foster 2011, "Counting and
//! multidimensional poverty measurement", *Journal of Public Economics* 95(7–8): 476–487).
//!
//! Given `n` units × `d` indicators:
//!
//! 1. **Deprivation.** Without cutoffs the indicators are 0/1 deprivations (1 = deprived). With
//!    cutoffs `z`, unit `i` is deprived in indicator `j` when its achievement is strictly below the
//!    cutoff, `yᵢⱼ < zⱼ` (as in Alkire & Foster 2011, §2); meeting the cutoff exactly is not deprived.
//! 2. **Weights.** Indicator weights must be positive and finite; they are normalised to sum to 1,
//!    so `k` and the scores are fractions of the total weight (Alkire & Foster weight to sum to
//!    `d` and take `k` in counts; k = 2 of 4 equal indicators here is k = 0.5).
//! 3. **Identification.** The score `cᵢ = Σⱼ wⱼ dᵢⱼ` ∈ [0, 1]; unit `i` is poor when `cᵢ ≥ k`,
//!    with `0 < k ≤ 1` (k = the smallest weight is the union approach, k = 1 the intersection).
//!    Because a sum of decimal weights need not be exact in binary (0.01 + 0.01 + 0.18 is
//!    0.19999999999999998), the comparison is `cᵢ ≥ k − 10⁻⁹` ([`SCORE_TOLERANCE`]): rounding
//!    errors of a sum of at most a few hundred weights are below 10⁻¹³, while distinct scores from
//!    weights given to fewer than nine decimals differ by more than 10⁻⁹.
//! 4. **Aggregation** with survey weights `v` (default 1): headcount ratio `H = Σv·poor / Σv`;
//!    intensity `A = Σv·poor·c / Σv·poor` (0 when nobody is poor, so that `M0 = H × A` always);
//!    adjusted headcount `M0 = H × A = Σⱼ wⱼ hⱼ` with censored headcounts
//!    `hⱼ = Σv·poor·dⱼ / Σv`; each indicator's contribution `100 · wⱼ hⱼ / M0` (sums to 100;
//!    `NaN` when M0 = 0). With cutoffs, all positive, also the adjusted poverty gap
//!    `M1 = Σv·poor·Σⱼ wⱼ gᵢⱼ / Σv` and adjusted squared gap `M2` (with `gᵢⱼ²`), where
//!    `gᵢⱼ = (zⱼ − yᵢⱼ)/zⱼ` for a deprivation and 0 otherwise.
//!
//! [`Mpi::by_group`] decomposes by a group index (village, county): M0 is population-subgroup
//! decomposable, `M0 = Σ_g (N_g/N) M0_g`, so the groups' contributions sum to 100.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::validate::{groups, non_empty, same_len, show, weights as check_weights};
use crate::error::{Error, Result};

/// Tolerance of the identification step: poor when score ≥ k − `SCORE_TOLERANCE`.
pub const SCORE_TOLERANCE: f64 = 1e-9;

/// An Alkire–Foster index and everything it is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mpi {
    /// The poverty cutoff `k` (a fraction of the total weight).
    pub k: f64,
    /// Indicator weights, normalised to sum to 1.
    pub indicator_weights: Vec<f64>,
    /// Survey weights of the units (1 when none were given).
    pub weights: Vec<f64>,
    /// `n × d` deprivation matrix (uncensored).
    pub deprivation: Array2<bool>,
    /// Normalised gaps `(z − y)/z` of the deprivations (0 elsewhere), uncensored; present only
    /// with cutoffs that are all positive.
    pub gaps: Option<Array2<f64>>,
    /// Weighted deprivation score `cᵢ` of each unit.
    pub scores: Vec<f64>,
    /// Identified as multidimensionally poor (`cᵢ ≥ k`).
    pub poor: Vec<bool>,
    /// Headcount ratio H.
    pub h: f64,
    /// Average intensity A among the poor.
    pub a: f64,
    /// Adjusted headcount ratio M0 = H × A.
    pub m0: f64,
    /// Adjusted poverty gap M1 (with positive cutoffs only).
    pub m1: Option<f64>,
    /// Adjusted squared poverty gap M2 (with positive cutoffs only).
    pub m2: Option<f64>,
    /// Share of units deprived in each indicator (weighted), poor or not.
    pub uncensored_headcount: Vec<f64>,
    /// Share of units poor and deprived in each indicator (weighted).
    pub censored_headcount: Vec<f64>,
    /// Percent contribution of each indicator to M0 (sums to 100).
    pub contribution: Vec<f64>,
}

/// One group's part of an index ([`Mpi::by_group`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMpi {
    /// Weighted population share of the group.
    pub population_share: f64,
    /// The group's H.
    pub h: f64,
    /// The group's A (0 when nobody in it is poor).
    pub a: f64,
    /// The group's M0.
    pub m0: f64,
    /// The group's M1 (when the index has gaps).
    pub m1: Option<f64>,
    /// The group's M2 (when the index has gaps).
    pub m2: Option<f64>,
    /// The group's censored headcount of each indicator.
    pub censored_headcount: Vec<f64>,
    /// Percent contribution of the group to the overall M0: `100 · share · M0_g / M0`.
    pub contribution: f64,
}

const MPI: &str = "mpi";

fn column(j: usize) -> String {
    format!("indicator {j}")
}

/// Compute the Alkire–Foster index (see the module documentation for every definition).
///
/// `indicators` is `n × d`: 0/1 deprivations without `cutoffs`, achievements with them.
///
/// # Errors
/// [`Error::Empty`] for no rows or no indicators; [`Error::LengthMismatch`] for
/// `indicator_weights`, `cutoffs` or `weights`; [`Error::InvalidValue`] naming `indicator j`
/// (0-based) and the 1-based row of a non-finite value, or of a value other than 0 or 1 without
/// cutoffs; [`Error::InvalidParameter`] for an indicator weight or cutoff that is not positive
/// (weights) or finite, or `k` outside (0, 1].
///
/// # Examples
/// The example of Alkire & Foster (2011): four people, four indicators, k = 2 of 4.
/// ```
/// use ndarray::array;
/// use fupin_core::targeting::mpi;
/// let y = array![[13.1, 14.0, 4.0, 1.0], [15.2, 7.0, 5.0, 0.0], [12.5, 10.0, 1.0, 0.0], [20.0, 11.0, 3.0, 1.0]];
/// let m = mpi(y.view(), &[1.0; 4], 0.5, Some(&[13.0, 12.0, 3.0, 1.0]), None).unwrap();
/// assert_eq!((m.h, m.a, m.m0), (0.5, 0.75, 0.375));
/// ```
pub fn mpi(
    indicators: ArrayView2<f64>,
    indicator_weights: &[f64],
    k: f64,
    cutoffs: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<Mpi> {
    let (n, d) = indicators.dim();
    non_empty(MPI, n)?;
    if d == 0 {
        return Err(Error::Empty {
            table: "mpi indicators (columns)".into(),
        });
    }
    same_len(MPI, "indicator_weights", d, indicator_weights.len())?;
    if let Some(j) = indicator_weights
        .iter()
        .position(|w| !(w.is_finite() && *w > 0.0))
    {
        return Err(Error::invalid_parameter(
            format!("indicator_weights[{j}]"),
            show(indicator_weights[j]),
            "is not a positive finite weight",
        ));
    }
    if !(k.is_finite() && k > 0.0 && k <= 1.0) {
        return Err(Error::invalid_parameter(
            "k",
            show(k),
            "must lie in (0, 1]: a fraction of the total indicator weight",
        ));
    }
    let total: f64 = indicator_weights.iter().sum();
    let iw: Vec<f64> = indicator_weights.iter().map(|w| w / total).collect();
    let v = check_weights(MPI, weights, n)?;
    for ((i, j), x) in indicators.indexed_iter() {
        if !x.is_finite() {
            return Err(Error::invalid_value(
                MPI,
                column(j),
                i + 1,
                show(*x),
                "is not a finite number",
            ));
        }
        if cutoffs.is_none() && *x != 0.0 && *x != 1.0 {
            return Err(Error::invalid_value(
                MPI,
                column(j),
                i + 1,
                show(*x),
                "is not a 0/1 deprivation (give cutoffs for achievements)",
            ));
        }
    }
    let (deprivation, gaps) = match cutoffs {
        None => (indicators.mapv(|x| x == 1.0), None),
        Some(z) => {
            same_len(MPI, "cutoffs", d, z.len())?;
            if let Some(j) = z.iter().position(|c| !c.is_finite()) {
                return Err(Error::invalid_parameter(
                    format!("cutoffs[{j}]"),
                    show(z[j]),
                    "is not finite",
                ));
            }
            let dep = Array2::from_shape_fn((n, d), |(i, j)| indicators[[i, j]] < z[j]);
            let gaps = z.iter().all(|c| *c > 0.0).then(|| {
                Array2::from_shape_fn((n, d), |(i, j)| {
                    if dep[[i, j]] {
                        (z[j] - indicators[[i, j]]) / z[j]
                    } else {
                        0.0
                    }
                })
            });
            (dep, gaps)
        }
    };
    let scores: Vec<f64> = (0..n)
        .map(|i| (0..d).filter(|&j| deprivation[[i, j]]).map(|j| iw[j]).sum())
        .collect();
    let poor: Vec<bool> = scores.iter().map(|c| *c >= k - SCORE_TOLERANCE).collect();
    let sv: f64 = v.iter().sum();
    let mut uncensored = vec![0.0; d];
    for i in 0..n {
        for j in 0..d {
            if deprivation[[i, j]] {
                uncensored[j] += v[i];
            }
        }
    }
    let uncensored_headcount = uncensored.iter().map(|x| x / sv).collect();
    let mut m = Mpi {
        k,
        indicator_weights: iw,
        weights: v,
        deprivation,
        gaps,
        scores,
        poor,
        h: 0.0,
        a: 0.0,
        m0: 0.0,
        m1: None,
        m2: None,
        uncensored_headcount,
        censored_headcount: Vec::new(),
        contribution: Vec::new(),
    };
    let all: Vec<usize> = (0..n).collect();
    let s = m.summarise(&all);
    m.h = s.h;
    m.a = s.a;
    m.m0 = s.m0;
    m.m1 = s.m1;
    m.m2 = s.m2;
    m.contribution = (0..d)
        .map(|j| pct(m.indicator_weights[j] * s.censored[j], s.m0))
        .collect();
    m.censored_headcount = s.censored;
    Ok(m)
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        f64::NAN
    }
}

struct Summary {
    sv: f64,
    h: f64,
    a: f64,
    m0: f64,
    m1: Option<f64>,
    m2: Option<f64>,
    censored: Vec<f64>,
}

impl Mpi {
    /// H, A, M0, M1, M2 and censored headcounts over `rows`.
    fn summarise(&self, rows: &[usize]) -> Summary {
        let d = self.indicator_weights.len();
        let (mut sv, mut sp, mut spc) = (0.0, 0.0, 0.0);
        let mut censored = vec![0.0; d];
        let (mut g1, mut g2) = (0.0, 0.0);
        for &i in rows {
            let v = self.weights[i];
            sv += v;
            if !self.poor[i] {
                continue;
            }
            sp += v;
            spc += v * self.scores[i];
            for j in 0..d {
                if self.deprivation[[i, j]] {
                    censored[j] += v;
                }
                if let Some(g) = &self.gaps {
                    g1 += v * self.indicator_weights[j] * g[[i, j]];
                    g2 += v * self.indicator_weights[j] * g[[i, j]] * g[[i, j]];
                }
            }
        }
        let h = if sv > 0.0 { sp / sv } else { f64::NAN };
        let a = if sp > 0.0 { spc / sp } else { 0.0 };
        let has_gaps = self.gaps.is_some();
        Summary {
            sv,
            h,
            a,
            m0: if sv > 0.0 { spc / sv } else { f64::NAN },
            m1: has_gaps.then(|| g1 / sv),
            m2: has_gaps.then(|| g2 / sv),
            censored: censored.into_iter().map(|c| c / sv).collect(),
        }
    }

    /// Decompose by `group` (one index per unit; `n_groups` fixes the number of groups, by default
    /// the largest index + 1). An empty group has share 0 and `NaN` H and M0.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for `group`; [`Error::InvalidValue`] for an index at or above
    /// `n_groups`.
    pub fn by_group(&self, group: &[u32], n_groups: Option<usize>) -> Result<Vec<GroupMpi>> {
        let table = "mpi.by_group";
        same_len(table, "group", self.poor.len(), group.len())?;
        let m = groups(table, "group", group, n_groups)?;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); m];
        for (i, &g) in group.iter().enumerate() {
            rows[g as usize].push(i);
        }
        let total: f64 = self.weights.iter().sum();
        Ok(rows
            .iter()
            .map(|r| {
                let s = self.summarise(r);
                let share = s.sv / total;
                let contribution = if r.is_empty() {
                    0.0
                } else {
                    pct(share * s.m0, self.m0)
                };
                GroupMpi {
                    population_share: share,
                    h: s.h,
                    a: s.a,
                    m0: s.m0,
                    m1: s.m1,
                    m2: s.m2,
                    censored_headcount: s.censored,
                    contribution,
                }
            })
            .collect())
    }
}

impl GroupMpi {
    /// `rows` as a [`Table`](crate::registry::Table), one row per group: `population_share`,
    /// `h`, `a`, `m0`, `m1`, `m2` (NaN where undefined), `contribution`. The censored
    /// headcounts stay in the rows.
    pub fn table(rows: &[GroupMpi]) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        let col = |f: fn(&GroupMpi) -> f64| C::floats(rows.iter().map(f));
        Table::from_columns(
            "groups",
            [
                ("population_share", col(|r| r.population_share)),
                ("h", col(|r| r.h)),
                ("a", col(|r| r.a)),
                ("m0", col(|r| r.m0)),
                ("m1", C::optional(rows.iter().map(|r| r.m1))),
                ("m2", C::optional(rows.iter().map(|r| r.m2))),
                ("contribution", col(|r| r.contribution)),
            ],
        )
    }
}

#[cfg(test)]
#[path = "mpi_tests.rs"]
mod tests;
