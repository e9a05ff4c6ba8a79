//! The runner: validation, grouping households by village, parallel chunks of villages, progress
//! and cancellation, and the assembly of [`Results`].

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rayon::prelude::*;

use super::accumulate::{Cell, GroupCell, WEIGHT_SCALE, add_slices, below_threshold, weight_units};
use super::config::{MAX_PATH_VALUES, RunConfig};
use super::flows::{Flows, MoneyOverflow};
use super::kernel::{self, HouseholdSink, Plan, Run, Scratch};
use super::results::{Groups, HouseholdOutputs, Paths, Results, ScenarioResults};
use super::scenario::{Scenario, Treatment};
use super::streams::Keys;
use crate::dynamics::IncomeModel;
use crate::error::{Error, Result};
use crate::registry::Registry;

/// How often the calling thread reports progress and checks for cancellation.
const POLL: Duration = Duration::from_millis(50);

/// Simulate every household of `registry` under each scenario for `config.years` years and
/// `config.replications` replicates.
///
/// `progress(done, total)` is called on the calling thread about every 50 ms and once at the end,
/// with work counted in household-replicate-years over all scenarios; returning `false` (or
/// cancelling the caller's [`crate::cancel`] token) cancels the run, which then stops within one
/// household's work per thread and returns [`Error::Cancelled`]. A panic in the work stops the
/// other threads the same way and is returned as [`Error::Internal`].
/// The work runs on a dedicated rayon pool of `config.resolved_threads()` threads built for this
/// call (no global pool is touched, which keeps forked Python children safe). Results are identical
/// for any number of threads, any order of households, and any sharding by village.
///
/// # Errors
/// Validation errors naming the parameter (`years`, `replications`, `scenario[..].<field>`,
/// `keep_paths`, …) or the registry column (`weight`); [`Error::Cancelled`] when cancelled;
/// [`Error::Internal`] if the thread pool cannot start or the work panics (a bug).
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// use fupin_core::engine::{RunConfig, Scenario, simulate};
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
/// let results = simulate(&registry, &[Scenario::new("baseline")], &IncomeModel::default(),
///                        &config, &mut |_, _| true)?;
/// let summary = results.summary();
/// assert_eq!(summary.year, vec![2016, 2017, 2018, 2019, 2020]);
/// assert!(summary.poor_households[4] <= 4.0);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn simulate(
    registry: &Registry,
    scenarios: &[Scenario],
    model: &IncomeModel,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Results> {
    config.validate()?;
    model.validate()?;
    if scenarios.is_empty() {
        return Err(Error::invalid_parameter(
            "scenarios",
            "[]",
            "needs at least one scenario",
        ));
    }
    for (i, s) in scenarios.iter().enumerate() {
        s.validate()?;
        if scenarios[..i].iter().any(|o| o.name == s.name) {
            return Err(Error::invalid_parameter(
                "scenario.name",
                format!("{:?}", s.name),
                "is used by two scenarios",
            ));
        }
    }
    let threads = config.resolved_threads()?;
    let h = registry.households();
    let n = h.len();
    if u32::try_from(n).is_err() {
        return Err(Error::invalid_parameter(
            "households",
            n,
            "more than 4,294,967,295 households: shard the registry",
        ));
    }
    let (registry_households, registry_people) = weight_totals(registry)?;
    let years = config.calendar_years();
    let t_n = years.len();
    let reps = config.replications;
    let n_s = scenarios.len();
    if config.keep_paths {
        let values = n_s
            .saturating_mul(n)
            .saturating_mul(t_n)
            .saturating_mul(reps as usize);
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

    // Households grouped by village (counting sort; stable, so rows stay in registry order).
    let nv = registry.n_villages();
    let mut start = vec![0usize; nv + 1];
    for &v in &h.village {
        start[v as usize + 1] += 1;
    }
    for v in 0..nv {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; n];
    for (row, &v) in h.village.iter().enumerate() {
        order[fill[v as usize]] = row as u32;
        fill[v as usize] += 1;
    }
    drop(fill);

    // Chunks of whole villages; chunking never changes results (all sums are integers).
    let target = (n / (threads * 16)).clamp(64, 8192);
    let mut bounds = vec![0usize];
    let mut acc = 0usize;
    for v in 0..nv {
        acc += start[v + 1] - start[v];
        if acc >= target {
            bounds.push(v + 1);
            acc = 0;
        }
    }
    if *bounds.last().unwrap_or(&0) != nv {
        bounds.push(nv);
    }

    // Scenarios with a policy are planned over the whole registry before the run (or run the plan
    // attached to them, made over a larger registry this one is a shard of).
    let treatments: Vec<Option<std::sync::Arc<dyn Treatment>>> = scenarios
        .iter()
        .map(|s| {
            if s.policy.is_some() || s.plan.is_some() {
                crate::policy::treatment_for(registry, s, model, &years).map(Some)
            } else {
                Ok(s.treatment.clone())
            }
        })
        .collect::<Result<_>>()?;
    let plans: Vec<Plan<'_>> = scenarios
        .iter()
        .zip(&treatments)
        .map(|(s, t)| Plan::new(s.effective_model(model), t.as_deref(), &years))
        .collect::<Result<_>>()?;
    let categories: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            p.treatment
                .map_or_else(Vec::new, |t| t.categories().to_vec())
        })
        .collect();
    let run = Run {
        registry,
        keys: Keys::new(config.seed, &years),
        years: years.clone(),
        replications: reps,
    };
    let nc = registry.n_counties();
    let villages = registry.villages();

    // Outputs.
    struct VillageArrays {
        exit: Vec<u32>,
        poor: Vec<GroupCell>,
        households: Vec<u32>,
    }
    let mut village_arrays: Vec<VillageArrays> = (0..n_s)
        .map(|_| VillageArrays {
            exit: vec![0; nv * (t_n + 1)],
            poor: vec![GroupCell::default(); nv * t_n],
            households: vec![0; nv],
        })
        .collect();
    let atomics = |len: usize| -> Vec<AtomicU16> {
        if config.household_outputs {
            (0..len).map(|_| AtomicU16::new(0)).collect()
        } else {
            Vec::new()
        }
    };
    let first_exit: Vec<Vec<AtomicU16>> = (0..n_s).map(|_| atomics(n * t_n)).collect();
    let returned: Vec<Vec<AtomicU16>> = (0..n_s).map(|_| atomics(n)).collect();
    let paths: Vec<Option<Mutex<Paths>>> = (0..n_s)
        .map(|_| {
            config
                .keep_paths
                .then(|| Mutex::new(Paths::new(n, t_n, reps)))
        })
        .collect();
    let new_flows = || -> Vec<Flows> {
        categories
            .iter()
            .map(|c| Flows::new(reps as usize, t_n, c.len(), nc))
            .collect()
    };
    let global = Mutex::new((
        vec![vec![Cell::default(); reps as usize * t_n]; n_s],
        vec![vec![GroupCell::default(); nc * reps as usize * t_n]; n_s],
        new_flows(),
    ));

    struct VillageOut<'a> {
        exit: &'a mut [u32],
        poor: &'a mut [GroupCell],
        households: &'a mut [u32],
    }
    struct Job<'a> {
        v0: usize,
        v1: usize,
        outs: Vec<VillageOut<'a>>,
    }
    let mut jobs: Vec<Job<'_>> = bounds
        .windows(2)
        .map(|w| Job {
            v0: w[0],
            v1: w[1],
            outs: Vec::with_capacity(n_s),
        })
        .collect();
    for arrays in &mut village_arrays {
        let (mut e, mut p, mut hh) = (
            &mut arrays.exit[..],
            &mut arrays.poor[..],
            &mut arrays.households[..],
        );
        for job in &mut jobs {
            let k = job.v1 - job.v0;
            let (e1, e2) = std::mem::take(&mut e).split_at_mut(k * (t_n + 1));
            let (p1, p2) = std::mem::take(&mut p).split_at_mut(k * t_n);
            let (h1, h2) = std::mem::take(&mut hh).split_at_mut(k);
            (e, p, hh) = (e2, p2, h2);
            job.outs.push(VillageOut {
                exit: e1,
                poor: p1,
                households: h1,
            });
        }
    }

    let cancel = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let total = (n as u64) * u64::from(reps) * t_n as u64 * n_s as u64;
    let caller = crate::cancel::current();
    let is_cancelled = || {
        cancel.load(Ordering::Relaxed)
            || caller
                .as_ref()
                .is_some_and(crate::cancel::Token::is_cancelled)
    };

    let work = |mut job: Job<'_>| {
        if is_cancelled() {
            return;
        }
        let mut scratch = Scratch::new(reps, t_n);
        let mut totals = vec![vec![Cell::default(); reps as usize * t_n]; n_s];
        let mut county: Vec<BTreeMap<u32, Vec<GroupCell>>> = vec![BTreeMap::new(); n_s];
        let mut flows = new_flows();
        for (s, plan) in plans.iter().enumerate() {
            let sink = HouseholdSink {
                first_exit: &first_exit[s],
                returned: &returned[s],
                paths: paths[s].as_ref(),
            };
            let out = &mut job.outs[s];
            for v in job.v0..job.v1 {
                let rows = &order[start[v]..start[v + 1]];
                let local = v - job.v0;
                out.households[local] = rows.len() as u32;
                if rows.is_empty() {
                    continue;
                }
                let finished = match plan.treatment {
                    None => kernel::village(
                        &run,
                        plan,
                        &(),
                        v,
                        rows,
                        &mut scratch,
                        &sink,
                        &is_cancelled,
                    ),
                    Some(t) => {
                        kernel::village(&run, plan, &t, v, rows, &mut scratch, &sink, &is_cancelled)
                    }
                };
                if !finished {
                    return;
                }
                // Reduce the village's replicate × year cells.
                let pop = u64::from(villages.population[v]);
                let thr = registry.village_threshold(v);
                let hist = &mut out.exit[local * (t_n + 1)..(local + 1) * (t_n + 1)];
                let c = villages.county[v];
                let cacc = county[s]
                    .entry(c)
                    .or_insert_with(|| vec![GroupCell::default(); reps as usize * t_n]);
                for r in 0..reps as usize {
                    let cells = &scratch.cells[r * t_n..(r + 1) * t_n];
                    let exit_t = cells
                        .iter()
                        .position(|c| below_threshold(c.poor_people, pop, thr))
                        .unwrap_or(t_n);
                    hist[exit_t] += 1;
                    for (t, cell) in cells.iter().enumerate() {
                        out.poor[local * t_n + t].add(&GroupCell::from(cell));
                        cacc[r * t_n + t].add(&GroupCell::from(cell));
                    }
                }
                add_slices(&mut totals[s], &scratch.cells);
                flows[s].add_village(&scratch, c as usize);
                done.fetch_add(
                    rows.len() as u64 * u64::from(reps) * t_n as u64,
                    Ordering::Relaxed,
                );
            }
        }
        let mut g = match global.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        for s in 0..n_s {
            add_slices(&mut g.0[s], &totals[s]);
            g.2[s].add(&flows[s]);
            for (&c, cells) in &county[s] {
                let off = c as usize * reps as usize * t_n;
                add_slices(&mut g.1[s][off..off + cells.len()], cells);
            }
        }
    };

    let pool = crate::parallel::pool(threads)?;
    run_jobs(pool, jobs, &work, &cancel, &is_cancelled, &mut || {
        progress(done.load(Ordering::Relaxed), total)
    })?;
    if is_cancelled() {
        return Err(Error::Cancelled);
    }
    if !progress(total, total) {
        return Err(Error::Cancelled);
    }

    let (totals, county_poor, flows) = match global.into_inner() {
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
    let mut out_scenarios = Vec::with_capacity(n_s);
    for (s, (((arrays, (fe, rt)), (tot, cp)), fl)) in village_arrays
        .into_iter()
        .zip(first_exit.into_iter().zip(returned))
        .zip(totals.into_iter().zip(county_poor))
        .zip(flows)
        .enumerate()
    {
        let county_spending = fl.county_dense();
        out_scenarios.push(ScenarioResults {
            name: scenarios[s].name.clone(),
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
            categories: categories[s].clone(),
            spending: fl.spend,
            county_spending,
            cause_exits: fl.cause_exits,
            cause_returns: fl.cause_returns,
            exit_spells: fl.spells,
            guarantee_losses: fl.losses,
        });
    }
    for (s, p) in paths.into_iter().enumerate() {
        if let Some(m) = p {
            out_scenarios[s].paths = Some(match m.into_inner() {
                Ok(p) => p,
                Err(e) => e.into_inner(),
            });
        }
    }
    Ok(Results {
        years,
        replications: reps,
        seed: config.seed,
        villages: village_groups(registry),
        counties: county_groups(registry),
        household_ids: h.id.clone(),
        registry_households,
        registry_people,
        scenarios: out_scenarios,
    })
}

/// Run `work` over `jobs` on `pool` while the calling thread calls `report` every [`POLL`] (it
/// returns `false` to cancel) until every job has returned. Cancelling raises `cancel`, which the
/// jobs poll through `is_cancelled`. A panic in one job is caught there, stops the other jobs like
/// a cancellation, and becomes [`Error::Internal`] once every job has returned. The channel's
/// sender is owned by the thread that runs the jobs, so however that thread ends the channel
/// disconnects and the wait ends.
fn run_jobs<J: Send>(
    pool: rayon::ThreadPool,
    jobs: Vec<J>,
    work: &(dyn Fn(J) + Sync),
    cancel: &AtomicBool,
    is_cancelled: &dyn Fn() -> bool,
    report: &mut dyn FnMut() -> bool,
) -> Result<()> {
    let panicked: Mutex<Option<String>> = Mutex::new(None);
    let guarded = |job: J| {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| work(job))) {
            cancel.store(true, Ordering::Relaxed);
            let mut slot = panicked.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| panic_message(&*panic));
        }
    };
    let (tx, rx) = mpsc::channel::<()>();
    let outcome = std::thread::scope(|scope| {
        let handle = scope.spawn(move || {
            let ran = catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| jobs.into_par_iter().for_each(guarded));
            }));
            drop(pool);
            let _ = tx.send(());
            ran
        });
        loop {
            match rx.recv_timeout(POLL) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if !is_cancelled() && !report() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
        handle.join()
    });
    let message = match outcome {
        Ok(Ok(())) => panicked.into_inner().unwrap_or_else(|p| p.into_inner()),
        Ok(Err(panic)) | Err(panic) => Some(panic_message(&*panic)),
    };
    match message {
        Some(m) => Err(Error::Internal(format!("the simulation panicked: {m}"))),
        None => Ok(()),
    }
}

/// The text of a panic's payload (`panic!` with a literal or a formatted message).
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
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
