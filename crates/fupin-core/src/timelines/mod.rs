//! Exit timelines: survival estimates, hazard models, calibration and projections.
//!
//! - [`Panel`]: a household × year panel of poor flags → exit and return [`Spells`] and
//!   [`PersonPeriods`] (household × year at risk) with [`TimeDummies`].
//! - [`kaplan_meier`] (Greenwood variance, log-log intervals, median with interval), by group
//!   ([`kaplan_meier_by_group`]), [`nelson_aalen`] and the [`logrank`] test.
//! - [`fit_hazard`]: discrete-time hazard models (logit, complementary log-log) fitted by IRLS, with
//!   model-based and cluster-robust errors, predicted hazards and survival curves.
//! - [`estimate_income_process`]: the income model's growth, persistence, volatilities and shock
//!   frequencies from a household × year income panel (minimum distance on growth covariances,
//!   cluster-bootstrap errors); [`fit_headcount`]: chosen parameters fitted to a headcount series
//!   by simulated method of moments with common random numbers and sandwich errors.

mod calibrate;
mod calibrate_moments;
mod hazard;
mod hazard_design;
mod irls;
mod km;
mod least_squares;
mod linalg;
mod logrank;
mod nelson_aalen;
mod person_period;
mod predict;
mod risk;
mod sandwich;
mod smm;
mod spells;

pub use calibrate::{
    Estimate, IncomeEstimate, IncomeOptions, IncomePanel, estimate_income_process,
};
pub use hazard::{HazardModel, HazardOptions, Link, fit_hazard};
pub use hazard_design::HazardDesign;
pub use km::{
    KaplanMeier, KaplanMeierByGroup, SurvivalTable, kaplan_meier, kaplan_meier_by_group,
    kaplan_meier_with,
};
pub use logrank::{LogRank, logrank};
pub use nelson_aalen::{CumulativeHazardTable, NelsonAalen, nelson_aalen, nelson_aalen_with};
pub use person_period::{PersonPeriods, TimeDummies, design_matrix};
pub use risk::DEFAULT_CONF_LEVEL;
pub use smm::{SmmFit, SmmOptions, SmmParameter, SmmTarget, fit_headcount, set_parameter};
pub use spells::{Panel, SpellKind, Spells, poor_flags};
