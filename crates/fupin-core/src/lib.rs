//! # fupin-core
//!
//! Targeting and policy simulation for poverty-alleviation programmes, modelled on China's targeted
//! poverty alleviation (精准扶贫, 2014–2020). This crate is the model in pure Rust; the Python package
//! `fupin` is a thin face over it.
//!
//! Data flows one way: [`registry`] → policy assigns measures → [`engine`] runs [`dynamics`] with
//! measures → accumulators → results → [`metrics`] / [`timelines`].
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cancel;
pub mod dynamics;
pub mod engine;
pub mod error;
pub mod fastmath;
pub mod measures;
pub mod metrics;
pub mod parallel;
pub mod policy;
pub mod registry;
pub mod rng;
pub mod simd;
pub mod stats;
pub mod synth;
pub mod targeting;
pub mod timelines;

pub use error::{Error, Result};
pub use registry::{Cause, CauseSet, Ids, Region, Registry};
