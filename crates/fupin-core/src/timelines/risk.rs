//! Shared input validation and the risk table (distinct times with at-risk, event and censoring
//! totals) behind Kaplan–Meier, Nelson–Aalen and the log-rank test.

use crate::{Error, Result};

/// Default confidence level of every interval in this module (the conventional 95 %).
pub const DEFAULT_CONF_LEVEL: f64 = 0.95;

/// Validate `durations`, `observed` and optional `weights` for the function named `table`.
///
/// Durations must be finite and ≥ 0; weights finite and > 0 (a row that should not count is
/// dropped, not zero-weighted, so no risk set can be empty while holding rows); lengths must agree
/// and there must be at least one row.
pub(crate) fn validate(
    table: &str,
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
) -> Result<()> {
    if durations.is_empty() {
        return Err(Error::Empty {
            table: format!("{table}: durations"),
        });
    }
    if observed.len() != durations.len() {
        return Err(Error::LengthMismatch {
            table: table.into(),
            column: "observed".into(),
            expected: durations.len(),
            found: observed.len(),
        });
    }
    for (i, &d) in durations.iter().enumerate() {
        if !d.is_finite() || d < 0.0 {
            return Err(Error::invalid_value(
                table,
                "durations",
                i + 1,
                d,
                "must be finite and ≥ 0",
            ));
        }
    }
    if let Some(w) = weights {
        validate_weights(table, w, durations.len())?;
    }
    Ok(())
}

/// Validate a weight column: length `n`, finite and > 0.
pub(crate) fn validate_weights(table: &str, w: &[f64], n: usize) -> Result<()> {
    if w.len() != n {
        return Err(Error::LengthMismatch {
            table: table.into(),
            column: "weights".into(),
            expected: n,
            found: w.len(),
        });
    }
    for (i, &x) in w.iter().enumerate() {
        if !x.is_finite() || x <= 0.0 {
            return Err(Error::invalid_value(
                table,
                "weights",
                i + 1,
                x,
                "must be finite and > 0 (drop the row instead of giving it weight 0)",
            ));
        }
    }
    Ok(())
}

/// Validate a confidence level and return the two-sided normal quantile z_{(1+level)/2}.
pub(crate) fn z_for_level(level: f64) -> Result<f64> {
    if !(level.is_finite() && level > 0.0 && level < 1.0) {
        return Err(Error::invalid_parameter(
            "conf_level",
            level,
            "must lie strictly between 0 and 1",
        ));
    }
    Ok(crate::stats::normal_quantile(0.5 * (1.0 + level)))
}

/// Distinct times (ascending) with (weighted) totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RiskTable {
    pub time: Vec<f64>,
    pub at_risk: Vec<f64>,
    pub events: Vec<f64>,
    pub censored: Vec<f64>,
}

/// Build the risk table: at each distinct time t, `at_risk` is the (weighted) number of rows with
/// duration ≥ t, `events` those with duration = t and an observed event, `censored` those with
/// duration = t and no event. Inputs must already be validated.
pub(crate) fn risk_table(
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
) -> RiskTable {
    let mut order: Vec<usize> = (0..durations.len()).collect();
    order.sort_by(|&a, &b| durations[a].total_cmp(&durations[b]));
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let mut table = RiskTable::default();
    let mut k = 0;
    while k < order.len() {
        let t = durations[order[k]];
        let (mut d, mut c) = (0.0, 0.0);
        while k < order.len() && durations[order[k]] == t {
            let i = order[k];
            if observed[i] {
                d += w(i);
            } else {
                c += w(i);
            }
            k += 1;
        }
        table.time.push(t);
        table.events.push(d);
        table.censored.push(c);
    }
    // At-risk totals as suffix sums (no running subtraction, so no drift with real weights).
    let m = table.time.len();
    table.at_risk = vec![0.0; m];
    let mut acc = 0.0;
    for j in (0..m).rev() {
        acc += table.events[j] + table.censored[j];
        table.at_risk[j] = acc;
    }
    table
}

/// Split row indices by group label; labels come back sorted ascending.
pub(crate) fn split_groups(groups: &[i64]) -> (Vec<i64>, Vec<Vec<usize>>) {
    let mut labels: Vec<i64> = groups.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let mut members = vec![Vec::new(); labels.len()];
    for (i, g) in groups.iter().enumerate() {
        if let Ok(j) = labels.binary_search(g) {
            members[j].push(i);
        }
    }
    (labels, members)
}

/// Check that a group column has one label per row.
pub(crate) fn validate_groups(table: &str, groups: &[i64], n: usize) -> Result<()> {
    if groups.len() != n {
        return Err(Error::LengthMismatch {
            table: table.into(),
            column: "groups".into(),
            expected: n,
            found: groups.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_table_counts_by_hand() {
        // durations 3, 1, 3, 2, 3 with events at 1, 3 (twice): at risk 5, 4, 3.
        let t = risk_table(
            &[3.0, 1.0, 3.0, 2.0, 3.0],
            &[true, true, false, false, true],
            None,
        );
        assert_eq!(t.time, vec![1.0, 2.0, 3.0]);
        assert_eq!(t.at_risk, vec![5.0, 4.0, 3.0]);
        assert_eq!(t.events, vec![1.0, 0.0, 2.0]);
        assert_eq!(t.censored, vec![0.0, 1.0, 1.0]);
    }

    #[test]
    fn validation_names_column_row_and_value() {
        let e = validate("kaplan_meier", &[1.0, -2.0], &[true, true], None).unwrap_err();
        assert_eq!(e.column(), Some("durations"));
        assert_eq!(e.row(), Some(2));
        assert_eq!(e.value(), Some("-2"));
        let e = validate("kaplan_meier", &[1.0, f64::NAN], &[true, true], None).unwrap_err();
        assert_eq!(e.row(), Some(2));
        let e = validate("kaplan_meier", &[1.0], &[true, true], None).unwrap_err();
        assert_eq!(e.column(), Some("observed"));
        let e = validate("kaplan_meier", &[], &[], None).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }));
        let e = validate(
            "kaplan_meier",
            &[1.0, 2.0],
            &[true, true],
            Some(&[1.0, 0.0]),
        )
        .unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("weights"), Some(2)));
        let e = validate("kaplan_meier", &[1.0], &[true], Some(&[1.0, 1.0])).unwrap_err();
        assert_eq!(e.column(), Some("weights"));
        assert!(z_for_level(1.0).is_err());
        assert!(z_for_level(f64::NAN).is_err());
        assert!((z_for_level(0.95).unwrap() - 1.959_963_984_540_054).abs() < 1e-9);
    }

    #[test]
    fn groups_split_in_label_order() {
        let (labels, members) = split_groups(&[5, 1, 5, 3]);
        assert_eq!(labels, vec![1, 3, 5]);
        assert_eq!(members, vec![vec![1], vec![3], vec![0, 2]]);
    }
}
