//! Tests of CSV reading and writing: inference, round trips, every parse error, the limits.

use super::*;

fn cells(v: &[&str]) -> Cells {
    let mut c = Cells::default();
    for s in v {
        c.push(s);
    }
    c
}

#[test]
fn inference_keeps_leading_zero_ids_as_text() {
    assert_eq!(
        infer(&cells(&["007", "8"])).unwrap(),
        ColumnData::Text(vec![Some("007".into()), Some("8".into())])
    );
    assert_eq!(
        infer(&cells(&["7", "-8"])).unwrap(),
        ColumnData::Int(vec![7, -8])
    );
    match infer(&cells(&["1.5", ""])).unwrap() {
        ColumnData::Float(v) => assert!(v[0] == 1.5 && v[1].is_nan()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn round_trip_through_text() {
    let t = Table::new("t")
        .with(
            "id",
            ColumnData::Text(vec![Some("a".into()), Some("b,c".into())]),
        )
        .unwrap()
        .with("x", ColumnData::Float(vec![0.1 + 0.2, 1e-300]))
        .unwrap()
        .with("n", ColumnData::Int(vec![1, 2]))
        .unwrap()
        .with("b", ColumnData::Bool(vec![true, false]))
        .unwrap();
    let mut buf = Vec::new();
    write_csv_to(&t, &mut buf, Path::new("t.csv")).unwrap();
    let back = read_csv_from(buf.as_slice(), "t", Path::new("t.csv")).unwrap();
    assert_eq!(back, t);
}

fn read(bytes: &[u8]) -> Result<Table> {
    read_csv_from(bytes, "t", Path::new("t.csv"))
}

#[test]
fn ragged_rows_name_their_line_row_and_column() {
    let e = read(b"a,b\n1,2\n3\n").unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
    assert_eq!((e.row(), e.column()), (Some(2), Some("b")));
    assert_eq!(e.value(), Some("1 fields"));
    // Extra fields: the row, no column.
    let e = read(b"a,b\n1,2\n3,4\n5,6,7\n").unwrap_err();
    assert!(matches!(e, Error::Csv { line: 4, .. }), "{e}");
    assert_eq!((e.row(), e.column()), (Some(3), None));
    // A quoted line end: the line is where the record starts, the row counts records.
    let e = read(b"a,b\n\"x\ny\",2\n3\n").unwrap_err();
    assert!(matches!(e, Error::Csv { line: 4, .. }), "{e}");
    assert_eq!(e.row(), Some(2));
}

#[test]
fn bytes_that_are_not_utf8_name_row_column_and_bytes() {
    // 中国 in GBK is d6 d0 b9 fa.
    let mut text = b"id,name\n1,ok\n2,".to_vec();
    text.extend_from_slice(&[0xd6, 0xd0, 0xb9, 0xfa]);
    text.extend_from_slice(b"\n");
    let e = read(&text).unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
    assert_eq!((e.row(), e.column()), (Some(2), Some("name")));
    assert_eq!(e.value(), Some("\"\\xd6\\xd0\\xb9\\xfa\""));
    assert!(e.to_string().contains("UTF-8"), "{e}");
    // In the header: the field's position.
    let e = read(&[b'a', b',', 0xff, b'\n', b'1', b',', b'2']).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Csv {
                line: 1,
                row: None,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("header, field 2"), "{e}");
}

/// A blank header field (found by scripts/fuzz.sh, test_mutated_csv_accepted_exactly_or_named):
/// its cells were ignored with only a warning.
#[test]
fn a_blank_header_is_refused_naming_its_field() {
    let e = read(b"household_id,village_id,size,income_per_capita,\n1,1,1,0.0,1\n").unwrap_err();
    assert!(
        matches!(
            e,
            Error::Csv {
                line: 1,
                row: None,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("field 5 has no column name"), "{e}");
    // Spaces only are blank too (headers are trimmed).
    let e = read(b"a, \n1,2\n").unwrap_err();
    assert!(e.to_string().contains("field 2 has no column name"), "{e}");
}

#[test]
fn a_duplicate_header_is_named_as_the_header() {
    let e = read(b"a,b,a\n1,2,3\n").unwrap_err();
    assert!(
        matches!(
            e,
            Error::Csv {
                line: 1,
                row: None,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.column(), Some("a"));
    let text = e.to_string();
    assert!(
        text.contains("header") && text.contains("fields 1 and 3"),
        "{text}"
    );
    assert!(!text.contains("row 0"), "{text}");
}

#[test]
fn a_whole_number_not_in_canonical_form_stays_text() {
    // Found by fuzz_csv::generated_cells: the ids `+5` and `-0` were read as the numbers 5 and 0.
    for code in ["+5", "-0"] {
        assert_eq!(
            infer(&cells(&[code, "7"])).unwrap(),
            ColumnData::Text(vec![Some(code.into()), Some("7".into())])
        );
    }
    match infer(&cells(&["+5.5", "7"])).unwrap() {
        ColumnData::Float(v) => assert_eq!(v, vec![5.5, 7.0]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn whole_numbers_beyond_64_bits_stay_exact_text() {
    let t = read(b"id,x\n9223372036854775808,1\n9223372036854775809,2\n-9223372036854775809,3\n")
        .unwrap();
    let ids = t.ids("id").unwrap();
    assert_eq!(
        ids.to_text(),
        vec![
            "9223372036854775808",
            "9223372036854775809",
            "-9223372036854775809"
        ]
    );
    // The largest i64 is still an integer.
    let t = read(b"id\n9223372036854775807\n").unwrap();
    assert_eq!(t.get("id"), Some(&ColumnData::Int(vec![i64::MAX])));
    // Decimals are floats as before.
    let t = read(b"x\n1e300\n0.5\n").unwrap();
    assert_eq!(t.get("x"), Some(&ColumnData::Float(vec![1e300, 0.5])));
}

#[test]
fn a_record_longer_than_the_limit_is_refused_without_reading_on() {
    // An endless stream of zero bytes (as /dev/zero), counted as it is read.
    struct Zeros(u64);
    impl std::io::Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(0);
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
    }
    let mut zeros = Zeros(0);
    let e = read_csv_from(&mut zeros, "z", Path::new("/dev/zero")).unwrap_err();
    assert!(matches!(e, Error::Csv { line: 1, .. }), "{e}");
    assert!(e.to_string().contains("longer than"), "{e}");
    assert!(
        zeros.0 <= MAX_RECORD_BYTES + 4 * BUFFER as u64,
        "read {} bytes",
        zeros.0
    );
    // A long data line after a good header: its line.
    let mut text = b"a,b\n1,2\n".to_vec();
    text.extend(std::iter::repeat_n(
        b'x',
        (MAX_RECORD_BYTES + 2 * BUFFER as u64) as usize,
    ));
    let e = read(&text).unwrap_err();
    assert!(matches!(e, Error::Csv { line: 3, .. }), "{e}");
    // Lines just under the limit are fine.
    let mut text = b"a\n".to_vec();
    text.extend(std::iter::repeat_n(b'y', (MAX_RECORD_BYTES - 1) as usize));
    assert_eq!(read(&text).unwrap().nrows(), 1);
}

#[test]
fn a_directory_is_an_io_error_and_reading_is_cancellable() {
    let dir = std::env::temp_dir();
    let e = read_csv(&dir).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(!e.is_validation());
    let token = crate::cancel::Token::new();
    token.cancel();
    let text = "a\n1\n".repeat(10);
    let r = crate::cancel::scope(&token, || read(text.as_bytes()));
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
}
