//! Validated income samples and deterministic compensated sums over them.
//!
//! Every index in [`crate::metrics`] is a ratio of weighted sums. The sums run over fixed-size
//! chunks of [`CHUNK`] rows; each chunk gets its own Neumaier-compensated partial sum, and the
//! partial sums are merged in chunk order. Inputs of [`PARALLEL_MIN`] rows or more compute the
//! chunks on the rayon pool, shorter ones in a plain loop; the chunks and the merge order are the
//! same either way, so a result is bit-for-bit identical for any number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows per chunk of a compensated sum. Fixed, so results do not depend on the thread count.
pub(crate) const CHUNK: usize = 1 << 14;

/// Inputs with at least this many rows are summed (and sorted) on the rayon pool.
pub(crate) const PARALLEL_MIN: usize = 1 << 17;

/// A running sum with Neumaier's compensation (Neumaier 1974, "Rundungsfehleranalyse einiger
/// Verfahren zur Summation endlicher Summen"): the error of each addition is carried in a second
/// term, so the result is as accurate as if the sum were computed in twice the precision and then
/// rounded, independently of the number of terms (for sums without heavy cancellation).
///
/// # Examples
/// ```
/// use fupin_core::metrics::CompensatedSum;
/// let mut s = CompensatedSum::default();
/// for x in [1e16, 1.0, -1e16] {
///     s.add(x);
/// }
/// assert_eq!(s.value(), 1.0); // a plain loop gives 0.0
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Add `x` to the sum.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        // Branch-free form: the larger magnitude first (a select, not a jump).
        let (big, small) = if self.sum.abs() >= x.abs() {
            (self.sum, x)
        } else {
            (x, self.sum)
        };
        self.compensation += (big - t) + small;
        self.sum = t;
    }

    /// Add another partial sum (used to combine chunks, always in a fixed order).
    #[inline]
    pub fn merge(&mut self, other: CompensatedSum) {
        self.add(other.sum);
        self.compensation += other.compensation;
    }

    /// The compensated total.
    #[inline]
    pub fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// Text of a number for an error message (`NaN`, `inf`, `-3.5`).
pub(crate) fn number_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else {
        x.to_string()
    }
}

/// `(income, weight)` rows of equally long columns, polling for cancellation every [`CHUNK`] rows.
///
/// # Errors
/// [`Error::Cancelled`].
pub(crate) fn pairs_cancellable(
    incomes: &[f64],
    weights: &[f64],
    income_scale: f64,
    weight_scale: f64,
) -> Result<Vec<(f64, f64)>> {
    let mut pairs = Vec::with_capacity(incomes.len());
    for (ys, ws) in incomes.chunks(CHUNK).zip(weights.chunks(CHUNK)) {
        crate::cancel::check()?;
        pairs.extend(
            ys.iter()
                .zip(ws)
                .map(|(&y, &w)| (y * income_scale, w * weight_scale)),
        );
    }
    Ok(pairs)
}

/// Check a poverty line: finite and > 0.
pub(crate) fn check_line(line: f64) -> Result<()> {
    if line.is_finite() && line > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "line",
            number_text(line),
            "must be a finite poverty line > 0 (yuan per person per year)",
        ))
    }
}

/// The power of two `2^k` that brings `max` into [1, 2) (into [2, 4) when `max` ≥ 2^1023, and to at
/// least 2^−51 when `max` is subnormal), with `k` in [−1022, 1023] so that the factor itself is a
/// normal number; 1 for a `max` that is 0 or
/// not finite (such inputs are errors or need no scaling). Multiplying by it is exact for every
/// number that stays normal, so scaled sums are exactly the scaled plain sums for ordinary inputs.
pub(crate) fn pow2_scale(max: f64) -> f64 {
    if !(max > 0.0 && max.is_finite()) {
        return 1.0;
    }
    let bits = max.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let exponent = if biased == 0 {
        // Subnormal: max = bits · 2^−1074.
        -1074 + 63 - bits.leading_zeros() as i32
    } else {
        biased - 1023
    };
    let k = (-exponent).clamp(-1022, 1023);
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// `x = m · 2^e` with `m` in [1, 2), for `x` > 0 finite (subnormals included, exactly).
pub(crate) fn split(x: f64) -> (f64, i32) {
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * f64::from_bits((1023u64 + 64) << 52), -64)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    (m, e + shift)
}

/// `x · 2^k` for any `k`, by factors within the normal range (one rounding where the result is
/// normal).
pub(crate) fn mul_pow2(mut x: f64, mut k: i32) -> f64 {
    let p = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    while k > 1023 {
        x *= p(1023);
        k -= 1023;
    }
    while k < -1022 {
        if x == 0.0 {
            return 0.0;
        }
        x *= p(-1022);
        k += 1022;
    }
    x * p(k)
}

/// The largest of `xs` ignoring NaN (0 for none); chunked on the rayon pool for long inputs.
fn max_of(xs: &[f64]) -> f64 {
    let max = |c: &[f64]| c.iter().fold(0.0f64, |m, &x| m.max(x));
    if xs.len() >= PARALLEL_MIN {
        xs.par_chunks(CHUNK).map(max).reduce(|| 0.0, f64::max)
    } else {
        max(xs)
    }
}

/// Incomes with optional survey weights, checked for shape; rows are checked as they are summed.
///
/// **Scaling.** Every index is a ratio in which the weights cancel, so [`Sample::fold`] hands the
/// kernels weights multiplied by the power of two that brings the largest weight to about 1: sums
/// of weights near `f64::MAX` cannot overflow and subnormal weights keep their ratios. Functions
/// whose sums multiply incomes scale them the same way ([`Sample::income_scale`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample<'a> {
    /// The name of the calling function, used as the table name in errors.
    name: &'static str,
    incomes: &'a [f64],
    weights: Option<&'a [f64]>,
    /// A power of two applied to every weight in [`Sample::fold`] (1 when unweighted).
    weight_scale: f64,
}

impl<'a> Sample<'a> {
    /// Check that `incomes` is not empty and `weights`, if given, has the same length.
    pub(crate) fn new(
        name: &'static str,
        incomes: &'a [f64],
        weights: Option<&'a [f64]>,
    ) -> Result<Self> {
        if incomes.is_empty() {
            return Err(Error::Empty {
                table: format!("{name}: incomes"),
            });
        }
        if let Some(w) = weights
            && w.len() != incomes.len()
        {
            return Err(Error::LengthMismatch {
                table: name.to_string(),
                column: "weights".to_string(),
                expected: incomes.len(),
                found: w.len(),
            });
        }
        let weight_scale = weights.map_or(1.0, |w| pow2_scale(max_of(w)));
        Ok(Sample {
            name,
            incomes,
            weights,
            weight_scale,
        })
    }

    /// The power of two that brings the largest income to about 1 (see [`pow2_scale`]).
    pub(crate) fn income_scale(&self) -> f64 {
        pow2_scale(max_of(self.incomes))
    }

    /// The power of two every weight is multiplied by before it reaches a fold kernel.
    pub(crate) fn weight_scale(&self) -> f64 {
        self.weight_scale
    }

    /// The natural logarithm of the scaled weight of row `row0` (the weight [`Sample::fold`]
    /// hands a kernel), finite even where the scaled weight itself underflows to 0.
    pub(crate) fn ln_weight(&self, row0: usize) -> f64 {
        self.weights
            .map_or(0.0, |ws| ws[row0].ln() + self.weight_scale.ln())
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.incomes.len()
    }

    /// The function name used in errors.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The incomes.
    pub(crate) fn incomes(&self) -> &'a [f64] {
        self.incomes
    }

    /// The weights, if any.
    pub(crate) fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// An error about income row `row0` (0-based).
    pub(crate) fn income_error(&self, row0: usize, value: f64, reason: &str) -> Error {
        Error::invalid_value(self.name, "incomes", row0 + 1, number_text(value), reason)
    }

    #[cold]
    fn bad_income(&self, row0: usize, y: f64) -> Error {
        let reason = if y.is_finite() {
            "is negative (incomes must be ≥ 0)"
        } else {
            "is not a finite number"
        };
        self.income_error(row0, y, reason)
    }

    #[cold]
    fn bad_weight(&self, row0: usize, w: f64) -> Error {
        Error::invalid_value(
            self.name,
            "weights",
            row0 + 1,
            number_text(w),
            "is not a positive finite survey weight",
        )
    }

    /// Sum `K` quantities over the rows. `f(row0, income, weight, sums)` adds one row's terms
    /// (weight 1 when unweighted; otherwise the weight times [`Sample::weight_scale`]); it sees
    /// only valid rows (finite income ≥ 0, finite weight > 0).
    /// The first invalid row (in row order; income before weight) is the error.
    pub(crate) fn fold<const K: usize, F>(&self, f: F) -> Result<[CompensatedSum; K]>
    where
        F: Fn(usize, f64, f64, &mut [CompensatedSum; K]) -> Result<()> + Sync,
    {
        let n = self.len();
        let chunks = n.div_ceil(CHUNK);
        let parts: Vec<Result<[CompensatedSum; K]>> = if n >= PARALLEL_MIN {
            (0..chunks)
                .into_par_iter()
                .map(|k| self.fold_chunk(k, &f))
                .collect()
        } else {
            (0..chunks).map(|k| self.fold_chunk(k, &f)).collect()
        };
        let mut total = [CompensatedSum::default(); K];
        for part in parts {
            for (t, p) in total.iter_mut().zip(part?) {
                t.merge(p);
            }
        }
        Ok(total)
    }

    fn fold_chunk<const K: usize, F>(&self, k: usize, f: &F) -> Result<[CompensatedSum; K]>
    where
        F: Fn(usize, f64, f64, &mut [CompensatedSum; K]) -> Result<()>,
    {
        crate::cancel::check()?;
        let start = k * CHUNK;
        let end = (start + CHUNK).min(self.len());
        let ys = &self.incomes[start..end];
        let mut acc = [CompensatedSum::default(); K];
        let scale = self.weight_scale;
        match self.weights {
            None => {
                for (i, &y) in ys.iter().enumerate() {
                    if !(y >= 0.0 && y.is_finite()) {
                        return Err(self.bad_income(start + i, y));
                    }
                    f(start + i, y, 1.0, &mut acc)?;
                }
            }
            Some(ws) => {
                for (i, (&y, &w)) in ys.iter().zip(&ws[start..end]).enumerate() {
                    if !(y >= 0.0 && y.is_finite()) {
                        return Err(self.bad_income(start + i, y));
                    }
                    if !(w > 0.0 && w.is_finite()) {
                        return Err(self.bad_weight(start + i, w));
                    }
                    f(start + i, y, w * scale, &mut acc)?;
                }
            }
        }
        Ok(acc)
    }

    /// The weighted income total `Σ w·y` (weights scaled as in [`Sample::fold`]) as `(S, E)` with
    /// `Σ w·y = S · 2^E` and `S` ≥ 1 unless every income is 0: each product is formed from the
    /// mantissas and exponents of the weight and income, so no product under- or overflows and a
    /// subnormal weight or income keeps all its digits. Rows must already be validated.
    ///
    /// # Errors
    /// [`Error::Cancelled`].
    pub(crate) fn income_total_pow2(&self) -> Result<(f64, i32)> {
        let ws_exp = split(self.weight_scale).1;
        let parts = |row0: usize, y: f64| {
            let (my, ey) = split(y);
            let (mw, ew) = self.weights.map_or((1.0, 0), |ws| split(ws[row0]));
            (mw * my, ew + ws_exp + ey)
        };
        let mut top = i32::MIN;
        for (k, ys) in self.incomes.chunks(CHUNK).enumerate() {
            crate::cancel::check()?;
            for (i, &y) in ys.iter().enumerate() {
                if y > 0.0 {
                    top = top.max(parts(k * CHUNK + i, y).1);
                }
            }
        }
        if top == i32::MIN {
            return Ok((0.0, 0));
        }
        let [sum] = self.fold(|row0, y, _, acc: &mut [CompensatedSum; 1]| {
            if y > 0.0 {
                let (m, e) = parts(row0, y);
                acc[0].add(mul_pow2(m, e - top));
            }
            Ok(())
        })?;
        Ok((sum.value(), top))
    }

    /// Total weight and weighted income total `(Σw, Σw·y)`, validating every row, with the
    /// weights scaled as in [`Sample::fold`] and the incomes multiplied by `income_scale`.
    pub(crate) fn totals(&self, income_scale: f64) -> Result<(f64, f64)> {
        let [w, wy] = self.fold(|_, y, w, acc: &mut [CompensatedSum; 2]| {
            acc[0].add(w);
            acc[1].add(w * (y * income_scale));
            Ok(())
        })?;
        Ok((w.value(), wy.value()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_what_a_plain_sum_loses() {
        let xs = [1e16, 1.0, -1e16, 3.0, 0.5];
        let mut s = CompensatedSum::default();
        for x in xs {
            s.add(x);
        }
        assert_eq!(s.value(), 4.5);
        // Many small terms on a large one.
        let mut s = CompensatedSum::default();
        s.add(1.0);
        for _ in 0..1000 {
            s.add(1e-17);
        }
        assert_eq!(s.value(), 1.0 + 1e-14);
        // Merging partial sums keeps the compensation.
        let mut a = CompensatedSum::default();
        a.add(1e16);
        a.add(1.0);
        let mut b = CompensatedSum::default();
        b.add(-1e16);
        b.add(1.0);
        a.merge(b);
        assert_eq!(a.value(), 2.0);
    }

    #[test]
    fn shape_errors_name_the_function_and_column() {
        let e = Sample::new("fgt", &[], None).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        assert_eq!(e.to_string(), "fgt: incomes: no rows");
        let e = Sample::new("gini", &[1.0, 2.0], Some(&[1.0])).unwrap_err();
        assert_eq!(e.column(), Some("weights"));
        assert_eq!(
            e.to_string(),
            "gini: column `weights` has 1 rows, expected 2"
        );
    }

    #[test]
    fn fold_reports_the_first_bad_row_across_chunks() {
        let mut ys = vec![1.0; PARALLEL_MIN + 5];
        ys[CHUNK + 7] = f64::NAN;
        ys[3 * CHUNK + 1] = -1.0;
        let s = Sample::new("t", &ys, None).unwrap();
        let e = s.totals(1.0).unwrap_err();
        assert_eq!(e.row(), Some(CHUNK + 8));
        assert_eq!(e.value(), Some("NaN"));
        ys[CHUNK + 7] = 1.0;
        let s = Sample::new("t", &ys, None).unwrap();
        let e = s.totals(1.0).unwrap_err();
        assert_eq!(e.row(), Some(3 * CHUNK + 2));
        assert!(e.to_string().contains("negative"), "{e}");
    }

    #[test]
    fn pow2_scale_brings_the_maximum_to_one_to_four() {
        for x in [
            5e-324,
            3e-320,
            f64::MIN_POSITIVE,
            1e-300,
            0.3,
            1.0,
            7.0,
            1e300,
            2f64.powi(1022),
            f64::MAX,
        ] {
            let s = pow2_scale(x);
            assert!(s.is_normal(), "{x}: {s}");
            // A power of two: its mantissa bits are all zero.
            assert_eq!(s.to_bits() & ((1u64 << 52) - 1), 0, "{x}");
            let scaled = x * s;
            let range = if x < f64::MIN_POSITIVE {
                2f64.powi(-51)..2.0
            } else if x < 2f64.powi(1023) {
                1.0..2.0
            } else {
                2.0..4.0
            };
            assert!(range.contains(&scaled), "{x} → {scaled}");
        }
        assert_eq!(pow2_scale(0.0), 1.0);
        assert_eq!(pow2_scale(f64::INFINITY), 1.0);
        assert_eq!(pow2_scale(f64::NAN), 1.0);
    }

    #[test]
    fn totals_match_exact_integer_sums() {
        let ys: Vec<f64> = (0..40_000).map(|i| f64::from(i % 97)).collect();
        let ws: Vec<f64> = (0..40_000).map(|i| f64::from(1 + i % 3)).collect();
        let s = Sample::new("t", &ys, Some(&ws)).unwrap();
        let (w, wy) = s.totals(1.0).unwrap();
        let exact_w: i64 = (0..40_000).map(|i| 1 + i64::from(i % 3)).sum();
        let exact_wy: i64 = (0..40_000)
            .map(|i| (1 + i64::from(i % 3)) * i64::from(i % 97))
            .sum();
        // fold scales the weights by a power of two (here 1/2: the largest weight is 3).
        assert_eq!(s.weight_scale(), 0.5);
        assert_eq!(w, exact_w as f64 * 0.5);
        assert_eq!(wy, exact_wy as f64 * 0.5);
    }
}
