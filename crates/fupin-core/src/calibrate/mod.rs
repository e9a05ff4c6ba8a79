//! Calibration of the income model to data: above `scenario`, because fitting a headcount series
//! runs the engine.
//!
//! - [`estimate_income_process`]: the income model's growth, persistence, volatilities and shock
//!   frequencies from a household × year income panel (minimum distance on growth covariances,
//!   cluster-bootstrap errors; the moment conditions are in `income.rs`).
//! - [`fit_headcount`]: chosen parameters fitted to a headcount series by simulated method of
//!   moments with common random numbers and sandwich errors (runs scenarios through
//!   [`crate::scenario::simulate`]).
//!
//! Both minimise by bounded Levenberg–Marquardt (`least_squares.rs`).

mod income;
mod income_moments;
mod least_squares;
mod smm;

pub use income::{Estimate, IncomeEstimate, IncomeOptions, IncomePanel, estimate_income_process};
pub use smm::{SmmFit, SmmOptions, SmmParameter, SmmTarget, fit_headcount, set_parameter};
