//! The runner, as named phases: checking the run ([`check_run`]), laying out households by village
//! and chunks of villages ([`Layout`]), the per-arm output buffers ([`Outputs`]), the parallel work
//! over chunks ([`run_job`], [`run_jobs`]) with progress and cancellation, and the assembly of
//! [`Results`] ([`assemble`]).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rayon::prelude::*;

use super::accumulate::{Cell, GroupCell, add_slices, below_threshold};
use super::arm::Arm;
use super::config::{MAX_PATH_VALUES, RunConfig};
use super::flow_sums::{Flows, MoneyOverflow};
use super::kernel::{self, ArmTables, HouseholdSink, Run, Scratch};
use super::output::{Groups, HouseholdOutputs, Paths, Results, ScenarioResults};
use crate::error::{Error, Result};
use crate::random::Keys;
use crate::registry::Registry;
use crate::units::{WEIGHT_SCALE, weight_units};

/// How often the calling thread reports progress and checks for cancellation.
const POLL: Duration = Duration::from_millis(50);

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

/// Sizes of a run: households, years, replicates, villages, counties.
#[derive(Debug, Clone, Copy)]
struct Dims {
    n: usize,
    t_n: usize,
    reps: u32,
    nv: usize,
    nc: usize,
}

/// Households grouped by village, and villages grouped into chunks of work.
struct Layout {
    /// Rows of village `v` are `order[start[v]..start[v + 1]]`, in registry order.
    start: Vec<usize>,
    order: Vec<u32>,
    /// Chunk `i` holds villages `bounds[i]..bounds[i + 1]`.
    bounds: Vec<usize>,
}

impl Layout {
    fn new(registry: &Registry, threads: usize) -> Self {
        let h = registry.households();
        let n = h.len();
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
        Layout {
            start,
            order,
            bounds,
        }
    }
}

/// One arm's outputs by village: exit-year histograms, poor counts, households simulated.
#[derive(Default)]
struct VillageArrays {
    exit: Vec<u32>,
    poor: Vec<GroupCell>,
    households: Vec<u32>,
}

/// Per-arm sums over the whole run: totals by replicate × year, poor by county × replicate × year,
/// and the flows.
type GlobalSums = (Vec<Vec<Cell>>, Vec<Vec<GroupCell>>, Vec<Flows>);

/// Outputs written by the workers through shared references.
struct SharedOutputs {
    first_exit: Vec<Vec<AtomicU16>>,
    returned: Vec<Vec<AtomicU16>>,
    paths: Vec<Option<Mutex<Paths>>>,
    global: Mutex<GlobalSums>,
}

/// Every output buffer of a run.
struct Outputs {
    village_arrays: Vec<VillageArrays>,
    shared: SharedOutputs,
}

impl Outputs {
    fn new(d: Dims, n_s: usize, config: &RunConfig, categories: &[Vec<String>]) -> Self {
        let village_arrays = (0..n_s)
            .map(|_| VillageArrays {
                exit: vec![0; d.nv * (d.t_n + 1)],
                poor: vec![GroupCell::default(); d.nv * d.t_n],
                households: vec![0; d.nv],
            })
            .collect();
        let atomics = |len: usize| -> Vec<AtomicU16> {
            if config.household_outputs {
                (0..len).map(|_| AtomicU16::new(0)).collect()
            } else {
                Vec::new()
            }
        };
        let first_exit = (0..n_s).map(|_| atomics(d.n * d.t_n)).collect();
        let returned = (0..n_s).map(|_| atomics(d.n)).collect();
        let paths = (0..n_s)
            .map(|_| {
                config
                    .keep_paths
                    .then(|| Mutex::new(Paths::new(d.n, d.t_n, d.reps)))
            })
            .collect();
        let global = Mutex::new((
            vec![vec![Cell::default(); d.reps as usize * d.t_n]; n_s],
            vec![vec![GroupCell::default(); d.nc * d.reps as usize * d.t_n]; n_s],
            new_flows(d, categories),
        ));
        Outputs {
            village_arrays,
            shared: SharedOutputs {
                first_exit,
                returned,
                paths,
                global,
            },
        }
    }
}

/// Empty flows for each arm.
fn new_flows(d: Dims, categories: &[Vec<String>]) -> Vec<Flows> {
    categories
        .iter()
        .map(|c| Flows::new(d.reps as usize, d.t_n, c.len(), d.nc))
        .collect()
}

/// One arm's village outputs for the villages of one job.
struct VillageOut<'a> {
    exit: &'a mut [u32],
    poor: &'a mut [GroupCell],
    households: &'a mut [u32],
}

/// A chunk of villages `v0..v1` with its slices of every arm's village outputs.
struct Job<'a> {
    v0: usize,
    v1: usize,
    outs: Vec<VillageOut<'a>>,
}

/// Split each arm's village arrays into the jobs' disjoint slices.
fn split_jobs<'a>(bounds: &[usize], arrays: &'a mut [VillageArrays], d: Dims) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'a>> = bounds
        .windows(2)
        .map(|w| Job {
            v0: w[0],
            v1: w[1],
            outs: Vec::with_capacity(arrays.len()),
        })
        .collect();
    for arrays in arrays.iter_mut() {
        let (mut e, mut p, mut hh) = (
            &mut arrays.exit[..],
            &mut arrays.poor[..],
            &mut arrays.households[..],
        );
        for job in &mut jobs {
            let k = job.v1 - job.v0;
            let (e1, e2) = std::mem::take(&mut e).split_at_mut(k * (d.t_n + 1));
            let (p1, p2) = std::mem::take(&mut p).split_at_mut(k * d.t_n);
            let (h1, h2) = std::mem::take(&mut hh).split_at_mut(k);
            (e, p, hh) = (e2, p2, h2);
            job.outs.push(VillageOut {
                exit: e1,
                poor: p1,
                households: h1,
            });
        }
    }
    jobs
}

/// What every job reads, and the shared outputs it writes.
struct Shared<'a> {
    run: &'a Run<'a>,
    tables: &'a [ArmTables<'a>],
    categories: &'a [Vec<String>],
    layout: &'a Layout,
    outputs: &'a SharedOutputs,
    dims: Dims,
    done: AtomicU64,
    is_cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// Simulate the villages of one job under every arm, reduce each village as soon as its
/// replicates are done, and add the job's sums to the run's.
fn run_job(sh: &Shared<'_>, mut job: Job<'_>) {
    if (sh.is_cancelled)() {
        return;
    }
    let Dims { t_n, reps, .. } = sh.dims;
    let n_s = sh.tables.len();
    let mut scratch = Scratch::new(reps, t_n);
    let mut totals = vec![vec![Cell::default(); reps as usize * t_n]; n_s];
    let mut county: Vec<BTreeMap<u32, Vec<GroupCell>>> = vec![BTreeMap::new(); n_s];
    let mut flows = new_flows(sh.dims, sh.categories);
    for (s, tables) in sh.tables.iter().enumerate() {
        let sink = HouseholdSink {
            first_exit: &sh.outputs.first_exit[s],
            returned: &sh.outputs.returned[s],
            paths: sh.outputs.paths[s].as_ref(),
        };
        let out = &mut job.outs[s];
        for v in job.v0..job.v1 {
            let rows = &sh.layout.order[sh.layout.start[v]..sh.layout.start[v + 1]];
            let local = v - job.v0;
            out.households[local] = rows.len() as u32;
            if rows.is_empty() {
                continue;
            }
            let finished = match tables.treatment {
                None => kernel::village(
                    sh.run,
                    tables,
                    &(),
                    v,
                    rows,
                    &mut scratch,
                    &sink,
                    sh.is_cancelled,
                ),
                Some(t) => kernel::village(
                    sh.run,
                    tables,
                    &t,
                    v,
                    rows,
                    &mut scratch,
                    &sink,
                    sh.is_cancelled,
                ),
            };
            if !finished {
                return;
            }
            let c = reduce_village(sh, &scratch, v, local, out, &mut county[s]);
            add_slices(&mut totals[s], &scratch.cells);
            flows[s].add_village(&scratch, c as usize);
            sh.done.fetch_add(
                rows.len() as u64 * u64::from(reps) * t_n as u64,
                Ordering::Relaxed,
            );
        }
    }
    let mut g = match sh.outputs.global.lock() {
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
}

/// Reduce village `v`'s replicate × year cells into its exit-year histogram, its poor counts and
/// its county's sums; returns the county.
fn reduce_village(
    sh: &Shared<'_>,
    scratch: &Scratch,
    v: usize,
    local: usize,
    out: &mut VillageOut<'_>,
    county: &mut BTreeMap<u32, Vec<GroupCell>>,
) -> u32 {
    let Dims { t_n, reps, .. } = sh.dims;
    let registry = sh.run.registry;
    let villages = registry.villages();
    let pop = u64::from(villages.population[v]);
    let thr = registry.village_threshold(v);
    let hist = &mut out.exit[local * (t_n + 1)..(local + 1) * (t_n + 1)];
    let c = villages.county[v];
    let cacc = county
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
    c
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
