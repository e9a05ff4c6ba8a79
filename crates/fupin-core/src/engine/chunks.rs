//! The parallel work of a run: households laid out by village and villages in chunks
//! ([`Layout`]), the per-arm output buffers ([`Outputs`]) split into disjoint slices per chunk
//! ([`split_jobs`]), one chunk simulated and reduced village by village ([`run_job`]), and the jobs
//! run on a pool with progress, cancellation and panics caught ([`run_jobs`]).

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rayon::prelude::*;

use super::accumulate::{Cell, GroupCell, add_slices, below_threshold};
use super::config::RunConfig;
use super::flow_sums::Flows;
use super::kernel::{self, ArmTables, HouseholdSink, Run, Scratch};
use super::output::Paths;
use crate::error::{Error, Result};
use crate::registry::Registry;

/// How often the calling thread reports progress and checks for cancellation.
const POLL: Duration = Duration::from_millis(50);

/// Sizes of a run: households, years, replicates, villages, counties.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dims {
    pub(super) n: usize,
    pub(super) t_n: usize,
    pub(super) reps: u32,
    pub(super) nv: usize,
    pub(super) nc: usize,
}

/// Households grouped by village, and villages grouped into chunks of work.
pub(super) struct Layout {
    /// Rows of village `v` are `order[start[v]..start[v + 1]]`, in registry order.
    pub(super) start: Vec<usize>,
    pub(super) order: Vec<u32>,
    /// Chunk `i` holds villages `bounds[i]..bounds[i + 1]`.
    pub(super) bounds: Vec<usize>,
}

impl Layout {
    pub(super) fn new(registry: &Registry, threads: usize) -> Self {
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
pub(super) struct VillageArrays {
    pub(super) exit: Vec<u32>,
    pub(super) poor: Vec<GroupCell>,
    pub(super) households: Vec<u32>,
}

/// Per-arm sums over the whole run: totals by replicate × year, poor by county × replicate × year,
/// and the flows.
pub(super) type GlobalSums = (Vec<Vec<Cell>>, Vec<Vec<GroupCell>>, Vec<Flows>);

/// Outputs written by the workers through shared references.
pub(super) struct SharedOutputs {
    pub(super) first_exit: Vec<Vec<AtomicU16>>,
    pub(super) returned: Vec<Vec<AtomicU16>>,
    pub(super) paths: Vec<Option<Mutex<Paths>>>,
    pub(super) global: Mutex<GlobalSums>,
}

/// Every output buffer of a run.
pub(super) struct Outputs {
    pub(super) village_arrays: Vec<VillageArrays>,
    pub(super) shared: SharedOutputs,
}

impl Outputs {
    pub(super) fn new(d: Dims, n_s: usize, config: &RunConfig, categories: &[Vec<String>]) -> Self {
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
pub(super) fn new_flows(d: Dims, categories: &[Vec<String>]) -> Vec<Flows> {
    categories
        .iter()
        .map(|c| Flows::new(d.reps as usize, d.t_n, c.len(), d.nc))
        .collect()
}

/// One arm's village outputs for the villages of one job.
pub(super) struct VillageOut<'a> {
    pub(super) exit: &'a mut [u32],
    pub(super) poor: &'a mut [GroupCell],
    pub(super) households: &'a mut [u32],
}

/// A chunk of villages `v0..v1` with its slices of every arm's village outputs.
pub(super) struct Job<'a> {
    pub(super) v0: usize,
    pub(super) v1: usize,
    pub(super) outs: Vec<VillageOut<'a>>,
}

/// Split each arm's village arrays into the jobs' disjoint slices.
pub(super) fn split_jobs<'a>(
    bounds: &[usize],
    arrays: &'a mut [VillageArrays],
    d: Dims,
) -> Vec<Job<'a>> {
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
pub(super) struct Shared<'a> {
    pub(super) run: &'a Run<'a>,
    pub(super) tables: &'a [ArmTables<'a>],
    pub(super) categories: &'a [Vec<String>],
    pub(super) layout: &'a Layout,
    pub(super) outputs: &'a SharedOutputs,
    pub(super) dims: Dims,
    pub(super) done: AtomicU64,
    pub(super) is_cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// Simulate the villages of one job under every arm, reduce each village as soon as its
/// replicates are done, and add the job's sums to the run's.
pub(super) fn run_job(sh: &Shared<'_>, mut job: Job<'_>) {
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
pub(super) fn reduce_village(
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

/// Run `work` over `jobs` on `pool` while the calling thread calls `report` every [`POLL`] (it
/// returns `false` to cancel) until every job has returned. Cancelling raises `cancel`, which the
/// jobs poll through `is_cancelled`. A panic in one job is caught there, stops the other jobs like
/// a cancellation, and becomes [`Error::Internal`] once every job has returned. The channel's
/// sender is owned by the thread that runs the jobs, so however that thread ends the channel
/// disconnects and the wait ends.
pub(super) fn run_jobs<J: Send>(
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
