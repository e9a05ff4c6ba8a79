//! Exit timelines: survival estimates, hazard models, calibration and projections.
