//! Budgets: yuan by year, for the whole registry or per county, with carry-over.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::units::MAX_YUAN;

/// Yuan a year: the same every year, or a table by calendar year (years not listed get nothing).
///
/// In files: `111650000.0` or `{"2016": 5e7, "2017": 6e7}` (years as text keys, as TOML and JSON
/// require).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// The same amount every year.
    Constant(f64),
    /// Amount by calendar year (keys are years written as text).
    ByYear(BTreeMap<String, f64>),
}

impl Amount {
    /// The amount in `year`.
    pub fn at(&self, year: i32) -> f64 {
        match self {
            Amount::Constant(v) => *v,
            Amount::ByYear(m) => m
                .iter()
                .find(|(k, _)| k.trim().parse::<i32>() == Ok(year))
                .map_or(0.0, |(_, &v)| v),
        }
    }

    fn validate(&self, name: &str) -> Result<()> {
        let bad = |v: f64| !(v.is_finite() && (0.0..=MAX_YUAN * 1e3).contains(&v));
        match self {
            Amount::Constant(v) if bad(*v) => Err(Error::invalid_parameter(
                name,
                v,
                "must be a finite amount of yuan ≥ 0 (at most 1e15)",
            )),
            Amount::ByYear(m) => {
                for (y, v) in m {
                    if y.trim().parse::<i32>().is_err() {
                        return Err(Error::invalid_parameter(
                            format!("{name}[{y}]"),
                            format!("{y:?}"),
                            "is not a calendar year",
                        ));
                    }
                    if bad(*v) {
                        return Err(Error::invalid_parameter(
                            format!("{name}[{y}]"),
                            v,
                            "must be a finite amount of yuan ≥ 0 (at most 1e15)",
                        ));
                    }
                }
                Ok(())
            }
            Amount::Constant(_) => Ok(()),
        }
    }
}

/// The money a policy may commit, by year: one pool for the registry (`yearly`) or one pool per
/// county (`by_county`, keyed by the county id as text; counties not listed get nothing).
/// Unspent money of a year is carried over to the next when `carry_over` is set (the default).
///
/// # Examples
/// ```
/// use fupin_core::policy::Budget;
/// let b = Budget::yearly(111_650_000.0); // Taiqian's industry fund (seed 000)
/// b.validate()?;
/// assert_eq!(b.to_json()?.contains("111650000"), true);
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// One pool for the whole registry, yuan a year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yearly: Option<Amount>,
    /// One pool per county, yuan a year, keyed by county id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_county: BTreeMap<String, Amount>,
    /// Carry unspent money over to the next year. Default true.
    #[serde(default = "yes")]
    pub carry_over: bool,
    /// The guarantee fund (担保基金) backing the scenario's microcredit. Default: Taiqian's 10 M
    /// yuan at a leverage of 10 (seed 000). Not written when it is the default.
    #[serde(default, skip_serializing_if = "GuaranteeFund::is_default")]
    pub guarantee_fund: GuaranteeFund,
}

/// A guarantee fund (担保基金): capital deposited with a lending bank, which lends up to
/// `capital × leverage` to poor households without collateral and charges defaults to the fund.
///
/// Planning grants microcredit loans (measures with a loan, such as `industry_credit`) in plan
/// order only while the loans outstanding in the start year plus the new loan stay within
/// `capital × leverage` (a loan is outstanding from its start year for its term, and repaid in
/// full at the end of the term). The capacity is fixed for the run: defaults are random, while
/// the plan is made before the run, so losses do not shrink it; they are reported per replicate
/// and year instead (`Results::guarantee_losses`, in the `results` module).
///
/// # Examples
/// ```
/// use fupin_core::policy::GuaranteeFund;
/// let f = GuaranteeFund::default(); // Taiqian, seed 000
/// assert_eq!(f.capacity(), 100_000_000.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuaranteeFund {
    /// Capital of the fund, yuan. Default 10,000,000: Taiqian's county guarantee fund (seed 000).
    pub capital: f64,
    /// Loans per yuan of capital. Default 10: Taiqian's 10 M yuan lent out 100 M (seed 000).
    pub leverage: f64,
}

impl Default for GuaranteeFund {
    fn default() -> Self {
        GuaranteeFund {
            capital: 10_000_000.0,
            leverage: 10.0,
        }
    }
}

impl GuaranteeFund {
    /// Whether this is the default fund.
    pub fn is_default(&self) -> bool {
        *self == GuaranteeFund::default()
    }

    /// Most loans outstanding at once, yuan: `capital × leverage`.
    pub fn capacity(&self) -> f64 {
        self.capital * self.leverage
    }

    fn validate(&self) -> Result<()> {
        if !(self.capital.is_finite() && (0.0..=MAX_YUAN * 1e3).contains(&self.capital)) {
            return Err(Error::invalid_parameter(
                "budget.guarantee_fund.capital",
                self.capital,
                "must be a finite amount of yuan ≥ 0 (at most 1e15)",
            ));
        }
        if !(self.leverage.is_finite() && (1.0..=1000.0).contains(&self.leverage)) {
            return Err(Error::invalid_parameter(
                "budget.guarantee_fund.leverage",
                self.leverage,
                "must be between 1 and 1000",
            ));
        }
        Ok(())
    }
}

fn yes() -> bool {
    true
}

impl Budget {
    /// The same amount every year for the whole registry, with carry-over.
    pub fn yearly(yuan: f64) -> Self {
        Budget {
            yearly: Some(Amount::Constant(yuan)),
            by_county: BTreeMap::new(),
            carry_over: true,
            guarantee_fund: GuaranteeFund::default(),
        }
    }

    /// Amounts by year for the whole registry, with carry-over.
    pub fn by_year(yuan: BTreeMap<i32, f64>) -> Self {
        Budget {
            yearly: Some(Amount::ByYear(
                yuan.into_iter().map(|(y, v)| (y.to_string(), v)).collect(),
            )),
            by_county: BTreeMap::new(),
            carry_over: true,
            guarantee_fund: GuaranteeFund::default(),
        }
    }

    /// Check the amounts and that exactly one of `yearly`, `by_county` is given.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `budget.yearly`, `budget.by_county[<id>]`, …
    pub fn validate(&self) -> Result<()> {
        self.guarantee_fund.validate()?;
        match (&self.yearly, self.by_county.is_empty()) {
            (Some(a), true) => a.validate("budget.yearly"),
            (None, false) => {
                for (c, a) in &self.by_county {
                    a.validate(&format!("budget.by_county[{c}]"))?;
                }
                Ok(())
            }
            (Some(_), false) => Err(Error::invalid_parameter(
                "budget",
                "yearly and by_county",
                "give either one pool (yearly) or pools by county, not both",
            )),
            (None, true) => Err(Error::invalid_parameter(
                "budget",
                "{}",
                "give `yearly` (yuan a year) or `by_county`",
            )),
        }
    }

    /// The budget as JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        crate::files::write_json(self, "<budget JSON>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_by_year_and_round_trips() {
        let b = Budget::by_year([(2016, 10.0), (2018, 30.0)].into_iter().collect());
        let Some(a) = &b.yearly else { panic!() };
        assert_eq!((a.at(2016), a.at(2017), a.at(2018)), (10.0, 0.0, 30.0));
        let back: Budget = toml::from_str(&toml::to_string(&b).unwrap()).unwrap();
        assert_eq!(back, b);
        let back: Budget = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
        assert_eq!(back, b);
        let c: Budget = toml::from_str("yearly = 5e6\ncarry_over = false\n").unwrap();
        assert_eq!(c.yearly, Some(Amount::Constant(5e6)));
        assert!(!c.carry_over);
        let d: Budget = toml::from_str("[by_county]\n\"41\" = 100.0\n").unwrap();
        let e: Budget = serde_json::from_str(r#"{"yearly": {"2016": 1e6}}"#).unwrap();
        assert_eq!(e.yearly.as_ref().map(|a| a.at(2016)), Some(1e6));
        let mut bad = e.clone();
        bad.yearly = Some(Amount::ByYear(
            [("soon".to_string(), 1.0)].into_iter().collect(),
        ));
        assert_eq!(
            bad.validate().unwrap_err().column(),
            Some("budget.yearly[soon]")
        );
        d.validate().unwrap();
        assert!(d.carry_over);
    }

    #[test]
    fn validation_names_the_field() {
        let e = Budget::yearly(-1.0).validate().unwrap_err();
        assert_eq!(e.column(), Some("budget.yearly"));
        let e = Budget::by_year([(2017, f64::NAN)].into_iter().collect())
            .validate()
            .unwrap_err();
        assert_eq!(e.column(), Some("budget.yearly[2017]"));
        let mut both = Budget::yearly(1.0);
        both.by_county.insert("1".into(), Amount::Constant(1.0));
        assert_eq!(both.validate().unwrap_err().column(), Some("budget"));
        let neither = Budget {
            yearly: None,
            ..both.clone()
        };
        neither.validate().unwrap();
        let none = Budget {
            yearly: None,
            by_county: BTreeMap::new(),
            carry_over: true,
            guarantee_fund: GuaranteeFund::default(),
        };
        assert_eq!(none.validate().unwrap_err().column(), Some("budget"));
        let mut f = Budget::yearly(1.0);
        f.guarantee_fund.leverage = 0.5;
        assert_eq!(
            f.validate().unwrap_err().column(),
            Some("budget.guarantee_fund.leverage")
        );
        f.guarantee_fund = GuaranteeFund {
            capital: f64::NAN,
            leverage: 10.0,
        };
        assert_eq!(
            f.validate().unwrap_err().column(),
            Some("budget.guarantee_fund.capital")
        );
        let g: Budget = toml::from_str("yearly = 1.0\n[guarantee_fund]\ncapital = 5e6\n").unwrap();
        assert_eq!(g.guarantee_fund.capacity(), 5e7);
        assert!(toml::to_string(&g).unwrap().contains("capital = 5000000"));
        assert!(
            !Budget::yearly(1.0)
                .to_json()
                .unwrap()
                .contains("guarantee_fund")
        );
    }
}
