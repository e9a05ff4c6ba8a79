//! Tests of the proxy-means test against an independent closed-form WLS computation.

use ndarray::Array2;
use rand::Rng;

use super::*;
use crate::random::{open01, stream};
use crate::targeting::Dummies;

/// Invert a square matrix by Gauss–Jordan elimination with partial pivoting (independent of the
/// QR code under test).
fn gauss_jordan_inverse(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = m.len();
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for c in 0..k {
        let p = (c..k)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap();
        a.swap(c, p);
        let d = a[c][c];
        for v in a[c].iter_mut() {
            *v /= d;
        }
        for r in 0..k {
            if r != c {
                let f = a[r][c];
                let pivot = a[c].clone();
                for (v, q) in a[r].iter_mut().zip(&pivot) {
                    *v -= f * q;
                }
            }
        }
    }
    a.into_iter().map(|r| r[k..].to_vec()).collect()
}

/// A generated data set: 3 continuous proxies, a 3-level categorical proxy, positive weights,
/// heteroskedastic noise. Rows of the full design (with intercept) are returned as plain vectors.
fn data(n: usize) -> (Array2<f64>, Vec<String>, Vec<f64>, Vec<f64>) {
    let mut rng = stream(2024, &[1]);
    let mut u = || open01(rng.next_u64());
    let levels = ["brick", "mud", "wood"];
    let mut cont = Vec::new();
    let mut cat = Vec::new();
    let mut y = Vec::new();
    let mut w = Vec::new();
    for _ in 0..n {
        let a = 1.0 + 5.0 * u();
        let b = (u() * 4.0).floor();
        let c = 8.0 * u() - 2.0;
        let l = (u() * 3.0).floor() as usize;
        let noise = (u() - 0.5) * (0.2 + 0.3 * a);
        y.push(8.0 + 0.3 * a - 0.1 * b + 0.05 * c + [0.0, -0.4, -0.2][l] + noise);
        w.push(0.5 + 2.5 * u());
        cont.push([a, b, c]);
        cat.push(levels[l]);
    }
    let d = Dummies::new("roof", &cat, None).unwrap();
    let mut x = Array2::zeros((n, 5));
    for i in 0..n {
        for j in 0..3 {
            x[[i, j]] = cont[i][j];
        }
        x[[i, 3]] = d.matrix[[i, 0]];
        x[[i, 4]] = d.matrix[[i, 1]];
    }
    let mut names: Vec<String> = vec!["rooms".into(), "livestock".into(), "distance".into()];
    names.extend(d.names.clone());
    (x, names, y, w)
}

struct ClosedForm {
    beta: Vec<f64>,
    r2: f64,
    hc1: Vec<Vec<f64>>,
    classical: Vec<Vec<f64>>,
}

/// (XᵀWX)⁻¹XᵀWy, R², the HC1 sandwich and the classical covariance, with plain loops.
fn closed_form(x: &Array2<f64>, y: &[f64], w: &[f64], intercept: bool) -> ClosedForm {
    let n = y.len();
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut r = if intercept { vec![1.0] } else { vec![] };
            r.extend(x.row(i).iter().copied());
            r
        })
        .collect();
    let k = rows[0].len();
    let mut xtwx = vec![vec![0.0; k]; k];
    let mut xtwy = vec![0.0; k];
    for i in 0..n {
        for a in 0..k {
            xtwy[a] += w[i] * rows[i][a] * y[i];
            for b in 0..k {
                xtwx[a][b] += w[i] * rows[i][a] * rows[i][b];
            }
        }
    }
    let inv = gauss_jordan_inverse(&xtwx);
    let beta: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| inv[a][b] * xtwy[b]).sum())
        .collect();
    let e: Vec<f64> = (0..n)
        .map(|i| y[i] - (0..k).map(|a| rows[i][a] * beta[a]).sum::<f64>())
        .collect();
    let sw: f64 = w.iter().sum();
    let ybar = if intercept {
        (0..n).map(|i| w[i] * y[i]).sum::<f64>() / sw
    } else {
        0.0
    };
    let ssr: f64 = (0..n).map(|i| w[i] * e[i] * e[i]).sum();
    let tss: f64 = (0..n).map(|i| w[i] * (y[i] - ybar).powi(2)).sum();
    let mut meat = vec![vec![0.0; k]; k];
    for i in 0..n {
        for a in 0..k {
            for b in 0..k {
                meat[a][b] += w[i] * e[i] * e[i] * w[i] * rows[i][a] * rows[i][b];
            }
        }
    }
    let mul = |p: &Vec<Vec<f64>>, q: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        (0..k)
            .map(|a| {
                (0..k)
                    .map(|b| (0..k).map(|m| p[a][m] * q[m][b]).sum())
                    .collect()
            })
            .collect()
    };
    let f = n as f64 / (n - k) as f64;
    let hc1 = mul(&mul(&inv, &meat), &inv)
        .into_iter()
        .map(|r| r.into_iter().map(|v| v * f).collect())
        .collect();
    let s2 = ssr / (n - k) as f64;
    let classical = inv
        .iter()
        .map(|r| r.iter().map(|v| v * s2).collect())
        .collect();
    ClosedForm {
        beta,
        r2: 1.0 - ssr / tss,
        hc1,
        classical,
    }
}

#[test]
fn coefficients_r2_and_se_match_closed_form() {
    let (x, names, y, w) = data(300);
    for intercept in [true, false] {
        let pmt = ProxyMeansTest::fit(x.view(), &names, &y, Some(&w), intercept).unwrap();
        let cf = closed_form(&x, &y, &w, intercept);
        assert_eq!(pmt.coefficients().len(), cf.beta.len());
        for (a, b) in pmt.coefficients().iter().zip(&cf.beta) {
            assert!((a - b).abs() < 1e-9, "coefficient {a} vs closed form {b}");
        }
        assert!(
            (pmt.r_squared() - cf.r2).abs() < 1e-9,
            "{} vs {}",
            pmt.r_squared(),
            cf.r2
        );
        for j in 0..cf.beta.len() {
            let hc1 = cf.hc1[j][j].sqrt();
            let cl = cf.classical[j][j].sqrt();
            assert!(
                (pmt.robust_se()[j] - hc1).abs() < 1e-9 * hc1.max(1.0),
                "HC1 {j}"
            );
            assert!(
                (pmt.classical_se()[j] - cl).abs() < 1e-9 * cl.max(1.0),
                "classical {j}"
            );
            for m in 0..cf.beta.len() {
                assert!((pmt.robust_covariance()[[j, m]] - cf.hc1[j][m]).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn fit_is_sensible_on_the_generated_data() {
    let (x, names, y, w) = data(300);
    let pmt = ProxyMeansTest::fit(x.view(), &names, &y, Some(&w), true).unwrap();
    assert_eq!(pmt.names()[0], INTERCEPT);
    assert_eq!(pmt.names()[4], "roof=mud");
    // The true slope of `rooms` is 0.3; with 300 rows it is estimated within a few SEs.
    assert!((pmt.coefficients()[1] - 0.3).abs() < 4.0 * pmt.robust_se()[1]);
    // Adjusted R² and σ² from their definitions.
    let (n, k) = (300.0, 6.0);
    let want = 1.0 - (1.0 - pmt.r_squared()) * (n - 1.0) / (n - k);
    assert!((pmt.adj_r_squared() - want).abs() < 1e-12);
    let fitted = pmt.predict(x.view()).unwrap();
    let sw: f64 = w.iter().sum();
    let ssr: f64 = (0..300).map(|i| w[i] * (y[i] - fitted[i]).powi(2)).sum();
    assert!((pmt.residual_variance() - ssr / sw * n / (n - k)).abs() < 1e-12);
    assert_eq!(pmt.n_obs(), 300);
    // Rescaling the weights changes neither coefficients nor standard errors.
    let w10: Vec<f64> = w.iter().map(|v| v * 10.0).collect();
    let p10 = ProxyMeansTest::fit(x.view(), &names, &y, Some(&w10), true).unwrap();
    for j in 0..6 {
        assert!((p10.robust_se()[j] - pmt.robust_se()[j]).abs() < 1e-12);
        assert!((p10.classical_se()[j] - pmt.classical_se()[j]).abs() < 1e-12);
    }
    assert!((p10.residual_variance() - pmt.residual_variance()).abs() < 1e-12);
}

#[test]
fn predict_uses_the_coefficients() {
    let (x, names, y, _) = data(50);
    let pmt = ProxyMeansTest::fit(x.view(), &names, &y, None, true).unwrap();
    let p = pmt.predict(x.view()).unwrap();
    let b = pmt.coefficients();
    let want = b[0] + (0..5).map(|j| b[j + 1] * x[[7, j]]).sum::<f64>();
    assert!((p[7] - want).abs() < 1e-12);
    let e = pmt.predict(x.slice(ndarray::s![.., ..4])).unwrap_err();
    assert_eq!(e.column(), Some("x columns"));
    let mut bad = x.clone();
    bad[[3, 2]] = f64::INFINITY;
    let e = pmt.predict(bad.view()).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("distance"), Some(4)));
}

#[test]
fn errors_name_the_problem() {
    let (x, names, y, w) = data(40);
    // Collinear: a column equal to twice `rooms`.
    let mut x2 = Array2::zeros((40, 6));
    x2.slice_mut(ndarray::s![.., ..5]).assign(&x);
    for i in 0..40 {
        x2[[i, 5]] = 2.0 * x[[i, 0]];
    }
    let mut n2 = names.clone();
    n2.push("rooms2".into());
    let e = ProxyMeansTest::fit(x2.view(), &n2, &y, Some(&w), true).unwrap_err();
    assert_eq!(e.column(), Some("rooms2"));
    assert!(e.is_validation());
    // All dummy levels plus the intercept: the last level is collinear with the intercept.
    let levels = ["a", "b", "c", "a", "b", "c", "a", "b"];
    let d = Dummies::new("v", &levels, None).unwrap();
    let mut full = Array2::zeros((8, 3));
    for i in 0..8 {
        full[[i, 0]] = d.matrix[[i, 0]];
        full[[i, 1]] = d.matrix[[i, 1]];
        full[[i, 2]] = f64::from(u8::from(levels[i] == "a"));
    }
    let yy = [1.0, 2.0, 3.0, 1.5, 2.5, 3.5, 1.2, 2.2];
    let e = ProxyMeansTest::fit(full.view(), &["v=b", "v=c", "v=a"], &yy, None, true).unwrap_err();
    assert_eq!(e.column(), Some("v=a"));
    // Non-finite target, bad weight, mismatched names, too few rows, duplicate names.
    let mut ybad = y.clone();
    ybad[5] = f64::NAN;
    let e = ProxyMeansTest::fit(x.view(), &names, &ybad, None, true).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("target"), Some(6)));
    let mut wbad = w.clone();
    wbad[0] = -1.0;
    let e = ProxyMeansTest::fit(x.view(), &names, &y, Some(&wbad), true).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("weights"), Some(1)));
    let e = ProxyMeansTest::fit(x.view(), &names[..4], &y, None, true).unwrap_err();
    assert_eq!(e.column(), Some("names"));
    let e = ProxyMeansTest::fit(x.slice(ndarray::s![..6, ..]), &names, &y[..6], None, true)
        .unwrap_err();
    assert_eq!(e.column(), Some("x"));
    let dup = ["a", "a"];
    let e = ProxyMeansTest::fit(x.slice(ndarray::s![.., ..2]), &dup, &y, None, true).unwrap_err();
    assert_eq!(e.column(), Some("names"));
    let e = ProxyMeansTest::fit(
        x.slice(ndarray::s![.., ..1]),
        &["intercept"],
        &y,
        None,
        true,
    )
    .unwrap_err();
    assert_eq!(e.column(), Some("names"));
    let none: [&str; 0] = [];
    let e = ProxyMeansTest::fit(x.slice(ndarray::s![.., ..0]), &none, &y, None, false).unwrap_err();
    assert_eq!((e.column(), e.value()), (Some("x"), Some("0 columns")));
}

#[test]
fn round_trips_through_json() {
    let (x, names, y, _) = data(30);
    let pmt = ProxyMeansTest::fit(x.view(), &names, &y, None, true).unwrap();
    let back: ProxyMeansTest = serde_json::from_str(&serde_json::to_string(&pmt).unwrap()).unwrap();
    // serde_json parses floats to within one ulp unless its `float_roundtrip` feature is on.
    assert_eq!(back.names(), pmt.names());
    for (a, b) in back.coefficients().iter().zip(pmt.coefficients()) {
        assert!((a - b).abs() <= 2.0 * f64::EPSILON * b.abs());
    }
    assert!((back.r_squared() - pmt.r_squared()).abs() <= 2.0 * f64::EPSILON);
}

#[test]
fn p_values_match_the_t_table() {
    // 12 rows, intercept + 1 proxy: 10 residual degrees of freedom.
    let (x, names, y, _) = data(12);
    let mut pmt =
        ProxyMeansTest::fit(x.slice(ndarray::s![.., ..1]), &names[..1], &y, None, true).unwrap();
    assert_eq!(pmt.df_resid(), 10);
    // Two-sided 5 % and 1 % critical values of t(10) (Fisher & Yates tables: 2.228139, 3.169273).
    pmt.coefficients = vec![2.228_138_851_986, -3.169_272_672_617];
    pmt.se_robust = vec![1.0, 1.0];
    let p = pmt.p_values();
    assert!((p[0] - 0.05).abs() < 1e-9, "{p:?}");
    assert!((p[1] - 0.01).abs() < 1e-9, "{p:?}");
    assert_eq!(pmt.t_values(), vec![2.228_138_851_986, -3.169_272_672_617]);
    pmt.coefficients = vec![0.0, 1.0];
    pmt.se_robust = vec![1.0, 0.0];
    let p = pmt.p_values();
    assert!((p[0] - 1.0).abs() < 1e-12);
    assert!(p[1].is_nan());
}

/// A proxy whose only nonzero value is 1.1e-287 (issue 12 mend): full rank in exact arithmetic,
/// but its coefficient's variance is about 1e574. It was accepted with NaN coefficients (squares
/// of its entries underflowed in the reflections, 0/0); now an error naming the proxy.
#[test]
fn a_proxy_at_an_unrepresentable_scale_is_named_not_nan() {
    let x = Array2::from_shape_vec((5, 1), vec![0.0, 0.0, 0.0, 0.0, 1.137_231_211_402_92e-287])
        .unwrap();
    let y = [0.0; 5];
    let e = ProxyMeansTest::fit(x.view(), &["land"], &y, None, true).unwrap_err();
    assert_eq!(e.column(), Some("land"), "{e}");
    assert!(e.to_string().contains("rescale"), "{e}");
}

/// A proxy at 1e160 (its squares overflow): the fit equals the fit on the proxy in units of
/// 1e160, with the coefficient divided by 1e160 (least squares is equivariant to a column's
/// unit). It gave NaN before the columns were equilibrated.
#[test]
fn a_proxy_at_a_huge_scale_fits_like_the_rescaled_proxy() {
    let unit = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [1.0, 3.5, 5.0, 6.5, 9.0, 10.5];
    let small = Array2::from_shape_vec((6, 1), unit.to_vec()).unwrap();
    let huge = small.mapv(|v| v * 1e160);
    let a = ProxyMeansTest::fit(small.view(), &["x"], &y, None, true).unwrap();
    let b = ProxyMeansTest::fit(huge.view(), &["x"], &y, None, true).unwrap();
    // By hand (ordinary least squares on 0..5): x̄ = 2.5, Sxx = 17.5, Sxy = Σ(x − x̄)y = 32.75,
    // slope 32.75/17.5 = 131/70, intercept ȳ − slope·x̄ = 35.5/6 − 131/28.
    let slope = 131.0 / 70.0;
    let intercept = 35.5 / 6.0 - 131.0 / 28.0;
    for (got, want) in [
        (a.coefficients()[1], slope),
        (b.coefficients()[1] * 1e160, slope),
        (a.coefficients()[0], intercept),
        (b.coefficients()[0], intercept),
    ] {
        assert!((got - want).abs() <= 1e-12 * want.abs(), "{got} vs {want}");
    }
    assert!(b.robust_se().iter().all(|s| s.is_finite()));
}
