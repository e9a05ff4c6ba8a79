//! Exit timelines: survival estimates and hazard models over panels and simulated spells.
//!
//! - [`Panel`]: a household × year panel of poor flags → exit and return [`Spells`] and
//!   [`PersonPeriods`] (household × year at risk) with [`TimeDummies`].
//! - [`kaplan_meier`] (Greenwood variance, log-log intervals, median with interval), by group
//!   ([`kaplan_meier_by_group`]), [`nelson_aalen`] and the [`logrank`] test.
//! - [`fit_hazard`]: discrete-time hazard models (logit, complementary log-log) fitted by IRLS, with
//!   model-based and cluster-robust errors, predicted hazards and survival curves.
//!
//! Calibration of the income model (which runs the engine) is in [`crate::calibrate`], above.

mod hazard;
mod hazard_design;
mod irls;
mod km;
pub(crate) mod linalg;
mod logrank;
mod nelson_aalen;
mod person_period;
mod predict;
mod risk;
mod sandwich;
mod spells;

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
pub use spells::{Panel, SpellKind, Spells, poor_flags};
