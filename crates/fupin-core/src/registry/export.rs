//! Conversion of a registry back into tables, losslessly.

use super::{ColumnData, HOUSEHOLDS, Ids, Registry, Table, VILLAGES};

fn ids_column(ids: &Ids, rows: impl Iterator<Item = usize>) -> ColumnData {
    match ids {
        Ids::Int(v) => ColumnData::Int(rows.map(|r| v[r]).collect()),
        Ids::Text(v) => ColumnData::Text(rows.map(|r| Some(v[r].clone())).collect()),
    }
}

fn ids_data(ids: &Ids) -> ColumnData {
    ids_column(ids, 0..ids.len())
}

fn ints<T: Copy + Into<i64>>(v: &[T]) -> ColumnData {
    ColumnData::Int(v.iter().map(|&x| x.into()).collect())
}

pub(super) fn households_table(r: &Registry) -> Table {
    let h = r.households();
    let v = r.villages();
    let mut columns: Vec<(&str, ColumnData)> = vec![
        ("household_id", ids_data(&h.id)),
        (
            "village_id",
            ids_column(&v.id, h.village.iter().map(|&x| x as usize)),
        ),
        (
            "county_id",
            ids_column(
                &r.counties().id,
                h.village.iter().map(|&x| v.county[x as usize] as usize),
            ),
        ),
        ("size", ints(&h.size)),
        (
            "income_per_capita",
            ColumnData::Float(h.income_per_capita.clone()),
        ),
        ("labour", ints(&h.labour)),
        ("elderly", ints(&h.elderly)),
        ("students", ints(&h.students)),
        ("chronic_illness", ints(&h.chronic_illness)),
        ("disability", ints(&h.disability)),
        ("housing_safe", ColumnData::Bool(h.housing_safe.clone())),
        ("safe_water", ColumnData::Bool(h.safe_water.clone())),
        ("insured", ColumnData::Bool(h.insured.clone())),
        ("inhospitable", ColumnData::Bool(h.inhospitable.clone())),
        ("head_education_years", ints(&h.head_education_years)),
    ];
    columns.push((
        "causes",
        ColumnData::Text(
            h.causes
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.to_string()))
                .collect(),
        ),
    ));
    columns.push((
        "primary_cause",
        ColumnData::Text(
            h.primary_cause
                .iter()
                .map(|c| c.map(|c| c.code().to_string()))
                .collect(),
        ),
    ));
    columns.push(("weight", ColumnData::Float(h.weight.clone())));
    columns.push(("registered", ColumnData::Bool(h.registered.clone())));
    into_table(HOUSEHOLDS, columns)
}

pub(super) fn villages_table(r: &Registry) -> Table {
    let v = r.villages();
    let columns = vec![
        ("village_id", ids_data(&v.id)),
        (
            "county_id",
            ids_column(&r.counties().id, v.county.iter().map(|&c| c as usize)),
        ),
        ("population", ints(&v.population)),
        (
            "region",
            ColumnData::Text(
                v.region
                    .iter()
                    .map(|r| Some(r.code().to_string()))
                    .collect(),
            ),
        ),
        ("poor", ColumnData::Bool(v.poor.clone())),
    ];
    into_table(VILLAGES, columns)
}

fn into_table(name: &str, columns: Vec<(&str, ColumnData)>) -> Table {
    Table {
        name: name.into(),
        columns: columns
            .into_iter()
            .map(|(n, data)| super::Column {
                name: n.into(),
                data,
            })
            .collect(),
    }
}
