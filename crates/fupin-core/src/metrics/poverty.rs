//! Poverty indices: the Foster–Greer–Thorbecke family, Watts and Sen.

use super::inequality::gini_of_pairs;
use super::sample::{CompensatedSum, Sample, check_line, number_text, pow2_scale};
use crate::error::{Error, Result};

/// Foster–Greer–Thorbecke poverty index P_α (Foster, Greer & Thorbecke 1984, *Econometrica* 52(3)).
///
/// P_α = Σᵢ wᵢ·[(z − yᵢ)/z]^α·1(yᵢ < z) / Σᵢ wᵢ, with z the `line`, yᵢ the incomes and wᵢ the survey
/// weights (all 1 when `weights` is `None`). α = 0 is the headcount ratio, α = 1 the poverty gap
/// index, α = 2 the squared poverty gap (severity). Only incomes strictly below the line count as
/// poor, for every α: an income equal to the line contributes nothing, so 0⁰ never arises.
/// Zero incomes are allowed (their gap is 1).
///
/// # Errors
/// `line` not finite and > 0 or `alpha` not finite and ≥ 0 ([`Error::InvalidParameter`]); no
/// incomes ([`Error::Empty`]); `weights` of another length ([`Error::LengthMismatch`]); an income
/// that is NaN, infinite or negative, or a weight that is not finite and > 0
/// ([`Error::InvalidValue`] naming the column, the 1-based row and the value).
///
/// # Examples
/// The example of Haughton & Khandker (2009), *Handbook on Poverty and Inequality*, World Bank, ch. 4:
/// ```
/// use fupin_core::metrics::fgt;
/// let incomes = [100.0, 110.0, 150.0, 160.0];
/// assert_eq!(fgt(&incomes, 125.0, 0.0, None)?, 0.5);
/// assert!((fgt(&incomes, 125.0, 1.0, None)? - 0.08).abs() < 1e-15);
/// assert!((fgt(&incomes, 125.0, 2.0, None)? - 0.0136).abs() < 1e-15);
/// // Survey weights: the first household stands for three.
/// assert_eq!(fgt(&incomes, 125.0, 0.0, Some(&[3.0, 1.0, 1.0, 1.0]))?, 4.0 / 6.0);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn fgt(incomes: &[f64], line: f64, alpha: f64, weights: Option<&[f64]>) -> Result<f64> {
    check_line(line)?;
    if !(alpha.is_finite() && alpha >= 0.0) {
        return Err(Error::invalid_parameter(
            "alpha",
            number_text(alpha),
            "must be a finite poverty aversion α ≥ 0",
        ));
    }
    let sample = Sample::new("fgt", incomes, weights)?;
    // Branch-free kernels: the gap max(z − y, 0)/z is 0 for the non-poor, so they add 0.
    let [total, poor] = if alpha == 0.0 {
        sample.fold(|_, y, w, acc: &mut [CompensatedSum; 2]| {
            acc[0].add(w);
            acc[1].add(if y < line { w } else { 0.0 });
            Ok(())
        })?
    } else if alpha == 1.0 {
        sample.fold(|_, y, w, acc: &mut [CompensatedSum; 2]| {
            acc[0].add(w);
            acc[1].add(w * ((line - y).max(0.0) / line));
            Ok(())
        })?
    } else if alpha == 2.0 {
        sample.fold(|_, y, w, acc: &mut [CompensatedSum; 2]| {
            let g = (line - y).max(0.0) / line;
            acc[0].add(w);
            acc[1].add(w * (g * g));
            Ok(())
        })?
    } else {
        sample.fold(|_, y, w, acc: &mut [CompensatedSum; 2]| {
            acc[0].add(w);
            if y < line {
                acc[1].add(w * ((line - y) / line).powf(alpha));
            }
            Ok(())
        })?
    };
    Ok(poor.value() / total.value())
}

/// Watts poverty index (Watts 1968): W = Σᵢ wᵢ·ln(z / yᵢ)·1(yᵢ < z) / Σᵢ wᵢ.
///
/// The logarithm is computed as `ln_1p((z − y)/y)`, accurate for incomes just below the line.
///
/// **Zero incomes:** ln(z / 0) is infinite, so the index is undefined when any poor income is 0.
/// Since every zero income is below a positive line, any zero income is an error naming its row.
///
/// # Errors
/// As [`fgt`] (without `alpha`), plus [`Error::InvalidValue`] for a zero income.
///
/// # Examples
/// ```
/// use fupin_core::metrics::watts;
/// let incomes = [100.0, 110.0, 150.0, 160.0];
/// let expected = ((125.0f64 / 100.0).ln() + (125.0f64 / 110.0).ln()) / 4.0;
/// assert!((watts(&incomes, 125.0, None)? - expected).abs() < 1e-15);
/// assert!(watts(&[0.0, 200.0], 125.0, None).is_err());
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn watts(incomes: &[f64], line: f64, weights: Option<&[f64]>) -> Result<f64> {
    check_line(line)?;
    let sample = Sample::new("watts", incomes, weights)?;
    let ln_line = line.ln();
    let [total, sum] = sample.fold(|row0, y, w, acc: &mut [CompensatedSum; 2]| {
        acc[0].add(w);
        if y < line {
            if y == 0.0 {
                return Err(sample.income_error(
                    row0,
                    y,
                    "is zero: the Watts index needs ln(line / income) for every poor income",
                ));
            }
            let r = (line - y) / y;
            let log_ratio = if r.is_finite() {
                r.ln_1p()
            } else {
                ln_line - y.ln()
            };
            acc[1].add(w * log_ratio);
        }
        Ok(())
    })?;
    Ok(sum.value() / total.value())
}

/// Sen poverty index (Sen 1976, *Econometrica* 44(2)), in the large-population form given by
/// Haughton & Khandker (2009), *Handbook on Poverty and Inequality*, World Bank, ch. 4:
///
/// P_S = P₀·[1 − (1 − G_p)·μ_p / z] = P₀·[I + (1 − I)·G_p],  with I = (z − μ_p)/z,
///
/// where P₀ is the headcount ratio, μ_p the weighted mean income of the poor (yᵢ < z), G_p the
/// weighted Gini coefficient among the poor ([`gini`](super::gini)'s formula) and I the income-gap
/// ratio. Equivalently P_S = P₁ + P₀·(μ_p / z)·G_p. Sen's finite-sample factor q/(q + 1) on G_p is
/// not applied (it tends to 1 as the number of poor q grows, and it has no meaning with survey
/// weights).
///
/// Special cases: no poor → 0. Poor with zero mean income (every poor income is 0) → P₀, because
/// then μ_p/z = 0 and G_p (undefined) has no weight. Zero incomes are otherwise allowed.
///
/// # Errors
/// As [`fgt`] (without `alpha`).
///
/// # Examples
/// ```
/// use fupin_core::metrics::sen;
/// // Poor: 100 and 110 under a line of 125. P0 = 1/2, μp = 105, I = 0.16, Gp = 1/42.
/// let s = sen(&[100.0, 110.0, 150.0, 160.0], 125.0, None)?;
/// assert!((s - 0.09).abs() < 1e-15);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn sen(incomes: &[f64], line: f64, weights: Option<&[f64]>) -> Result<f64> {
    check_line(line)?;
    let sample = Sample::new("sen", incomes, weights)?;
    // The poor incomes are scaled by the power of two that brings the largest of them to about 1,
    // so their sums neither overflow nor underflow (exact for ordinary inputs; μ_p/z and G_p are
    // invariant to the scale).
    let max_poor = incomes
        .iter()
        .filter(|&&y| y < line)
        .fold(0.0f64, |m, &y| m.max(y));
    let scale = pow2_scale(max_poor);
    let [total, poor_weight, poor_income] =
        sample.fold(|_, y, w, acc: &mut [CompensatedSum; 3]| {
            acc[0].add(w);
            if y < line {
                acc[1].add(w);
                acc[2].add(w * (y * scale));
            }
            Ok(())
        })?;
    let (total, poor_weight, poor_income) =
        (total.value(), poor_weight.value(), poor_income.value());
    if poor_weight == 0.0 {
        return Ok(0.0);
    }
    let p0 = poor_weight / total;
    let mean_poor = poor_income / poor_weight;
    if mean_poor == 0.0 {
        return Ok(p0);
    }
    let pairs: Vec<(f64, f64)> = match sample.weights() {
        None => sample
            .incomes()
            .iter()
            .filter(|&&y| y < line)
            .map(|&y| (y * scale, 1.0))
            .collect(),
        Some(ws) => {
            let weight_scale = sample.weight_scale();
            sample
                .incomes()
                .iter()
                .zip(ws)
                .filter(|&(&y, _)| y < line)
                .map(|(&y, &w)| (y * scale, w * weight_scale))
                .collect()
        }
    };
    // mean_poor > 0, so the poor have a positive income total and their Gini is defined.
    let gini_poor = gini_of_pairs(pairs)?.unwrap_or(0.0);
    // μ_p in yuan (at most the line, so finite; exactly the plain mean for ordinary inputs).
    let mean_poor = mean_poor / scale;
    let gap_ratio = (line - mean_poor) / line;
    Ok(p0 * (gap_ratio + (1.0 - gap_ratio) * gini_poor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testutil::{assert_close, incomes_and_weights, replicate};

    const HANDBOOK: [f64; 4] = [100.0, 110.0, 150.0, 160.0];

    #[test]
    fn world_bank_handbook_example() {
        assert_close(fgt(&HANDBOOK, 125.0, 0.0, None).unwrap(), 0.5);
        assert_close(fgt(&HANDBOOK, 125.0, 1.0, None).unwrap(), 0.08);
        assert_close(fgt(&HANDBOOK, 125.0, 2.0, None).unwrap(), 0.0136);
        // Order does not matter.
        let shuffled = [150.0, 100.0, 160.0, 110.0];
        assert_close(fgt(&shuffled, 125.0, 2.0, None).unwrap(), 0.0136);
    }

    #[test]
    fn headcount_counts_strictly_below_the_line() {
        // 125 is exactly on the line: not poor for any α.
        let ys = [125.0, 100.0];
        assert_close(fgt(&ys, 125.0, 0.0, None).unwrap(), 0.5);
        assert_close(fgt(&ys, 125.0, 1.0, None).unwrap(), 0.1);
        assert_close(fgt(&ys, 125.0, 0.5, None).unwrap(), 0.5 * 0.2f64.sqrt());
        // Nobody poor.
        assert_eq!(fgt(&[200.0, 300.0], 125.0, 0.0, None).unwrap(), 0.0);
        assert_eq!(fgt(&[200.0, 300.0], 125.0, 3.7, None).unwrap(), 0.0);
    }

    #[test]
    fn fractional_alpha_and_zero_income_hand_values() {
        // Line 100: gaps 1 (zero income) and 0.25; α = 0.5 gives (1 + 0.5)/2.
        assert_close(fgt(&[0.0, 75.0], 100.0, 0.5, None).unwrap(), 0.75);
        // α = 3: (1 + 1/64)/2.
        assert_close(fgt(&[0.0, 75.0], 100.0, 3.0, None).unwrap(), 65.0 / 128.0);
        // Weighted α = 1: (2·1 + 1·0.25)/3.
        assert_close(
            fgt(&[0.0, 75.0], 100.0, 1.0, Some(&[2.0, 1.0])).unwrap(),
            0.75,
        );
    }

    #[test]
    fn watts_hand_values() {
        // Line e²: ln(e²/1) = 2, ln(e²/e) = 1, e³ is not poor → (2 + 1 + 0)/3 = 1.
        let e = 1f64.exp();
        let ys = [1.0, e, e * e * e];
        assert_close(watts(&ys, e * e, None).unwrap(), 1.0);
        // Weighted: (3·2 + 1·1 + 0)/5.
        assert_close(
            watts(&ys, e * e, Some(&[3.0, 1.0, 1.0])).unwrap(),
            7.0 / 5.0,
        );
        // Handbook incomes, formula written out.
        let expected = ((125.0f64 / 100.0).ln() + (125.0f64 / 110.0).ln()) / 4.0;
        assert_close(watts(&HANDBOOK, 125.0, None).unwrap(), expected);
        // An income just below the line: y = z − δ (exact), ln(z/y) = −ln(1 − δ/z).
        let delta = 2f64.powi(-20);
        let y = 125.0 - delta;
        let expected = -(-delta / 125.0).ln_1p() / 2.0;
        assert_close(watts(&[y, 200.0], 125.0, None).unwrap(), expected);
    }

    #[test]
    fn watts_rejects_zero_income_naming_the_row() {
        let e = watts(&[10.0, 0.0, 300.0], 125.0, None).unwrap_err();
        assert_eq!(e.row(), Some(2));
        assert_eq!(e.column(), Some("incomes"));
        assert_eq!(e.value(), Some("0"));
        assert!(e.to_string().starts_with("watts:"), "{e}");
    }

    #[test]
    fn sen_hand_values() {
        // Handbook: P0 = 0.5, μp = 105, I = 0.16, Gp = |100 − 110|·2/(2·2²·105) = 1/42.
        // P_S = 0.5·(0.16 + 0.84/42) = 0.5·0.18 = 0.09.
        assert_close(sen(&HANDBOOK, 125.0, None).unwrap(), 0.09);
        // All poor equal: Gp = 0, so P_S = P0·I = P1.
        assert_close(sen(&[50.0, 50.0, 200.0], 100.0, None).unwrap(), 1.0 / 3.0);
        // Nobody poor.
        assert_eq!(sen(&[200.0], 100.0, None).unwrap(), 0.0);
        // Every poor income zero: P_S = P0.
        assert_close(sen(&[0.0, 0.0, 200.0, 300.0], 100.0, None).unwrap(), 0.5);
        // Poor 0 and 60 (line 100): μp = 30, I = 0.7, Gp = 60·2/(2·4·30) = 0.5.
        // P_S = 1·(0.7 + 0.3·0.5) = 0.85.
        assert_close(sen(&[0.0, 60.0], 100.0, None).unwrap(), 0.85);
    }

    #[test]
    fn sen_equals_p1_plus_weighted_gini_term() {
        // P_S = P1 + P0·(μp/z)·Gp, with Gp by a brute-force double sum over the weighted poor.
        let (ys, ws) = incomes_and_weights(300, 11);
        let line = 4000.0;
        let p0 = fgt(&ys, line, 0.0, Some(&ws)).unwrap();
        let p1 = fgt(&ys, line, 1.0, Some(&ws)).unwrap();
        let poor: Vec<(f64, f64)> = ys
            .iter()
            .zip(&ws)
            .filter(|(y, _)| **y < line)
            .map(|(&y, &w)| (y, w))
            .collect();
        let wp: f64 = poor.iter().map(|p| p.1).sum();
        let mp: f64 = poor.iter().map(|p| p.0 * p.1).sum::<f64>() / wp;
        let mut pairs = 0.0;
        for a in &poor {
            for b in &poor {
                pairs += a.1 * b.1 * (a.0 - b.0).abs();
            }
        }
        let gp = pairs / (2.0 * wp * wp * mp);
        assert!(
            p0 > 0.2 && p0 < 0.9,
            "test data should have many poor: {p0}"
        );
        assert_close(
            sen(&ys, line, Some(&ws)).unwrap(),
            p1 + p0 * (mp / line) * gp,
        );
    }

    #[test]
    fn integer_weights_equal_replicated_rows() {
        let (ys, ws) = incomes_and_weights(257, 3);
        let ws: Vec<f64> = ws.iter().map(|w| w.ceil()).collect();
        let rep = replicate(&ys, &ws);
        for line in [2500.0, 4000.0, 9000.0] {
            for alpha in [0.0, 0.5, 1.0, 1.5, 2.0, 3.0] {
                assert_close(
                    fgt(&ys, line, alpha, Some(&ws)).unwrap(),
                    fgt(&rep, line, alpha, None).unwrap(),
                );
            }
            assert_close(
                watts(&ys, line, Some(&ws)).unwrap(),
                watts(&rep, line, None).unwrap(),
            );
            assert_close(
                sen(&ys, line, Some(&ws)).unwrap(),
                sen(&rep, line, None).unwrap(),
            );
        }
    }

    #[test]
    fn fgt_matches_a_direct_loop_on_random_data() {
        let (ys, ws) = incomes_and_weights(1000, 5);
        for alpha in [0.0, 1.0, 2.0, 2.5] {
            let (mut num, mut den) = (0.0, 0.0);
            for (&y, &w) in ys.iter().zip(&ws) {
                den += w;
                if y < 4000.0 {
                    num += w * ((4000.0 - y) / 4000.0).powf(alpha);
                }
            }
            assert_close(fgt(&ys, 4000.0, alpha, Some(&ws)).unwrap(), num / den);
        }
    }

    #[test]
    fn parameter_errors() {
        for line in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            for e in [
                fgt(&HANDBOOK, line, 0.0, None).unwrap_err(),
                watts(&HANDBOOK, line, None).unwrap_err(),
                sen(&HANDBOOK, line, None).unwrap_err(),
            ] {
                assert_eq!(e.column(), Some("line"), "{e}");
                assert_eq!(e.value(), Some(number_text(line).as_str()));
            }
        }
        for alpha in [-0.5, f64::NAN, f64::INFINITY] {
            let e = fgt(&HANDBOOK, 125.0, alpha, None).unwrap_err();
            assert_eq!(e.column(), Some("alpha"), "{e}");
        }
    }

    #[test]
    fn data_errors_name_row_column_and_value() {
        let mut ys = vec![10.0; 9];
        ys[6] = f64::NAN;
        let e = fgt(&ys, 125.0, 1.0, None).unwrap_err();
        assert_eq!(
            (e.row(), e.column(), e.value()),
            (Some(7), Some("incomes"), Some("NaN"))
        );
        assert!(e.to_string().contains("row 7"), "{e}");
        ys[6] = -3.5;
        let e = sen(&ys, 125.0, None).unwrap_err();
        assert_eq!((e.row(), e.value()), (Some(7), Some("-3.5")));
        ys[6] = f64::INFINITY;
        let e = watts(&ys, 125.0, None).unwrap_err();
        assert_eq!((e.row(), e.value()), (Some(7), Some("inf")));
        let ys = [10.0, 20.0, 30.0];
        for (bad, text) in [(0.0, "0"), (-1.0, "-1"), (f64::NAN, "NaN")] {
            let e = fgt(&ys, 125.0, 0.0, Some(&[1.0, 1.0, bad])).unwrap_err();
            assert_eq!(
                (e.row(), e.column(), e.value()),
                (Some(3), Some("weights"), Some(text))
            );
        }
        assert!(matches!(
            fgt(&[], 125.0, 0.0, None),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            watts(&ys, 125.0, Some(&[1.0])),
            Err(Error::LengthMismatch { .. })
        ));
    }
}
