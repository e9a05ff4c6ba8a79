//! Property-based fuzzing of the CSV reader and the registry built from it: arbitrary bytes,
//! generated cells under the registry's header, and valid files with one structured mutation
//! (ragged row, bad bytes, odd header, bad cell). Contract: `Ok` with a registry that writes back to
//! an equal one and finite figures, or `Err(fupin_core::Error)` naming a data row within the file
//! (and, for a mutation at a known row, that row); never a panic.

mod fuzz_support;

use std::path::Path;

use fupin_core::Registry;
use fupin_core::registry::csv_io::{read_csv_from, write_csv_to};
use fuzz_support::{config, count};
use proptest::prelude::*;

/// Read CSV bytes and build a registry from them.
fn load(bytes: &[u8]) -> fupin_core::Result<Registry> {
    let table = read_csv_from(bytes, "households.csv", Path::new("households.csv"))?;
    Registry::from_tables(&table, None)
}

/// An accepted registry: finite figures and an exact CSV round trip.
fn check_accepted(reg: &Registry) {
    let h = reg.households();
    assert!(
        h.income_per_capita
            .iter()
            .all(|v| v.is_finite() && *v >= 0.0)
    );
    assert!(h.weight.iter().all(|v| v.is_finite() && *v > 0.0));
    assert!(reg.registered_people().is_finite());
    let mut out = Vec::new();
    write_csv_to(&reg.households_table(), &mut out, Path::new("out.csv")).expect("write");
    let mut vout = Vec::new();
    write_csv_to(&reg.villages_table(), &mut vout, Path::new("v.csv")).expect("write");
    let t = read_csv_from(&out[..], "out.csv", Path::new("out.csv")).expect("read back");
    let v = read_csv_from(&vout[..], "v.csv", Path::new("v.csv")).expect("read back");
    let again = Registry::from_tables(&t, Some(&v)).expect("rebuild");
    assert!(again == *reg, "CSV round trip changed the registry");
}

fn check_row(err: &fupin_core::Error, n_rows: usize) {
    if let Some(row) = err.row() {
        assert!(
            (1..=n_rows.max(1)).contains(&row),
            "error names row {row} of {n_rows}: {err}"
        );
    }
}

const HEADER: &str = "household_id,village_id,size,income_per_capita,weight\n";

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..100).prop_map(|v| v.to_string()),
        2 => proptest::sample::select(&[
            "007", "-1", "0", "1.5", "1e308", "1e400", "nan", "NaN", "inf", "true", "", " ",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "\"a,b\"",
            "\"", "贫困", "1_000", "0x10", "+5", "5e-324", "-0",
        ][..]).prop_map(String::from),
        1 => "[0-9]{1,6}(\\.[0-9]{1,3})?",
        1 => "\\PC{0,4}",
    ]
}

/// A valid file: unique ids, villages 1–3, sizes 1–8, incomes and weights in range.
fn valid_rows() -> impl Strategy<Value = Vec<[String; 5]>> {
    proptest::collection::vec((1u32..4, 1u32..9, 0u32..2_000_000, 1u32..1000), 1..8).prop_map(
        |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (v, s, inc, w))| {
                    [
                        (1000 + i).to_string(),
                        v.to_string(),
                        s.to_string(),
                        format!("{}", f64::from(inc) / 100.0),
                        format!("{}", f64::from(w) / 10.0),
                    ]
                })
                .collect()
        },
    )
}

fn join(rows: &[Vec<String>]) -> Vec<u8> {
    let mut s = HEADER.to_string();
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s.into_bytes()
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        count("arbitrary_bytes");
        match load(&bytes) {
            Ok(reg) => check_accepted(&reg),
            Err(e) => check_row(&e, bytes.iter().filter(|b| **b == b'\n').count() + 1),
        }
    }

    #[test]
    fn generated_cells(rows in proptest::collection::vec(proptest::collection::vec(cell(), 4..=6), 1..6)) {
        count("generated_cells");
        let bytes = join(&rows);
        match load(&bytes) {
            Ok(reg) => {
                check_accepted(&reg);
                // The ids as the CSV grammar reads the file (quotes resolved), trimmed.
                let ids: Vec<String> = csv::Reader::from_reader(&bytes[..])
                    .records()
                    .map(|r| r.map(|r| r[0].trim().to_string()).unwrap_or_default())
                    .collect();
                let kept: Vec<String> =
                    (0..reg.n_households()).map(|i| reg.households().id.display(i)).collect();
                prop_assert_eq!(kept, ids, "household ids changed");
            }
            Err(e) => check_row(&e, rows.len()),
        }
    }

    #[test]
    fn one_mutation_names_its_row(
        rows in valid_rows(),
        which in 0usize..8,
        kind in 0u8..6,
        pick in 0usize..16,
    ) {
        count("one_mutation_names_its_row");
        let mut rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.to_vec()).collect();
        let k = which % rows.len();
        let (column, bytes) = match kind {
            0 => { rows[k].push("1".into()); (None, join(&rows)) }
            1 => { rows[k].pop(); (None, join(&rows)) }
            2 => {
                let mut b = join(&rows);
                // Invalid UTF-8 at the start of data row k's village cell.
                let line_start = b.iter().enumerate().filter(|(_, c)| **c == b'\n')
                    .nth(k).map_or(0, |(i, _)| i + 1);
                let at = line_start + rows[k][0].len() + 1;
                b.splice(at..at, [0xff_u8, 0xfe]);
                (None, b)
            }
            3 => {
                rows[k][3] = ["abc", "-1", "NaN", "inf", "1e400", "--1", ""][pick % 7].into();
                (Some("income_per_capita"), join(&rows))
            }
            4 => {
                rows[k][2] = ["-1", "0", "2.5", "70000", "9223372036854775808", ""][pick % 6].into();
                (Some("size"), join(&rows))
            }
            _ => {
                rows[k][4] = ["0", "-2", "NaN", "inf", "", "x"][pick % 6].into();
                (Some("weight"), join(&rows))
            }
        };
        match load(&bytes) {
            Ok(_) => prop_assert!(false, "mutation {} of row {} accepted", kind, k + 1),
            Err(e) => {
                prop_assert_eq!(e.row(), Some(k + 1), "error {} names row {:?}, mutated row {}", e, e.row(), k + 1);
                if let Some(c) = column {
                    prop_assert_eq!(e.column(), Some(c), "error {} names column {:?}", e, e.column());
                }
            }
        }
    }
}
