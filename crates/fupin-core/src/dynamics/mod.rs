//! The stochastic income model and its shocks.
