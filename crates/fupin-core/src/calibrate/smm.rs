//! Simulated method of moments: fit chosen income-model parameters so the engine's simulated
//! headcount path matches a target series.
//!
//! The moments are the yearly means over `R` replicates of an [`Outcome`] (poor people by default).
//! Every evaluation uses the **same seed**, so all parameter points see the same random numbers
//! (common random numbers: the engine keys every draw by seed, household, replicate, year and
//! purpose). The objective is then a deterministic function of θ; it is piecewise constant at the
//! scale of one household crossing the line, smooth at the scale of many, so finite-difference
//! steps must move tens of households (the default steps do for hundreds of households or more).
//! Each Jacobian (and every point of the final standard errors) is one engine run with one
//! scenario per parameter point.
//!
//! Objective `Q(θ) = (m̄(θ) − m*)ᵀ W (m̄(θ) − m*)`, minimised by bounded Levenberg–Marquardt;
//! `W = I`, or `diag(1/se²)` when the target's standard errors are given.
//!
//! Standard errors (the SMM sandwich, Gouriéroux & Monfort 1996, *Simulation-Based Econometric
//! Methods*, ch. 2; McFadden 1989): with `G = ∂m̄/∂θ` (central differences at θ̂),
//! `Var θ̂ = (GᵀWG)⁻¹ GᵀW V W G (GᵀWG)⁻¹`, where `V` is the variance of `m̄(θ̂) − m*`:
//! the target is one realisation of the process (the population lives through one history) with
//! covariance `Ω` across replicates of the simulated path, and the simulated mean of `R`
//! replicates has `Ω/R`, so `V = (1 + 1/R)·Ω̂`. When the target comes with standard errors
//! (`se`, e.g. a survey's), they replace the realisation part: `V = diag(se²) + Ω̂/R`.
//! A parameter that ends on a bound gets its error as if interior (flagged `at_bound`).

use ndarray::{Array1, Array2};

use super::least_squares::{LmSettings, minimise};
use crate::dynamics::IncomeModel;
use crate::engine::{Results, RunConfig};
use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::results::Outcome;
use crate::scenario::{Scenario, simulate};
use crate::timelines::linalg::{cholesky, cholesky_inverse};

/// One parameter to fit: a numeric field of [`IncomeModel`] by dotted name, its start and bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct SmmParameter {
    /// Dotted field name, e.g. `income.growth`, `disaster.probability`.
    pub name: String,
    /// Starting value (projected onto the bounds).
    pub start: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Finite-difference step (large enough to move many households across the line).
    pub step: f64,
}

/// The series to match, by consecutive calendar year from `first_year`.
#[derive(Debug, Clone, PartialEq)]
pub struct SmmTarget {
    /// Calendar year of `values[0]` (the first simulated year).
    pub first_year: i32,
    /// Target values of the measure, one per year.
    pub values: Vec<f64>,
    /// Standard errors of the target (optional; see the module docs).
    pub std_err: Option<Vec<f64>>,
}

/// Settings of [`fit_headcount`].
#[derive(Debug, Clone, PartialEq)]
pub struct SmmOptions {
    /// The simulated measure matched to the target. Default [`Outcome::PoorPeople`].
    pub measure: Outcome,
    /// Replicates per evaluation (`R`). Default 20.
    pub replications: u32,
    /// The common seed of every evaluation.
    pub seed: u64,
    /// Worker threads (`None`: the engine's default).
    pub threads: Option<usize>,
    /// Levenberg–Marquardt iterations at most. Default 30.
    pub max_iterations: u32,
}

impl Default for SmmOptions {
    fn default() -> Self {
        SmmOptions {
            measure: Outcome::PoorPeople,
            replications: 20,
            seed: 0,
            threads: None,
            max_iterations: 30,
        }
    }
}

/// The result of [`fit_headcount`].
#[derive(Debug, Clone)]
pub struct SmmFit {
    /// Parameter names, in the order given.
    pub names: Vec<String>,
    /// Estimates.
    pub estimate: Vec<f64>,
    /// Sandwich standard errors.
    pub std_err: Vec<f64>,
    /// Sandwich covariance of the estimates.
    pub covariance: Array2<f64>,
    /// Whether each estimate sits on a bound.
    pub at_bound: Vec<bool>,
    /// Calendar years of the moments.
    pub years: Vec<i32>,
    /// The target series.
    pub target: Vec<f64>,
    /// Simulated mean at the estimate.
    pub simulated: Vec<f64>,
    /// Standard deviation of the measure across replicates at the estimate (√diag Ω̂).
    pub simulated_sd: Vec<f64>,
    /// `∂m̄/∂θ` at the estimate (years × parameters).
    pub jacobian: Array2<f64>,
    /// Minimised objective `Q(θ̂)`.
    pub objective: f64,
    /// Optimiser iterations and parameter points evaluated.
    pub iterations: u32,
    /// Parameter points simulated (each a scenario of `R` replicates).
    pub evaluations: u64,
    /// Whether the optimiser met its tolerance within `max_iterations`.
    pub converged: bool,
    /// The model with the estimates in place.
    pub model: IncomeModel,
}

/// `model` with the numeric field `name` (dotted, e.g. `income.growth`) set to `value`, validated.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown or non-numeric field, or a value the model rejects.
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// use fupin_core::calibrate::set_parameter;
/// let m = set_parameter(&IncomeModel::default(), "income.growth", 0.05)?;
/// assert_eq!(m.income.growth, 0.05);
/// assert!(set_parameter(&m, "income.speed", 1.0).is_err());
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn set_parameter(model: &IncomeModel, name: &str, value: f64) -> Result<IncomeModel> {
    let mut json = serde_json::to_value(model).map_err(|e| Error::Internal(e.to_string()))?;
    let mut slot = &mut json;
    for part in name.split('.') {
        slot = slot.get_mut(part).ok_or_else(|| {
            Error::invalid_parameter("parameters", name, "is not a field of the income model")
        })?;
    }
    if !slot.is_number() {
        return Err(Error::invalid_parameter(
            "parameters",
            name,
            "is not a numeric field of the income model",
        ));
    }
    *slot = serde_json::json!(value);
    let out: IncomeModel = serde_json::from_value(json)
        .map_err(|e| Error::invalid_parameter(name, value, e.to_string()))?;
    out.validate()?;
    Ok(out)
}

struct Simulator<'a> {
    registry: &'a Registry,
    model: &'a IncomeModel,
    names: Vec<String>,
    config: RunConfig,
    measure: Outcome,
    progress: &'a mut dyn FnMut(u64, u64) -> bool,
    evaluations: u64,
    budget: u64,
}

impl Simulator<'_> {
    fn run(&mut self, points: &[Vec<f64>]) -> Result<Results> {
        let mut scenarios = Vec::with_capacity(points.len());
        for (k, p) in points.iter().enumerate() {
            let mut m = self.model.clone();
            for (name, &v) in self.names.iter().zip(p) {
                m = set_parameter(&m, name, v)?;
            }
            scenarios.push(Scenario {
                name: format!("point{k}"),
                model: Some(m),
                ..Scenario::default()
            });
        }
        let (done, budget) = (self.evaluations, self.budget.max(self.evaluations + 1));
        let progress = &mut *self.progress;
        let results = simulate(
            self.registry,
            &scenarios,
            self.model,
            &self.config,
            &mut |_, _| progress(done, budget),
        )?;
        self.evaluations += points.len() as u64;
        Ok(results)
    }

    fn means(&mut self, points: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
        let res = self.run(points)?;
        Ok((0..points.len())
            .map(|s| {
                let v = res.replicate_values(s, self.measure);
                v.mean_axis(ndarray::Axis(0))
                    .map_or_else(Vec::new, |m| m.to_vec())
            })
            .collect())
    }
}

fn check(params: &[SmmParameter], target: &SmmTarget) -> Result<()> {
    if params.is_empty() {
        return Err(Error::invalid_parameter(
            "parameters",
            "{}",
            "name at least one parameter to fit",
        ));
    }
    if target.values.len() < params.len() {
        return Err(Error::invalid_parameter(
            "target",
            format!("{} years", target.values.len()),
            format!(
                "needs at least as many years as parameters ({})",
                params.len()
            ),
        ));
    }
    for (i, &v) in target.values.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::invalid_value(
                "target",
                "value",
                i + 1,
                v,
                "is not finite",
            ));
        }
    }
    if let Some(se) = &target.std_err {
        if se.len() != target.values.len() {
            return Err(Error::LengthMismatch {
                table: "target".into(),
                column: "std_err".into(),
                expected: target.values.len(),
                found: se.len(),
            });
        }
        for (i, &v) in se.iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid_value(
                    "target",
                    "std_err",
                    i + 1,
                    v,
                    "must be finite and > 0",
                ));
            }
        }
    }
    for p in params {
        let ok = p.lower.is_finite()
            && p.upper.is_finite()
            && p.lower < p.upper
            && p.start.is_finite()
            && p.step.is_finite()
            && p.step > 0.0
            && 2.0 * p.step < p.upper - p.lower;
        if !ok {
            return Err(Error::invalid_parameter(
                &p.name,
                format!(
                    "start {}, bounds [{}, {}], step {}",
                    p.start, p.lower, p.upper, p.step
                ),
                "needs finite start, lower < upper and 0 < step < (upper − lower)/2",
            ));
        }
    }
    Ok(())
}

/// Fit `params` of `model` so the engine's mean `options.measure` path over `registry` matches
/// `target` (see the module docs: common random numbers, bounded Levenberg–Marquardt, sandwich
/// errors with the `(1 + 1/R)` simulation correction). `progress(done, total)` is polled during
/// every run (return `false` to cancel).
///
/// # Errors
/// [`Error::InvalidParameter`] / [`Error::InvalidValue`] for bad parameters or target,
/// [`Error::Numerical`] when the Jacobian is singular (a parameter that does not move the path),
/// [`Error::Cancelled`], and the engine's errors.
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// use fupin_core::engine::RunConfig;
/// use fupin_core::results::Outcome;
/// use fupin_core::scenario::{Scenario, simulate};
/// use fupin_core::synth::synthetic;
/// use fupin_core::calibrate::{SmmOptions, SmmParameter, SmmTarget, fit_headcount, set_parameter};
/// let reg = synthetic(800, 8, 1)?;
/// // The target: the model's own mean path at growth 0.06 (same seed and replicates).
/// let truth = set_parameter(&IncomeModel::default(), "income.growth", 0.06)?;
/// let config = RunConfig { replications: 4, seed: 0, household_outputs: false, ..RunConfig::new(2016, 5) };
/// let res = simulate(&reg, &[Scenario::new("truth")], &truth, &config, &mut |_, _| true)?;
/// let values = res.replicate_values(0, Outcome::Fgt0).mean_axis(ndarray::Axis(0)).unwrap().to_vec();
/// let growth = SmmParameter { name: "income.growth".into(), start: 0.02, lower: -0.05, upper: 0.3, step: 0.01 };
/// let options = SmmOptions { measure: Outcome::Fgt0, replications: 4, ..SmmOptions::default() };
/// let target = SmmTarget { first_year: 2016, values, std_err: None };
/// let fit = fit_headcount(&reg, &IncomeModel::default(), &[growth], &target, &options, &mut |_, _| true)?;
/// assert!((fit.estimate[0] - 0.06).abs() < 0.01, "{:?}", fit.estimate);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn fit_headcount(
    registry: &Registry,
    model: &IncomeModel,
    params: &[SmmParameter],
    target: &SmmTarget,
    options: &SmmOptions,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<SmmFit> {
    check(params, target)?;
    model.validate()?;
    let p = params.len();
    let t_n = target.values.len();
    let years =
        u32::try_from(t_n).map_err(|_| Error::invalid_parameter("target", t_n, "too long"))?;
    let config = RunConfig {
        replications: options.replications,
        seed: options.seed,
        threads: options.threads,
        household_outputs: false,
        keep_paths: false,
        ..RunConfig::new(target.first_year, years)
    };
    config.validate()?;
    let budget = u64::from(options.max_iterations) * (p as u64 + 3) + 2 * p as u64 + 1;
    let mut sim = Simulator {
        registry,
        model,
        names: params.iter().map(|q| q.name.clone()).collect(),
        config,
        measure: options.measure,
        progress,
        evaluations: 0,
        budget,
    };
    let inv_se: Vec<f64> = match &target.std_err {
        Some(se) => se.iter().map(|s| 1.0 / s).collect(),
        None => vec![1.0; t_n],
    };
    let settings = LmSettings {
        lower: params.iter().map(|q| q.lower).collect(),
        upper: params.iter().map(|q| q.upper).collect(),
        step: params.iter().map(|q| q.step).collect(),
        max_iterations: options.max_iterations,
        x_tolerance: 0.05,
        f_tolerance: 1e-8,
    };
    let start: Vec<f64> = params.iter().map(|q| q.start).collect();
    let out = {
        let mut eval = |pts: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
            Ok(sim
                .means(pts)?
                .into_iter()
                .map(|m| {
                    m.iter()
                        .zip(&target.values)
                        .zip(&inv_se)
                        .map(|((s, t), w)| (s - t) * w)
                        .collect()
                })
                .collect())
        };
        minimise(&mut eval, &start, &settings)?
    };
    let theta = out.x.clone();
    // Centre and central-difference points in one run.
    let mut points = vec![theta.clone()];
    let mut steps = Vec::with_capacity(p);
    for (j, q) in params.iter().enumerate() {
        let up = (theta[j] + q.step).min(q.upper);
        let down = (theta[j] - q.step).max(q.lower);
        let (mut a, mut b) = (theta.clone(), theta.clone());
        a[j] = up;
        b[j] = down;
        steps.push(up - down);
        points.push(a);
        points.push(b);
    }
    let res = sim.run(&points)?;
    let mean = |s: usize| -> Array1<f64> {
        res.replicate_values(s, options.measure)
            .mean_axis(ndarray::Axis(0))
            .unwrap_or_else(|| Array1::zeros(t_n))
    };
    let centre = res.replicate_values(0, options.measure);
    let r = f64::from(options.replications);
    let simulated = mean(0);
    let g = Array2::from_shape_fn((t_n, p), |(t, j)| {
        (mean(1 + 2 * j)[t] - mean(2 + 2 * j)[t]) / steps[j]
    });
    let mut omega = Array2::<f64>::zeros((t_n, t_n));
    if options.replications > 1 {
        for a in 0..t_n {
            for b in 0..t_n {
                omega[[a, b]] = centre
                    .rows()
                    .into_iter()
                    .map(|row| (row[a] - simulated[a]) * (row[b] - simulated[b]))
                    .sum::<f64>()
                    / (r - 1.0);
            }
        }
    }
    let mut v = omega.mapv(|x| x / r);
    match &target.std_err {
        Some(se) => (0..t_n).for_each(|t| v[[t, t]] += se[t] * se[t]),
        None => v += &omega,
    }
    let w = Array2::from_diag(&Array1::from(
        inv_se.iter().map(|x| x * x).collect::<Vec<_>>(),
    ));
    let gw = g.t().dot(&w);
    let bread = gw.dot(&g);
    let l = cholesky(&bread).map_err(|e| Error::Numerical {
        what: "simulated method of moments".into(),
        reason: format!(
            "the simulated path does not respond to parameter `{}` at its estimate (singular Jacobian; pivot {:.3e}): widen its step or drop it",
            params[e.column].name, e.pivot
        ),
    })?;
    let inv = cholesky_inverse(&l);
    let covariance = inv.dot(&gw.dot(&v).dot(&gw.t())).dot(&inv);
    let mut fitted_model = model.clone();
    for (q, &x) in params.iter().zip(&theta) {
        fitted_model = set_parameter(&fitted_model, &q.name, x)?;
    }
    Ok(SmmFit {
        names: sim.names.clone(),
        std_err: (0..p).map(|j| covariance[[j, j]].max(0.0).sqrt()).collect(),
        at_bound: params
            .iter()
            .zip(&theta)
            .map(|(q, &x)| x <= q.lower || x >= q.upper)
            .collect(),
        estimate: theta,
        covariance,
        years: (0..t_n as i32).map(|t| target.first_year + t).collect(),
        target: target.values.clone(),
        simulated: simulated.to_vec(),
        simulated_sd: (0..t_n).map(|t| omega[[t, t]].sqrt()).collect(),
        jacobian: g,
        objective: out.ssr,
        iterations: out.iterations,
        evaluations: sim.evaluations,
        converged: out.converged,
        model: fitted_model,
    })
}

impl SmmFit {
    /// The fit as [`Table`](crate::registry::Table)s: the parameters (`name`, `estimate`,
    /// `std_err`, `at_bound`) and the series (`year`, `target`, `simulated`, `simulated_sd`).
    pub fn tables(&self) -> [crate::registry::Table; 2] {
        use crate::registry::{ColumnData as C, Table};
        let parameters = Table::from_columns(
            "parameters",
            [
                ("name", C::text(self.names.clone())),
                ("estimate", C::floats(self.estimate.clone())),
                ("std_err", C::floats(self.std_err.clone())),
                ("at_bound", C::flags(self.at_bound.clone())),
            ],
        );
        let series = Table::from_columns(
            "series",
            [
                ("year", C::whole(self.years.iter().copied())),
                ("target", C::floats(self.target.clone())),
                ("simulated", C::floats(self.simulated.clone())),
                ("simulated_sd", C::floats(self.simulated_sd.clone())),
            ],
        );
        [parameters, series]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_parameter_sets_nested_fields_and_validates() {
        let m = set_parameter(&IncomeModel::default(), "disaster.probability", 0.2).unwrap();
        assert_eq!(m.disaster.probability, 0.2);
        let e = set_parameter(&m, "disaster.probability", 1.5).unwrap_err();
        assert_eq!(e.column(), Some("disaster.probability"));
        let e = set_parameter(&m, "exit.require_insurance", 1.0).unwrap_err();
        assert!(e.to_string().contains("numeric"), "{e}");
        let e = set_parameter(&m, "income", 1.0).unwrap_err();
        assert!(e.to_string().contains("numeric"), "{e}");
    }

    #[test]
    fn parameters_and_target_are_checked_before_simulating() {
        let p = SmmParameter {
            name: "income.growth".into(),
            start: 0.1,
            lower: 0.0,
            upper: 0.2,
            step: 0.01,
        };
        let t = SmmTarget {
            first_year: 2016,
            values: vec![1.0, 2.0],
            std_err: None,
        };
        assert!(check(std::slice::from_ref(&p), &t).is_ok());
        let wide = SmmParameter {
            step: 0.15,
            ..p.clone()
        };
        assert!(check(&[wide], &t).unwrap_err().to_string().contains("step"));
        let nan = SmmTarget {
            values: vec![1.0, f64::NAN],
            ..t.clone()
        };
        assert_eq!(
            check(std::slice::from_ref(&p), &nan).unwrap_err().row(),
            Some(2)
        );
        let se = SmmTarget {
            std_err: Some(vec![1.0, 0.0]),
            ..t.clone()
        };
        assert_eq!(
            check(std::slice::from_ref(&p), &se).unwrap_err().column(),
            Some("std_err")
        );
        assert!(check(&[], &t).is_err());
    }
}
