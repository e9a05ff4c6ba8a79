//! Tests of the Alkire–Foster index against the published example and hand-worked cases.

use ndarray::{Array2, array};

use super::*;

/// Alkire & Foster (2011), the running example: achievements of four people in four dimensions,
/// cutoffs z = (13, 12, 3, 1), deprived when strictly below.
fn af_example() -> (Array2<f64>, [f64; 4]) {
    (
        array![
            [13.1, 14.0, 4.0, 1.0],
            [15.2, 7.0, 5.0, 0.0],
            [12.5, 10.0, 1.0, 0.0],
            [20.0, 11.0, 3.0, 1.0]
        ],
        [13.0, 12.0, 3.0, 1.0],
    )
}

// By hand. Deprivations (y < z):
//   person 1: 13.1≥13, 14≥12, 4≥3, 1≥1          → none,          count 0
//   person 2: 15.2≥13, 7<12, 5≥3, 0<1           → dims 2 and 4,  count 2
//   person 3: 12.5<13, 10<12, 1<3, 0<1          → all four,      count 4
//   person 4: 20≥13, 11<12, 3≥3 (not below), 1≥1 → dim 2,        count 1
// k = 2 of 4 (0.5): poor = {2, 3}; H = 2/4 = 0.5; A = (2/4 + 4/4)/2 = 0.75; M0 = 0.375.
// k = 1 of 4 (0.25): poor = {2, 3, 4}; H = 0.75; A = (2 + 4 + 1)/(3·4) = 7/12; M0 = 7/16.
// k = 3 of 4 (0.75): poor = {3}; H = 0.25; A = 1; M0 = 0.25.
// Gaps at k = 2: person 2: (12−7)/12 = 5/12, (1−0)/1 = 1; person 3: 0.5/13, 2/12, 2/3, 1.
//   M1 = (5/12 + 1 + 1/26 + 1/6 + 2/3 + 1)/16 = 0.2055… (the paper's H·A·G = 0.375 × 0.548);
//   M2 = ((5/12)² + 1 + (1/26)² + (1/6)² + (2/3)² + 1)/16 = 0.1654… (H·A·S = 0.375 × 0.441).
#[test]
fn alkire_foster_2011_example() {
    let (y, z) = af_example();
    let m = mpi(y.view(), &[1.0; 4], 0.5, Some(&z), None).unwrap();
    assert_eq!(m.poor, vec![false, true, true, false]);
    assert_eq!(m.scores, vec![0.0, 0.5, 1.0, 0.25]);
    assert!((m.h - 0.5).abs() < 1e-15);
    assert!((m.a - 0.75).abs() < 1e-15);
    assert!((m.m0 - 0.375).abs() < 1e-15);
    let m1 = (5.0 / 12.0 + 1.0 + 1.0 / 26.0 + 1.0 / 6.0 + 2.0 / 3.0 + 1.0) / 16.0;
    let m2 = ((5.0f64 / 12.0).powi(2)
        + 1.0
        + (1.0f64 / 26.0).powi(2)
        + (1.0f64 / 6.0).powi(2)
        + (2.0f64 / 3.0).powi(2)
        + 1.0)
        / 16.0;
    assert!((m.m1.unwrap() - m1).abs() < 1e-15);
    assert!((m.m2.unwrap() - m2).abs() < 1e-15);
    assert!((m.m1.unwrap() / m.m0 - 0.548).abs() < 5e-4);
    assert!((m.m2.unwrap() / m.m0 - 0.441).abs() < 5e-4);
    // Censored headcounts: dim 1 {3}, dim 2 {2, 3}, dim 3 {3}, dim 4 {2, 3}; uncensored dim 2 adds 4.
    assert_eq!(m.censored_headcount, vec![0.25, 0.5, 0.25, 0.5]);
    assert_eq!(m.uncensored_headcount, vec![0.25, 0.75, 0.25, 0.5]);
    // Contributions: 100 · (1/4)·h_j / M0 = 100·(1/16, 2/16, 1/16, 2/16)/0.375.
    let want = [100.0 / 6.0, 100.0 / 3.0, 100.0 / 6.0, 100.0 / 3.0];
    for (c, w) in m.contribution.iter().zip(want) {
        assert!((c - w).abs() < 1e-12);
    }
    assert!((m.contribution.iter().sum::<f64>() - 100.0).abs() < 1e-12);

    let m = mpi(y.view(), &[1.0; 4], 0.25, Some(&z), None).unwrap();
    assert_eq!(m.poor, vec![false, true, true, true]);
    assert!((m.h - 0.75).abs() < 1e-15 && (m.a - 7.0 / 12.0).abs() < 1e-15);
    assert!((m.m0 - 7.0 / 16.0).abs() < 1e-15);

    let m = mpi(y.view(), &[1.0; 4], 0.75, Some(&z), None).unwrap();
    assert_eq!(m.poor, vec![false, false, true, false]);
    assert!((m.h - 0.25).abs() < 1e-15 && (m.a - 1.0).abs() < 1e-15 && (m.m0 - 0.25).abs() < 1e-15);
}

#[test]
fn zero_one_input_gives_the_same_index() {
    let (y, z) = af_example();
    let d = Array2::from_shape_fn((4, 4), |(i, j)| if y[[i, j]] < z[j] { 1.0 } else { 0.0 });
    let a = mpi(d.view(), &[2.0; 4], 0.5, None, None).unwrap();
    let b = mpi(y.view(), &[1.0; 4], 0.5, Some(&z), None).unwrap();
    assert_eq!((a.h, a.a, a.m0), (b.h, b.a, b.m0));
    assert!(a.m1.is_none() && a.gaps.is_none());
}

#[test]
fn boundary_score_equal_to_k_is_poor() {
    // 0.15 + 0.15 + 0.2 = 0.5: deprived in the first three indicators at k = 0.5.
    let d = array![[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]];
    let m = mpi(d.view(), &[0.15, 0.15, 0.2, 0.5], 0.5, None, None).unwrap();
    assert_eq!(m.poor, vec![true, false]);
    // 0.01 + 0.01 + 0.18 is 0.19999999999999998 in binary: still poor at k = 0.2.
    let w = [0.01, 0.01, 0.18, 0.8];
    let total: f64 = w.iter().sum();
    let naive = w[0] / total + w[1] / total + w[2] / total;
    assert!(naive < 0.2, "the case must exercise the tolerance");
    let m = mpi(d.view(), &w, 0.2, None, None).unwrap();
    assert_eq!(m.poor, vec![true, false]);
    // Just below k by more than the tolerance is not poor.
    let m = mpi(d.view(), &w, 0.2 + 1e-6, None, None).unwrap();
    assert_eq!(m.poor, vec![false, false]);
}

#[test]
fn survey_weights_equal_replication() {
    // Weight 2 on a row is the same as the row twice.
    let (y, z) = af_example();
    let m = mpi(
        y.view(),
        &[1.0; 4],
        0.5,
        Some(&z),
        Some(&[1.0, 2.0, 1.0, 1.0]),
    )
    .unwrap();
    let rep = ndarray::concatenate(
        ndarray::Axis(0),
        &[y.view(), y.slice(ndarray::s![1..2, ..])],
    )
    .unwrap();
    let r = mpi(rep.view(), &[1.0; 4], 0.5, Some(&z), None).unwrap();
    assert!((m.h - r.h).abs() < 1e-15 && (m.m0 - r.m0).abs() < 1e-15);
    assert!((m.m1.unwrap() - r.m1.unwrap()).abs() < 1e-15);
    // H = 3/5, A = (2·0.5 + 1)/3 = 2/3 (by hand).
    assert!((m.h - 0.6).abs() < 1e-15 && (m.a - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn decomposition_by_group() {
    let (y, z) = af_example();
    let m = mpi(y.view(), &[1.0; 4], 0.5, Some(&z), None).unwrap();
    // Group 0 = persons 1, 2; group 1 = persons 3, 4.
    let g = m.by_group(&[0, 0, 1, 1], Some(3)).unwrap();
    // Group 0: poor {2}, H = 1/2, A = 1/2, M0 = 1/4; group 1: poor {3}, H = 1/2, A = 1, M0 = 1/2.
    assert_eq!((g[0].h, g[0].a, g[0].m0), (0.5, 0.5, 0.25));
    assert_eq!((g[1].h, g[1].a, g[1].m0), (0.5, 1.0, 0.5));
    assert_eq!((g[0].population_share, g[1].population_share), (0.5, 0.5));
    // Contributions 100·0.5·0.25/0.375 = 33.3…, 66.6…; they sum to 100 and M0 = Σ share·M0_g.
    assert!((g[0].contribution - 100.0 / 3.0).abs() < 1e-12);
    assert!((g[0].contribution + g[1].contribution - 100.0).abs() < 1e-12);
    assert!((0.5 * g[0].m0 + 0.5 * g[1].m0 - m.m0).abs() < 1e-15);
    // Group 1's M1: person 3's gaps (1/26 + 1/6 + 2/3 + 1)/4 over 2 people.
    let m1 = (1.0 / 26.0 + 1.0 / 6.0 + 2.0 / 3.0 + 1.0) / 8.0;
    assert!((g[1].m1.unwrap() - m1).abs() < 1e-15);
    assert_eq!(g[2].population_share, 0.0);
    assert!(g[2].h.is_nan());
    assert!(m.by_group(&[0, 0], None).is_err());
}

#[test]
fn invalid_input_is_named() {
    let (y, z) = af_example();
    let e = mpi(y.view(), &[1.0; 4], 0.5, None, None).unwrap_err();
    assert_eq!(
        (e.column(), e.row(), e.value()),
        (Some("indicator 0"), Some(1), Some("13.1"))
    );
    let e = mpi(y.view(), &[1.0, 1.0, 0.0, 1.0], 0.5, Some(&z), None).unwrap_err();
    assert_eq!(
        (e.column(), e.value()),
        (Some("indicator_weights[2]"), Some("0"))
    );
    let e = mpi(y.view(), &[1.0; 3], 0.5, Some(&z), None).unwrap_err();
    assert_eq!(e.column(), Some("indicator_weights"));
    for k in [0.0, 1.5, f64::NAN] {
        let e = mpi(y.view(), &[1.0; 4], k, Some(&z), None).unwrap_err();
        assert_eq!(e.column(), Some("k"));
    }
    let mut bad = y.clone();
    bad[[2, 3]] = f64::NAN;
    let e = mpi(bad.view(), &[1.0; 4], 0.5, Some(&z), None).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("indicator 3"), Some(3)));
    let e = mpi(
        y.view(),
        &[1.0; 4],
        0.5,
        Some(&[1.0, f64::INFINITY, 1.0, 1.0]),
        None,
    )
    .unwrap_err();
    assert_eq!(e.column(), Some("cutoffs[1]"));
    assert!(mpi(y.view(), &[1.0; 4], 0.5, Some(&z[..3]), None).is_err());
    let e = mpi(
        y.view(),
        &[1.0; 4],
        0.5,
        Some(&z),
        Some(&[1.0, 1.0, -1.0, 1.0]),
    )
    .unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("weights"), Some(3)));
    assert!(
        mpi(
            Array2::<f64>::zeros((0, 4)).view(),
            &[1.0; 4],
            0.5,
            None,
            None
        )
        .is_err()
    );
    // A cutoff ≤ 0 leaves M1 and M2 undefined rather than dividing by zero.
    let m = mpi(
        y.view(),
        &[1.0; 4],
        0.5,
        Some(&[13.0, 12.0, 3.0, 0.0]),
        None,
    )
    .unwrap();
    assert!(m.m1.is_none());
}

#[test]
fn nobody_poor_gives_zero_intensity() {
    let d = array![[0.0, 0.0], [1.0, 0.0]];
    let m = mpi(d.view(), &[1.0, 1.0], 1.0, None, None).unwrap();
    assert_eq!((m.h, m.a, m.m0), (0.0, 0.0, 0.0));
    assert!(m.contribution.iter().all(|c| c.is_nan()));
}
