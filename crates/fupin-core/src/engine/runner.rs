//! The runner, as named phases: checking the arms and the run ([`check_arms`], [`check_run`]),
//! the arms' per-year tables, the parallel work over chunks of villages (`chunks.rs`: layout,
//! output buffers, jobs, progress and cancellation), and the assembly of [`Results`]
//! ([`assemble`]).

use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};

use super::arm::Arm;
use super::chunks::{
    Dims, Job, Layout, Outputs, Shared, SharedOutputs, VillageArrays, run_job, run_jobs, split_jobs,
};
use super::config::{MAX_PATH_VALUES, RunConfig};
use super::flow_sums::MoneyOverflow;
use super::kernel::{ArmTables, Run};
use super::output::{Groups, HouseholdOutputs, Results, ScenarioResults};
use crate::error::{Error, Result};
use crate::random::Keys;
use crate::registry::Registry;
use crate::units::{WEIGHT_SCALE, weight_units};

/// Run every household of `registry` under each arm for `config.years` years and
/// `config.replications` replicates.
///
/// `progress(done, total)` is called on the calling thread about every 50 ms and once at the end,
/// with work counted in household-replicate-years over all arms; returning `false` (or
/// cancelling the caller's [`crate::cancel`] token) cancels the run, which then stops within one
/// household's work per thread and returns [`Error::Cancelled`]. A panic in the work stops the
/// other threads the same way and is returned as [`Error::Internal`].
/// The work runs on a dedicated rayon pool of `config.resolved_threads()` threads built for this
/// call (no global pool is touched, which keeps forked Python children safe). Results are identical
/// for any number of threads, any order of households, and any sharding by village.
///
/// Scenarios (with policies, budgets and plans) are run through [`crate::scenario::simulate`],
/// which prepares their arms and calls this function.
///
/// # Errors
/// As [`check_run`]; [`Error::InvalidParameter`] naming `scenario[..].<field>` for an arm's
/// invalid model; [`Error::Cancelled`] when cancelled; [`Error::Internal`] if the thread pool
/// cannot start or the work panics (a bug).
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// use fupin_core::engine::{Arm, RunConfig, run};
/// use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};
/// # fn registry() -> fupin_core::Result<Registry> {
/// #     let n = 4;
/// #     let households = Households {
/// #         id: Ids::Int((1..=n as i64).collect()),
/// #         village: vec![0; n],
/// #         size: vec![3; n],
/// #         income_per_capita: vec![2000.0, 2500.0, 3500.0, 5000.0],
/// #         labour: vec![1; n], elderly: vec![0; n], students: vec![0; n],
/// #         chronic_illness: vec![0; n], disability: vec![0; n],
/// #         housing_safe: vec![true; n], safe_water: vec![true; n], insured: vec![true; n],
/// #         inhospitable: vec![false; n], head_education_years: vec![6; n],
/// #         causes: vec![Default::default(); n], primary_cause: vec![None; n],
/// #         weight: vec![1.0; n], registered: vec![true; n],
/// #     };
/// #     let villages = Villages { id: Ids::Int(vec![10]), county: vec![0], population: vec![100],
/// #         region: vec![Region::Centre], poor: vec![true] };
/// #     let counties = Counties { id: Ids::Int(vec![1]), region: vec![Region::Centre] };
/// #     Registry::new(households, villages, counties)
/// # }
/// let registry = registry()?; // four households in one village
/// let config = RunConfig { replications: 20, seed: 7, threads: Some(1), ..RunConfig::new(2016, 5) };
/// let arms = [Arm::new("baseline", IncomeModel::default())];
/// let results = run(&registry, &arms, &config, &mut |_, _| true)?;
/// assert_eq!(results.years, vec![2016, 2017, 2018, 2019, 2020]);
/// assert_eq!(results.scenarios[0].name, "baseline");
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn run(
    registry: &Registry,
    arms: &[Arm],
    config: &RunConfig,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Results> {
    config.validate()?;
    check_arms(arms)?;
    let checked = check_run(registry, config, arms.len())?;
    let years = config.calendar_years();
    let tables: Vec<ArmTables<'_>> = arms
        .iter()
        .map(|a| ArmTables::new(a.model.clone(), a.treatment.as_deref(), &years))
        .collect::<Result<_>>()?;
    let categories: Vec<Vec<String>> = tables
        .iter()
        .map(|p| {
            p.treatment
                .map_or_else(Vec::new, |t| t.categories().to_vec())
        })
        .collect();
    let layout = Layout::new(registry, checked.threads);
    let dims = Dims {
        n: registry.n_households(),
        t_n: years.len(),
        reps: config.replications,
        nv: registry.n_villages(),
        nc: registry.n_counties(),
    };
    let mut outputs = Outputs::new(dims, arms.len(), config, &categories);
    let jobs = split_jobs(&layout.bounds, &mut outputs.village_arrays, dims);
    let run = Run {
        registry,
        keys: Keys::new(config.seed, &years),
        years: years.clone(),
        replications: dims.reps,
    };
    let cancel = AtomicBool::new(false);
    let caller = crate::cancel::current();
    let is_cancelled = || {
        cancel.load(Ordering::Relaxed)
            || caller
                .as_ref()
                .is_some_and(crate::cancel::Token::is_cancelled)
    };
    let shared = Shared {
        run: &run,
        tables: &tables,
        categories: &categories,
        layout: &layout,
        outputs: &outputs.shared,
        dims,
        done: AtomicU64::new(0),
        is_cancelled: &is_cancelled,
    };
    let total = (dims.n as u64) * u64::from(dims.reps) * dims.t_n as u64 * arms.len() as u64;
    let pool = crate::parallel::pool(checked.threads)?;
    let work = |job: Job<'_>| run_job(&shared, job);
    run_jobs(pool, jobs, &work, &cancel, &is_cancelled, &mut || {
        progress(shared.done.load(Ordering::Relaxed), total)
    })?;
    if is_cancelled() {
        return Err(Error::Cancelled);
    }
    if !progress(total, total) {
        return Err(Error::Cancelled);
    }
    let village_arrays = std::mem::take(&mut outputs.village_arrays);
    assemble(
        registry,
        arms,
        config,
        checked,
        categories,
        village_arrays,
        outputs.shared,
    )
}

/// Arms: at least one, each with a name used once and a valid model.
fn check_arms(arms: &[Arm]) -> Result<()> {
    if arms.is_empty() {
        return Err(Error::invalid_parameter(
            "scenarios",
            "[]",
            "needs at least one scenario",
        ));
    }
    for (i, a) in arms.iter().enumerate() {
        if arms[..i].iter().any(|o| o.name == a.name) {
            return Err(Error::invalid_parameter(
                "scenario.name",
                format!("{:?}", a.name),
                "is used by two scenarios",
            ));
        }
        a.model.validate().map_err(|e| match e {
            Error::InvalidParameter {
                name,
                value,
                reason,
            } => Error::InvalidParameter {
                name: format!("scenario[{}].{name}", a.name),
                value,
                reason,
            },
            other => other,
        })?;
    }
    Ok(())
}

/// What [`check_run`] found: the threads to use and the registry's weight totals.
#[derive(Debug, Clone, Copy)]
pub struct CheckedRun {
    threads: usize,
    registry_households: i64,
    registry_people: i64,
}

/// Check what a run of `arms` arms over `registry` needs beyond its parameters: the thread count,
/// at most `u32::MAX` households, representable weights, and stored paths within
/// [`MAX_PATH_VALUES`]. [`crate::scenario::simulate`] calls it before planning, so these errors
/// come before any planning error.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `threads`, `households` or `keep_paths`;
/// [`Error::InvalidValue`] naming the registry column `weight` and its row.
pub fn check_run(registry: &Registry, config: &RunConfig, arms: usize) -> Result<CheckedRun> {
    let threads = config.resolved_threads()?;
    let n = registry.n_households();
    if u32::try_from(n).is_err() {
        return Err(Error::invalid_parameter(
            "households",
            n,
            "more than 4,294,967,295 households: shard the registry",
        ));
    }
    let (registry_households, registry_people) = weight_totals(registry)?;
    if config.keep_paths {
        let values = arms
            .saturating_mul(n)
            .saturating_mul(config.years as usize)
            .saturating_mul(config.replications as usize);
        if values > MAX_PATH_VALUES {
            return Err(Error::invalid_parameter(
                "keep_paths",
                values,
                format!(
                    "would store scenarios × households × years × replicates = {values} values; \
                     the limit is {MAX_PATH_VALUES} (use a smaller registry or fewer replicates)"
                ),
            ));
        }
    }
    Ok(CheckedRun {
        threads,
        registry_households,
        registry_people,
    })
}

/// Turn the run's buffers into [`Results`]: the first money overflow as an error, else one
/// [`ScenarioResults`] per arm, in the order given.
fn assemble(
    registry: &Registry,
    arms: &[Arm],
    config: &RunConfig,
    checked: CheckedRun,
    categories: Vec<Vec<String>>,
    village_arrays: Vec<VillageArrays>,
    shared: SharedOutputs,
) -> Result<Results> {
    let (totals, county_poor, flows) = match shared.global.into_inner() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    // Money beyond the exact range is an error, never a saturated sum (see `settle`).
    let mut overflow = None;
    for f in &flows {
        MoneyOverflow::keep_first(&mut overflow, f.money_overflow);
    }
    if let Some(o) = overflow {
        return Err(o.error(registry, &config.calendar_years()));
    }
    let mut out_scenarios = Vec::with_capacity(arms.len());
    for (s, ((((arrays, (fe, rt)), (tot, cp)), fl), cats)) in village_arrays
        .into_iter()
        .zip(shared.first_exit.into_iter().zip(shared.returned))
        .zip(totals.into_iter().zip(county_poor))
        .zip(flows)
        .zip(categories)
        .enumerate()
    {
        let county_spending = fl.county_dense();
        out_scenarios.push(ScenarioResults {
            name: arms[s].name.clone(),
            totals: tot,
            county_poor: cp,
            village_households: arrays.households,
            village_exit: arrays.exit,
            village_poor: arrays.poor,
            households: config.household_outputs.then(|| HouseholdOutputs {
                first_exit: fe.into_iter().map(AtomicU16::into_inner).collect(),
                returned: rt.into_iter().map(AtomicU16::into_inner).collect(),
            }),
            paths: None,
            categories: cats,
            spending: fl.spend,
            county_spending,
            cause_exits: fl.cause_exits,
            cause_returns: fl.cause_returns,
            exit_spells: fl.spells,
            guarantee_losses: fl.losses,
        });
    }
    for (s, p) in shared.paths.into_iter().enumerate() {
        if let Some(m) = p {
            out_scenarios[s].paths = Some(match m.into_inner() {
                Ok(p) => p,
                Err(e) => e.into_inner(),
            });
        }
    }
    Ok(Results {
        years: config.calendar_years(),
        replications: config.replications,
        seed: config.seed,
        villages: village_groups(registry),
        counties: county_groups(registry),
        household_ids: registry.households().id.clone(),
        registry_households: checked.registry_households,
        registry_people: checked.registry_people,
        scenarios: out_scenarios,
    })
}

/// Σ weight units and Σ weight units × size, checking every weight is representable.
fn weight_totals(registry: &Registry) -> Result<(i64, i64)> {
    let h = registry.households();
    let (mut hh, mut people) = (0i128, 0i128);
    for (row, (&w, &size)) in h.weight.iter().zip(&h.size).enumerate() {
        let units = weight_units(w);
        if units < 1 {
            return Err(Error::invalid_value(
                "households",
                "weight",
                row + 1,
                w,
                format!("is below the engine's weight resolution 1/{WEIGHT_SCALE}"),
            ));
        }
        hh += i128::from(units);
        people += i128::from(units) * i128::from(size);
        // Money sums are i128; counts of people must leave room in i64. Blame the row whose
        // weight takes the total over, with the weight as given.
        if people > i128::from(i64::MAX / 4) {
            return Err(Error::invalid_value(
                "households",
                "weight",
                row + 1,
                format!("{w:?}"),
                format!(
                    "takes the total weighted people (weight × size summed to this row) above \
                     the engine's fixed-point limit of about {} people",
                    i64::MAX / 4 / WEIGHT_SCALE
                ),
            ));
        }
    }
    Ok((hh as i64, people as i64))
}

fn village_groups(registry: &Registry) -> Groups {
    let v = registry.villages();
    Groups {
        ids: v.id.clone(),
        population: v.population.iter().map(|&p| u64::from(p)).collect(),
        threshold: (0..v.len())
            .map(|i| registry.village_threshold(i))
            .collect(),
        county: v.county.clone(),
    }
}

fn county_groups(registry: &Registry) -> Groups {
    let v = registry.villages();
    let nc = registry.n_counties();
    let mut population = vec![0u64; nc];
    for (&c, &p) in v.county.iter().zip(&v.population) {
        population[c as usize] += u64::from(p);
    }
    Groups {
        ids: registry.counties().id.clone(),
        population,
        threshold: (0..nc).map(|c| registry.county_threshold(c)).collect(),
        county: Vec::new(),
    }
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
