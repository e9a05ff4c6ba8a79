//! Selecting households: by a threshold on the predicted score, or by a quota allocated top-down
//! (规模控制: county → villages) and filled with the lowest scores in each village.
//!
//! A low score means predicted poorer (a predicted log income, an income, a PMT score).
//!
//! Quotas are apportioned by the largest-remainder (Hamilton) method: each unit's exact share
//! `total × pᵢ / Σp` is rounded down, and the seats left over go to the largest fractional parts
//! (ties to the lower index), so integer quotas always sum exactly to the total (Balinski & Young,
//! *Fair Representation*, 2nd ed., 2001, ch. 2). No unit gets more than its capacity (a village
//! cannot select more households than it has): a unit that would overflow is capped and the excess
//! is apportioned again among the units with room, in proportion to their poverty, until nothing
//! is left; if every unit with positive poverty is full, the rest goes in proportion to remaining
//! capacity. A total above the total capacity is an error, not silently capped.

use serde::{Deserialize, Serialize};

use super::validate::{finite, groups, non_empty, same_len, show, weights as check_weights};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Select the units with `score < threshold`.
///
/// # Errors
/// [`Error::InvalidValue`] `scores` for a non-finite score; [`Error::InvalidParameter`] for a NaN
/// threshold.
pub fn select_below(scores: &[f64], threshold: f64) -> Result<Vec<bool>> {
    finite("select_below", "scores", scores)?;
    if threshold.is_nan() {
        return Err(Error::invalid_parameter(
            "threshold",
            "NaN",
            "is not a number",
        ));
    }
    Ok(scores.iter().map(|s| *s < threshold).collect())
}

/// Largest-remainder apportionment of `total` among `pool` (indices into `p`, each pᵢ > 0).
fn hamilton(total: u64, p: &[f64], pool: &[usize]) -> Vec<(usize, u64)> {
    let sum: f64 = pool.iter().map(|&i| p[i]).sum();
    let mut parts: Vec<(usize, u64, f64)> = pool
        .iter()
        .map(|&i| {
            let exact = total as f64 * p[i] / sum;
            let fl = exact.floor();
            (i, fl as u64, exact - fl)
        })
        .collect();
    let assigned: u64 = parts.iter().map(|x| x.1).sum();
    // Largest remainder first; ties to the lower index.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        parts[b]
            .2
            .total_cmp(&parts[a].2)
            .then(parts[a].0.cmp(&parts[b].0))
    });
    if assigned <= total {
        for &o in order.iter().cycle().take((total - assigned) as usize) {
            parts[o].1 += 1;
        }
    } else {
        // Only reachable through floating-point rounding of the exact shares: take back from
        // the smallest remainders.
        let mut extra = assigned - total;
        for &o in order.iter().rev().cycle() {
            if extra == 0 {
                break;
            }
            if parts[o].1 > 0 {
                parts[o].1 -= 1;
                extra -= 1;
            }
        }
    }
    parts.into_iter().map(|(i, q, _)| (i, q)).collect()
}

/// Apportion `total` among units in proportion to `poverty` (estimated poor households or people),
/// never exceeding `capacity` when given (see the module documentation).
///
/// # Errors
/// [`Error::Empty`] for no units; [`Error::InvalidValue`] `poverty` for a negative or non-finite
/// value; [`Error::LengthMismatch`] for `capacity`; [`Error::InvalidParameter`] `total` when it
/// exceeds the total capacity, or when it is positive and every poverty estimate is zero and no
/// capacity is given.
///
/// # Examples
/// ```
/// use fupin_core::targeting::allocate_quota;
/// // Exact shares 3.33…, 3.33…, 3.33…: floors 3 + 3 + 3, the last seat to the lowest index.
/// assert_eq!(allocate_quota(10, &[1.0, 1.0, 1.0], None).unwrap(), vec![4, 3, 3]);
/// // A capacity of 2 pushes the excess to the others.
/// assert_eq!(allocate_quota(10, &[5.0, 3.0, 2.0], Some(&[2, 10, 10])).unwrap(), vec![2, 5, 3]);
/// ```
pub fn allocate_quota(total: u64, poverty: &[f64], capacity: Option<&[u64]>) -> Result<Vec<u64>> {
    let table = "allocate_quota";
    non_empty(table, poverty.len())?;
    finite(table, "poverty", poverty)?;
    if let Some(i) = poverty.iter().position(|p| *p < 0.0) {
        return Err(Error::invalid_value(
            table,
            "poverty",
            i + 1,
            show(poverty[i]),
            "is negative",
        ));
    }
    let n = poverty.len();
    if let Some(cap) = capacity {
        same_len(table, "capacity", n, cap.len())?;
        let room: u64 = cap.iter().sum();
        if total > room {
            return Err(Error::invalid_parameter(
                "total",
                total,
                format!("exceeds the total capacity {room} (households available to select)"),
            ));
        }
    } else if total > 0 && !poverty.iter().any(|p| *p > 0.0) {
        return Err(Error::invalid_parameter(
            "total",
            total,
            "cannot be apportioned: every poverty estimate is zero",
        ));
    }
    let cap = |i: usize| capacity.map_or(u64::MAX, |c| c[i]);
    let mut quota = vec![0u64; n];
    let mut open: Vec<bool> = (0..n).map(|i| cap(i) > 0).collect();
    let mut remaining = total;
    while remaining > 0 {
        let mut pool: Vec<usize> = (0..n).filter(|&i| open[i] && poverty[i] > 0.0).collect();
        let shares: Vec<f64> = if pool.is_empty() {
            pool = (0..n).filter(|&i| open[i]).collect();
            (0..n).map(|i| (cap(i) - quota[i]) as f64).collect()
        } else {
            poverty.to_vec()
        };
        let mut excess = 0;
        for (i, add) in hamilton(remaining, &shares, &pool) {
            quota[i] += add;
            if quota[i] >= cap(i) {
                excess += quota[i] - cap(i);
                quota[i] = cap(i);
                open[i] = false;
            }
        }
        remaining = excess;
    }
    Ok(quota)
}

/// County and village quotas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaPlan {
    /// Quota of each county.
    pub county: Vec<u64>,
    /// Quota of each village.
    pub village: Vec<u64>,
}

/// Allocate `total` to counties in proportion to their poverty (the sum over their villages), then
/// each county's quota to its villages in proportion to theirs, by [`allocate_quota`] at both
/// levels with capacities (a county's capacity is the sum of its villages').
///
/// # Errors
/// As [`allocate_quota`]; [`Error::LengthMismatch`] for `village_county` or `village_capacity`;
/// [`Error::InvalidValue`] `village_county` for an index at or above `n_counties`.
pub fn allocate_top_down(
    total: u64,
    village_poverty: &[f64],
    village_county: &[u32],
    village_capacity: &[u64],
    n_counties: Option<usize>,
) -> Result<QuotaPlan> {
    let table = "allocate_top_down";
    let nv = village_poverty.len();
    non_empty(table, nv)?;
    same_len(table, "village_county", nv, village_county.len())?;
    same_len(table, "village_capacity", nv, village_capacity.len())?;
    finite(table, "village_poverty", village_poverty)?;
    if let Some(v) = village_poverty.iter().position(|p| *p < 0.0) {
        return Err(Error::invalid_value(
            table,
            "village_poverty",
            v + 1,
            show(village_poverty[v]),
            "is negative",
        ));
    }
    let nc = groups(table, "village_county", village_county, n_counties)?;
    let mut cp = vec![0.0; nc];
    let mut cc = vec![0u64; nc];
    for v in 0..nv {
        let c = village_county[v] as usize;
        cp[c] += village_poverty[v];
        cc[c] += village_capacity[v];
    }
    let county = allocate_quota(total, &cp, Some(&cc))?;
    let mut village = vec![0u64; nv];
    for c in 0..nc {
        let members: Vec<usize> = (0..nv)
            .filter(|&v| village_county[v] as usize == c)
            .collect();
        if members.is_empty() || county[c] == 0 {
            continue;
        }
        let p: Vec<f64> = members.iter().map(|&v| village_poverty[v]).collect();
        let k: Vec<u64> = members.iter().map(|&v| village_capacity[v]).collect();
        for (j, q) in allocate_quota(county[c], &p, Some(&k))?
            .into_iter()
            .enumerate()
        {
            village[members[j]] = q;
        }
    }
    Ok(QuotaPlan { county, village })
}

/// In each village select the `village_quota[v]` households with the lowest scores; ties are broken
/// by household index (the earlier row first), so the selection is deterministic.
///
/// # Errors
/// [`Error::LengthMismatch`] for `household_village`; [`Error::InvalidValue`] for a non-finite
/// score or a village index without a quota; [`Error::InvalidValue`] `village_quota` when a quota
/// exceeds the village's households (quotas from [`allocate_top_down`] never do).
pub fn select_by_quota(
    scores: &[f64],
    household_village: &[u32],
    village_quota: &[u64],
) -> Result<Vec<bool>> {
    let table = "select_by_quota";
    same_len(
        table,
        "household_village",
        scores.len(),
        household_village.len(),
    )?;
    finite(table, "scores", scores)?;
    let nv = groups(
        table,
        "household_village",
        household_village,
        Some(village_quota.len()),
    )?;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nv];
    for (i, &v) in household_village.iter().enumerate() {
        members[v as usize].push(i);
    }
    let mut selected = vec![false; scores.len()];
    for (v, rows) in members.iter_mut().enumerate() {
        let q = village_quota[v];
        if q > rows.len() as u64 {
            return Err(Error::invalid_value(
                table,
                "village_quota",
                v + 1,
                q,
                format!("exceeds the {} households of village index {v}", rows.len()),
            ));
        }
        rows.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
        for &i in rows.iter().take(q as usize) {
            selected[i] = true;
        }
    }
    Ok(selected)
}

/// Estimated poverty of each village: the weighted number of its households with
/// `score < threshold`.
///
/// # Errors
/// As [`select_below`], plus length and group-index errors and invalid weights.
pub fn estimated_poor_by_village(
    scores: &[f64],
    household_village: &[u32],
    threshold: f64,
    weights: Option<&[f64]>,
    n_villages: Option<usize>,
) -> Result<Vec<f64>> {
    let table = "estimated_poor_by_village";
    same_len(
        table,
        "household_village",
        scores.len(),
        household_village.len(),
    )?;
    let below = select_below(scores, threshold)?;
    let w = check_weights(table, weights, scores.len())?;
    let nv = groups(table, "household_village", household_village, n_villages)?;
    let mut out = vec![0.0; nv];
    for i in 0..scores.len() {
        if below[i] {
            out[household_village[i] as usize] += w[i];
        }
    }
    Ok(out)
}

/// A quota selection over a registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaSelection {
    /// Estimated poverty of each village (weighted households with score below the threshold).
    pub village_poverty: Vec<f64>,
    /// County and village quotas.
    pub plan: QuotaPlan,
    /// Selected households.
    pub selected: Vec<bool>,
}

/// The whole quota procedure on a registry: estimate each village's poverty as its weighted
/// number of households with `score < threshold`, allocate `total` top-down (capacity: the
/// village's households in the registry), and select the lowest scores in each village.
///
/// # Errors
/// Those of the steps; [`Error::LengthMismatch`] when `scores` is not one per household.
///
/// # Examples
/// See the tests of this module; the arrays come from [`Registry::households`].
pub fn quota_selection(
    registry: &Registry,
    scores: &[f64],
    threshold: f64,
    total: u64,
) -> Result<QuotaSelection> {
    let h = registry.households();
    same_len("quota_selection", "scores", h.len(), scores.len())?;
    let nv = registry.n_villages();
    let village_poverty =
        estimated_poor_by_village(scores, &h.village, threshold, Some(&h.weight), Some(nv))?;
    let mut capacity = vec![0u64; nv];
    for &v in &h.village {
        capacity[v as usize] += 1;
    }
    let plan = allocate_top_down(
        total,
        &village_poverty,
        &registry.villages().county,
        &capacity,
        Some(registry.n_counties()),
    )?;
    let selected = select_by_quota(scores, &h.village, &plan.village)?;
    Ok(QuotaSelection {
        village_poverty,
        plan,
        selected,
    })
}

#[cfg(test)]
#[path = "selection_tests.rs"]
mod tests;
