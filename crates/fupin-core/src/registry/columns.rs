//! The columns of the input tables: the names fupin reads, and the check that no other column is
//! a near miss of one. A misspelt optional column (`wieght`, `Weight`, `labor`) would otherwise be
//! ignored and its default used without a word; it is refused instead. Other columns fupin does
//! not read are returned so that the caller can say so (Python warns with `UserWarning`).

use super::Table;
use crate::error::{Error, Result};

/// The household columns fupin reads (see DESIGN.md, "Registry schema").
pub const HOUSEHOLD_COLUMNS: [&str; 19] = [
    "household_id",
    "village_id",
    "size",
    "income_per_capita",
    "county_id",
    "labour",
    "elderly",
    "students",
    "chronic_illness",
    "disability",
    "housing_safe",
    "safe_water",
    "insured",
    "inhospitable",
    "head_education_years",
    "causes",
    "primary_cause",
    "weight",
    "registered",
];

/// The village columns fupin reads.
pub const VILLAGE_COLUMNS: [&str; 5] = ["village_id", "county_id", "population", "region", "poor"];

/// The columns of `table` that are not in `known`, in table order.
///
/// # Errors
/// [`Error::MisspeltColumn`] for the first unknown column whose name is a near miss of a known
/// one: the same apart from case, spaces, `_`, `-` and `.`; or, for known names of 5 letters or
/// more, one edit away (a letter added, dropped, changed, or two neighbours swapped); two edits
/// for names of 10 letters or more.
pub fn unknown_columns(table: &Table, known: &[&str]) -> Result<Vec<String>> {
    let mut unknown = Vec::new();
    for name in table.names() {
        if known.contains(&name) {
            continue;
        }
        if let Some(k) = known.iter().find(|k| near_miss(name, k)) {
            return Err(Error::MisspeltColumn {
                table: table.name.clone(),
                column: name.to_string(),
                known: (*k).to_string(),
            });
        }
        unknown.push(name.to_string());
    }
    Ok(unknown)
}

/// The warning for the columns of `households` and `villages` that fupin does not read, naming
/// them by table (`households: `a`, `b`; villages: `c``) and listing the known columns; `None`
/// when every column is read. A near-miss column is left to `Registry::from_tables` to refuse.
pub fn unread_columns_warning(households: &Table, villages: Option<&Table>) -> Option<String> {
    let mut parts = Vec::new();
    let tables = [
        (Some(households), &HOUSEHOLD_COLUMNS[..]),
        (villages, &VILLAGE_COLUMNS[..]),
    ];
    for (table, known) in tables {
        let Some(table) = table else { continue };
        let unread = unknown_columns(table, known).unwrap_or_default();
        if !unread.is_empty() {
            let names: Vec<String> = unread.iter().map(|c| format!("`{c}`")).collect();
            parts.push(format!("{}: {}", table.name, names.join(", ")));
        }
    }
    (!parts.is_empty()).then(|| {
        format!(
            "fupin does not read these columns; they were ignored ({}). Known columns: {}; \
             villages: {}",
            parts.join("; "),
            HOUSEHOLD_COLUMNS.join(", "),
            VILLAGE_COLUMNS.join(", ")
        )
    })
}

fn squeeze(name: &str) -> Vec<char> {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when `name` (not itself `known`) looks like a slip for `known`.
fn near_miss(name: &str, known: &str) -> bool {
    let (a, b) = (squeeze(name), squeeze(known));
    if a == b {
        return true;
    }
    let allowed = match b.len() {
        0..=4 => 0,
        5..=9 => 1,
        _ => 2,
    };
    allowed > 0 && edit_distance(&a, &b) <= allowed
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours, each costing 1.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ColumnData;

    fn table(names: &[&str]) -> Table {
        let mut t = Table::new("households");
        for name in names {
            t.push(*name, ColumnData::Int(vec![1])).unwrap();
        }
        t
    }

    #[test]
    fn the_warning_names_each_unread_column_by_table() {
        let ht = table(&["household_id", "notes", "size", "remark"]);
        let mut vt = table(&["village_id", "mayor"]);
        vt.name = "villages".into();
        let text = unread_columns_warning(&ht, Some(&vt)).unwrap();
        assert!(text.starts_with(
            "fupin does not read these columns; they were ignored (households: `notes`, \
             `remark`; villages: `mayor`). Known columns: household_id, village_id, size,"
        ));
        assert!(text.ends_with("villages: village_id, county_id, population, region, poor"));
        assert_eq!(
            unread_columns_warning(&table(&["household_id", "size"]), None),
            None
        );
        // A near miss is refused by the registry, not listed here.
        assert_eq!(unread_columns_warning(&table(&["wieght"]), None), None);
    }

    #[test]
    fn near_misses_are_refused_naming_the_column_and_the_known_name() {
        for (slip, known) in [
            ("wieght", "weight"),
            ("Weight", "weight"),
            (" weight ", "weight"),
            ("weights", "weight"),
            ("labor", "labour"),
            ("Household ID", "household_id"),
            ("income_per_capta", "income_per_capita"),
            ("chronic_ilness", "chronic_illness"),
            ("head_educaton_year", "head_education_years"),
            ("SIZE", "size"),
        ] {
            let e =
                unknown_columns(&table(&["household_id", slip]), &HOUSEHOLD_COLUMNS).unwrap_err();
            assert!(
                matches!(&e, Error::MisspeltColumn { column, known: k, .. }
                    if column == slip && k == known),
                "{slip}: {e}"
            );
            assert_eq!(e.column(), Some(slip));
            assert!(e.to_string().contains(&format!("`{known}`")), "{e}");
        }
    }

    #[test]
    fn other_columns_are_listed_in_order() {
        let t = table(&["notes", "household_id", "site", "name", "region"]);
        assert_eq!(
            unknown_columns(&t, &HOUSEHOLD_COLUMNS).unwrap(),
            vec!["notes", "site", "name", "region"]
        );
        assert!(
            unknown_columns(&table(&HOUSEHOLD_COLUMNS), &HOUSEHOLD_COLUMNS)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn edit_distance_by_hand() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("wieght", "weight"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("ca", "abc"), 3);
    }
}
