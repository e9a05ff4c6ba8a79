//! Household sizes: the base shape and its exponential tilt to a given mean.

use crate::error::{Error, Result};

/// Largest household size drawn.
pub const MAX_SIZE: u16 = 8;

/// Household sizes 1–8 (people per registered household).
///
/// The base shape (shares of sizes 1…8: 0.14, 0.22, 0.21, 0.20, 0.13, 0.06, 0.03, 0.01) is an
/// assumption of this crate with the mean of the 2014 register close to 3.0 people per household
/// (29.48 million households, 89.62 million people: 3.04). [`SizeDistribution::with_mean`] tilts it
/// exponentially (pₖ ∝ bₖ e^{θk}) to any mean in (1, 8).
#[derive(Debug, Clone, PartialEq)]
pub struct SizeDistribution {
    cdf: [f64; MAX_SIZE as usize],
    mean: f64,
}

const BASE_SIZE_SHARES: [f64; MAX_SIZE as usize] = [0.14, 0.22, 0.21, 0.20, 0.13, 0.06, 0.03, 0.01];

impl SizeDistribution {
    /// The base shape tilted to mean `mean`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `1 < mean < 8`.
    ///
    /// # Examples
    /// ```
    /// let d = fupin_core::synth::SizeDistribution::with_mean(41_414.0 / 13_710.0).unwrap();
    /// assert!((d.mean() - 41_414.0 / 13_710.0).abs() < 1e-9);
    /// ```
    pub fn with_mean(mean: f64) -> Result<Self> {
        if !(mean.is_finite() && mean > 1.0 && mean < f64::from(MAX_SIZE)) {
            return Err(Error::invalid_parameter(
                "mean_size",
                mean,
                format!("must lie strictly between 1 and {MAX_SIZE}"),
            ));
        }
        let pmf = |theta: f64| {
            let mut p = [0.0; MAX_SIZE as usize];
            for (k, (pk, bk)) in p.iter_mut().zip(BASE_SIZE_SHARES).enumerate() {
                *pk = bk * (theta * (k as f64 + 1.0)).exp();
            }
            let total: f64 = p.iter().sum();
            p.iter_mut().for_each(|x| *x /= total);
            p
        };
        let mean_of = |p: &[f64; MAX_SIZE as usize]| -> f64 {
            p.iter()
                .enumerate()
                .map(|(k, pk)| (k as f64 + 1.0) * pk)
                .sum()
        };
        // The tilted mean increases with θ; bisection on a bracket wide enough for any mean in
        // (1, 8) representable at f64 precision.
        let (mut lo, mut hi) = (-60.0f64, 60.0f64);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mean_of(&pmf(mid)) < mean {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let p = pmf(0.5 * (lo + hi));
        let mut cdf = [0.0; MAX_SIZE as usize];
        let mut acc = 0.0;
        for (c, pk) in cdf.iter_mut().zip(p) {
            acc += pk;
            *c = acc;
        }
        cdf[MAX_SIZE as usize - 1] = 1.0;
        Ok(SizeDistribution {
            cdf,
            mean: mean_of(&p),
        })
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Probability of each size 1…8.
    pub fn pmf(&self) -> [f64; MAX_SIZE as usize] {
        let mut p = self.cdf;
        for k in (1..p.len()).rev() {
            p[k] -= p[k - 1];
        }
        p
    }

    /// The size at uniform draw `u` in (0, 1) (inverse CDF).
    pub fn sample(&self, u: f64) -> u16 {
        self.cdf.iter().position(|&c| u < c).unwrap_or(7) as u16 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilted_size_distribution_hits_any_mean_and_stays_a_distribution() {
        for target in [1.2, 2.5, 3.0, 41_414.0 / 13_710.0, 3.04, 4.7, 7.5] {
            let d = SizeDistribution::with_mean(target).unwrap();
            let p = d.pmf();
            assert!(p.iter().all(|&x| x >= 0.0));
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            // The mean recomputed from the pmf, independently of the tilt.
            let m: f64 = p.iter().enumerate().map(|(k, x)| (k + 1) as f64 * x).sum();
            assert!((m - target).abs() < 1e-9, "{m} vs {target}");
        }
        for bad in [1.0, 8.0, f64::NAN, -3.0] {
            assert_eq!(
                SizeDistribution::with_mean(bad).unwrap_err().column(),
                Some("mean_size")
            );
        }
    }

    #[test]
    fn size_sampling_inverts_the_cdf() {
        let d = SizeDistribution::with_mean(3.0).unwrap();
        let p = d.pmf();
        assert_eq!(d.sample(1e-12), 1);
        assert_eq!(d.sample(p[0] * 0.999), 1);
        assert_eq!(d.sample(p[0] + p[1] * 0.5), 2);
        assert_eq!(d.sample(1.0 - 1e-15), 8);
    }
}
