//! The income model's parameters: plain serde data with defaults, sources and validation.
//!
//! Per household `h` and simulated year `t = 1, 2, …` (year 0 is the registry's base year, the year
//! before the first simulated one), per-capita market income is
//!
//! ```text
//! ln m_t = ln m_0 + t·ln(1 + g) + p_t − v_t/2 + σ_ε ε_t − σ_ε²/2,
//! p_t = ρ·p_{t−1} + σ_η η_t,   p_0 = 0,   v_t = Var(p_t) = σ_η² (1 + ρ² + … + ρ^{2(t−1)}),
//! ```
//!
//! with ε, η independent standard normals, so that `E[m_t] = m_0 (1 + g)^t` exactly (the −v_t/2 and
//! −σ_ε²/2 terms are the lognormal mean corrections). In a year with a village disaster the market
//! income is cut by the fraction `disaster.income_loss`. A health shock (probability below) costs the
//! household `cost_median · exp(cost_log_sd · z)` yuan, of which it pays the share `oop_share_*`.
//! Net income per person is
//!
//! ```text
//! y_t = max(0, m_t·(1 − loss·D_t) + transfers − (oop_t + students·cost_per_student) / size),
//! ```
//!
//! floored at zero: spending beyond income is debt, which the model does not follow. `m_0` is the
//! registry's `income_per_capita`.

use serde::{Deserialize, Serialize};

use super::PovertyLine;
use crate::error::{Error, Result};

/// The whole stochastic income model: income process, shocks, the exit standard and the line.
///
/// Round-trips through TOML and JSON; every field has a default (see each field for its source), so
/// a file needs to name only what it changes.
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// let model = IncomeModel::from_toml("[health]\nbase_probability = 0.1\n")?;
/// assert_eq!(model.health.base_probability, 0.1);
/// assert_eq!(model.income, IncomeModel::default().income);
/// let bad = IncomeModel::from_toml("[disaster]\nprobability = 1.3\n").unwrap_err();
/// assert_eq!(bad.column(), Some("disaster.probability"));
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncomeModel {
    /// Market income: growth, persistence, transitory shocks.
    pub income: IncomeProcess,
    /// Health shocks and their out-of-pocket costs (因病).
    pub health: HealthShocks,
    /// Village disasters (因灾).
    pub disaster: Disasters,
    /// Schooling costs (因学).
    pub schooling: Schooling,
    /// The non-income part of the exit standard (三保障).
    pub exit: ExitStandard,
    /// The poverty line by year.
    pub line: PovertyLine,
}

/// Log market income: growth, an AR(1) persistent component and transitory shocks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncomeProcess {
    /// Nominal growth of mean market income per year. Default 0.089: rural per-capita disposable
    /// income grew from 9,430 yuan (2013) to 17,131 yuan (2020), 8.9 % a year nominal (NBS statistical
    /// communiqués). Households without assistance are assumed to share the rural average; the faster
    /// growth in poor areas (about 11 % a year, NBS monitoring reports) includes the transfers that
    /// the measures model.
    pub growth: f64,
    /// AR(1) coefficient ρ of the persistent component (0 ≤ ρ ≤ 1). Default 0.7: a rough central value
    /// of the persistence of log income in rural Chinese panels (Jalan & Ravallion 1998, 2000, rural
    /// Guangdong–Guangxi–Guizhou–Yunnan panel; CFPS-based studies report 0.6–0.8).
    pub persistence: f64,
    /// Standard deviation σ_η of the yearly innovation of the persistent component, in log points.
    /// Default 0.15 (same sources; order of magnitude only).
    pub persistent_sd: f64,
    /// Standard deviation σ_ε of the transitory shock, in log points. Default 0.25: transitory
    /// variation dominates year-to-year rural income changes in the same panels (Jalan & Ravallion
    /// 2000 attribute about half of measured poverty to transient income); order of magnitude only.
    pub transitory_sd: f64,
}

impl Default for IncomeProcess {
    fn default() -> Self {
        IncomeProcess {
            growth: 0.089,
            persistence: 0.7,
            persistent_sd: 0.15,
            transitory_sd: 0.25,
        }
    }
}

/// Health shocks: a household-year event whose probability rises with chronic illness, disability
/// and age, with a heavy-tailed (lognormal) cost of which the household pays a share.
///
/// The probability of at least one shock in a year is
/// `1 − (1 − base)·(1 − chronic)^c·(1 − disability)^d·(1 − elderly)^e` for a household with `c`
/// chronically ill, `d` disabled and `e` elderly members.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthShocks {
    /// Yearly probability of a costly health event for a household with no chronically ill, disabled
    /// or elderly member. Default 0.05: the yearly inpatient admission rate of rural residents was
    /// about 15 per 100 people around 2015–2018 (National Health Commission statistical bulletins),
    /// most of it concentrated among the chronically ill and the old; 5 % for a household without
    /// them is a rough allocation of that rate.
    pub base_probability: f64,
    /// Added yearly probability per chronically ill member. Default 0.15 (rough, same source: the
    /// chronically ill are admitted several times as often as others).
    pub chronic_probability: f64,
    /// Added yearly probability per disabled member. Default 0.08 (rough).
    pub disability_probability: f64,
    /// Added yearly probability per elderly (60+) member. Default 0.08 (rough: rural admission rates
    /// above age 60 are two to three times the average, National Health Services Surveys 2013, 2018).
    pub elderly_probability: f64,
    /// Median total cost of a year's health shock, yuan per household. Default 5,000: the average
    /// inpatient bill per stay in county-level hospitals was about 5,000–6,000 yuan in 2015–2018
    /// (National Health Commission statistical bulletins); the median of the lognormal sits there.
    pub cost_median: f64,
    /// Log-scale standard deviation of the cost (lognormal tail). Default 1.0: the mean is then
    /// e^{0.5} ≈ 1.65 × the median, and 1 % of shocks cost over 10 × the median (a major illness),
    /// the heavy tail behind 因病致贫; a rough choice, not a fit.
    pub cost_log_sd: f64,
    /// Share of the cost paid by an insured household. Default 0.45: the rural medical scheme
    /// (NRCMS, later the integrated resident scheme) reimbursed about 55 % of inpatient costs
    /// effectively (policy range near 75 %; NHSA and NHC reports, 2016–2018).
    pub oop_share_insured: f64,
    /// Share of the cost paid by an uninsured household. Default 1.0 (pays all).
    pub oop_share_uninsured: f64,
}

impl Default for HealthShocks {
    fn default() -> Self {
        HealthShocks {
            base_probability: 0.05,
            chronic_probability: 0.15,
            disability_probability: 0.08,
            elderly_probability: 0.08,
            cost_median: 5000.0,
            cost_log_sd: 1.0,
            oop_share_insured: 0.45,
            oop_share_uninsured: 1.0,
        }
    }
}

/// Village disasters (flood, drought, hail, landslide): an event per village-year that cuts the
/// market income of every household in the village that year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Disasters {
    /// Yearly probability of a disaster in a village. Default 0.05: rough; China's crop area hit by
    /// disasters (受灾面积) was 10–15 % of sown area in 2014–2018 and the area with heavy loss (成灾)
    /// about half of that (NBS China Statistical Yearbook), taken as a one-in-twenty-year village event.
    pub probability: f64,
    /// Fraction of that year's market income lost (0–1). Default 0.3: an area counts as 成灾 when
    /// at least 30 % of the harvest is lost (Ministry of Civil Affairs definition).
    pub income_loss: f64,
}

impl Default for Disasters {
    fn default() -> Self {
        Disasters {
            probability: 0.05,
            income_loss: 0.3,
        }
    }
}

/// Schooling costs borne by households with students.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schooling {
    /// Out-of-pocket cost per student per year, yuan. Default 1,500: compulsory schooling is free of
    /// tuition and fees since 2006–2008 (两免一补), leaving board, transport and materials; senior
    /// secondary and college cost several thousand. A rough average across levels (China Institute
    /// for Educational Finance Research household surveys report rural private spending of about
    /// 1,000–3,000 yuan per student in 2017).
    pub cost_per_student: f64,
}

impl Default for Schooling {
    fn default() -> Self {
        Schooling {
            cost_per_student: 1500.0,
        }
    }
}

/// The non-income part of the exit standard, 两不愁三保障: food and clothing are covered by the
/// income line; the three guarantees are compulsory education, basic medical care and safe housing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExitStandard {
    /// Require safe housing (registry `housing_safe`) to exit. Default true (national exit standard,
    /// 关于建立贫困退出机制的意见, 2016).
    pub require_safe_housing: bool,
    /// Require basic medical insurance (registry `insured`) to exit. Default true (same source).
    pub require_insurance: bool,
    /// Whether the compulsory-education guarantee holds for every household at the start. The
    /// registry records no dropouts, and compulsory schooling has been free since 2006–2008, so the
    /// default is true; setting it false makes households with students fail the guarantee until a
    /// measure (Education) restores it.
    pub schooling_guaranteed: bool,
}

impl Default for ExitStandard {
    fn default() -> Self {
        ExitStandard {
            require_safe_housing: true,
            require_insurance: true,
            schooling_guaranteed: true,
        }
    }
}

fn probability(name: &str, v: f64) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            v,
            "is not a probability (must lie in [0, 1])",
        ))
    }
}

/// Largest money parameter of the model (a health cost median, a schooling cost, a poverty line),
/// yuan: as for measures, it keeps the engine's exact fen sums far from their range (2⁶³ fen).
pub const MAX_MODEL_YUAN: f64 = 1e12;

/// Largest yearly growth rate (of market income or of the line after its schedule): 1000 % a
/// year, far beyond any observed rate, and low enough that 200 years of it stay finite.
pub const MAX_GROWTH: f64 = 10.0;

/// A finite amount of money in [0, [`MAX_MODEL_YUAN`]].
pub(crate) fn model_money(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && (0.0..=MAX_MODEL_YUAN).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            v,
            format!("must be a finite number of yuan in [0, {MAX_MODEL_YUAN:e}]"),
        ))
    }
}

/// A finite growth rate in (−1, [`MAX_GROWTH`]].
pub(crate) fn growth_rate(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > -1.0 && v <= MAX_GROWTH {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            name,
            v,
            format!("must be a finite rate > -1 and ≤ {MAX_GROWTH}"),
        ))
    }
}

fn non_negative(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(name, v, "must be finite and ≥ 0"))
    }
}

impl IncomeModel {
    /// The model with every shock switched off: incomes grow exactly at `income.growth`.
    pub fn without_shocks(&self) -> IncomeModel {
        let mut m = self.clone();
        m.income.persistent_sd = 0.0;
        m.income.transitory_sd = 0.0;
        m.health.base_probability = 0.0;
        m.health.chronic_probability = 0.0;
        m.health.disability_probability = 0.0;
        m.health.elderly_probability = 0.0;
        m.disaster.probability = 0.0;
        m
    }

    /// Check every parameter; the error names the first bad field (`health.base_probability`, …).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] with the dotted field name, its value and the rule.
    pub fn validate(&self) -> Result<()> {
        let i = &self.income;
        growth_rate("income.growth", i.growth)?;
        probability("income.persistence", i.persistence)?;
        non_negative("income.persistent_sd", i.persistent_sd)?;
        non_negative("income.transitory_sd", i.transitory_sd)?;
        for (name, sd) in [
            ("income.persistent_sd", i.persistent_sd),
            ("income.transitory_sd", i.transitory_sd),
        ] {
            if sd > 5.0 {
                return Err(Error::invalid_parameter(
                    name,
                    sd,
                    "is implausibly large (must be ≤ 5 log points)",
                ));
            }
        }
        let h = &self.health;
        probability("health.base_probability", h.base_probability)?;
        probability("health.chronic_probability", h.chronic_probability)?;
        probability("health.disability_probability", h.disability_probability)?;
        probability("health.elderly_probability", h.elderly_probability)?;
        model_money("health.cost_median", h.cost_median)?;
        non_negative("health.cost_log_sd", h.cost_log_sd)?;
        if h.cost_log_sd > 5.0 {
            return Err(Error::invalid_parameter(
                "health.cost_log_sd",
                h.cost_log_sd,
                "is implausibly large (must be ≤ 5)",
            ));
        }
        probability("health.oop_share_insured", h.oop_share_insured)?;
        probability("health.oop_share_uninsured", h.oop_share_uninsured)?;
        probability("disaster.probability", self.disaster.probability)?;
        probability("disaster.income_loss", self.disaster.income_loss)?;
        model_money(
            "schooling.cost_per_student",
            self.schooling.cost_per_student,
        )?;
        self.line.validate()
    }

    /// Parse and validate a model from TOML (missing fields take their defaults).
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or unknown fields; [`Error::InvalidParameter`] for values.
    pub fn from_toml(text: &str) -> Result<Self> {
        let model: IncomeModel = toml::from_str(text).map_err(|e| Error::Parse {
            path: "<income model TOML>".into(),
            line: e
                .span()
                .map_or(0, |s| text[..s.start].lines().count().max(1) as u64),
            message: e.message().to_string(),
        })?;
        model.validate()?;
        Ok(model)
    }

    /// Parse and validate a model from `format` (`"json"` or `"toml"`) text.
    ///
    /// # Errors
    /// As [`IncomeModel::from_json`] and [`IncomeModel::from_toml`]; [`Error::InvalidParameter`]
    /// naming `format` for another format.
    pub fn parse(text: &str, format: &str) -> Result<Self> {
        match format {
            "json" => IncomeModel::from_json(text),
            "toml" => IncomeModel::from_toml(text),
            other => Err(Error::invalid_parameter(
                "format",
                other,
                "must be \"json\" or \"toml\"",
            )),
        }
    }

    /// The model as TOML (every field written).
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails (it does not for valid models).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Parse {
            path: "<income model TOML>".into(),
            line: 0,
            message: e.to_string(),
        })
    }

    /// Parse and validate a model from JSON (missing fields take their defaults).
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed JSON or unknown fields; [`Error::InvalidParameter`] for values.
    pub fn from_json(text: &str) -> Result<Self> {
        let model: IncomeModel = serde_json::from_str(text).map_err(|e| Error::Parse {
            path: "<income model JSON>".into(),
            line: e.line() as u64,
            message: e.to_string(),
        })?;
        model.validate()?;
        Ok(model)
    }

    /// The model as JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails (it does not for valid models).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Parse {
            path: "<income model JSON>".into(),
            line: 0,
            message: e.to_string(),
        })
    }

    /// Yearly probability of a health shock for a household with these members.
    pub fn health_probability(&self, chronic: u16, disabled: u16, elderly: u16) -> f64 {
        let h = &self.health;
        let none = (1.0 - h.base_probability)
            * (1.0 - h.chronic_probability).powi(i32::from(chronic))
            * (1.0 - h.disability_probability).powi(i32::from(disabled))
            * (1.0 - h.elderly_probability).powi(i32::from(elderly));
        1.0 - none
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip() {
        let m = IncomeModel::default();
        m.validate().unwrap();
        let toml_text = m.to_toml().unwrap();
        assert_eq!(IncomeModel::from_toml(&toml_text).unwrap(), m);
        let json = m.to_json().unwrap();
        assert_eq!(IncomeModel::from_json(&json).unwrap(), m);
        let mut custom = m.without_shocks();
        custom.line = PovertyLine::constant(3100.5);
        custom.exit.schooling_guaranteed = false;
        assert_eq!(
            IncomeModel::from_toml(&custom.to_toml().unwrap()).unwrap(),
            custom
        );
        assert_eq!(
            IncomeModel::from_json(&custom.to_json().unwrap()).unwrap(),
            custom
        );
    }

    #[test]
    fn parse_reads_either_format_and_names_another() {
        let custom = IncomeModel::default().without_shocks();
        let toml_text = custom.to_toml().unwrap();
        assert_eq!(IncomeModel::parse(&toml_text, "toml").unwrap(), custom);
        let json = custom.to_json().unwrap();
        assert_eq!(IncomeModel::parse(&json, "json").unwrap(), custom);
        let err = IncomeModel::parse(&json, "yaml").unwrap_err();
        assert_eq!((err.column(), err.value()), (Some("format"), Some("yaml")));
    }

    #[test]
    fn validation_names_each_field() {
        type Setter = Box<dyn Fn(&mut IncomeModel)>;
        let cases: Vec<(&str, Setter)> = vec![
            ("income.growth", Box::new(|m| m.income.growth = f64::NAN)),
            (
                "income.persistence",
                Box::new(|m| m.income.persistence = 1.3),
            ),
            (
                "income.persistent_sd",
                Box::new(|m| m.income.persistent_sd = -0.1),
            ),
            (
                "income.transitory_sd",
                Box::new(|m| m.income.transitory_sd = 9.0),
            ),
            (
                "health.base_probability",
                Box::new(|m| m.health.base_probability = 1.3),
            ),
            (
                "health.chronic_probability",
                Box::new(|m| m.health.chronic_probability = -0.2),
            ),
            (
                "health.disability_probability",
                Box::new(|m| m.health.disability_probability = 2.0),
            ),
            (
                "health.elderly_probability",
                Box::new(|m| m.health.elderly_probability = f64::NAN),
            ),
            (
                "health.cost_median",
                Box::new(|m| m.health.cost_median = -5.0),
            ),
            (
                "health.cost_log_sd",
                Box::new(|m| m.health.cost_log_sd = f64::INFINITY),
            ),
            (
                "health.oop_share_insured",
                Box::new(|m| m.health.oop_share_insured = 1.3),
            ),
            (
                "health.oop_share_uninsured",
                Box::new(|m| m.health.oop_share_uninsured = 1.01),
            ),
            (
                "disaster.probability",
                Box::new(|m| m.disaster.probability = 1.3),
            ),
            (
                "disaster.income_loss",
                Box::new(|m| m.disaster.income_loss = -0.5),
            ),
            (
                "schooling.cost_per_student",
                Box::new(|m| m.schooling.cost_per_student = -1.0),
            ),
            (
                "line.growth_after",
                Box::new(|m| m.line.growth_after = -2.0),
            ),
        ];
        for (name, set) in cases {
            let mut m = IncomeModel::default();
            set(&mut m);
            let e = m.validate().unwrap_err();
            assert_eq!(e.column(), Some(name), "{e}");
            assert!(e.to_string().contains(name));
        }
    }

    #[test]
    fn absurdly_large_money_and_growth_are_refused() {
        // Issue 12 item 5: finite but absurd values used to be accepted (1e300 yuan of health
        // cost, 1e300 growth), leaving the engine's fen sums to overflow.
        type Setter = Box<dyn Fn(&mut IncomeModel)>;
        let cases: Vec<(&str, Setter)> = vec![
            ("income.growth", Box::new(|m| m.income.growth = 1e300)),
            ("income.growth", Box::new(|m| m.income.growth = 10.5)),
            (
                "health.cost_median",
                Box::new(|m| m.health.cost_median = 1e300),
            ),
            (
                "schooling.cost_per_student",
                Box::new(|m| m.schooling.cost_per_student = 2e12),
            ),
            (
                "line.growth_after",
                Box::new(|m| m.line.growth_after = 1e300),
            ),
            (
                "line.schedule.2016",
                Box::new(|m| {
                    m.line.schedule.insert(2016, 1e300);
                }),
            ),
        ];
        for (name, set) in cases {
            let mut m = IncomeModel::default();
            set(&mut m);
            let e = m.validate().unwrap_err();
            assert_eq!(e.column(), Some(name), "{e}");
            assert!(e.to_string().contains(name));
        }
    }

    #[test]
    fn parse_errors_and_unknown_fields() {
        let e = IncomeModel::from_toml("[income]\ngrowht = 0.1\n").unwrap_err();
        assert!(matches!(e, Error::Parse { .. }), "{e}");
        assert!(e.to_string().contains("growht"));
        let e = IncomeModel::from_json("{\"health\": {\"base_probability\": 1.3}}").unwrap_err();
        assert_eq!(e.column(), Some("health.base_probability"));
        let e = IncomeModel::from_json("{").unwrap_err();
        assert!(matches!(e, Error::Parse { .. }));
    }

    #[test]
    fn health_probability_matches_hand_computation() {
        let m = IncomeModel::default();
        // 1 − 0.95 · 0.85² · 0.92 · 0.92⁰
        let expected = 1.0 - 0.95 * 0.85 * 0.85 * 0.92;
        assert!((m.health_probability(2, 1, 0) - expected).abs() < 1e-15);
        assert!((m.health_probability(0, 0, 0) - 0.05).abs() < 1e-15);
        assert_eq!(m.without_shocks().health_probability(3, 3, 3), 0.0);
    }
}
