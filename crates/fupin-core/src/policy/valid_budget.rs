//! A budget valid by construction: the only way to make a [`ValidBudget`] is
//! [`ValidBudget::new`], which validates, so a budget is validated once — when it is made — and
//! the planner ([`super::plan_valid`]) and the runner take it without checking it again.

use std::ops::Deref;

use serde::Serialize;

use super::budget::Budget;
use crate::error::Result;

/// A [`Budget`] that has passed [`Budget::validate`]. It derefs to the budget and serialises as
/// one; it has no `Deserialize` (parse a [`Budget`] and make a `ValidBudget` of it).
///
/// ```compile_fail
/// // The field is private: a ValidBudget cannot be made without validating.
/// let b = fupin_core::policy::ValidBudget(fupin_core::policy::Budget::yearly(-1.0));
/// ```
///
/// # Examples
/// ```
/// use fupin_core::policy::{Budget, ValidBudget};
/// let b = ValidBudget::new(Budget::yearly(2_000_000.0))?;
/// assert!(b.carry_over);
/// assert!(ValidBudget::new(Budget::yearly(-1.0)).is_err());
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ValidBudget(Budget);

impl ValidBudget {
    /// Validate `budget` (the one validation it gets).
    ///
    /// # Errors
    /// As [`Budget::validate`].
    pub fn new(budget: Budget) -> Result<Self> {
        budget.validate()?;
        Ok(ValidBudget(budget))
    }

    /// The budget.
    pub fn budget(&self) -> &Budget {
        &self.0
    }
}

impl Deref for ValidBudget {
    type Target = Budget;

    fn deref(&self) -> &Budget {
        &self.0
    }
}
