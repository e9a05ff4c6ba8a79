//! Assistance measures (五个一批 and the guarantees): cost, eligibility, effect.
//!
//! Each measure is plain serde data ([`MeasureSpec`], tagged by `kind`) with defaults whose sources
//! are given field by field (seed reports of DESIGN.md "Seed facts", national programme figures, or
//! "assumption" where no published figure fits). A [`MeasureCatalog`] names specs; users add their
//! own variants in TOML, JSON or Python without writing Rust.
//!
//! | kind | cost | eligibility (default) | effect |
//! | --- | --- | --- | --- |
//! | [`Industry`] | grant, guarantee reserve `loan / leverage`, interest subsidy | labour ≥ 1 | random gain after a lag, yearly failure risk |
//! | [`AssetIncome`] | investment | any | stable payout after a lag |
//! | [`Employment`] | training; wage subsidy while employed (random, reserved) | labour ≥ 1 | placement × earnings |
//! | [`Relocation`] | per person over 1–2 years | inhospitable | safe housing; farm income falls; wage gain |
//! | [`HousingRenovation`] | per household | unsafe housing | safe housing |
//! | [`WelfareFloor`] | the gap (random, capped at the reservation) | little or no labour, elderly, disabled | income topped up to the floor |
//! | [`Education`] | per student per year | students | no schooling costs; guarantee; vocational gain after a lag |
//! | [`Health`] | premium per person; reimbursements (random, capped) | any | insured; out-of-pocket share cut |
//! | [`EcologicalCompensation`] | ranger pay, grain-to-green payments | labour ≥ 1 | the same money as income |
//!
//! **Costs and the budget.** For every household-year a measure has a deterministic cost and a
//! ceiling on its random cost ([`Costs`], [`Reservation`], in fen). A plan reserves both, and a
//! measure never spends more than its reservation: reimbursements and wage subsidies are capped in
//! [`MeasureSpec`]'s effect, and the floor's top-up is capped by the engine at
//! `YearState::floor_cap_fen`. Hence spending ≤ reservations ≤ budget, in every replicate.
//!
//! **Intensity.** Assignments carry an intensity (1: the measure as specified). Money — costs,
//! gains, payouts, floors — scales with it; guarantees (safe housing, insurance, schooling) and the
//! move of a relocation need a full measure.

mod catalog;
mod eligibility;
mod guarantees;
mod income;
mod ranges;
mod spec;
#[cfg(test)]
pub(crate) mod testutil;

pub use catalog::{MAX_MEASURES, MeasureCatalog, NamedMeasure};
pub use eligibility::Eligibility;
pub use guarantees::{Education, Health, HousingRenovation, Relocation, WelfareFloor};
pub use income::{AssetIncome, EcologicalCompensation, Employment, Industry, MAX_MEASURE_YEARS};
pub(crate) use spec::{Active, memory};
pub use spec::{Costs, MeasureKind, MeasureSpec, Reservation, draw};

#[cfg(test)]
mod tests {
    use super::testutil::one_village;
    use super::*;

    #[test]
    fn costs_by_hand() {
        let reg = one_village();
        let c = MeasureCatalog::default();
        let cost =
            |name: &str, row: usize, k: u32| c.get(name).unwrap().costs(&reg, row, k, 3000.0);
        // Industry: grant 3,500 in year 0, nothing after.
        assert_eq!(
            cost("industry", 0, 0),
            Costs {
                fixed: 3500.0,
                capped: 0.0
            }
        );
        assert_eq!(cost("industry", 0, 1), Costs::default());
        // With a 50,000 loan: reserve 5,000 and 4.75 % interest for three years.
        assert_eq!(
            cost("industry_credit", 0, 0).fixed,
            3500.0 + 5000.0 + 2375.0
        );
        assert_eq!(cost("industry_credit", 0, 2).fixed, 2375.0);
        assert_eq!(cost("industry_credit", 0, 3).fixed, 0.0);
        // PV: 24,000 once. Shares: 27e6 / 10,144 per person (row 0 has four members).
        assert_eq!(cost("asset_income", 0, 0).fixed, 24_000.0);
        assert!((cost("dividend_shares", 0, 0).fixed - 4.0 * 27e6 / 10_144.0).abs() < 1e-6);
        // Employment: training 2,000 for one worker; subsidy 300 × 10 reserved for three years.
        assert_eq!(
            cost("employment", 0, 0),
            Costs {
                fixed: 2000.0,
                capped: 3000.0
            }
        );
        assert_eq!(cost("employment", 0, 3), Costs::default());
        // Relocation of five people over two years.
        let per_year = 5.0 * 302e6 / 7437.0 / 2.0;
        assert!((cost("relocation", 5, 1).fixed - per_year).abs() < 1e-6);
        assert_eq!(cost("relocation", 5, 2).fixed, 0.0);
        // Floor: the line times the size, reserved; premiums 180 per person plus a 5,000 cap.
        assert_eq!(
            cost("welfare_floor", 1, 4),
            Costs {
                fixed: 0.0,
                capped: 6000.0
            }
        );
        assert_eq!(
            cost("health", 5, 0),
            Costs {
                fixed: 900.0,
                capped: 5000.0
            }
        );
        assert_eq!(cost("education", 4, 0).fixed, 6000.0);
        // Ecology: one ranger 10,000 plus 1,200 for five years.
        assert_eq!(cost("ecological_compensation", 0, 4).fixed, 11_200.0);
        assert_eq!(cost("ecological_compensation", 0, 5).fixed, 10_000.0);
        assert_eq!(cost("housing_renovation", 5, 0).fixed, 14_000.0);
        // Reservations scale with intensity and round down to fen.
        let r = c
            .get("health")
            .unwrap()
            .reservation(&reg, 5, 0, 3000.0, 1.0 / 3.0);
        assert_eq!(
            r,
            Reservation {
                fixed_fen: 30_000,
                cap_fen: 166_666
            }
        );
    }

    #[test]
    fn default_eligibility_per_kind() {
        let reg = one_village();
        let c = MeasureCatalog::default();
        let who = |name: &str| -> Vec<usize> {
            (0..6)
                .filter(|&r| c.get(name).unwrap().eligible(&reg, r))
                .collect()
        };
        assert_eq!(who("industry"), vec![0, 2, 3, 5]);
        assert_eq!(who("welfare_floor"), vec![1, 2, 3]);
        assert_eq!(who("relocation"), vec![5]);
        assert_eq!(who("housing_renovation"), vec![5]);
        assert_eq!(who("education"), Vec::<usize>::new()); // row 4 is not registered
        assert_eq!(who("health"), vec![0, 1, 2, 3, 5]);
    }
}
