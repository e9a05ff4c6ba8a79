//! The order of new assignments: explicit rows resolved to registry rows, and registered
//! households ranked with the measures their causes call for (对症下药).

use std::collections::HashMap;

use super::rules::{ByCause, Ranking};
use crate::error::{Error, Result};
use crate::measures::MeasureCatalog;
use crate::registry::{Cause, Registry};

/// An explicit row resolved: (row index, household row, measure, start year, intensity).
pub(super) type ExplicitRef = (usize, u32, u16, i32, f64);

/// Explicit rows resolved to [`ExplicitRef`]s.
pub(super) fn resolve_explicit(
    registry: &Registry,
    catalog: &MeasureCatalog,
    e: &super::rules::Explicit,
    years: &[i32],
) -> Result<Vec<ExplicitRef>> {
    let ids = &registry.households().id;
    let index: HashMap<String, u32> = (0..ids.len()).map(|i| (ids.display(i), i as u32)).collect();
    let (first, last) = (years[0], years[years.len() - 1]);
    e.assignments
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let row = *index.get(r.household.trim()).ok_or_else(|| {
                Error::invalid_parameter(
                    format!("policy.assignments[{i}].household"),
                    format!("{:?}", r.household),
                    "is not a household id of the registry",
                )
            })?;
            let m = catalog.require(&r.measure, &format!("policy.assignments[{i}].measure"))?;
            if !(first..=last).contains(&r.start_year) {
                return Err(Error::invalid_parameter(
                    format!("policy.assignments[{i}].start_year"),
                    r.start_year,
                    format!("is outside the simulated years {first}–{last}"),
                ));
            }
            Ok((i, row, m as u16, r.start_year, r.intensity))
        })
        .collect()
}

/// Registered households in ranking order (ties to the lower household id, in the registry's id
/// order), each with the measures its causes call for.
pub(super) fn cause_lists(
    registry: &Registry,
    catalog: &MeasureCatalog,
    b: &ByCause,
    line: f64,
) -> Result<Vec<(u32, Vec<u16>)>> {
    let h = registry.households();
    let n = h.len();
    let mapping = b.effective_mapping()?;
    let idx = |name: &str| catalog.index(name).map(|i| i as u16);
    let mut rows: Vec<u32> = (0..n as u32)
        .filter(|&r| h.registered[r as usize])
        .collect();
    let income = |r: u32| h.income_per_capita[r as usize];
    // Ties go to the lower household id (decision 9: never to the earlier row).
    let by_id = |a: u32, b: u32| h.id.cmp_rows(a as usize, b as usize);
    match &b.ranking {
        Ranking::PoorestFirst => {
            rows.sort_by(|&a, &b| income(a).total_cmp(&income(b)).then_with(|| by_id(a, b)));
        }
        Ranking::NearestLineFirst => rows.sort_by(|&a, &b| {
            let key = |r: u32| (income(r) >= line, (line - income(r)).abs());
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then_with(|| by_id(a, b))
        }),
        Ranking::Score(s) => {
            if s.len() != n {
                return Err(Error::invalid_parameter(
                    "policy.ranking.score",
                    format!("{} values", s.len()),
                    format!("needs one score per household ({n})"),
                ));
            }
            rows.sort_by(|&a, &b| {
                s[b as usize]
                    .total_cmp(&s[a as usize])
                    .then_with(|| by_id(a, b))
            });
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        crate::cancel::poll(i)?;
        let r = row as usize;
        let eligible = |m: u16| catalog.measures[m as usize].spec.eligible(registry, r);
        let mut list: Vec<u16> = Vec::new();
        let push = |m: u16, list: &mut Vec<u16>| {
            if !list.contains(&m) {
                list.push(m);
            }
        };
        let primary = h.primary_cause[r];
        let causes: Vec<Cause> = primary
            .into_iter()
            .chain(
                h.causes[r]
                    .iter()
                    .filter(|c| Some(*c) != primary && !b.primary_only),
            )
            .collect();
        for c in causes {
            for name in mapping.get(&c).into_iter().flatten() {
                if let Some(m) = idx(name)
                    && eligible(m)
                {
                    push(m, &mut list);
                }
            }
        }
        if b.guarantees {
            if !h.housing_safe[r]
                && let Some(m) = ["relocation", "housing_renovation"]
                    .iter()
                    .filter_map(|n| idx(n))
                    .find(|&m| eligible(m))
            {
                push(m, &mut list);
            }
            if !h.insured[r]
                && let Some(m) = idx("health")
                && eligible(m)
            {
                push(m, &mut list);
            }
        }
        if !list.is_empty() {
            out.push((row, list));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::testutil::one_village;
    use crate::policy::{Explicit, ExplicitRow};

    #[test]
    fn poorest_first_and_explicit_rows_resolve() {
        let reg = one_village();
        let cat = MeasureCatalog::default();
        // Registered incomes: 1 (1,500) < 5 (1,800) < 0 (2,000) < 3 (2,200) < 2 (2,500).
        let order: Vec<u32> = cause_lists(&reg, &cat, &ByCause::default(), 3000.0)
            .unwrap()
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(order, vec![1, 5, 0, 3, 2]);
        let e = Explicit {
            assignments: vec![ExplicitRow {
                household: "14".into(),
                measure: "health".into(),
                start_year: 2017,
                intensity: 1.0,
            }],
        };
        let r = resolve_explicit(&reg, &cat, &e, &[2016, 2017]).unwrap();
        assert_eq!(
            r,
            vec![(0, 3, cat.index("health").unwrap() as u16, 2017, 1.0)]
        );
        let err = resolve_explicit(&reg, &cat, &e, &[2016]).unwrap_err();
        assert_eq!(err.column(), Some("policy.assignments[0].start_year"));
    }
}
