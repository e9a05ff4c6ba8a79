//! Poverty and inequality measures.
