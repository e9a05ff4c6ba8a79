//! Measures that add income: Industry (产业), AssetIncome (资产收益/光伏), Employment (转移就业) and
//! EcologicalCompensation (生态补偿). Money amounts are yuan; "per household" amounts are spread
//! over the household's members when they enter income per person.

use serde::{Deserialize, Serialize};

use super::Eligibility;
use super::ranges::{money, share, within, years};
use super::spec::{Active, Costs, draw, memory};
use crate::dynamics::{YearContext, YearState};
use crate::error::Result;
use crate::units::fen;

/// Largest lag, duration or term in years.
pub const MAX_MEASURE_YEARS: u32 = 100;

/// Industry support (产业扶贫): a one-off grant per household, optionally a guaranteed microcredit
/// loan, and extra income after a lag, random, with a yearly risk that the venture fails.
///
/// Cost: the grant and the guarantee reserve `loan / leverage` in the start year (the guarantee
/// fund's capital behind the loan, paid from the budget), plus the interest subsidy
/// `loan × interest_subsidy_rate` in each year of the loan's term. All deterministic.
///
/// Effect: from `lag` years after the start, while the venture survives, income per household
/// rises by `income_gain · exp(σ z − σ²/2) + loan · loan_return` (z standard normal, drawn once per
/// household-replicate, so the mean gain is `income_gain`); each year from the lag on, the venture
/// fails with probability `failure_probability` and then pays nothing for the rest of the run (a
/// loan outstanding at failure defaults — the whole principal, repaid only at the end of the term —
/// and its loss falls on the guarantee fund, not on the household or the budget: the repayment
/// risk the fund's leverage prices; see `policy::GuaranteeFund`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Industry {
    /// Who may receive it. Default: at least one member able to work (DESIGN.md measures table).
    pub eligibility: Eligibility,
    /// One-off grant per household, yuan. Default 3,500: Pingguo's start-up grant of up to 3,500
    /// yuan per household (seed 004).
    pub grant_per_household: f64,
    /// Guaranteed microcredit per household, yuan (0: none). Default 0; the national poverty
    /// microcredit (扶贫小额信贷, 国开办发〔2014〕78号) lends up to 50,000 yuan for up to 3 years,
    /// without collateral, at the benchmark rate with the interest subsidised (the `industry_credit`
    /// measure of the default catalogue).
    pub loan_per_household: f64,
    /// Loans backed per yuan of guarantee fund. Default 10: Taiqian's 10 M yuan fund lent out 100 M
    /// (seed 000).
    pub leverage: f64,
    /// Yearly interest subsidy as a share of the loan. Default 0.0475: the PBoC one-to-five-year
    /// benchmark lending rate from October 2015, fully subsidised (财政贴息).
    pub interest_subsidy_rate: f64,
    /// Term of the loan, years. Default 3 (national microcredit policy).
    pub loan_years: u32,
    /// Extra yearly income per yuan of loan, net of repayment. Default 0.10 (assumption).
    pub loan_return: f64,
    /// Mean extra income per household per year once producing, yuan. Default 2,500 (assumption:
    /// of the order of a household livestock or cash-crop project's net return).
    pub income_gain: f64,
    /// Log-scale standard deviation of the gain across households and replicates. Default 0.5
    /// (assumption).
    pub gain_log_sd: f64,
    /// Years from the start until the venture produces. Default 1 (assumption: one season).
    pub lag: u32,
    /// Yearly probability that a producing venture fails for good. Default 0.10 (assumption).
    pub failure_probability: f64,
    /// Years the gain lasts once producing (none: for the rest of the run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

impl Default for Industry {
    fn default() -> Self {
        Industry {
            eligibility: Eligibility {
                min_labour: 1,
                ..Eligibility::default()
            },
            grant_per_household: 3500.0,
            loan_per_household: 0.0,
            leverage: 10.0,
            interest_subsidy_rate: 0.0475,
            loan_years: 3,
            loan_return: 0.10,
            income_gain: 2500.0,
            gain_log_sd: 0.5,
            lag: 1,
            failure_probability: 0.10,
            duration: None,
        }
    }
}

impl Industry {
    /// The years a loan stays outstanding (at least one): planning counts it against the
    /// guarantee fund for this long, and a failure within it defaults the loan.
    pub(crate) fn loan_term(&self) -> u32 {
        self.loan_years.max(1)
    }

    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(name, "grant_per_household", self.grant_per_household)?;
        money(name, "loan_per_household", self.loan_per_household)?;
        within(name, "leverage", self.leverage, 1.0, 1000.0)?;
        share(name, "interest_subsidy_rate", self.interest_subsidy_rate)?;
        years(name, "loan_years", self.loan_years, 0, MAX_MEASURE_YEARS)?;
        within(name, "loan_return", self.loan_return, -1.0, 10.0)?;
        money(name, "income_gain", self.income_gain)?;
        within(name, "gain_log_sd", self.gain_log_sd, 0.0, 5.0)?;
        years(name, "lag", self.lag, 0, MAX_MEASURE_YEARS)?;
        share(name, "failure_probability", self.failure_probability)?;
        if let Some(d) = self.duration {
            years(name, "duration", d, 1, MAX_MEASURE_YEARS)?;
        }
        Ok(())
    }

    pub(crate) fn costs(&self, k: u32) -> Costs {
        let mut fixed = 0.0;
        if k == 0 {
            fixed += self.grant_per_household + self.loan_per_household / self.leverage;
        }
        if k < self.loan_years {
            fixed += self.loan_per_household * self.interest_subsidy_rate;
        }
        Costs { fixed, capped: 0.0 }
    }

    pub(crate) fn apply(&self, a: &Active, ctx: &YearContext<'_>, st: &mut YearState) -> i64 {
        if a.k >= self.lag
            && self.duration.is_none_or(|d| a.k < self.lag + d)
            && !memory::bit(st, memory::INDUSTRY_FAILED, a.slot)
        {
            if draw::yearly(ctx, draw::INDUSTRY_FAILURE, a.start_year) < self.failure_probability {
                memory::set_bit(st, memory::INDUSTRY_FAILED, a.slot);
                if a.k < self.loan_term() {
                    // The loan outstanding defaults: a loss of the guarantee fund.
                    st.guarantee_loss_fen += fen(self.loan_per_household * a.intensity);
                }
            } else {
                let s = self.gain_log_sd;
                let z = draw::per_replicate_normal(ctx, draw::INDUSTRY_GAIN, a.start_year);
                let gain = self.income_gain * (s * z - 0.5 * s * s).exp()
                    + self.loan_per_household * self.loan_return;
                st.transfers += a.intensity * gain / a.size;
            }
        }
        a.reserved.fixed_fen
    }
}

/// Asset income (资产收益): an investment on the household's behalf (a PV installation, shares in a
/// cooperative or village station) that pays a stable yearly dividend.
///
/// Cost: the investment in the start year. Effect: from `lag` years after the start, for
/// `duration` years (none: the rest of the run), income rises by the payout. No randomness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssetIncome {
    /// Who may receive it. Default: any registered household (suits households without labour).
    pub eligibility: Eligibility,
    /// Investment per household, yuan. Default 24,000 (assumption: a 3 kW household PV system at
    /// about 8 yuan/W, 2016 prices).
    pub investment_per_household: f64,
    /// Investment per member, yuan. Default 0.
    pub investment_per_person: f64,
    /// Yearly payout per household, yuan. Default 3,000: DESIGN.md's PV figure of about
    /// 3,000–3,500 yuan per household per year (Taiqian, seed 000: about 3,500), at its low end.
    pub payout_per_household: f64,
    /// Yearly payout per member, yuan. Default 0 (the `dividend_shares` measure uses Linfen's
    /// 391.25 yuan per person per year, seed 001).
    pub payout_per_person: f64,
    /// Years from the investment to the first payout. Default 1 (assumption: building the asset).
    pub lag: u32,
    /// Years of payout (none: the rest of the run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

impl Default for AssetIncome {
    fn default() -> Self {
        AssetIncome {
            eligibility: Eligibility::default(),
            investment_per_household: 24_000.0,
            investment_per_person: 0.0,
            payout_per_household: 3000.0,
            payout_per_person: 0.0,
            lag: 1,
            duration: None,
        }
    }
}

impl AssetIncome {
    /// Linfen's asset-income shares (seed 001): 27 M yuan for 10,144 people (2,661.67 yuan per
    /// person) paying 391.25 yuan per person per year.
    pub fn dividend_shares() -> Self {
        AssetIncome {
            investment_per_household: 0.0,
            investment_per_person: 27_000_000.0 / 10_144.0,
            payout_per_household: 0.0,
            payout_per_person: 391.25,
            ..AssetIncome::default()
        }
    }

    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(
            name,
            "investment_per_household",
            self.investment_per_household,
        )?;
        money(name, "investment_per_person", self.investment_per_person)?;
        money(name, "payout_per_household", self.payout_per_household)?;
        money(name, "payout_per_person", self.payout_per_person)?;
        years(name, "lag", self.lag, 0, MAX_MEASURE_YEARS)?;
        if let Some(d) = self.duration {
            years(name, "duration", d, 1, MAX_MEASURE_YEARS)?;
        }
        Ok(())
    }

    pub(crate) fn costs(&self, k: u32, size: f64) -> Costs {
        let fixed = if k == 0 {
            self.investment_per_household + self.investment_per_person * size
        } else {
            0.0
        };
        Costs { fixed, capped: 0.0 }
    }

    pub(crate) fn apply(&self, a: &Active, st: &mut YearState) -> i64 {
        if a.k >= self.lag && self.duration.is_none_or(|d| a.k < self.lag + d) {
            st.transfers +=
                a.intensity * (self.payout_per_household / a.size + self.payout_per_person);
        }
        a.reserved.fixed_fen
    }
}

/// Employment (转移就业): training for the household's workers, then each year a chance of a wage
/// job, kept with a yearly risk of losing it, and a wage subsidy while employed.
///
/// Cost: training in the start year (deterministic); the wage subsidy `wage_subsidy_per_month ×
/// subsidy_months` per worker in each of the first `subsidy_years` years, paid only in years the
/// workers are employed (random; the plan reserves it in full, so spending never exceeds it).
///
/// Effect: from `lag` years after the start, unemployed workers find a job with probability
/// `placement_probability` a year and employed ones lose it with probability
/// `job_loss_probability`; while employed the household earns `earnings_per_worker` per worker
/// plus the subsidy. `workers = min(labour, workers_per_household)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Employment {
    /// Who may receive it. Default: at least one member able to work.
    pub eligibility: Eligibility,
    /// Workers trained and placed per household (at most its labour). Default 1.
    pub workers_per_household: u16,
    /// Training cost per worker, yuan. Default 2,000 (assumption: vocational training subsidies of
    /// 雨露计划 and the employment-training programmes ran at about 1,500–3,000 yuan per trainee).
    pub training_per_worker: f64,
    /// Yearly probability that an unemployed trained worker is placed. Default 0.5 (assumption;
    /// Changle, seed 002, placed 80 jobs in a year).
    pub placement_probability: f64,
    /// Yearly probability that an employed worker loses the job. Default 0.15 (assumption).
    pub job_loss_probability: f64,
    /// Net yearly earnings per employed worker that reach the household, yuan. Default 10,000
    /// (assumption: migrant workers averaged 3,275 yuan a month in 2016, NBS migrant worker
    /// monitoring report; about a third of ten months' pay net of living costs away from home).
    pub earnings_per_worker: f64,
    /// Wage subsidy per employed worker per month, yuan. Default 300: Pingguo's subsidy for migrant
    /// work of more than six months (seed 004; 100 yuan a month for local flexible work).
    pub wage_subsidy_per_month: f64,
    /// Months of subsidy per employed year. Default 10 (assumption: months away from home).
    pub subsidy_months: f64,
    /// Years in which the subsidy is paid. Default 3 (assumption).
    pub subsidy_years: u32,
    /// Years from training to the first chance of a job. Default 0.
    pub lag: u32,
}

impl Default for Employment {
    fn default() -> Self {
        Employment {
            eligibility: Eligibility {
                min_labour: 1,
                ..Eligibility::default()
            },
            workers_per_household: 1,
            training_per_worker: 2000.0,
            placement_probability: 0.5,
            job_loss_probability: 0.15,
            earnings_per_worker: 10_000.0,
            wage_subsidy_per_month: 300.0,
            subsidy_months: 10.0,
            subsidy_years: 3,
            lag: 0,
        }
    }
}

impl Employment {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        within(
            name,
            "workers_per_household",
            f64::from(self.workers_per_household),
            1.0,
            100.0,
        )?;
        money(name, "training_per_worker", self.training_per_worker)?;
        share(name, "placement_probability", self.placement_probability)?;
        share(name, "job_loss_probability", self.job_loss_probability)?;
        money(name, "earnings_per_worker", self.earnings_per_worker)?;
        money(name, "wage_subsidy_per_month", self.wage_subsidy_per_month)?;
        within(name, "subsidy_months", self.subsidy_months, 0.0, 12.0)?;
        years(
            name,
            "subsidy_years",
            self.subsidy_years,
            0,
            MAX_MEASURE_YEARS,
        )?;
        years(name, "lag", self.lag, 0, MAX_MEASURE_YEARS)
    }

    pub(crate) fn workers(&self, labour: u16) -> f64 {
        f64::from(labour.min(self.workers_per_household))
    }

    pub(crate) fn costs(&self, k: u32, labour: u16) -> Costs {
        let w = self.workers(labour);
        Costs {
            fixed: if k == 0 {
                self.training_per_worker * w
            } else {
                0.0
            },
            capped: if k < self.subsidy_years {
                self.wage_subsidy_per_month * self.subsidy_months * w
            } else {
                0.0
            },
        }
    }

    pub(crate) fn apply(&self, a: &Active, ctx: &YearContext<'_>, st: &mut YearState) -> i64 {
        let mut spent = a.reserved.fixed_fen;
        if a.k < self.lag {
            return spent;
        }
        let u = draw::yearly(ctx, draw::EMPLOYMENT, a.start_year);
        let was = memory::bit(st, memory::EMPLOYED, a.slot);
        let employed = if was {
            u >= self.job_loss_probability
        } else {
            u < self.placement_probability
        };
        if employed != was {
            memory::set_bit_to(st, memory::EMPLOYED, a.slot, employed);
        }
        if employed {
            let w = self.workers(a.labour);
            st.transfers += a.intensity * w * self.earnings_per_worker / a.size;
            // The subsidy is paid in full (exactly the reservation) in an employed year.
            spent += a.reserved.cap_fen;
            st.transfers += a.reserved.cap_fen as f64 / 100.0 / a.size;
        }
        spent
    }
}

/// Ecological compensation (生态补偿): ecological ranger posts (生态护林员) and grain-to-green
/// payments (退耕还林).
///
/// Cost and effect are the same money, deterministic: each year the rangers' pay and, for the first
/// `grain_to_green_years` years, the grain-to-green payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EcologicalCompensation {
    /// Who may receive it. Default: at least one member able to work (a ranger).
    pub eligibility: Eligibility,
    /// Ranger posts per household (at most its labour). Default 1.
    pub rangers_per_household: u16,
    /// Yearly pay of a ranger post, yuan. Default 10,000: the national ranger posts for registered
    /// poor people paid about 10,000 yuan a year (MoF and State Forestry Administration, 2016).
    pub ranger_wage: f64,
    /// Yearly grain-to-green payment per household, yuan. Default 1,200 (assumption: the 2014 round
    /// paid 1,200 yuan of cash per mu over five years; 5 mu per household gives 1,200 a year).
    pub grain_to_green_per_household: f64,
    /// Years of grain-to-green payments. Default 5 (2014 round).
    pub grain_to_green_years: u32,
}

impl Default for EcologicalCompensation {
    fn default() -> Self {
        EcologicalCompensation {
            eligibility: Eligibility {
                min_labour: 1,
                ..Eligibility::default()
            },
            rangers_per_household: 1,
            ranger_wage: 10_000.0,
            grain_to_green_per_household: 1200.0,
            grain_to_green_years: 5,
        }
    }
}

impl EcologicalCompensation {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        within(
            name,
            "rangers_per_household",
            f64::from(self.rangers_per_household),
            0.0,
            100.0,
        )?;
        money(name, "ranger_wage", self.ranger_wage)?;
        money(
            name,
            "grain_to_green_per_household",
            self.grain_to_green_per_household,
        )?;
        years(
            name,
            "grain_to_green_years",
            self.grain_to_green_years,
            0,
            MAX_MEASURE_YEARS,
        )
    }

    pub(crate) fn costs(&self, k: u32, labour: u16) -> Costs {
        let rangers = f64::from(labour.min(self.rangers_per_household));
        let mut fixed = rangers * self.ranger_wage;
        if k < self.grain_to_green_years {
            fixed += self.grain_to_green_per_household;
        }
        Costs { fixed, capped: 0.0 }
    }

    pub(crate) fn apply(&self, a: &Active, st: &mut YearState) -> i64 {
        // The payment is the income: exactly the reserved fen.
        st.transfers += a.reserved.fixed_fen as f64 / 100.0 / a.size;
        a.reserved.fixed_fen
    }
}
