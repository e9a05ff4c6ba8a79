//! # fupin-core
//!
//! Targeting and policy simulation for poverty-alleviation programmes, modelled on China's targeted
//! poverty alleviation (精准扶贫, 2014–2020). This crate is the model in pure Rust; the Python package
//! `fupin` is a thin face over it.
//!
//! Modules, from the bottom up (each imports only modules above it in this list; the test
//! `tests/layers.rs` checks the direction):
//!
//! * leaves: [`error`], [`cancel`], [`parallel`], [`units`] (money and weight units), [`files`]
//!   (TOML/JSON with line numbers), [`random`] (keyed randomness and the one table of every draw
//!   purpose), [`fastmath`], [`simd`];
//! * [`registry`] (households, villages, counties), [`synth`] (synthetic registries), [`metrics`]
//!   (poverty and inequality measures), [`targeting`] (PMT, quotas, accuracy, MPI, exit checks);
//! * [`dynamics`]: the income model, its line, and the household-year contract (`YearContext`,
//!   `YearState`, `Treatment`);
//! * [`measures`] (assistance measures), then [`policy`] (allocation rules and budgets, planned
//!   before any draw; never imports the engine);
//! * [`engine`]: runs prepared arms into exact accumulators (never imports policy);
//! * [`results`]: every table, band and comparison read from the accumulators;
//! * [`scenario`]: plans each scenario's policy into an arm and runs the engine;
//! * [`timelines`] (survival and hazard models) and [`calibrate`] (fitting the model to data,
//!   running scenarios).
//!
//! Data flows one way: [`registry`] → [`policy`] plans measures → [`scenario`] prepares arms →
//! [`engine`] runs [`dynamics`] with the measures → accumulators → [`results`] → [`metrics`] /
//! [`timelines`] / [`calibrate`].
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod calibrate;
pub mod cancel;
pub mod dynamics;
pub mod engine;
pub mod error;
pub mod fastmath;
pub mod files;
pub mod measures;
pub mod metrics;
pub mod parallel;
pub mod policy;
pub mod random;
pub mod registry;
pub mod results;
pub mod scenario;
pub mod simd;
pub mod stats;
pub mod synth;
pub mod targeting;
pub mod timelines;
pub mod units;

pub use error::{Error, Result};
pub use registry::{Cause, CauseSet, Ids, Region, Registry};
