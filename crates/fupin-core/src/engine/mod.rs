//! The Monte Carlo runner: random streams, accumulators, results.
