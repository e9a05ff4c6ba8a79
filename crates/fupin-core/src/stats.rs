//! Shared statistics, once: normal and Student-t quantiles, two-sided p-values, Wilson score
//! intervals for a proportion, and the type-7 percentile and band every table reports.
//!
//! The quantiles are `statrs`', the error function `libm`'s (as C's `erfc`); the functions here fix the conventions (two-sided levels,
//! the band over replicates) so that the engine's tables, the survival models and the Python
//! package compute them one way.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, Result};

/// Φ(x), the standard normal distribution function.
///
/// # Examples
/// ```
/// assert!((fupin_core::stats::normal_cdf(1.959_963_985) - 0.975).abs() < 1e-9);
/// ```
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p), the standard normal quantile (NaN outside [0, 1]).
///
/// # Examples
/// ```
/// assert!((fupin_core::stats::normal_quantile(0.975) - 1.959_963_985).abs() < 1e-9);
/// ```
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    Normal::standard().inverse_cdf(p)
}

/// Φ⁻¹((1 + level)/2) of the conventional levels, correctly rounded (published tables; the
/// quantile function's own value is within an ulp of each).
const PUBLISHED_Z: [(f64, f64); 3] = [
    (0.90, 1.644_853_626_951_472_2),
    (0.95, 1.959_963_984_540_054),
    (0.99, 2.575_829_303_548_900_4),
];

/// The two-sided normal critical value z_{(1+level)/2} of a confidence level (the published,
/// correctly rounded constants for 0.90, 0.95 and 0.99).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `conf_level` unless 0 < `level` < 1.
pub fn z_for_level(level: f64) -> Result<f64> {
    if !(level.is_finite() && level > 0.0 && level < 1.0) {
        return Err(Error::invalid_parameter(
            "conf_level",
            level,
            "must lie in (0, 1)",
        ));
    }
    let published = PUBLISHED_Z.iter().find(|&&(l, _)| l == level);
    Ok(published.map_or_else(|| normal_quantile(0.5 + level / 2.0), |&(_, z)| z))
}

/// The `p` quantile of Student's t with `df` degrees of freedom (normal for infinite `df`).
///
/// # Examples
/// ```
/// let q = fupin_core::stats::t_quantile(0.975, 4.0);
/// assert!((q - 2.776_445_105).abs() < 1e-8); // published t table
/// ```
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df > 1e6 {
        return Normal::standard().inverse_cdf(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic on `df` degrees of freedom, 2·P(T > |t|); NaN for a
/// non-finite `t` or `df` ≤ 0.
pub fn t_two_sided_p_value(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) if t.is_finite() => 2.0 * d.sf(t.abs()),
        _ => f64::NAN,
    }
}

/// Two-sided normal p-value of a z statistic: 2·(1 − Φ(|z|)) = erfc(|z|/√2) (NaN for NaN).
pub fn two_sided_p_value(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Wilson score interval of a proportion `p` observed in `n` trials at critical value `z`,
/// clipped to [0, 1]: (p + z²/2n ∓ z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
pub fn wilson_interval(p: f64, n: f64, z: f64) -> (f64, f64) {
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (
        (centre - half).clamp(0.0, 1.0),
        (centre + half).clamp(0.0, 1.0),
    )
}

/// Percentile of `values` (sorted here) with linear interpolation (type 7, NumPy's default).
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let pos = q * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

/// The band every table reports over replicates: mean, 5th and 95th percentiles of `values`
/// (sorted here).
pub fn band(values: &mut [f64]) -> [f64; 3] {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    [mean, percentile(values, 0.05), percentile(values, 0.95)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_published_values() {
        // Φ⁻¹(0.975) = 1.959963985, Φ⁻¹(0.95) = 1.644853627, Φ⁻¹(0.995) = 2.575829304 (tables).
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-9);
        assert!((normal_quantile(0.95) - 1.644_853_627).abs() < 1e-9);
        assert!((z_for_level(0.99).unwrap() - 2.575_829_304).abs() < 1e-9);
        // The conventional levels give the published constants; others the quantile function.
        assert!((z_for_level(0.90).unwrap() - normal_quantile(0.95)).abs() < 1e-15);
        assert_eq!(z_for_level(0.8).unwrap(), normal_quantile(0.9));
        assert!((z_for_level(0.8).unwrap() - 1.281_551_566).abs() < 1e-9);
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!(normal_quantile(1.5).is_nan());
        assert!(z_for_level(1.0).is_err() && z_for_level(f64::NAN).is_err());
        // Φ(1) = 0.841344746 (table); Φ and Φ⁻¹ invert each other.
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-9);
        assert!((normal_cdf(normal_quantile(0.3)) - 0.3).abs() < 1e-14);
    }

    #[test]
    fn t_quantiles_match_published_tables() {
        // Student t table (e.g. Abramowitz & Stegun 26.10): t_{0.975}(10) = 2.228138851.
        assert!((t_quantile(0.975, 10.0) - 2.228_138_852).abs() < 1e-9);
        assert!((t_quantile(0.995, 5.0) - 4.032_142_984).abs() < 1e-8);
        assert!(t_quantile(0.975, f64::NAN).is_nan());
    }

    #[test]
    fn p_values_match_closed_forms() {
        // 2·(1 − Φ(1.959963985)) = 0.05; 2·(1 − Φ(1)) = 0.317310508 (tables).
        assert!((two_sided_p_value(1.959_963_985) - 0.05).abs() < 1e-9);
        assert!((two_sided_p_value(-1.0) - 0.317_310_508).abs() < 1e-9);
        assert_eq!(two_sided_p_value(0.0), 1.0);
        // t table: t_{0.975}(10) = 2.228138852, t_{0.995}(5) = 4.032142984; p = 2·(1 − 0.975) ….
        assert!((t_two_sided_p_value(2.228_138_852, 10.0) - 0.05).abs() < 1e-9);
        assert!((t_two_sided_p_value(-4.032_142_984, 5.0) - 0.01).abs() < 1e-9);
        assert_eq!(t_two_sided_p_value(0.0, 3.0), 1.0);
        assert!(t_two_sided_p_value(f64::INFINITY, 3.0).is_nan());
        assert!(t_two_sided_p_value(1.0, 0.0).is_nan());
        // Against Φ directly.
        for z in [0.3, 1.7, 2.9] {
            assert!((two_sided_p_value(z) - 2.0 * (1.0 - normal_cdf(z))).abs() < 1e-13);
        }
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 50 of 100 at z = 2: centre 0.5, half = 2·√(0.0025 + 0.0001)/1.04 = 0.0980581…
        let (lo, hi) = wilson_interval(0.5, 100.0, 2.0);
        let half = 2.0 * 0.0026f64.sqrt() / 1.04;
        assert!((hi - 0.5 - half).abs() < 1e-15 && (0.5 - lo - half).abs() < 1e-15);
        // 0 of 10 at z = 1.96: lower end 0, upper z²/(n + z²) = 3.8416/13.8416.
        let (lo, hi) = wilson_interval(0.0, 10.0, 1.96);
        assert_eq!(lo, 0.0);
        assert!((hi - 3.8416 / 13.8416).abs() < 1e-15);
        // p = 1 clips at 1.
        assert_eq!(wilson_interval(1.0, 10.0, 1.96).1, 1.0);
    }

    #[test]
    fn band_by_hand() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 95]) = [1.2, 8.8]; mean 4.
        let b = band(&mut [10.0, 2.0, 4.0, 1.0, 3.0]);
        assert!((b[0] - 4.0).abs() < 1e-15 && (b[1] - 1.2).abs() < 1e-12);
        assert!((b[2] - 8.8).abs() < 1e-12);
    }
}
