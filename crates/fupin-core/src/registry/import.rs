//! Conversion of input tables (CSV, DataFrames) into a registry, with documented defaults.

use super::{
    Cause, CauseSet, Counties, DEFAULT_HEAD_EDUCATION_YEARS, HOUSEHOLDS, Households, Ids, Region,
    Registry, Table, VILLAGES, Villages,
};
use crate::error::{Error, Result};

/// Largest household size representable (members are stored as `u16`).
const MAX_MEMBERS: u32 = u16::MAX as u32;
/// Convert input tables into a registry. Missing optional columns take documented defaults.
pub(super) fn from_tables(ht: &Table, vt: Option<&Table>) -> Result<Registry> {
    // A misspelt optional column must not fall back to its default unseen.
    super::unknown_columns(ht, &super::HOUSEHOLD_COLUMNS)?;
    if let Some(vt) = vt {
        super::unknown_columns(vt, &super::VILLAGE_COLUMNS)?;
    }
    let n = ht.nrows();
    let hname = ht.name.as_str();
    let household_id = ht.ids("household_id")?;
    let village_ref = ht.ids("village_id")?;
    let size_raw = ht.counts("size", MAX_MEMBERS)?;
    if let Some(row) = size_raw.iter().position(|&s| s == 0) {
        return Err(Error::invalid_value(
            hname,
            "size",
            row + 1,
            0,
            "is not a household size (must be ≥ 1)",
        ));
    }
    let income_per_capita = ht.numbers("income_per_capita")?;
    if n == 0 {
        return Err(Error::Empty {
            table: hname.into(),
        });
    }
    let counts = |name: &str| -> Result<Option<Vec<u16>>> {
        if ht.get(name).is_none() {
            return Ok(None);
        }
        let values = ht.counts(name, MAX_MEMBERS)?;
        for (row, (&count, &size)) in values.iter().zip(&size_raw).enumerate() {
            if count > size {
                return Err(Error::invalid_value(
                    hname,
                    name,
                    row + 1,
                    count,
                    format!("exceeds the household size {size}"),
                ));
            }
        }
        // Every count is ≤ size ≤ u16::MAX, checked above.
        Ok(Some(values.into_iter().map(|x| x as u16).collect()))
    };
    let size: Vec<u16> = size_raw.iter().map(|&s| s as u16).collect();
    let zeros = || vec![0u16; n];
    let elderly = counts("elderly")?.unwrap_or_else(zeros);
    let students = counts("students")?.unwrap_or_else(zeros);
    let labour = match counts("labour")? {
        Some(v) => v,
        None => (0..n)
            .map(|i| size[i].saturating_sub(elderly[i].saturating_add(students[i])))
            .collect(),
    };
    let chronic_illness = counts("chronic_illness")?.unwrap_or_else(zeros);
    let disability = counts("disability")?.unwrap_or_else(zeros);
    let flags = |name: &str, default: bool| -> Result<Vec<bool>> {
        match ht.get(name) {
            Some(_) => ht.flags(name),
            None => Ok(vec![default; n]),
        }
    };
    let housing_safe = flags("housing_safe", true)?;
    let safe_water = flags("safe_water", true)?;
    let insured = flags("insured", true)?;
    let inhospitable = flags("inhospitable", false)?;
    let registered = flags("registered", true)?;
    let head_education_years = match ht.get("head_education_years") {
        Some(_) => ht
            .counts("head_education_years", 30)?
            .into_iter()
            .map(|x| x as u8)
            .collect(),
        None => vec![DEFAULT_HEAD_EDUCATION_YEARS; n],
    };
    let weight = match ht.get("weight") {
        Some(_) => ht.numbers("weight")?,
        None => vec![1.0; n],
    };
    let unknown_cause = |row: usize, column: &str, text: &str| {
        Error::invalid_value(
            hname,
            column,
            row + 1,
            format!("{text:?}"),
            "is not a cause code (illness, disability, schooling, disaster, marriage, land, \
             water, skills, capital, labour, transport, motivation, other)",
        )
    };
    let parse_cause = |row: usize, column: &str, text: &str| -> Result<Cause> {
        text.parse().map_err(|()| unknown_cause(row, column, text))
    };
    let primary_cause: Vec<Option<Cause>> = match ht.get("primary_cause") {
        Some(_) => ht
            .texts("primary_cause")?
            .iter()
            .enumerate()
            .map(|(row, t)| {
                t.as_deref()
                    .map(|t| parse_cause(row, "primary_cause", t.trim()))
                    .transpose()
            })
            .collect::<Result<_>>()?,
        None => vec![None; n],
    };
    let causes: Vec<CauseSet> = match ht.get("causes") {
        Some(_) => ht
            .texts("causes")?
            .iter()
            .enumerate()
            .map(|(row, t)| {
                CauseSet::parse(t.as_deref().unwrap_or(""))
                    .map_err(|code| unknown_cause(row, "causes", &code))
            })
            .collect::<Result<_>>()?,
        // Without a causes column the primary cause is the only one known.
        None => primary_cause
            .iter()
            .map(|p| {
                let mut s = CauseSet::EMPTY;
                if let Some(p) = p {
                    s.insert(*p);
                }
                s
            })
            .collect(),
    };
    let primary_cause = if ht.get("primary_cause").is_some() {
        primary_cause
    } else {
        // Without a primary_cause column, the first listed cause (in code order) is primary.
        causes.iter().map(|s| s.iter().next()).collect()
    };

    let household_county = match ht.get("county_id") {
        Some(_) => Some(ht.ids("county_id")?),
        None => None,
    };

    // Villages and counties: from the villages table when given, else from the households.
    let (villages, counties, village_of) = match vt {
        Some(vt) => villages_from_table(ht, vt, &village_ref, household_county.as_ref(), &size)?,
        None => villages_from_households(&village_ref, household_county.as_ref(), &size, hname)?,
    };

    let households = Households {
        id: household_id,
        village: village_of,
        size,
        income_per_capita,
        labour,
        elderly,
        students,
        chronic_illness,
        disability,
        housing_safe,
        safe_water,
        insured,
        inhospitable,
        head_education_years,
        causes,
        primary_cause,
        weight,
        registered,
    };
    let mut villages = villages;
    if villages.poor.is_empty() {
        villages.poor = default_poor_villages(&households, &villages);
    }
    Registry::new(households, villages, counties).map_err(|e| rename_table(e, hname, vt))
}

fn rename_table(e: Error, hname: &str, vt: Option<&Table>) -> Error {
    match e {
        Error::InvalidValue {
            table,
            column,
            row,
            value,
            reason,
        } => Error::InvalidValue {
            table: match table.as_str() {
                HOUSEHOLDS => hname.to_string(),
                VILLAGES => vt.map_or(table, |t| t.name.clone()),
                _ => table,
            },
            column,
            row,
            value,
            reason,
        },
        other => other,
    }
}

/// A village is a designated poor village by default when the registered poor make up more of its
/// population than its exit threshold allows.
fn default_poor_villages(h: &Households, v: &Villages) -> Vec<bool> {
    let mut poor_people = vec![0.0f64; v.len()];
    for i in 0..h.len() {
        if h.registered[i] {
            poor_people[h.village[i] as usize] += f64::from(h.size[i]) * h.weight[i];
        }
    }
    (0..v.len())
        .map(|j| {
            let pop = f64::from(v.population[j]);
            pop > 0.0 && poor_people[j] / pop > v.region[j].exit_threshold()
        })
        .collect()
}

type VillageParts = (Villages, Counties, Vec<u32>);

fn villages_from_table(
    ht: &Table,
    vt: &Table,
    village_ref: &Ids,
    household_county: Option<&Ids>,
    size: &[u16],
) -> Result<VillageParts> {
    let vname = vt.name.as_str();
    let nv = vt.nrows();
    if nv == 0 {
        return Err(Error::Empty {
            table: vname.into(),
        });
    }
    let village_id = vt.ids("village_id")?;
    let index = village_id
        .index()
        .map_err(|(row, first)| Error::DuplicateId {
            table: vname.into(),
            column: "village_id".into(),
            row: row + 1,
            value: village_id.display(row),
            first_row: first + 1,
        })?;
    let village_of = resolve(
        &index,
        village_ref,
        &ht.name,
        "village_id",
        "village",
        vname,
    )?;
    let county_ref = match vt.get("county_id") {
        Some(_) => vt.ids("county_id")?,
        None => match household_county {
            Some(hc) => county_of_villages_from_households(hc, &village_of, nv, &ht.name)?,
            None => Ids::Int(vec![0; nv]),
        },
    };
    let (county_id, county_of) = distinct(&county_ref)?;
    if let (Some(hc), Some(_)) = (household_county, vt.get("county_id")) {
        for (row, &v) in village_of.iter().enumerate() {
            let expected = county_ref.display(v as usize);
            let given = hc.display(row);
            if expected != given {
                return Err(Error::invalid_value(
                    &ht.name,
                    "county_id",
                    row + 1,
                    &given,
                    format!(
                        "disagrees with county {expected} of village {} in {vname}",
                        village_id.display(v as usize)
                    ),
                ));
            }
        }
    }
    let region = match vt.get("region") {
        Some(_) => vt
            .texts("region")?
            .iter()
            .enumerate()
            .map(|(row, t)| {
                let t = t.as_deref().unwrap_or("");
                t.parse().map_err(|()| {
                    Error::invalid_value(
                        vname,
                        "region",
                        row + 1,
                        format!("{t:?}"),
                        "is not a region (west, centre, east)",
                    )
                })
            })
            .collect::<Result<Vec<Region>>>()?,
        None => vec![Region::Centre; nv],
    };
    let population = match vt.get("population") {
        Some(_) => vt.counts("population", u32::MAX)?,
        None => people_by_village(&village_of, size, &village_id, &ht.name)?,
    };
    let poor = match vt.get("poor") {
        Some(_) => vt.flags("poor")?,
        None => Vec::new(),
    };
    let counties = counties_with_regions(county_id, &county_of, &region, vname)?;
    Ok((
        Villages {
            id: village_id,
            county: county_of,
            population,
            region,
            poor,
        },
        counties,
        village_of,
    ))
}

fn villages_from_households(
    village_ref: &Ids,
    household_county: Option<&Ids>,
    size: &[u16],
    hname: &str,
) -> Result<VillageParts> {
    let (village_id, village_of) = distinct(village_ref)?;
    let nv = village_id.len();
    let county_ref = match household_county {
        Some(hc) => county_of_villages_from_households(hc, &village_of, nv, hname)?,
        None => Ids::Int(vec![0; nv]),
    };
    let (county_id, county_of) = distinct(&county_ref)?;
    let region = vec![Region::Centre; nv];
    let counties = counties_with_regions(county_id, &county_of, &region, VILLAGES)?;
    let population = people_by_village(&village_of, size, &village_id, hname)?;
    Ok((
        Villages {
            id: village_id,
            county: county_of,
            population,
            region,
            poor: Vec::new(),
        },
        counties,
        village_of,
    ))
}

fn counties_with_regions(
    id: Ids,
    county_of: &[u32],
    region: &[Region],
    vname: &str,
) -> Result<Counties> {
    let mut county_region: Vec<Option<(Region, usize)>> = vec![None; id.len()];
    for (j, &c) in county_of.iter().enumerate() {
        match county_region[c as usize] {
            None => county_region[c as usize] = Some((region[j], j)),
            Some((r, first)) if r != region[j] => {
                return Err(Error::invalid_value(
                    vname,
                    "region",
                    j + 1,
                    region[j],
                    format!(
                        "differs from region {r} of row {} in the same county {}",
                        first + 1,
                        id.display(c as usize)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(Counties {
        region: county_region
            .into_iter()
            .map(|r| r.map_or(Region::Centre, |(r, _)| r))
            .collect(),
        id,
    })
}

/// The county of each village, read off the households; households of one village must agree.
fn county_of_villages_from_households(
    household_county: &Ids,
    village_of: &[u32],
    nv: usize,
    hname: &str,
) -> Result<Ids> {
    let mut first_row: Vec<Option<usize>> = vec![None; nv];
    for (row, &v) in village_of.iter().enumerate() {
        match first_row[v as usize] {
            None => first_row[v as usize] = Some(row),
            Some(first) => {
                if household_county.get(first) != household_county.get(row) {
                    return Err(Error::invalid_value(
                        hname,
                        "county_id",
                        row + 1,
                        household_county.display(row),
                        format!(
                            "disagrees with county {} of row {} in the same village",
                            household_county.display(first),
                            first + 1
                        ),
                    ));
                }
            }
        }
    }
    let rows: Vec<usize> = first_row
        .iter()
        .enumerate()
        .map(|(v, r)| r.ok_or(v))
        .collect::<std::result::Result<_, usize>>()
        .map_err(|v| Error::Numerical {
            what: "county of villages".into(),
            reason: format!("village index {v} has no household and no county"),
        })?;
    Ok(household_county.take(&rows))
}

/// Distinct ids in order of first appearance, and each row's index into them.
///
/// # Errors
/// [`Error::Cancelled`] (polled, see [`crate::cancel`]).
fn distinct(ids: &Ids) -> Result<(Ids, Vec<u32>)> {
    use std::collections::HashMap;
    let mut first_rows = Vec::new();
    let mut of = Vec::with_capacity(ids.len());
    match ids {
        Ids::Int(v) => {
            let mut map: HashMap<i64, u32> = HashMap::new();
            for (row, id) in v.iter().enumerate() {
                crate::cancel::poll(row)?;
                let next = map.len() as u32;
                let k = *map.entry(*id).or_insert_with(|| {
                    first_rows.push(row);
                    next
                });
                of.push(k);
            }
        }
        Ids::Text(v) => {
            let mut map: HashMap<&str, u32> = HashMap::new();
            for (row, id) in v.iter().enumerate() {
                crate::cancel::poll(row)?;
                let next = map.len() as u32;
                let k = *map.entry(id.as_str()).or_insert_with(|| {
                    first_rows.push(row);
                    next
                });
                of.push(k);
            }
        }
    }
    Ok((ids.take(&first_rows), of))
}

fn resolve(
    index: &super::IdIndex,
    refs: &Ids,
    table: &str,
    column: &str,
    target: &str,
    target_table: &str,
) -> Result<Vec<u32>> {
    (0..refs.len())
        .map(|row| {
            crate::cancel::poll(row)?;
            index
                .lookup(refs, row)
                .map(|v| v as u32)
                .ok_or_else(|| Error::UnknownReference {
                    table: table.into(),
                    column: column.into(),
                    row: row + 1,
                    value: refs.display(row),
                    target: match index.near_miss(refs, row) {
                        Some(why) => format!("{target} of {target_table}: {why}"),
                        None => format!("{target} of {target_table}"),
                    },
                })
        })
        .collect()
}

/// Members of each village's households. A village whose members exceed the largest population
/// a village holds (`u32::MAX`) is an error naming the household row that takes it over.
fn people_by_village(
    village_of: &[u32],
    size: &[u16],
    village_id: &Ids,
    hname: &str,
) -> Result<Vec<u32>> {
    let mut people = vec![0u32; village_id.len()];
    for (row, (&v, &s)) in village_of.iter().zip(size).enumerate() {
        let total = u64::from(people[v as usize]) + u64::from(s);
        people[v as usize] = u32::try_from(total).map_err(|_| {
            Error::invalid_value(
                hname,
                "size",
                row + 1,
                s,
                format!(
                    "brings the members of village {} to {total}, above the largest village \
                     population ({})",
                    village_id.display(v as usize),
                    u32::MAX
                ),
            )
        })?;
    }
    Ok(people)
}
