//! Synthetic registries calibrated to published county figures.
