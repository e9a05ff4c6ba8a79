//! Targeting accuracy: inclusion and exclusion errors, coverage, leakage and the targeting
//! differential.
//!
//! With survey weights `w`, let SP be the weight of the selected poor, SN of the selected non-poor,
//! EP of the excluded (not selected) poor and EN of the excluded non-poor. Then
//!
//! | statistic | formula | also called |
//! | --- | --- | --- |
//! | inclusion error | SN / (SP + SN) | leakage, E-error (Cornia & Stewart 1993) |
//! | exclusion error | EP / (SP + EP) | under-coverage, F-error (Cornia & Stewart 1993) |
//! | coverage | SP / (SP + EP) = 1 − exclusion error | coverage of the poor |
//! | non-poor coverage | SN / (SN + EN) | |
//! | targeting differential | coverage − non-poor coverage | Ravallion (2000); Coady, Grosh & Hoddinott (2004) |
//!
//! References: G. A. Cornia and F. Stewart (1993), "Two errors of targeting", *Journal of
//! International Development* 5(5); M. Ravallion (2000), "Monitoring targeting performance when
//! decentralized allocations to the poor are unobserved", *World Bank Economic Review* 14(2);
//! D. Coady, M. Grosh and J. Hoddinott (2004), *Targeting of Transfers in Developing Countries*,
//! World Bank, ch. 2–3. The differential runs from −1 (only the non-poor are selected) to 1 (all
//! poor and no non-poor are selected). A ratio whose denominator is zero (nobody selected, nobody
//! poor, nobody non-poor) is `NaN`: it is undefined, not zero.
//!
//! Weights are survey weights of the units in the arrays (households). To count people, pass
//! `size × weight` as the weights.

use serde::{Deserialize, Serialize};

use super::validate::{finite, groups, non_empty, same_len, weights as check_weights};
use crate::error::{Error, Result};

/// The four weighted cells of the selected × poor table and the ratios derived from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetingErrors {
    /// Weight of poor units selected (SP).
    pub selected_poor: f64,
    /// Weight of non-poor units selected (SN).
    pub selected_nonpoor: f64,
    /// Weight of poor units not selected (EP).
    pub excluded_poor: f64,
    /// Weight of non-poor units not selected (EN).
    pub excluded_nonpoor: f64,
    /// SN / (SP + SN): share of the selected who are not poor.
    pub inclusion_error: f64,
    /// EP / (SP + EP): share of the poor who are not selected.
    pub exclusion_error: f64,
    /// SP / (SP + EP): share of the poor who are selected.
    pub coverage: f64,
    /// Same as `inclusion_error` (the name used by Coady, Grosh & Hoddinott).
    pub leakage: f64,
    /// SN / (SN + EN): share of the non-poor who are selected.
    pub nonpoor_coverage: f64,
    /// coverage − nonpoor_coverage.
    pub targeting_differential: f64,
}

impl TargetingErrors {
    /// The ratios of the table with cells SP, SN, EP, EN.
    pub fn from_cells(sp: f64, sn: f64, ep: f64, en: f64) -> Self {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let inclusion = ratio(sn, sp + sn);
        let coverage = ratio(sp, sp + ep);
        let nonpoor_coverage = ratio(sn, sn + en);
        TargetingErrors {
            selected_poor: sp,
            selected_nonpoor: sn,
            excluded_poor: ep,
            excluded_nonpoor: en,
            inclusion_error: inclusion,
            exclusion_error: ratio(ep, sp + ep),
            coverage,
            leakage: inclusion,
            nonpoor_coverage,
            targeting_differential: coverage - nonpoor_coverage,
        }
    }
}

const ERRORS: &str = "errors";

/// Targeting errors of a selection against true poverty status.
///
/// # Errors
/// [`Error::Empty`] for no units; [`Error::LengthMismatch`] when `poor` or `weights` differ in
/// length from `selected`; [`Error::InvalidValue`] for a weight that is not positive and finite.
///
/// # Examples
/// ```
/// use fupin_core::targeting::errors;
/// // 3 selected (2 poor), 2 poor missed, 5 non-poor not selected.
/// let selected = [true, true, true, false, false, false, false, false, false, false];
/// let poor = [true, true, false, true, true, false, false, false, false, false];
/// let e = errors(&selected, &poor, None).unwrap();
/// assert!((e.inclusion_error - 1.0 / 3.0).abs() < 1e-15);
/// assert!((e.exclusion_error - 0.5).abs() < 1e-15);
/// ```
pub fn errors(
    selected: &[bool],
    poor: &[bool],
    weights: Option<&[f64]>,
) -> Result<TargetingErrors> {
    non_empty(ERRORS, selected.len())?;
    same_len(ERRORS, "poor", selected.len(), poor.len())?;
    let w = check_weights(ERRORS, weights, selected.len())?;
    let mut cells = [0.0; 4];
    for i in 0..selected.len() {
        cells[cell(selected[i], poor[i])] += w[i];
    }
    Ok(TargetingErrors::from_cells(
        cells[0], cells[1], cells[2], cells[3],
    ))
}

fn cell(selected: bool, poor: bool) -> usize {
    match (selected, poor) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

/// Targeting errors when the units with `score < t` are selected, for each threshold `t`
/// (a low score means predicted poorer, as with a predicted log income).
///
/// # Errors
/// As [`errors`], plus [`Error::InvalidValue`] for a non-finite score and
/// [`Error::InvalidParameter`] `thresholds` for a NaN threshold.
pub fn error_curve(
    scores: &[f64],
    poor: &[bool],
    thresholds: &[f64],
    weights: Option<&[f64]>,
) -> Result<Vec<TargetingErrors>> {
    let table = "error_curve";
    non_empty(table, scores.len())?;
    same_len(table, "poor", scores.len(), poor.len())?;
    finite(table, "scores", scores)?;
    let w = check_weights(table, weights, scores.len())?;
    if let Some(i) = thresholds.iter().position(|t| t.is_nan()) {
        return Err(Error::invalid_parameter(
            "thresholds",
            "NaN",
            format!("threshold {} (1-based) is not a number", i + 1),
        ));
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // Equal scores by (poor, weight), not by position: the cumulative sums below then add the
    // same numbers in the same order for any order of the rows.
    order.sort_by(|&a, &b| {
        scores[a]
            .total_cmp(&scores[b])
            .then(poor[a].cmp(&poor[b]))
            .then(w[a].total_cmp(&w[b]))
    });
    // cum[m] = (poor weight, non-poor weight) of the m lowest scores.
    let mut cum = Vec::with_capacity(order.len() + 1);
    let (mut p, mut q) = (0.0, 0.0);
    cum.push((0.0, 0.0));
    for &i in &order {
        if poor[i] {
            p += w[i];
        } else {
            q += w[i];
        }
        cum.push((p, q));
    }
    Ok(thresholds
        .iter()
        .map(|&t| {
            let m = order.partition_point(|&i| scores[i] < t);
            let (sp, sn) = cum[m];
            TargetingErrors::from_cells(sp, sn, p - sp, q - sn)
        })
        .collect())
}

/// Targeting errors within each group (village, county): entry `g` is the table of the units
/// with `group == g`. `n_groups` fixes the number of groups (so empty groups appear, with `NaN`
/// ratios); by default it is the largest index + 1.
///
/// # Errors
/// As [`errors`], plus [`Error::InvalidValue`] `group` for an index at or above `n_groups`.
pub fn errors_by_group(
    selected: &[bool],
    poor: &[bool],
    group: &[u32],
    n_groups: Option<usize>,
    weights: Option<&[f64]>,
) -> Result<Vec<TargetingErrors>> {
    let table = "errors_by_group";
    non_empty(table, selected.len())?;
    same_len(table, "poor", selected.len(), poor.len())?;
    same_len(table, "group", selected.len(), group.len())?;
    let w = check_weights(table, weights, selected.len())?;
    let m = groups(table, "group", group, n_groups)?;
    let mut cells = vec![[0.0; 4]; m];
    for i in 0..selected.len() {
        cells[group[i] as usize][cell(selected[i], poor[i])] += w[i];
    }
    Ok(cells
        .iter()
        .map(|c| TargetingErrors::from_cells(c[0], c[1], c[2], c[3]))
        .collect())
}

impl TargetingErrors {
    /// The ratios and cells of `rows` as a [`Table`](crate::registry::Table), one row each:
    /// `inclusion_error`, `exclusion_error`, `coverage`, `leakage`, `nonpoor_coverage`,
    /// `targeting_differential`, `selected_poor`, `selected_nonpoor`, `excluded_poor`,
    /// `excluded_nonpoor`.
    pub fn table(rows: &[TargetingErrors]) -> crate::registry::Table {
        use crate::registry::{ColumnData, Table};
        let col = |f: fn(&TargetingErrors) -> f64| ColumnData::floats(rows.iter().map(f));
        Table::from_columns(
            "targeting_errors",
            [
                ("inclusion_error", col(|e| e.inclusion_error)),
                ("exclusion_error", col(|e| e.exclusion_error)),
                ("coverage", col(|e| e.coverage)),
                ("leakage", col(|e| e.leakage)),
                ("nonpoor_coverage", col(|e| e.nonpoor_coverage)),
                ("targeting_differential", col(|e| e.targeting_differential)),
                ("selected_poor", col(|e| e.selected_poor)),
                ("selected_nonpoor", col(|e| e.selected_nonpoor)),
                ("excluded_poor", col(|e| e.excluded_poor)),
                ("excluded_nonpoor", col(|e| e.excluded_nonpoor)),
            ],
        )
    }

    /// This table of errors as a one-row [`Table`](crate::registry::Table) (see
    /// [`TargetingErrors::table`]).
    pub fn to_table(&self) -> crate::registry::Table {
        Self::table(std::slice::from_ref(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked 2×2 table: 20 units; selected poor 6, selected non-poor 2, excluded poor 4,
    /// excluded non-poor 8. Inclusion 2/8 = 0.25; exclusion 4/10 = 0.4; coverage 0.6;
    /// non-poor coverage 2/10 = 0.2; differential 0.4.
    fn table() -> (Vec<bool>, Vec<bool>) {
        let mut s = Vec::new();
        let mut p = Vec::new();
        for (sel, pr, count) in [
            (true, true, 6),
            (true, false, 2),
            (false, true, 4),
            (false, false, 8),
        ] {
            for _ in 0..count {
                s.push(sel);
                p.push(pr);
            }
        }
        (s, p)
    }

    #[test]
    fn hand_worked_two_by_two() {
        let (s, p) = table();
        let e = errors(&s, &p, None).unwrap();
        assert_eq!(
            (
                e.selected_poor,
                e.selected_nonpoor,
                e.excluded_poor,
                e.excluded_nonpoor
            ),
            (6.0, 2.0, 4.0, 8.0)
        );
        assert!((e.inclusion_error - 0.25).abs() < 1e-15);
        assert_eq!(e.leakage, e.inclusion_error);
        assert!((e.exclusion_error - 0.4).abs() < 1e-15);
        assert!((e.coverage - 0.6).abs() < 1e-15);
        assert!((e.nonpoor_coverage - 0.2).abs() < 1e-15);
        assert!((e.targeting_differential - 0.4).abs() < 1e-15);
    }

    #[test]
    fn weights_scale_cells() {
        // Two units: selected poor weight 3, selected non-poor weight 1 → inclusion 1/4.
        let e = errors(&[true, true], &[true, false], Some(&[3.0, 1.0])).unwrap();
        assert!((e.inclusion_error - 0.25).abs() < 1e-15);
        assert!(e.exclusion_error == 0.0);
        // No non-poor not selected: non-poor coverage 1; differential 0.
        assert!((e.targeting_differential - 0.0).abs() < 1e-15);
    }

    #[test]
    fn undefined_ratios_are_nan() {
        let e = errors(&[false, false], &[true, false], None).unwrap();
        assert!(e.inclusion_error.is_nan());
        assert_eq!(e.exclusion_error, 1.0);
    }

    #[test]
    fn curve_matches_direct_selection() {
        let scores = [3.0, 1.0, 2.0, 2.0, 5.0, 4.0];
        let poor = [true, true, false, true, false, false];
        let w = [1.0, 2.0, 1.5, 0.5, 1.0, 3.0];
        let ts = [0.0, 1.0, 2.0, 2.5, 10.0];
        let curve = error_curve(&scores, &poor, &ts, Some(&w)).unwrap();
        for (t, got) in ts.iter().zip(&curve) {
            let sel: Vec<bool> = scores.iter().map(|s| s < t).collect();
            let want = errors(&sel, &poor, Some(&w)).unwrap();
            assert_eq!(got.selected_poor, want.selected_poor);
            assert_eq!(got.selected_nonpoor, want.selected_nonpoor);
            assert_eq!(got.excluded_poor, want.excluded_poor);
        }
        // At t = 2.5: selected rows 1, 2, 3 → SP = 2 + 0.5, SN = 1.5 (by hand).
        assert_eq!(
            (curve[3].selected_poor, curve[3].selected_nonpoor),
            (2.5, 1.5)
        );
    }

    #[test]
    fn by_group_splits_the_table() {
        let (s, p) = table();
        let g: Vec<u32> = (0..s.len()).map(|i| (i % 2) as u32).collect();
        let by = errors_by_group(&s, &p, &g, Some(3), None).unwrap();
        assert_eq!(by.len(), 3);
        for c in 0..2 {
            let sel: Vec<bool> = (0..s.len()).filter(|i| i % 2 == c).map(|i| s[i]).collect();
            let pr: Vec<bool> = (0..s.len()).filter(|i| i % 2 == c).map(|i| p[i]).collect();
            assert_eq!(by[c], errors(&sel, &pr, None).unwrap());
        }
        assert!(by[2].coverage.is_nan());
    }

    #[test]
    fn bad_input_is_named() {
        let e = errors(&[true], &[true, false], None).unwrap_err();
        assert_eq!(e.column(), Some("poor"));
        let e = error_curve(&[1.0, f64::NAN], &[true, true], &[1.0], None).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("scores"), Some(2)));
        assert!(error_curve(&[1.0], &[true], &[f64::NAN], None).is_err());
        let e = errors_by_group(&[true], &[true], &[5], Some(2), None).unwrap_err();
        assert_eq!(
            (e.column(), e.row(), e.value()),
            (Some("group"), Some(1), Some("5"))
        );
        assert!(errors(&[], &[], None).is_err());
    }
}
