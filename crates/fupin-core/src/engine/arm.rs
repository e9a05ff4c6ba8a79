//! An arm of a run: what the engine needs of one scenario, prepared.

use std::sync::Arc;

use crate::dynamics::{IncomeModel, Treatment};

/// One arm of a run: a name, the income model it runs (its poverty line included) and the measures
/// applied to its households, if any. All arms of a run share common random numbers: the same
/// household, replicate, year and purpose give the same draw in every arm.
///
/// Arms are prepared from scenarios by [`crate::scenario`] (which plans each scenario's policy
/// into its treatment); Rust code may also build them directly.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Name shown in results (unique within a run).
    pub name: String,
    /// The income model of this arm, with its poverty line.
    pub model: IncomeModel,
    /// Measures applied to households, consulted once per household-year (none: the baseline).
    pub treatment: Option<Arc<dyn Treatment>>,
}

impl Arm {
    /// An arm without measures.
    pub fn new(name: impl Into<String>, model: IncomeModel) -> Self {
        Arm {
            name: name.into(),
            model,
            treatment: None,
        }
    }

    /// This arm with measures.
    pub fn with_treatment(mut self, treatment: Arc<dyn Treatment>) -> Self {
        self.treatment = Some(treatment);
        self
    }
}
