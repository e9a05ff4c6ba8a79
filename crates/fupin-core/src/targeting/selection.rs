//! Selecting households: by a threshold on the predicted score, or by a quota allocated top-down
//! (规模控制: county → villages) and filled with the lowest scores in each village.
//!
//! A low score means predicted poorer (a predicted log income, an income, a PMT score).
//!
//! Quotas are apportioned by the largest-remainder (Hamilton) method: each unit's exact share
//! `total × pᵢ / Σp` is rounded down, and the seats left over go to the largest fractional parts
//! (ties to the lower index — or, on a registry, the lower village or county id), so integer quotas
//! always sum exactly to the total (Balinski & Young, *Fair Representation*, 2nd ed., 2001, ch. 2).
//! Shares and remainders are computed in exact integer arithmetic (every `f64` is `m · 2^e`), so
//! remainders equal in exact arithmetic tie, whatever floating-point rounding would say.
//!
//! Ties are never broken by row position (DESIGN decision 9): within a village, households with
//! equal scores are taken in household-id order; arrays without ids use their positions as ids. No unit gets more than its capacity (a village
//! cannot select more households than it has): a unit that would overflow is capped and the excess
//! is apportioned again among the units with room, in proportion to their poverty, until nothing
//! is left; if every unit with positive poverty is full, the rest goes in proportion to remaining
//! capacity. A total above the total capacity is an error, not silently capped.

use serde::{Deserialize, Serialize};

use super::apportion::hamilton;
use super::sums::group_sums;
use super::validate::{finite, groups, non_empty, same_len, show, weights as check_weights};
use crate::error::{Error, Result};
use crate::registry::{Ids, Registry};

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
    allocate_ranked(total, poverty, capacity, None)
}

/// [`allocate_quota`] with equal remainders going to the lower `rank[i]` (default: the index).
fn allocate_ranked(
    total: u64,
    poverty: &[f64],
    capacity: Option<&[u64]>,
    rank: Option<&[usize]>,
) -> Result<Vec<u64>> {
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
    let index: Vec<usize>;
    let rank = match rank {
        Some(r) => r,
        None => {
            index = (0..n).collect();
            &index
        }
    };
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
        for (i, add) in hamilton(remaining, &shares, &pool, rank) {
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
    top_down_ranked(
        total,
        village_poverty,
        village_county,
        village_capacity,
        n_counties,
        None,
    )
}

/// Ranks for ties of [`allocate_top_down`]: villages', counties' (default: their indices).
type Ranks<'a> = Option<(&'a [usize], &'a [usize])>;

fn top_down_ranked(
    total: u64,
    village_poverty: &[f64],
    village_county: &[u32],
    village_capacity: &[u64],
    n_counties: Option<usize>,
    ranks: Ranks<'_>,
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
    let county = allocate_ranked(total, &cp, Some(&cc), ranks.map(|r| r.1))?;
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
        let r: Option<Vec<usize>> = ranks.map(|r| members.iter().map(|&v| r.0[v]).collect());
        for (j, q) in allocate_ranked(county[c], &p, Some(&k), r.as_deref())?
            .into_iter()
            .enumerate()
        {
            village[members[j]] = q;
        }
    }
    Ok(QuotaPlan { county, village })
}

/// In each village select the `village_quota[v]` households with the lowest scores. Equal scores
/// go to the lower id of `ids` (integers by value, text by bytes) — never to the earlier row when
/// ids are given, so the selection does not depend on the order of the rows; without `ids` the
/// positions serve as ids (the earlier row first).
///
/// # Errors
/// [`Error::LengthMismatch`] for `household_village` or `ids`; [`Error::InvalidValue`] for a
/// non-finite score, a village index without a quota or a repeated id; [`Error::InvalidValue`]
/// `village_quota` when a quota exceeds the village's households (quotas from
/// [`allocate_top_down`] never do).
pub fn select_by_quota(
    scores: &[f64],
    household_village: &[u32],
    village_quota: &[u64],
    ids: Option<&Ids>,
) -> Result<Vec<bool>> {
    let table = "select_by_quota";
    same_len(
        table,
        "household_village",
        scores.len(),
        household_village.len(),
    )?;
    finite(table, "scores", scores)?;
    if let Some(ids) = ids {
        same_len(table, "ids", scores.len(), ids.len())?;
        if let Some((row, first)) = ids.first_duplicate() {
            return Err(Error::invalid_value(
                table,
                "ids",
                row + 1,
                ids.display(row),
                format!("repeats the id of row {}", first + 1),
            ));
        }
    }
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
        rows.sort_by(|&a, &b| {
            scores[a]
                .total_cmp(&scores[b])
                .then_with(|| ids.map_or(a.cmp(&b), |ids| ids.cmp_rows(a, b)))
        });
        for &i in rows.iter().take(q as usize) {
            selected[i] = true;
        }
    }
    Ok(selected)
}

/// Estimated poverty of each village: the weighted number of its households with
/// `score < threshold` (summed in an order that does not depend on the rows').
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
    // Summed in an order that does not depend on the rows' (these sums decide the quotas).
    let picked: Vec<(usize, f64)> = (0..scores.len())
        .filter(|&i| below[i])
        .map(|i| (household_village[i] as usize, w[i]))
        .collect();
    Ok(group_sums(picked, nv))
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
/// village's households in the registry), and select the lowest scores in each village. Every tie
/// goes by id, never by position: equal remainders to the lower village or county id, equal
/// scores to the lower household id.
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
    let plan = top_down_ranked(
        total,
        &village_poverty,
        &registry.villages().county,
        &capacity,
        Some(registry.n_counties()),
        Some((
            &id_ranks(&registry.villages().id),
            &id_ranks(&registry.counties().id),
        )),
    )?;
    let selected = select_by_quota(scores, &h.village, &plan.village, Some(&h.id))?;
    Ok(QuotaSelection {
        village_poverty,
        plan,
        selected,
    })
}

/// Each unit's place in id order (the rank for ties).
fn id_ranks(ids: &Ids) -> Vec<usize> {
    let mut rank = vec![0; ids.len()];
    for (k, i) in ids.rows_by_id().into_iter().enumerate() {
        rank[i] = k;
    }
    rank
}

#[cfg(test)]
#[path = "selection_tests.rs"]
mod tests;
