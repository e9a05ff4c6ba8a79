//! Building a [`Table`] from the core's own outputs: survival tables, spells, exit checks, group
//! rows. Each output type has a `to_table` next to it that lists its columns once, with these
//! constructors; the Python binding converts every table the same way.

use super::{Column, ColumnData, Ids, Table};

impl Table {
    /// A table of the named columns. The core's outputs build their columns from one list of rows,
    /// so the lengths agree by construction (checked in debug builds).
    pub fn from_columns<N: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = (N, ColumnData)>,
    ) -> Table {
        let columns: Vec<Column> = columns
            .into_iter()
            .map(|(n, data)| Column {
                name: n.into(),
                data,
            })
            .collect();
        debug_assert!(
            columns
                .windows(2)
                .all(|w| w[0].data.len() == w[1].data.len())
        );
        Table {
            name: name.into(),
            columns,
        }
    }
}

impl ColumnData {
    /// Whole numbers (counts, rows, years) as an `Int` column; a value beyond `i64` (never met:
    /// counts and rows fit in memory) saturates.
    pub fn whole<T>(values: impl IntoIterator<Item = T>) -> ColumnData
    where
        i64: TryFrom<T>,
    {
        ColumnData::Int(
            values
                .into_iter()
                .map(|x| i64::try_from(x).unwrap_or(i64::MAX))
                .collect(),
        )
    }

    /// Numbers as a `Float` column.
    pub fn floats(values: impl IntoIterator<Item = f64>) -> ColumnData {
        ColumnData::Float(values.into_iter().collect())
    }

    /// Optional numbers as a `Float` column, NaN where missing.
    pub fn optional(values: impl IntoIterator<Item = Option<f64>>) -> ColumnData {
        ColumnData::Float(values.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }

    /// Flags as a `Bool` column.
    pub fn flags(values: impl IntoIterator<Item = bool>) -> ColumnData {
        ColumnData::Bool(values.into_iter().collect())
    }

    /// Text as a `Text` column (no missing values).
    pub fn text<S: Into<String>>(values: impl IntoIterator<Item = S>) -> ColumnData {
        ColumnData::Text(values.into_iter().map(|s| Some(s.into())).collect())
    }

    /// Enum values as a `Text` column of their serde names (`snake_case` where the enum says so).
    pub fn names<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> ColumnData {
        ColumnData::text(values.into_iter().map(|v| serde_name(&v)))
    }

    /// The external ids at the 0-based `rows`: an `Int` column for integer ids, else `Text`.
    pub fn ids(ids: &Ids, rows: impl IntoIterator<Item = usize>) -> ColumnData {
        match ids {
            Ids::Int(v) => ColumnData::Int(rows.into_iter().map(|r| v[r]).collect()),
            Ids::Text(v) => ColumnData::text(rows.into_iter().map(|r| v[r].clone())),
        }
    }
}

/// The serde name of a unit enum variant (empty for a value that is not serialised as a string).
pub fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_their_values_and_order() {
        let t = Table::from_columns(
            "t",
            [
                ("n", ColumnData::whole([3usize, 0])),
                ("x", ColumnData::optional([Some(1.5), None])),
                (
                    "id",
                    ColumnData::ids(&Ids::Text(vec!["a".into(), "b".into()]), [1, 0]),
                ),
            ],
        );
        assert_eq!(t.names(), ["n", "x", "id"]);
        assert_eq!(t.get("n"), Some(&ColumnData::Int(vec![3, 0])));
        match t.get("x") {
            Some(ColumnData::Float(v)) => assert!(v[0] == 1.5 && v[1].is_nan()),
            other => panic!("x: {other:?}"),
        }
        let want = ColumnData::Text(vec![Some("b".into()), Some("a".into())]);
        assert_eq!(t.get("id"), Some(&want));
        #[derive(serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            FirstExit,
        }
        let kinds = ColumnData::names([Kind::FirstExit]);
        assert_eq!(kinds, ColumnData::Text(vec![Some("first_exit".into())]));
        let ints = ColumnData::ids(&Ids::Int(vec![7, 9]), [1]);
        assert_eq!(ints, ColumnData::Int(vec![9]));
    }
}
