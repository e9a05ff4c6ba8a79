//! Targeting: proxy-means tests, quotas, targeting accuracy, the Alkire–Foster index, exit standards
//! and record checks.
//!
//! 精准识别 — finding the right households — is half of the programme. This module holds:
//!
//! * [`ProxyMeansTest`] (weighted least squares with HC1 standard errors), [`Dummies`] for
//!   categorical proxies, [`log_target`], and k-fold [`cross_validate`];
//! * selection by threshold ([`select_below`]) or by quota allocated county → village
//!   ([`allocate_top_down`], [`select_by_quota`], [`quota_selection`]);
//! * targeting accuracy ([`errors`], [`error_curve`], [`errors_by_group`]);
//! * the Alkire–Foster multidimensional poverty index ([`mpi`]) with presets for the five looks and
//!   两不愁三保障 ([`five_looks`], [`two_assurances_three_guarantees`]);
//! * exit standards as data ([`Checklist`], [`exit_check`]);
//! * record checks (数据清洗, [`RecordRules`], [`check_records`]);
//! * dynamic adjustment (应进必进、应退必退, [`adjust`]).

// Households, villages and indicators are parallel arrays indexed by the same row; an index loop
// says so most plainly (the registry's validation does the same).
#![allow(clippy::needless_range_loop)]

mod accuracy;
mod adjust;
mod apportion;
mod checklist;
mod cv;
mod design;
mod exit;
mod fields;
mod linalg;
mod mpi;
mod pmt;
mod pmt_design;
mod presets;
mod record_checks;
mod selection;
mod sums;
#[cfg(test)]
mod testutil;
mod validate;

pub use accuracy::{TargetingErrors, error_curve, errors, errors_by_group};
pub use adjust::{Adjustment, Change, HouseholdChange, adjust, adjust_with};
pub use checklist::{COUNTY_ERROR_RATE_LIMIT, Checklist, Clause, Condition, IfMissing, Op, Unit};
pub use cv::{CrossValidation, cross_validate};
pub use design::{Dummies, log_target};
pub use exit::{
    CountyExit, ExitData, ExitReport, HouseholdExit, VillageExit, exit_check, exit_check_with,
};
pub use fields::HOUSEHOLD_FIELDS;
pub use linalg::COLLINEARITY_TOLERANCE;
pub use mpi::{GroupMpi, Mpi, SCORE_TOLERANCE, mpi};
pub use pmt::{INTERCEPT, ProxyMeansTest};
pub use pmt_design::{PmtDesign, Proxy};
pub use presets::{
    EDUCATION_CUTOFF_YEARS, IndicatorSet, five_looks, two_assurances_three_guarantees,
};
pub use record_checks::{
    Flag, Persons, RecordCheck, RecordData, RecordRules, Rule, RuleSpec, check_records,
};
pub use selection::{
    QuotaPlan, QuotaSelection, allocate_quota, allocate_top_down, estimated_poor_by_village,
    quota_selection, select_below, select_by_quota,
};
