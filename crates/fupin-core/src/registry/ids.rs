//! External identifiers: integers or text, kept exactly as the user gave them.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A column of identifiers. Integer ids are stored as `i64`; anything else as text. Inside the
/// model every id becomes a dense index; these are only for input and output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ids {
    /// Integer identifiers.
    Int(Vec<i64>),
    /// Text identifiers.
    Text(Vec<String>),
}

/// One identifier, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdRef<'a> {
    /// An integer id.
    Int(i64),
    /// A text id.
    Text(&'a str),
}

impl IdRef<'_> {
    /// The stable 64-bit random key of this id ([`crate::random::int_key`],
    /// [`crate::random::text_key`]): the engine keys every household and village draw by it.
    #[inline]
    pub fn key(self) -> u64 {
        match self {
            IdRef::Int(v) => crate::random::int_key(v),
            IdRef::Text(s) => crate::random::text_key(s),
        }
    }
}

impl fmt::Display for IdRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdRef::Int(v) => write!(f, "{v}"),
            IdRef::Text(s) => write!(f, "{s:?}"),
        }
    }
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Int(Vec::new())
    }
}

impl Ids {
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            Ids::Int(v) => v.len(),
            Ids::Text(v) => v.len(),
        }
    }

    /// True when there are no ids.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id at `index`.
    pub fn get(&self, index: usize) -> Option<IdRef<'_>> {
        match self {
            Ids::Int(v) => v.get(index).map(|x| IdRef::Int(*x)),
            Ids::Text(v) => v.get(index).map(|s| IdRef::Text(s)),
        }
    }

    /// The ids at `indices`, in that order.
    pub fn take(&self, indices: &[usize]) -> Ids {
        match self {
            Ids::Int(v) => Ids::Int(indices.iter().map(|&i| v[i]).collect()),
            Ids::Text(v) => Ids::Text(indices.iter().map(|&i| v[i].clone()).collect()),
        }
    }

    /// The id at `index` rendered for a message or a file.
    pub fn display(&self, index: usize) -> String {
        match self {
            Ids::Int(v) => v[index].to_string(),
            Ids::Text(v) => v[index].clone(),
        }
    }

    /// Map each id to its position; the error is `(row, first_row)` (0-based) of the first duplicate.
    pub fn index(&self) -> Result<IdIndex, (usize, usize)> {
        match self {
            Ids::Int(v) => {
                let mut map = HashMap::with_capacity(v.len());
                for (row, id) in v.iter().enumerate() {
                    if let Some(first) = map.insert(*id, row) {
                        return Err((row, first));
                    }
                }
                Ok(IdIndex::Int(map))
            }
            Ids::Text(v) => {
                let mut map = HashMap::with_capacity(v.len());
                for (row, id) in v.iter().enumerate() {
                    if let Some(first) = map.insert(id.clone(), row) {
                        return Err((row, first));
                    }
                }
                Ok(IdIndex::Text(map))
            }
        }
    }

    /// The first duplicate in row order as `(row, first_row)` (0-based), or `None` when every id is
    /// unique. Same answer as [`Ids::index`] but without building a map: O(n) for strictly
    /// increasing integer ids (the usual case for registers and synthetic data), otherwise a sort
    /// of row indices by id. Used by validation, where 30 million ids must be checked quickly.
    /// (Inside a cancelled [`crate::cancel::scope`] it gives up and reports `None`; validation
    /// uses [`Ids::try_first_duplicate`], which says so.)
    pub fn first_duplicate(&self) -> Option<(usize, usize)> {
        self.try_first_duplicate().unwrap_or(None)
    }

    /// [`Ids::first_duplicate`], polling for cancellation while it sorts.
    ///
    /// # Errors
    /// [`crate::Error::Cancelled`].
    pub fn try_first_duplicate(&self) -> crate::Result<Option<(usize, usize)>> {
        match self {
            Ids::Int(v) => {
                if v.windows(2).all(|w| w[0] < w[1]) {
                    return Ok(None);
                }
                first_duplicate_by_sort(v.len(), |a, b| v[a].cmp(&v[b]))
            }
            Ids::Text(v) => {
                if v.windows(2).all(|w| w[0] < w[1]) {
                    return Ok(None);
                }
                first_duplicate_by_sort(v.len(), |a, b| v[a].cmp(&v[b]))
            }
        }
    }

    /// The registry's own order of the ids at rows `a` and `b`: integer ids by value, text ids by
    /// their bytes (code points). Rankings break ties with it (ties never by row position), so
    /// a household's place does not depend on where its row sits.
    ///
    /// # Panics
    /// If `a` or `b` is not a row (callers pass rows of the same registry).
    pub fn cmp_rows(&self, a: usize, b: usize) -> std::cmp::Ordering {
        match self {
            Ids::Int(v) => v[a].cmp(&v[b]),
            Ids::Text(v) => v[a].cmp(&v[b]),
        }
    }

    /// Rows `0..len` sorted by id ([`Ids::cmp_rows`]).
    pub fn rows_by_id(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..self.len()).collect();
        match self {
            Ids::Int(v) => rows.sort_unstable_by_key(|&i| v[i]),
            Ids::Text(v) => rows.sort_unstable_by(|&a, &b| v[a].cmp(&v[b])),
        }
        rows
    }

    /// Render every id as text (for joins against text ids).
    pub fn to_text(&self) -> Vec<String> {
        match self {
            Ids::Int(v) => v.iter().map(i64::to_string).collect(),
            Ids::Text(v) => v.clone(),
        }
    }
}

/// Sort rows by (id, row): equal ids form contiguous runs, each led by its smallest row (the
/// original). A run's second row is that id's first duplicate; the smallest of those over all runs
/// is the first duplicate met in row order.
fn first_duplicate_by_sort(
    n: usize,
    cmp: impl Fn(usize, usize) -> std::cmp::Ordering + Sync,
) -> crate::Result<Option<(usize, usize)>> {
    let mut rows: Vec<usize> = (0..n).collect();
    crate::cancel::sort_by(&mut rows, |&a, &b| cmp(a, b).then(a.cmp(&b)))?;
    let mut best: Option<(usize, usize)> = None;
    let mut run_start = 0;
    for i in 1..rows.len() {
        if cmp(rows[i - 1], rows[i]).is_ne() {
            run_start = i;
        } else if i == run_start + 1 && best.is_none_or(|(row, _)| rows[i] < row) {
            best = Some((rows[i], rows[run_start]));
        }
    }
    Ok(best)
}

/// Lookup from id to position, built by [`Ids::index`].
#[derive(Debug, Clone)]
pub enum IdIndex {
    /// For integer ids.
    Int(HashMap<i64, usize>),
    /// For text ids.
    Text(HashMap<String, usize>),
}

impl IdIndex {
    /// Position of the id at `ids[row]`. Ids match exactly: an integer id matches only the text
    /// that is its canonical decimal form (`10` matches `"10"`, never `"010"`, `" 10"` or `"+10"`).
    pub fn lookup(&self, ids: &Ids, row: usize) -> Option<usize> {
        match (self, ids) {
            (IdIndex::Int(m), Ids::Int(v)) => m.get(&v[row]).copied(),
            (IdIndex::Text(m), Ids::Text(v)) => m.get(&v[row]).copied(),
            (IdIndex::Text(m), Ids::Int(v)) => m.get(&v[row].to_string()).copied(),
            (IdIndex::Int(m), Ids::Text(v)) => {
                canonical_int(&v[row]).and_then(|x| m.get(&x).copied())
            }
        }
    }

    /// Why the id at `ids[row]` failed to match although it looks like one of an integer index:
    /// text such as `"010"` that reads as the integer 10 but is not written as 10.
    pub fn near_miss(&self, ids: &Ids, row: usize) -> Option<String> {
        match (self, ids) {
            (IdIndex::Int(m), Ids::Text(v)) => {
                let x = v[row].trim().trim_start_matches('+').parse::<i64>().ok()?;
                m.contains_key(&x).then(|| {
                    format!(
                        "the text {:?} is not the integer id {x} (ids match exactly)",
                        v[row]
                    )
                })
            }
            _ => None,
        }
    }
}

/// The integer `text` is the canonical decimal form of (no sign `+`, no leading zeros, no spaces).
fn canonical_int(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|x| x.to_string() == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_finds_duplicates_and_mixed_lookups() {
        let ids = Ids::Int(vec![10, 20, 30]);
        let idx = ids.index().unwrap();
        assert_eq!(idx.lookup(&Ids::Text(vec!["20".into()]), 0), Some(1));
        assert_eq!(idx.lookup(&Ids::Int(vec![40]), 0), None);
        let texts = Ids::Text(vec!["010".into(), " 20".into(), "+30".into(), "-0".into()]);
        for row in 0..3 {
            assert_eq!(idx.lookup(&texts, row), None, "row {row}");
            assert!(idx.near_miss(&texts, row).is_some(), "row {row}");
        }
        let zero = Ids::Int(vec![0]).index().unwrap();
        assert_eq!(zero.lookup(&texts, 3), None);
        let text_index = Ids::Text(vec!["010".into()]).index().unwrap();
        assert_eq!(text_index.lookup(&Ids::Int(vec![10]), 0), None);
        assert_eq!(Ids::Int(vec![1, 2, 1]).index().unwrap_err(), (2, 0));
        let text = Ids::Text(vec!["a".into(), "b".into(), "b".into()]);
        assert_eq!(text.index().unwrap_err(), (2, 1));
        assert_eq!(text.display(1), "b");
    }

    #[test]
    fn id_order_is_by_value_not_by_row() {
        // Integers by value (not by their text: 9 < 10), text by bytes.
        let ints = Ids::Int(vec![10, -3, 9]);
        assert_eq!(ints.rows_by_id(), vec![1, 2, 0]);
        assert_eq!(ints.cmp_rows(2, 0), std::cmp::Ordering::Less);
        let text = Ids::Text(vec!["b".into(), "B".into(), "a10".into(), "a9".into()]);
        assert_eq!(text.rows_by_id(), vec![1, 2, 3, 0]);
    }

    #[test]
    fn first_duplicate_agrees_with_the_map() {
        let cases: Vec<Ids> = vec![
            Ids::Int(vec![1, 2, 3]),
            Ids::Int(vec![3, 1, 2]),
            Ids::Int(vec![5, 1, 5, 1, 5]),
            Ids::Int(vec![9, 7, 8, 7, 9]),
            Ids::Text(vec!["b".into(), "a".into(), "b".into()]),
            Ids::Text(vec!["a".into(), "b".into()]),
            Ids::Int(vec![]),
        ];
        for ids in cases {
            assert_eq!(ids.first_duplicate(), ids.index().err(), "{ids:?}");
        }
    }
}
