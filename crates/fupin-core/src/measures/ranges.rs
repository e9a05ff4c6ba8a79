//! Range checks of the measure specs' parameters (money, shares, bounded values, years): every
//! error names `measures[<name>].<field>`.

use crate::error::{Error, Result};
use crate::units::is_yuan;

pub(crate) fn field(measure: &str, name: &str) -> String {
    format!("measures[{measure}].{name}")
}

/// A finite amount of money in [0, [`MAX_YUAN`](crate::units::MAX_YUAN)] ([`is_yuan`]).
pub(crate) fn money(measure: &str, name: &str, v: f64) -> Result<()> {
    if is_yuan(v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            field(measure, name),
            v,
            "must be a finite amount of yuan between 0 and 1e12",
        ))
    }
}

/// A probability or share in [0, 1].
pub(crate) fn share(measure: &str, name: &str, v: f64) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            field(measure, name),
            v,
            "must lie in [0, 1]",
        ))
    }
}

/// A finite value in [lo, hi].
pub(crate) fn within(measure: &str, name: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            field(measure, name),
            v,
            format!("must lie in [{lo}, {hi}]"),
        ))
    }
}

/// An integer count of years in [lo, hi].
pub(crate) fn years(measure: &str, name: &str, v: u32, lo: u32, hi: u32) -> Result<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            field(measure, name),
            v,
            format!("must be between {lo} and {hi} years"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::fen;

    #[test]
    fn checks_and_fen() {
        assert!(money("m", "a", 0.0).is_ok());
        assert_eq!(
            money("m", "a", -1.0).unwrap_err().column(),
            Some("measures[m].a")
        );
        assert!(money("m", "a", f64::NAN).is_err());
        assert!(share("m", "p", 1.0).is_ok());
        assert!(share("m", "p", 1.01).is_err());
        assert!(within("m", "x", 10.0, 1.0, 100.0).is_ok());
        assert!(within("m", "x", 0.5, 1.0, 100.0).is_err());
        assert!(years("m", "lag", 0, 0, 50).is_ok());
        assert!(years("m", "lag", 51, 0, 50).is_err());
        assert_eq!(fen(12.345), 1234);
        assert_eq!(fen(0.0), 0);
        assert_eq!(fen(-3.0), 0);
        assert_eq!(fen(3500.0), 350_000);
    }
}
