//! The register of poor households (建档立卡), stored column-wise.
//!
//! A [`Registry`] holds households, villages and counties as structs of arrays: one `Vec` per field,
//! villages and counties referred to by dense indices, external ids kept only for input and output.
//! A registry is always valid: [`Registry::new`] checks every invariant and names the column, row and
//! value of the first violation; there is no way to build one that skips the checks.
//!
//! Input arrives as a [`Table`] (from CSV via [`csv_io`], or from DataFrames via the Python package)
//! and is converted by [`Registry::from_tables`]; [`Registry::households_table`] and
//! [`Registry::villages_table`] give it back losslessly.

mod codes;
mod columns;
pub mod csv_io;
mod export;
mod ids;
mod import;
mod table;
mod table_from;
mod validate;

pub use codes::{Cause, CauseSet, Region};
pub use columns::{HOUSEHOLD_COLUMNS, VILLAGE_COLUMNS, unknown_columns, unread_columns_warning};
pub use ids::{IdIndex, IdRef, Ids};
pub use table::{Column, ColumnData, Table, format_float};
pub use table_from::serde_name;

use crate::error::{Error, Result};

/// Default years of schooling of the household head when the column is absent: primary school
/// completed (the modal level of registered heads in the 2014 register, State Council LGOP).
pub const DEFAULT_HEAD_EDUCATION_YEARS: u8 = 6;

/// Households, one entry per household in every field (struct of arrays).
///
/// Counts are numbers of household members. Money is yuan per person per year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Households {
    /// External household ids (unique).
    pub id: Ids,
    /// Dense index of the household's village in [`Villages`].
    pub village: Vec<u32>,
    /// Members (≥ 1).
    pub size: Vec<u16>,
    /// Per-capita net income, yuan per person per year (≥ 0).
    pub income_per_capita: Vec<f64>,
    /// Members able to work (≤ size).
    pub labour: Vec<u16>,
    /// Members aged 60 or over (≤ size).
    pub elderly: Vec<u16>,
    /// Members in school (≤ size).
    pub students: Vec<u16>,
    /// Members with a chronic illness (≤ size).
    pub chronic_illness: Vec<u16>,
    /// Members with a disability (≤ size).
    pub disability: Vec<u16>,
    /// Housing judged safe (住房安全).
    pub housing_safe: Vec<bool>,
    /// Safe drinking water (饮水安全).
    pub safe_water: Vec<bool>,
    /// Covered by basic medical insurance (基本医疗保险).
    pub insured: Vec<bool>,
    /// Lives where "the land cannot feed its people": a relocation candidate (易地搬迁).
    pub inhospitable: Vec<bool>,
    /// Years of schooling of the household head.
    pub head_education_years: Vec<u8>,
    /// Causes of poverty (several per household).
    pub causes: Vec<CauseSet>,
    /// The primary cause, one of `causes`.
    pub primary_cause: Vec<Option<Cause>>,
    /// Survey weight (> 0; 1 for a full register).
    pub weight: Vec<f64>,
    /// Registered poor (建档立卡贫困户); unregistered rows serve incidence and new entrants.
    pub registered: Vec<bool>,
}

impl Households {
    /// Number of households.
    pub fn len(&self) -> usize {
        self.size.len()
    }

    /// True when there are no households.
    pub fn is_empty(&self) -> bool {
        self.size.is_empty()
    }
}

/// Villages (行政村), column-wise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Villages {
    /// External village ids (unique).
    pub id: Ids,
    /// Dense index of the village's county in [`Counties`].
    pub county: Vec<u32>,
    /// Rural registered population (户籍人口), people; the denominator of incidence.
    pub population: Vec<u32>,
    /// Region, which sets the exit threshold.
    pub region: Vec<Region>,
    /// Designated poor village (贫困村).
    pub poor: Vec<bool>,
}

impl Villages {
    /// Number of villages.
    pub fn len(&self) -> usize {
        self.county.len()
    }

    /// True when there are no villages.
    pub fn is_empty(&self) -> bool {
        self.county.is_empty()
    }
}

/// Counties (县), column-wise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counties {
    /// External county ids (unique).
    pub id: Ids,
    /// Region of the county (all its villages share it).
    pub region: Vec<Region>,
}

impl Counties {
    /// Number of counties.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// True when there are no counties.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

/// A validated household registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Registry {
    households: Households,
    villages: Villages,
    counties: Counties,
}

const HOUSEHOLDS: &str = "households";
const VILLAGES: &str = "villages";

impl Registry {
    /// Build a registry from typed columns, checking every invariant.
    ///
    /// # Errors
    /// [`Error::Empty`] for a registry without households; otherwise the first violated rule, naming
    /// column, 1-based row and value: lengths, references to villages and counties, size ≥ 1, member
    /// counts ≤ size, finite non-negative income, positive finite weight, primary cause among the
    /// causes, unique ids, village population at least the people of its households, one region per
    /// county.
    pub fn new(households: Households, villages: Villages, counties: Counties) -> Result<Self> {
        validate::validate(&households, &villages, &counties)?;
        Ok(Registry {
            households,
            villages,
            counties,
        })
    }

    /// Build a registry from input tables (the CSV and DataFrame path). See the crate README for
    /// the schema and the defaults of optional columns. A column that is not one of
    /// [`HOUSEHOLD_COLUMNS`] (or [`VILLAGE_COLUMNS`]) but a near miss of one is an error
    /// ([`Error::MisspeltColumn`]); other columns are not read ([`unknown_columns`] lists them).
    pub fn from_tables(households: &Table, villages: Option<&Table>) -> Result<Self> {
        import::from_tables(households, villages)
    }

    /// The households.
    pub fn households(&self) -> &Households {
        &self.households
    }

    /// The villages.
    pub fn villages(&self) -> &Villages {
        &self.villages
    }

    /// The counties.
    pub fn counties(&self) -> &Counties {
        &self.counties
    }

    /// Number of households.
    pub fn n_households(&self) -> usize {
        self.households.len()
    }

    /// Number of villages.
    pub fn n_villages(&self) -> usize {
        self.villages.len()
    }

    /// Number of counties.
    pub fn n_counties(&self) -> usize {
        self.counties.len()
    }

    /// Dense county index of household `h`.
    pub fn county_of(&self, h: usize) -> usize {
        self.villages.county[self.households.village[h] as usize] as usize
    }

    /// Exit threshold (出列 incidence) of village `v`.
    pub fn village_threshold(&self, v: usize) -> f64 {
        self.villages.region[v].exit_threshold()
    }

    /// Exit threshold (摘帽 incidence) of county `c`.
    pub fn county_threshold(&self, c: usize) -> f64 {
        self.counties.region[c].exit_threshold()
    }

    /// Total members of registered households, weighted.
    pub fn registered_people(&self) -> f64 {
        let h = &self.households;
        (0..h.len())
            .filter(|&i| h.registered[i])
            .map(|i| f64::from(h.size[i]) * h.weight[i])
            .sum()
    }

    /// Number of registered households, weighted.
    pub fn registered_households(&self) -> f64 {
        let h = &self.households;
        (0..h.len())
            .filter(|&i| h.registered[i])
            .map(|i| h.weight[i])
            .sum()
    }

    /// The households as a table with the registry's column names (lossless).
    pub fn households_table(&self) -> Table {
        export::households_table(self)
    }

    /// The villages as a table with the registry's column names (lossless).
    pub fn villages_table(&self) -> Table {
        export::villages_table(self)
    }

    /// Keep the households at `rows` (0-based, in that order), with all villages and counties.
    /// Used to shard a registry; the result is validated like any other.
    pub fn select(&self, rows: &[usize]) -> Result<Registry> {
        let h = &self.households;
        if let Some(&bad) = rows.iter().find(|&&r| r >= h.len()) {
            return Err(Error::invalid_parameter(
                "rows",
                bad,
                format!("is not a row of a registry of {} households", h.len()),
            ));
        }
        fn take<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
            rows.iter().map(|&r| v[r]).collect()
        }
        let households = Households {
            id: h.id.take(rows),
            village: take(&h.village, rows),
            size: take(&h.size, rows),
            income_per_capita: take(&h.income_per_capita, rows),
            labour: take(&h.labour, rows),
            elderly: take(&h.elderly, rows),
            students: take(&h.students, rows),
            chronic_illness: take(&h.chronic_illness, rows),
            disability: take(&h.disability, rows),
            housing_safe: take(&h.housing_safe, rows),
            safe_water: take(&h.safe_water, rows),
            insured: take(&h.insured, rows),
            inhospitable: take(&h.inhospitable, rows),
            head_education_years: take(&h.head_education_years, rows),
            causes: take(&h.causes, rows),
            primary_cause: take(&h.primary_cause, rows),
            weight: take(&h.weight, rows),
            registered: take(&h.registered, rows),
        };
        Registry::new(households, self.villages.clone(), self.counties.clone())
    }
}
