//! Inequality indices: Gini and the generalized entropy family (Theil, mean log deviation).

use super::sample::{CompensatedSum, Sample, mul_pow2, number_text, pairs_cancellable, split};
use crate::cancel::sort_by;
use crate::error::{Error, Result};

/// Gini coefficient of incomes with optional survey weights:
///
/// G = Σᵢ Σⱼ wᵢ wⱼ |yᵢ − yⱼ| / (2 W² μ),  W = Σ wᵢ,  μ = Σ wᵢ yᵢ / W,
///
/// the population (not the sample, n/(n − 1)) Gini, as in Haughton & Khandker (2009), *Handbook on
/// Poverty and Inequality*, World Bank, ch. 6. Integer weights give the Gini of the sample with each
/// row repeated that many times.
///
/// Computed in O(n log n): the rows are sorted by (income, weight), and with Dᵢ = Σ_{j<i} wⱼ(yᵢ − yⱼ)
/// = Dᵢ₋₁ + (Σ_{j<i} wⱼ)(yᵢ − yᵢ₋₁), G = Σᵢ wᵢ Dᵢ / (W · Σ wᵢ yᵢ). Every term is non-negative, so
/// the compensated sums lose no accuracy to cancellation. Large inputs are sorted in parallel; the
/// sort key is total, so the result does not depend on the thread count.
///
/// **Zero incomes** are allowed; the mean must be > 0.
///
/// # Errors
/// No incomes, weights of another length, a bad income or weight row (as in
/// [`fgt`](super::fgt)); every income zero ([`Error::InvalidParameter`] on `incomes`: the Gini is
/// undefined for a zero mean).
///
/// # Examples
/// ```
/// use fupin_core::metrics::gini;
/// assert!((gini(&[1.0, 2.0, 3.0, 4.0], None)? - 0.25).abs() < 1e-15);
/// // One person has everything: (n − 1)/n.
/// assert!((gini(&[0.0, 0.0, 0.0, 8.0], None)? - 0.75).abs() < 1e-15);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn gini(incomes: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    let sample = Sample::new("gini", incomes, weights)?;
    // Incomes and weights are scaled by powers of two (exact for ordinary inputs; the Gini is
    // invariant to both), so the sums neither overflow nor lose subnormal values.
    let income_scale = sample.income_scale();
    let (_, total_income) = sample.totals(income_scale)?;
    if total_income == 0.0 {
        return Err(zero_mean(sample.name(), "the Gini coefficient"));
    }
    let result = match weights {
        None => {
            // Unweighted: sort the incomes alone (half the memory traffic of pairs).
            let mut sorted: Vec<f64> = incomes.iter().map(|&y| y * income_scale).collect();
            sort_by(&mut sorted, f64::total_cmp)?;
            gini_of_sorted(sorted.iter().map(|&y| (y, 1.0)))
        }
        Some(ws) => gini_of_pairs(pairs_cancellable(
            incomes,
            ws,
            income_scale,
            gini_weight_scale(&sample, income_scale)?,
        )?)?,
    };
    result.ok_or_else(|| zero_mean(sample.name(), "the Gini coefficient"))
}

/// The power of two `c` the Gini multiplies the weights by: one that brings the weighted income
/// total Σ w·y (incomes times `income_scale`) to about 1 where the total weight allows (Σ w·c at
/// most 2^1020). Scaling the largest weight to 1 instead left the products w·y of a subnormal
/// weight subnormal, with only a few digits, when they held most of the income (a Gini of 1.019).
/// A power of two: exact, so ordinary inputs give the same result as unscaled weights.
fn gini_weight_scale(sample: &Sample<'_>, income_scale: f64) -> Result<f64> {
    let ws_exp = split(sample.weight_scale()).1;
    let (total_weight, _) = sample.totals(1.0)?;
    let (income_sum, income_exp) = sample.income_total_pow2()?;
    if income_sum == 0.0 {
        return Ok(sample.weight_scale());
    }
    // Exponents of Σ w·y (y scaled) and Σ w, for the weights as given.
    let e_income = split(income_sum).1 + income_exp - ws_exp + split(income_scale).1;
    let e_weight = split(total_weight).1 - ws_exp;
    let k = (-e_income).min(1020 - e_weight).clamp(-1022, 1023);
    Ok(mul_pow2(1.0, k))
}

/// Gini of validated `(income, weight)` rows; `None` when the income total is 0. The caller scales
/// incomes and weights so that neither exceeds a few units (see [`Sample::income_scale`]).
///
/// # Errors
/// [`crate::Error::Cancelled`] (the sort polls for cancellation).
pub(crate) fn gini_of_pairs(mut pairs: Vec<(f64, f64)>) -> Result<Option<f64>> {
    // A total order on (income, weight): rows that compare equal are identical, so the sorted
    // sequence, and hence the result, is the same for any sort algorithm and thread count.
    let order = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1));
    sort_by(&mut pairs, order)?;
    Ok(gini_of_sorted(pairs.into_iter()))
}

/// Gini of `(income, weight)` rows in ascending income order; `None` when the income total is 0.
fn gini_of_sorted(rows: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let mut weight_before = CompensatedSum::default();
    let mut d = CompensatedSum::default();
    let mut numerator = CompensatedSum::default();
    let mut income = CompensatedSum::default();
    let mut previous: Option<f64> = None;
    for (y, w) in rows {
        d.add(weight_before.value() * (y - previous.unwrap_or(y)));
        numerator.add(w * d.value());
        weight_before.add(w);
        income.add(w * y);
        previous = Some(y);
    }
    let (income, weight) = (income.value(), weight_before.value());
    (income > 0.0).then(|| {
        let denominator = weight * income;
        if denominator.is_normal() {
            numerator.value() / denominator
        } else {
            // Extreme weight ratios can leave the product subnormal: divide in two steps.
            numerator.value() / weight / income
        }
    })
}

fn zero_mean(name: &str, what: &str) -> Error {
    Error::invalid_parameter(
        "incomes",
        format!("(all zero, passed to {name})"),
        format!("have mean 0: {what} is undefined"),
    )
}

/// Generalized entropy index GE(α) (Shorrocks 1980, *Econometrica* 48(3)) with optional weights,
/// rᵢ = yᵢ/μ and μ the weighted mean:
///
/// - α ∉ {0, 1}: GE(α) = Σ wᵢ (rᵢ^α − 1) / (W · α(α − 1));  GE(2) is half the squared coefficient
///   of variation.
/// - α = 1: the Theil index T = Σ wᵢ rᵢ ln rᵢ / W (see [`theil`]).
/// - α = 0: the mean log deviation Σ wᵢ ln(1/rᵢ) / W (see [`mld`]).
///
/// **Zero incomes:** allowed for α > 0 (0^α = 0, and 0·ln 0 = 0 for α = 1); an error for α ≤ 0,
/// where ln 0 or 0^α is infinite, naming the first zero row.
///
/// # Errors
/// `alpha` not finite ([`Error::InvalidParameter`]); every income zero (undefined mean); zero
/// incomes for α ≤ 0; the input errors of [`fgt`](super::fgt); and an [`Error::InvalidParameter`]
/// on `alpha` when GE(α) exceeds the largest finite number (e.g. α = 10⁶ with incomes 1 and 2), where
/// no finite answer exists. Terms r^α that overflow while the index itself is finite are summed as
/// e^m·Σ wᵢ e^(α ln rᵢ − m).
///
/// # Examples
/// ```
/// use fupin_core::metrics::ge;
/// // Incomes 1 and 3: mean 2, variance 1, so GE(2) = ½ · 1/2² = 0.125.
/// assert!((ge(&[1.0, 3.0], 2.0, None)? - 0.125).abs() < 1e-15);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn ge(incomes: &[f64], alpha: f64, weights: Option<&[f64]>) -> Result<f64> {
    if !alpha.is_finite() {
        return Err(Error::invalid_parameter(
            "alpha",
            number_text(alpha),
            "must be a finite sensitivity parameter",
        ));
    }
    generalized_entropy("ge", incomes, alpha, weights)
}

/// Theil index T = GE(1) = Σ wᵢ (yᵢ/μ) ln(yᵢ/μ) / Σ wᵢ (Theil 1967). Between 0 (equality) and
/// ln W (one row holds everything, unweighted W = n).
///
/// **Zero incomes** contribute 0 (the limit 0·ln 0 = 0). The mean must be > 0.
///
/// # Errors
/// As [`ge`].
///
/// # Examples
/// ```
/// use fupin_core::metrics::theil;
/// // Incomes 0 and 2: mean 1, T = ½ (0 + 2 ln 2) = ln 2.
/// assert!((theil(&[0.0, 2.0], None)? - 2f64.ln()).abs() < 1e-15);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn theil(incomes: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    generalized_entropy("theil", incomes, 1.0, weights)
}

/// Mean log deviation (Theil's L) = GE(0) = Σ wᵢ ln(μ/yᵢ) / Σ wᵢ.
///
/// **Zero incomes:** ln(μ/0) is infinite, so the index is undefined when any income is 0: the first
/// zero income is an error naming its row.
///
/// # Errors
/// As [`ge`], plus a zero income.
///
/// # Examples
/// ```
/// use fupin_core::metrics::mld;
/// // Incomes 1 and 3: mean 2, L = ½ (ln 2 + ln 2/3) = ½ ln 4/3.
/// assert!((mld(&[1.0, 3.0], None)? - 0.5 * (4.0f64 / 3.0).ln()).abs() < 1e-15);
/// assert!(mld(&[0.0, 3.0], None).is_err());
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn mld(incomes: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    generalized_entropy("mld", incomes, 0.0, weights)
}

/// Total (scaled) weight and the weighted mean μ of a sample, with μ's mantissa in [1, 2) and its
/// exponent (μ = m · 2^e exactly, even where μ itself underflows). Validates every row; Σ w·y
/// comes exponent by exponent, so the mean keeps its digits whatever the spread of the incomes
/// and weights (a subnormal one included). μ is ≤ the largest income, so finite, and exactly the
/// plain mean for ordinary inputs.
fn weighted_mean(sample: &Sample<'_>) -> Result<(f64, f64, f64, i32)> {
    let (total_weight, _) = sample.totals(1.0)?;
    let (income_sum, income_exp) = sample.income_total_pow2()?;
    if income_sum == 0.0 {
        return Err(zero_mean(sample.name(), "the generalized entropy"));
    }
    let q = income_sum / total_weight;
    let (mean_m, mean_e) = split(q);
    Ok((
        total_weight,
        mul_pow2(q, income_exp),
        mean_m,
        mean_e + income_exp,
    ))
}

fn generalized_entropy(
    name: &'static str,
    incomes: &[f64],
    alpha: f64,
    weights: Option<&[f64]>,
) -> Result<f64> {
    let sample = Sample::new(name, incomes, weights)?;
    let (total_weight, mean, mean_m, mean_e) = weighted_mean(&sample)?;
    // ln(y / mean): directly for ordinary numbers, else from mantissas and exponents (y or the
    // mean subnormal, or the ratio outside the normal range).
    let ln_ratio = |y: f64| {
        let r = y / mean;
        if mean.is_normal() && r.is_normal() {
            r.ln()
        } else {
            let (m, e) = split(y);
            (m / mean_m).ln() + f64::from(e - mean_e) * std::f64::consts::LN_2
        }
    };
    let zero_error = |row0: usize| {
        let reason = if alpha == 0.0 {
            format!("is zero: {name} needs ln(mean / income), infinite for a zero income")
        } else {
            format!("is zero: {name} with α = {alpha} < 0 needs income^α, infinite at 0")
        };
        sample.income_error(row0, 0.0, &reason)
    };
    let [sum] = if alpha == 0.0 {
        sample.fold(|row0, y, w, acc: &mut [CompensatedSum; 1]| {
            if y == 0.0 {
                return Err(zero_error(row0));
            }
            let q = mean / y;
            let ln_q = if mean.is_normal() && q.is_normal() {
                q.ln()
            } else {
                -ln_ratio(y)
            };
            acc[0].add(w * ln_q);
            Ok(())
        })?
    } else if alpha == 1.0 {
        sample.fold(|row0, y, w, acc: &mut [CompensatedSum; 1]| {
            if y > 0.0 {
                let r = y / mean;
                if mean.is_normal() && r.is_normal() && w.is_normal() {
                    acc[0].add(w * r * r.ln());
                } else {
                    // w·r in logarithms (it is at most the total weight).
                    let ln_r = ln_ratio(y);
                    acc[0].add((sample.ln_weight(row0) + ln_r).exp() * ln_r);
                }
            }
            Ok(())
        })?
    } else {
        sample.fold(|row0, y, w, acc: &mut [CompensatedSum; 1]| {
            if y == 0.0 {
                if alpha < 0.0 {
                    return Err(zero_error(row0));
                }
                acc[0].add(-w);
            } else {
                let x = alpha * ln_ratio(y);
                if w.is_normal() {
                    // r^α − 1 without cancellation near r = 1.
                    acc[0].add(w * x.exp_m1());
                } else {
                    // A weight that the scaling took below the normal range (0 for a subnormal
                    // weight beside weights > 2): w·r^α through logarithms, so a huge r^α keeps
                    // its (possibly dominant) term.
                    acc[0].add((x + sample.ln_weight(row0)).exp() - w);
                }
            }
            Ok(())
        })?
    };
    let sum = sum.value();
    if alpha == 0.0 || alpha == 1.0 {
        return Ok(sum / total_weight);
    }
    let value = if sum.is_finite() {
        sum / (total_weight * (alpha * (alpha - 1.0)))
    } else {
        ge_of_overflowing_terms(&sample, alpha, total_weight, ln_ratio)?
    };
    if value.is_finite() {
        Ok(value)
    } else {
        Err(no_finite_ge(alpha))
    }
}

/// GE(α) when some r^α overflows: S = Σ wᵢ rᵢ^α as e^m · Σ e^(α ln rᵢ + ln wᵢ − m), m the
/// largest exponent, and GE = (S/W − 1)/(α(α − 1)) evaluated in logarithms. Then S/W > 10^290 (a term
/// overflowed, and W is at most 4 per row), so the −1 is below rounding but kept.
fn ge_of_overflowing_terms(
    sample: &Sample<'_>,
    alpha: f64,
    total_weight: f64,
    ln_ratio: impl Fn(f64) -> f64,
) -> Result<f64> {
    // The rows are valid (the first pass checked them); zero incomes add 0 to S for α > 0.
    // Each exponent includes ln wᵢ (the scaled weight, finite even where it underflows), so a
    // tiny weight on a huge r^α keeps its term.
    let exponents = sample.incomes().iter().enumerate().map(|(row0, &y)| {
        if y > 0.0 {
            alpha * ln_ratio(y) + sample.ln_weight(row0)
        } else {
            f64::NEG_INFINITY
        }
    });
    let m = exponents.clone().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return Err(no_finite_ge(alpha));
    }
    let mut scaled = CompensatedSum::default();
    for x in exponents {
        scaled.add((x - m).exp());
    }
    // ln |α(α − 1)| as a sum: the product itself overflows for |α| > 1.3e154.
    let ln_product = alpha.abs().ln() + (alpha - 1.0).abs().ln();
    let ln_value = m + (scaled.value() / total_weight).ln() - ln_product;
    let product = alpha * (alpha - 1.0);
    Ok(product.signum() * ln_value.exp() - 1.0 / product)
}

/// No finite GE(α): the index exceeds the largest finite number.
fn no_finite_ge(alpha: f64) -> Error {
    Error::invalid_parameter(
        "alpha",
        number_text(alpha),
        "makes the generalized entropy of these incomes larger than the largest finite number \
         (about 1.8e308): no finite answer; use a smaller |α|",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testutil::{assert_close, incomes_and_weights, replicate};

    fn brute_gini(ys: &[f64], ws: &[f64]) -> f64 {
        let (mut pairs, mut w, mut wy) = (0.0, 0.0, 0.0);
        for (i, &yi) in ys.iter().enumerate() {
            w += ws[i];
            wy += ws[i] * yi;
            for (j, &yj) in ys.iter().enumerate() {
                pairs += ws[i] * ws[j] * (yi - yj).abs();
            }
        }
        pairs / (2.0 * w * wy)
    }

    /// GE by the textbook formulas, written independently of the library.
    fn direct_ge(ys: &[f64], ws: &[f64], alpha: f64) -> f64 {
        let w: f64 = ws.iter().sum();
        let mu = ys.iter().zip(ws).map(|(y, w)| y * w).sum::<f64>() / w;
        let terms = ys.iter().zip(ws).map(|(&y, &wi)| {
            if alpha == 0.0 {
                wi * (mu.ln() - y.ln())
            } else if alpha == 1.0 {
                if y == 0.0 {
                    0.0
                } else {
                    wi * (y / mu) * (y.ln() - mu.ln())
                }
            } else {
                wi * ((y / mu).powf(alpha) - 1.0) / (alpha * (alpha - 1.0))
            }
        });
        terms.sum::<f64>() / w
    }

    #[test]
    fn gini_hand_values() {
        assert_close(gini(&[1.0, 2.0, 3.0, 4.0], None).unwrap(), 0.25);
        assert_close(gini(&[4.0, 1.0, 3.0, 2.0], None).unwrap(), 0.25);
        assert_eq!(gini(&[5.0, 5.0, 5.0], None).unwrap(), 0.0);
        assert_close(
            gini(
                &[0.0; 9].iter().chain(&[7.0]).copied().collect::<Vec<_>>(),
                None,
            )
            .unwrap(),
            0.9,
        );
        // Weights 3 and 1 on incomes 1 and 2: pairs 2·3·1·1 / (2·16·(5/4)) = 0.15.
        assert_close(gini(&[1.0, 2.0], Some(&[3.0, 1.0])).unwrap(), 0.15);
        // Ties with different weights.
        assert_close(
            gini(&[2.0, 1.0, 2.0], Some(&[0.5, 1.0, 1.5])).unwrap(),
            gini(&[1.0, 2.0], Some(&[1.0, 2.0])).unwrap(),
        );
    }

    #[test]
    fn gini_matches_brute_force_double_sum() {
        for seed in 0..4 {
            let (ys, ws) = incomes_and_weights(400, seed);
            assert_close(gini(&ys, Some(&ws)).unwrap(), brute_gini(&ys, &ws));
            let ones = vec![1.0; ys.len()];
            assert_close(gini(&ys, None).unwrap(), brute_gini(&ys, &ones));
        }
    }

    #[test]
    fn theil_mld_ge_hand_values() {
        // Incomes 1 and 3, mean 2.
        let ys = [1.0, 3.0];
        let t = 0.5 * (0.5 * 0.5f64.ln() + 1.5 * 1.5f64.ln());
        assert_close(theil(&ys, None).unwrap(), t);
        assert_close(ge(&ys, 1.0, None).unwrap(), t);
        assert_close(mld(&ys, None).unwrap(), 0.5 * (4.0f64 / 3.0).ln());
        assert_close(ge(&ys, 0.0, None).unwrap(), 0.5 * (4.0f64 / 3.0).ln());
        assert_close(ge(&ys, 2.0, None).unwrap(), 0.125);
        // GE(-1) = Σ (1/r − 1) / (n · 2): r = 1/2, 3/2 → (1 + (−1/3))/4 = 1/6.
        assert_close(ge(&ys, -1.0, None).unwrap(), 1.0 / 6.0);
        // Equality gives 0.
        assert_eq!(theil(&[4.0, 4.0], None).unwrap(), 0.0);
        assert_eq!(mld(&[4.0, 4.0], None).unwrap(), 0.0);
        // One of n holds everything: Theil = ln n; zero rows allowed for α > 0.
        assert_close(theil(&[0.0, 0.0, 0.0, 5.0], None).unwrap(), 4f64.ln());
        // GE(2) with zeros: r = 0,0,0,4 → (0 + 0 + 0 + 15 − 3)/(4·2) = 1.5.
        assert_close(ge(&[0.0, 0.0, 0.0, 5.0], 2.0, None).unwrap(), 1.5);
        // GE(0.5) with a zero: r = 0, 2 → (−1 + (√2 − 1))/(2 · (−0.25)).
        assert_close(
            ge(&[0.0, 2.0], 0.5, None).unwrap(),
            (2f64.sqrt() - 2.0) / -0.5,
        );
    }

    #[test]
    fn ge_matches_direct_formulas() {
        for seed in 0..3 {
            let (ys, ws) = incomes_and_weights(500, seed + 20);
            for alpha in [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0] {
                let expected = direct_ge(&ys, &ws, alpha);
                assert_close(ge(&ys, alpha, Some(&ws)).unwrap(), expected);
            }
            assert_close(theil(&ys, Some(&ws)).unwrap(), direct_ge(&ys, &ws, 1.0));
            assert_close(mld(&ys, Some(&ws)).unwrap(), direct_ge(&ys, &ws, 0.0));
        }
    }

    #[test]
    fn integer_weights_equal_replicated_rows() {
        let (ys, ws) = incomes_and_weights(301, 9);
        let ws: Vec<f64> = ws.iter().map(|w| w.ceil()).collect();
        let rep = replicate(&ys, &ws);
        assert_close(gini(&ys, Some(&ws)).unwrap(), gini(&rep, None).unwrap());
        assert_close(theil(&ys, Some(&ws)).unwrap(), theil(&rep, None).unwrap());
        assert_close(mld(&ys, Some(&ws)).unwrap(), mld(&rep, None).unwrap());
        for alpha in [-1.0, 0.5, 2.0] {
            assert_close(
                ge(&ys, alpha, Some(&ws)).unwrap(),
                ge(&rep, alpha, None).unwrap(),
            );
        }
    }

    #[test]
    fn zero_income_rules() {
        let e = mld(&[3.0, 1.0, 0.0], None).unwrap_err();
        assert_eq!(
            (e.row(), e.column(), e.value()),
            (Some(3), Some("incomes"), Some("0"))
        );
        assert!(e.to_string().starts_with("mld:"), "{e}");
        let e = ge(&[3.0, 0.0], -2.0, None).unwrap_err();
        assert_eq!(e.row(), Some(2));
        for e in [
            gini(&[0.0, 0.0], None).unwrap_err(),
            theil(&[0.0], None).unwrap_err(),
            ge(&[0.0, 0.0], 2.0, Some(&[1.0, 2.0])).unwrap_err(),
        ] {
            assert_eq!(e.column(), Some("incomes"), "{e}");
            assert!(e.to_string().contains("mean 0"), "{e}");
        }
    }

    #[test]
    fn input_errors() {
        for alpha in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(ge(&[1.0], alpha, None).unwrap_err().column(), Some("alpha"));
        }
        let e = gini(&[1.0, 2.0, f64::NAN, 4.0], None).unwrap_err();
        assert_eq!((e.row(), e.value()), (Some(3), Some("NaN")));
        let e = theil(&[1.0, -2.0], None).unwrap_err();
        assert_eq!((e.row(), e.value()), (Some(2), Some("-2")));
        let e = gini(&[1.0, 2.0], Some(&[1.0, 0.0])).unwrap_err();
        assert_eq!((e.row(), e.column()), (Some(2), Some("weights")));
        let e = mld(&[1.0, 2.0], Some(&[f64::INFINITY, 1.0])).unwrap_err();
        assert_eq!(
            (e.row(), e.column(), e.value()),
            (Some(1), Some("weights"), Some("inf"))
        );
        assert!(matches!(gini(&[], None), Err(Error::Empty { .. })));
        assert!(matches!(
            theil(&[1.0], Some(&[])),
            Err(Error::LengthMismatch { .. })
        ));
    }
}
