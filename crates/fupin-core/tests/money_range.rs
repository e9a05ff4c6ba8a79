//! Money beyond the exact accumulators' range (2⁶³ fen per household-year) is an error naming the
//! household, never a saturated sum (issue 12, item 6); large money within the range is summed
//! exactly.

mod common;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::RunConfig;
use fupin_core::registry::Registry;
use fupin_core::scenario::{Scenario, simulate};

/// The test registry with household row `row` (0-based) given `income` yuan per person, no
/// students (no schooling costs), weights 1.
fn registry_with(incomes: &[(usize, f64)]) -> Registry {
    let reg = common::registry(2, 4, 1);
    let mut h = reg.households().clone();
    for s in h.students.iter_mut() {
        *s = 0;
    }
    for &(row, income) in incomes {
        h.income_per_capita[row] = income;
    }
    Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap()
}

fn quiet(growth: f64) -> IncomeModel {
    let mut m = IncomeModel::default().without_shocks();
    m.schooling.cost_per_student = 0.0;
    m.income.growth = growth;
    m
}

fn cfg(years: u32) -> RunConfig {
    RunConfig {
        replications: 2,
        seed: 7,
        threads: Some(2),
        ..RunConfig::new(2016, years)
    }
}

#[test]
fn an_income_beyond_the_money_range_is_an_error_naming_the_household() {
    // 10¹⁷ yuan = 10¹⁹ fen > 2⁶³ ≈ 9.22·10¹⁸: it used to saturate at i64::MAX fen.
    let reg = registry_with(&[(3, 1e17)]);
    let e = simulate(
        &reg,
        &[Scenario::new("a")],
        &quiet(0.0),
        &cfg(2),
        &mut |_, _| true,
    )
    .unwrap_err();
    assert_eq!(e.row(), Some(4), "{e}");
    assert_eq!(e.column(), Some("income_per_capita"), "{e}");
    assert_eq!(e.value(), Some("100000000000000000"), "{e}");
    assert!(e.to_string().contains("2016"), "{e}");
}

#[test]
fn an_income_grown_beyond_the_range_names_the_year() {
    // 2·10¹⁵ yuan growing tenfold a year: 2·10¹⁶ in 2016 (in range), 2·10¹⁷ in 2017 (not).
    let reg = registry_with(&[(5, 2e15)]);
    let e = simulate(
        &reg,
        &[Scenario::new("a")],
        &quiet(9.0),
        &cfg(3),
        &mut |_, _| true,
    )
    .unwrap_err();
    assert_eq!(
        (e.row(), e.column()),
        (Some(6), Some("income_per_capita")),
        "{e}"
    );
    assert!(e.to_string().contains("in 2017"), "{e}");
}

#[test]
fn large_incomes_within_the_range_are_summed_exactly() {
    // 10¹⁵ and 9·10¹⁶ yuan (10¹⁷ and 9·10¹⁸ fen: above 2⁵², the wide path, below 2⁶³).
    let reg = registry_with(&[(0, 1e15), (6, 9e16)]);
    let r = simulate(
        &reg,
        &[Scenario::new("a")],
        &quiet(0.0),
        &cfg(2),
        &mut |_, _| true,
    )
    .unwrap();
    let h = reg.households();
    // Mean net income per person = Σ size·fen / Σ size / 100, in exact integers.
    let fen: i128 = (0..h.len())
        .map(|i| i128::from(h.size[i]) * (h.income_per_capita[i] * 100.0).round() as i128)
        .sum();
    let people: i128 = h.size.iter().map(|&s| i128::from(s)).sum();
    let expected = fen as f64 / people as f64 / 100.0;
    for &m in &r.summary().mean_income {
        assert!(
            (m - expected).abs() <= 1e-12 * expected,
            "{m} vs {expected}"
        );
    }
}
