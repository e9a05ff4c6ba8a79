//! Validation of a registry's typed columns: every invariant, first violation named.
//!
//! [`validate`] runs the phases in order — column lengths, unique ids, each household row
//! (village, members, income and weight, causes), then the villages against their households and
//! counties — and returns the first violation.

use super::{CauseSet, Counties, HOUSEHOLDS, Households, Region, VILLAGES, Villages};
use crate::error::{Error, Result};

/// The largest accepted weighted number of people, Σ size × weight over all households: 2^1023,
/// half the largest finite number, so that every weighted total (a sum of some of these positive
/// terms, in any order, compensated or not) stays finite.
const MAX_WEIGHTED_PEOPLE: f64 = f64::from_bits(0x7fe0_0000_0000_0000);

pub(super) fn validate(h: &Households, v: &Villages, c: &Counties) -> Result<()> {
    if h.is_empty() {
        return Err(Error::Empty {
            table: HOUSEHOLDS.into(),
        });
    }
    check_lengths(h, v, c)?;
    check_unique_ids(h, v, c)?;
    let village_people = check_households(h, v.len())?;
    check_villages(v, c, &village_people)
}

/// Every column of a table has the table's number of rows.
fn check_lengths(h: &Households, v: &Villages, c: &Counties) -> Result<()> {
    let n = h.len();
    let lengths: [(&str, usize); 18] = [
        ("household_id", h.id.len()),
        ("village_id", h.village.len()),
        ("size", h.size.len()),
        ("income_per_capita", h.income_per_capita.len()),
        ("labour", h.labour.len()),
        ("elderly", h.elderly.len()),
        ("students", h.students.len()),
        ("chronic_illness", h.chronic_illness.len()),
        ("disability", h.disability.len()),
        ("housing_safe", h.housing_safe.len()),
        ("safe_water", h.safe_water.len()),
        ("insured", h.insured.len()),
        ("inhospitable", h.inhospitable.len()),
        ("head_education_years", h.head_education_years.len()),
        ("causes", h.causes.len()),
        ("primary_cause", h.primary_cause.len()),
        ("weight", h.weight.len()),
        ("registered", h.registered.len()),
    ];
    for (column, found) in lengths {
        if found != n {
            return Err(Error::LengthMismatch {
                table: HOUSEHOLDS.into(),
                column: column.into(),
                expected: n,
                found,
            });
        }
    }
    let nv = v.len();
    for (column, found) in [
        ("village_id", v.id.len()),
        ("population", v.population.len()),
        ("region", v.region.len()),
        ("poor", v.poor.len()),
    ] {
        if found != nv {
            return Err(Error::LengthMismatch {
                table: VILLAGES.into(),
                column: column.into(),
                expected: nv,
                found,
            });
        }
    }
    if c.id.len() != c.len() {
        return Err(Error::LengthMismatch {
            table: "counties".into(),
            column: "county_id".into(),
            expected: c.len(),
            found: c.id.len(),
        });
    }
    Ok(())
}

/// No id appears twice in its table.
fn check_unique_ids(h: &Households, v: &Villages, c: &Counties) -> Result<()> {
    for (table, column, ids) in [
        (HOUSEHOLDS, "household_id", &h.id),
        (VILLAGES, "village_id", &v.id),
        ("counties", "county_id", &c.id),
    ] {
        if let Some((row, first)) = ids.try_first_duplicate()? {
            return Err(Error::DuplicateId {
                table: table.into(),
                column: column.into(),
                row: row + 1,
                value: ids.display(row),
                first_row: first + 1,
            });
        }
    }

    Ok(())
}

/// An invalid value of the households table at 0-based row `i`.
fn bad<T>(column: &str, i: usize, value: String, reason: &str) -> Result<T> {
    Err(Error::invalid_value(
        HOUSEHOLDS,
        column,
        i + 1,
        value,
        reason,
    ))
}

/// Every household row, in order; returns the members of each of the `nv` villages.
// The columns are parallel arrays indexed by the same row; a range loop says so most plainly.
#[allow(clippy::needless_range_loop)]
fn check_households(h: &Households, nv: usize) -> Result<Vec<u64>> {
    let mut village_people = vec![0u64; nv];
    // Σ size × weight over the rows so far: every weighted total (people, per village, county or
    // profile) is a sum of some of these positive terms, so bounding this one keeps them finite.
    let mut weighted_people = 0.0f64;
    for i in 0..h.len() {
        crate::cancel::poll(i)?;
        check_members(h, i, nv)?;
        check_income_and_weight(h, i, &mut weighted_people)?;
        check_causes(h, i)?;
        village_people[h.village[i] as usize] += u64::from(h.size[i]);
    }
    Ok(village_people)
}

/// Row `i`: a known village, a size of at least one, and member counts within the size.
fn check_members(h: &Households, i: usize, nv: usize) -> Result<()> {
    let village = h.village[i] as usize;
    if village >= nv {
        return Err(Error::UnknownReference {
            table: HOUSEHOLDS.into(),
            column: "village_id".into(),
            row: i + 1,
            value: format!("village index {village}"),
            target: "village".into(),
        });
    }
    let size = h.size[i];
    if size == 0 {
        return bad(
            "size",
            i,
            "0".into(),
            "is not a household size (must be ≥ 1)",
        );
    }
    for (column, count) in [
        ("labour", h.labour[i]),
        ("elderly", h.elderly[i]),
        ("students", h.students[i]),
        ("chronic_illness", h.chronic_illness[i]),
        ("disability", h.disability[i]),
    ] {
        if count > size {
            return bad(
                column,
                i,
                count.to_string(),
                &format!("exceeds the household size {size}"),
            );
        }
    }
    Ok(())
}

/// Row `i`: a finite, non-negative income and a positive finite weight that keeps the weighted
/// number of people (`weighted_people`, updated) within [`MAX_WEIGHTED_PEOPLE`].
fn check_income_and_weight(h: &Households, i: usize, weighted_people: &mut f64) -> Result<()> {
    let income = h.income_per_capita[i];
    if !income.is_finite() {
        return bad(
            "income_per_capita",
            i,
            if income.is_nan() {
                "NaN".to_string()
            } else {
                income.to_string()
            },
            "is not a finite number",
        );
    }
    if income < 0.0 {
        return bad(
            "income_per_capita",
            i,
            income.to_string(),
            "is negative (net income per person must be ≥ 0)",
        );
    }
    let weight = h.weight[i];
    if !(weight.is_finite() && weight > 0.0) {
        return bad(
            "weight",
            i,
            if weight.is_nan() {
                "NaN".into()
            } else {
                weight.to_string()
            },
            "is not a positive finite weight",
        );
    }
    *weighted_people += f64::from(h.size[i]) * weight;
    if *weighted_people > MAX_WEIGHTED_PEOPLE {
        return bad(
            "weight",
            i,
            format!("{weight:?}"),
            "takes the weighted number of people (Σ size × weight over the households up to \
             this row) past 2^1023 ≈ 9.0e307: weighted totals would overflow",
        );
    }
    Ok(())
}

/// Row `i`: known cause bits, and a primary cause among the causes.
fn check_causes(h: &Households, i: usize) -> Result<()> {
    if let Some(primary) = h.primary_cause[i]
        && !h.causes[i].contains(primary)
    {
        return bad(
            "primary_cause",
            i,
            primary.code().into(),
            &format!("is not among the household's causes \"{}\"", h.causes[i]),
        );
    }
    if CauseSet::from_bits(h.causes[i].bits()).is_none() {
        return bad(
            "causes",
            i,
            h.causes[i].bits().to_string(),
            "has bits of no known cause",
        );
    }
    Ok(())
}

/// Villages: a known county, a population of at least their households' members, and one region
/// per county, the county's.
// The columns are parallel arrays indexed by the same row; a range loop says so most plainly.
#[allow(clippy::needless_range_loop)]
fn check_villages(v: &Villages, c: &Counties, village_people: &[u64]) -> Result<()> {
    let nv = v.len();
    let nc = c.len();
    let mut county_region: Vec<Option<(Region, usize)>> = vec![None; nc];
    for j in 0..nv {
        let county = v.county[j] as usize;
        if county >= nc {
            return Err(Error::UnknownReference {
                table: VILLAGES.into(),
                column: "county_id".into(),
                row: j + 1,
                value: format!("county index {county}"),
                target: "county".into(),
            });
        }
        if u64::from(v.population[j]) < village_people[j] {
            return Err(Error::invalid_value(
                VILLAGES,
                "population",
                j + 1,
                v.population[j],
                format!(
                    "is below the {} members of the village's households in the registry",
                    village_people[j]
                ),
            ));
        }
        match county_region[county] {
            None => county_region[county] = Some((v.region[j], j)),
            Some((region, first)) if region != v.region[j] => {
                return Err(Error::invalid_value(
                    VILLAGES,
                    "region",
                    j + 1,
                    v.region[j],
                    format!(
                        "differs from region {region} of village {} (row {}) in the same county",
                        v.id.display(first),
                        first + 1
                    ),
                ));
            }
            Some(_) => {}
        }
        if c.region[county] != v.region[j] {
            return Err(Error::invalid_value(
                VILLAGES,
                "region",
                j + 1,
                v.region[j],
                format!(
                    "differs from region {} of its county {}",
                    c.region[county],
                    c.id.display(county)
                ),
            ));
        }
    }
    Ok(())
}
