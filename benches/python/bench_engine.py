"""fupin's engine against the same model written in vectorised NumPy, measured in one run.

    python benches/python/bench_engine.py [--households N] [--villages V] [--years Y]
                                          [--replications R] [--repeats K] [--threads T]

Builds one synthetic registry (``fupin.datasets.synthetic``), then runs, ``--repeats`` times and
interleaved (so drift in the load of a shared machine hits all three alike):

* the NumPy baseline (``numpy_model.simulate``: vectorised over households, loops over replicates
  and years; single-threaded — BLAS/OpenMP pools are pinned to one thread before NumPy loads, and
  the baseline's reductions use ``einsum``, not BLAS);
* fupin with ``threads=1``;
* fupin with all cores (``--threads``, default ``os.cpu_count()``),

on the same registry, model (``fupin.IncomeModel()`` defaults), years and replicates, and prints
the median wall time of each in ns per household-year (households × years × replicates) and the
speed ratios. fupin runs with ``household_outputs=False`` (the baseline computes no per-household
outputs either; ``--household-outputs`` turns them on) and ``progress=False``.

Peak memory is measured afterwards, each implementation in a fresh child process that rebuilds the
same registry: the growth of the resident set during one run (Linux ``VmHWM`` reset through
``/proc/self/clear_refs`` just before the run, minus ``VmRSS`` then), and for NumPy also the
``tracemalloc`` peak of Python/NumPy allocations during a second run (Rust's allocations are
invisible to tracemalloc, so there is no such figure for fupin). Where ``clear_refs`` cannot be
written, the child's lifetime peak (``ru_maxrss``) minus its RSS before the run is reported instead,
marked as an upper bound.

Build fupin in release mode first (``maturin develop --release``); a debug build is many times
slower and its figures mean nothing.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import fupin  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy_model  # noqa: E402

FIRST_YEAR = 2016


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--households", type=int, default=200_000)
    p.add_argument("--villages", type=int, default=None, help="default: households / 100")
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--household-outputs", action="store_true")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--child", choices=["numpy", "fupin"], help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.villages is None:
        a.villages = max(1, a.households // 100)
    return a


def build(a: argparse.Namespace):
    reg = fupin.datasets.synthetic(a.households, a.villages, seed=a.seed)
    hh = numpy_model.Households.from_frames(reg.households(), reg.villages())
    return reg, hh


def years_of(a: argparse.Namespace) -> list[int]:
    return list(range(FIRST_YEAR, FIRST_YEAR + a.years))


def run_numpy(a, hh, params, seed):
    return numpy_model.simulate(hh, params, years_of(a), a.replications, seed)


def run_fupin(a, reg, model, threads, seed):
    return fupin.simulate(
        reg, [fupin.Scenario("baseline")], model=model, years=years_of(a),
        replications=a.replications, seed=seed, threads=threads, progress=False,
        household_outputs=a.household_outputs,
    )


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def child(a: argparse.Namespace) -> None:
    """Measure one implementation's peak memory in this fresh process; print JSON."""
    reg, hh = build(a)
    model = fupin.IncomeModel()
    params = model.to_dict()
    out: dict[str, object] = {}
    try:
        Path("/proc/self/clear_refs").write_text("5")
        method = "VmHWM reset before the run"
    except OSError:
        method = "ru_maxrss of the whole child (upper bound)"
    before = _status_kib("VmRSS")
    if a.child == "numpy":
        run_numpy(a, hh, params, a.seed)
    else:
        keep = run_fupin(a, reg, model, a.threads, a.seed)
        del keep
    if method.startswith("VmHWM"):
        peak = _status_kib("VmHWM")
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["rss_growth_mib"] = (peak - before) / 1024
    out["rss_before_mib"] = before / 1024
    out["method"] = method
    if a.child == "numpy":
        tracemalloc.start()
        run_numpy(a, hh, params, a.seed)
        out["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(json.dumps(out))


def memory(a: argparse.Namespace, which: str) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", which,
            "--households", str(a.households), "--villages", str(a.villages),
            "--years", str(a.years), "--replications", str(a.replications),
            "--threads", str(a.threads), "--seed", str(a.seed)]
    if a.household_outputs:
        args.append("--household-outputs")
    res = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    if a.child:
        child(a)
        return
    work = a.households * a.years * a.replications
    print(f"fupin {fupin.__version__} vs NumPy {np.__version__} (Python {platform.python_version()}"
          f", {platform.machine()}); {os.cpu_count()} logical CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    t0 = time.perf_counter()
    reg, hh = build(a)
    print(f"registry: fupin.datasets.synthetic({a.households:,}, {a.villages:,}, seed={a.seed}) "
          f"in {time.perf_counter() - t0:.2f} s; {a.years} years from {FIRST_YEAR}, "
          f"{a.replications} replicates = {work:,} household-years per run; "
          f"{a.repeats} interleaved repeats; default IncomeModel()")
    model = fupin.IncomeModel()
    params = model.to_dict()

    # Warm-up (first-touch page faults, lazy imports, thread-pool start).
    small = argparse.Namespace(**{**vars(a), "replications": 1})
    run_numpy(small, hh, params, 0)
    run_fupin(small, reg, model, a.threads, 0)

    runs = {
        "numpy (1 core)": lambda s: run_numpy(a, hh, params, s),
        "fupin threads=1": lambda s: run_fupin(a, reg, model, 1, s),
        f"fupin threads={a.threads}": lambda s: run_fupin(a, reg, model, a.threads, s),
    }
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for k in range(a.repeats):
        for name, f in runs.items():
            c, t = time.process_time(), time.perf_counter()
            f(a.seed + k)
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    ns = {name: statistics.median(ts) / work * 1e9 for name, ts in wall.items()}
    cpu_ns = {name: statistics.median(ts) / work * 1e9 for name, ts in cpu.items()}

    print("\nmedians over repeats, ns per household-year (wall: min–max):")
    print(f"  {'':<18} {'wall s':>8} {'wall ns':>9} {'CPU ns':>9}   wall range")
    for name, ts in wall.items():
        print(f"  {name:<18} {statistics.median(ts):8.3f} {ns[name]:9.1f} {cpu_ns[name]:9.1f}"
              f"   {min(ts) / work * 1e9:.1f}–{max(ts) / work * 1e9:.1f}")
    print("  (CPU ns: user + system time of this process, all threads, per household-year; on a\n"
          "   shared machine it is the fairer per-core figure, wall time the one a user waits for)")
    names = list(runs)
    r = {  # NumPy time / fupin time
        "wall1": ns[names[0]] / ns[names[1]],
        "cpu1": cpu_ns[names[0]] / cpu_ns[names[1]],
        "wallT": ns[names[0]] / ns[names[2]],
        "scale": ns[names[1]] / ns[names[2]],
    }
    print("\nspeed ratios (NumPy time / fupin time, measured in this run):")
    print(f"  fupin 1 thread vs NumPy 1 core:  {r['wall1']:6.2f}× wall, {r['cpu1']:6.2f}× CPU time")
    print(f"  fupin {a.threads} threads vs NumPy 1 core: {r['wallT']:6.2f}× wall")
    print(f"  fupin {a.threads} threads vs fupin 1 thread: {r['scale']:6.2f}× wall")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(a shared machine: treat the figures as rough)")

    if a.skip_memory:
        return
    print("\npeak memory, one run each in a fresh child process:")
    for which in ("numpy", "fupin"):
        m = memory(a, which)
        line = (f"  {which:<6} resident set grew by {m['rss_growth_mib']:8.1f} MiB during the run "
                f"(from {m['rss_before_mib']:.1f} MiB; {m['method']})")
        if "tracemalloc_peak_mib" in m:
            line += f"; tracemalloc peak {m['tracemalloc_peak_mib']:.1f} MiB"
        print(line)
    print(f"  (registry arrays held by both: {hh_bytes(hh) / 2**20:.1f} MiB of NumPy columns, "
          "not counted in the growth)")


def hh_bytes(hh: numpy_model.Households) -> int:
    return sum(v.nbytes for v in vars(hh).values() if isinstance(v, np.ndarray))


if __name__ == "__main__":
    main()
