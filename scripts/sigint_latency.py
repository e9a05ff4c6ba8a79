"""How fast does each cancellable fupin call answer Ctrl-C?

For each public call documented as cancellable (README, "Cancellation"), a fresh subprocess builds
the inputs (2 M households, or 10^7 rows / 6·10^7 values), starts the call, and a timer thread sends
the process SIGINT after a delay. The child measures the time from the signal to the
``KeyboardInterrupt`` it catches, checks the exception is a ``KeyboardInterrupt`` (not a
``PanicException``), runs a small call to show the process is still usable, and reports one line.

    .venv/bin/python scripts/sigint_latency.py            # every call
    .venv/bin/python scripts/sigint_latency.py gini plan  # some

Each row is one trial: ``latency_s`` must be under one second. Sizes are fixed above; the machine
and its load are what the times depend on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

HOUSEHOLDS = 2_000_000
ROWS = 10_000_000
VALUES = 60_000_000

# name: (setup, call, delay before SIGINT in seconds)
CALLS: dict[str, tuple[str, str, float]] = {
    "simulate (planning)": (
        f"reg = fupin.datasets.synthetic({HOUSEHOLDS}, 6000, seed=1)\n"
        "s = fupin.Scenario('d', policy=fupin.policy.ByCause(), budget=500_000_000)",
        "fupin.simulate(reg, [s], replications=20, progress=False)",
        1.5,
    ),
    "simulate (run)": (
        f"reg = fupin.datasets.synthetic({HOUSEHOLDS}, 6000, seed=1)",
        "fupin.simulate(reg, [fupin.Scenario('base')], replications=50, progress=False)",
        2.0,
    ),
    "plan": (
        f"reg = fupin.datasets.synthetic({HOUSEHOLDS}, 6000, seed=1)\n"
        "s = fupin.Scenario('d', policy=fupin.policy.ByCause(), budget=500_000_000)",
        "fupin.plan(reg, s)",
        1.5,
    ),
    "datasets.synthetic(10M)": ("", f"fupin.datasets.synthetic({ROWS}, 30000, seed=2)", 0.8),
    "Registry.read_csv(10^7 rows)": ("", "fupin.Registry.read_csv(CSV)", 2.0),
    "Registry.from_frame(10^7 rows)": (
        "import pandas as pd\n"
        f"n = {ROWS}\n"
        "df = pd.DataFrame({'household_id': np.arange(1, n + 1), 'village_id': np.arange(n) // 1000,\n"
        "                   'size': np.full(n, 3), 'income_per_capita': np.linspace(500, 9000, n)})",
        "fupin.Registry.from_frame(df)",
        0.5,
    ),
    "metrics.gini(6e7)": (
        f"y = np.random.default_rng(0).lognormal(8, 1, {VALUES})",
        "fupin.metrics.gini(y)",
        0.5,
    ),
    "metrics.gini(6e7, weights)": (
        f"rng = np.random.default_rng(0); y = rng.lognormal(8, 1, {VALUES}); w = rng.random({VALUES}) + 0.5",
        "fupin.metrics.gini(y, weights=w)",
        0.8,
    ),
    "metrics.sen(6e7)": (
        f"y = np.random.default_rng(0).lognormal(8, 1, {VALUES})",
        "fupin.metrics.sen(y, 4000.0)",
        0.5,
    ),
    "timelines.calibrate_income(2M household-years)": (
        "import pandas as pd\n"
        "rng = np.random.default_rng(3); n, t = 200_000, 10\n"
        "x = np.cumsum(rng.normal(0.08, 0.2, (n, t)), axis=1) + 8.0\n"
        "panel = pd.DataFrame({'household_id': np.repeat(np.arange(n), t),\n"
        "                      'year': np.tile(np.arange(2014, 2014 + t), n),\n"
        "                      'income': np.exp(x).reshape(-1)})",
        "fupin.timelines.calibrate_income(panel, bootstrap=999)",
        1.0,
    ),
    "timelines.calibrate_headcount(2M households)": (
        f"reg = fupin.datasets.synthetic({HOUSEHOLDS}, 6000, seed=1)\n"
        "target = {y: 0.05 for y in range(2016, 2021)}",
        "fupin.timelines.calibrate_headcount(reg, target, "
        "{'income.growth': (0.03, -0.05, 0.25, 0.01)}, replications=4)",
        3.0,
    ),
    "metrics.profile(10M)": (
        f"reg = fupin.datasets.synthetic({ROWS}, 30000, seed=2)",
        "fupin.metrics.profile(reg, line=4000.0)",
        0.3,
    ),
}

CHILD = textwrap.dedent(
    """
    import json, os, signal, sys, threading, time
    import numpy as np
    import fupin
    CSV = sys.argv[1]
    {setup}
    sent = []
    def fire():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Timer({delay}, fire).start()
    started = time.monotonic()
    out = {{}}
    try:
        {call}
        out["outcome"] = "finished before the signal"
        out["call_s"] = time.monotonic() - started
    except KeyboardInterrupt:
        caught = time.monotonic()
        out["outcome"] = "KeyboardInterrupt"
        out["latency_s"] = caught - sent[0] if sent else None
    except BaseException as e:
        out["outcome"] = type(e).__name__ + ": " + str(e)[:100]
    # Still usable: a small call after the interrupt.
    out["usable"] = float(fupin.metrics.gini([1.0, 2.0, 3.0, 4.0])) == 0.25
    print("RESULT " + json.dumps(out))
    """
)


def write_csv(path: str) -> None:
    import numpy as np
    import pandas as pd

    n = ROWS
    pd.DataFrame({
        "household_id": np.arange(1, n + 1),
        "village_id": np.arange(n) // 1000 + 1,
        "size": np.arange(n) % 5 + 1,
        "income_per_capita": np.round(np.linspace(500, 9000, n), 2),
    }).to_csv(path, index=False)


def main(names: list[str]) -> int:
    chosen = names or list(CALLS)
    unknown = [n for n in chosen if n not in CALLS]
    if unknown:
        print(f"unknown calls {unknown}; choose from {list(CALLS)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "households.csv")
        if any("read_csv" in n for n in chosen):
            write_csv(csv)
        width = max(len(n) for n in chosen)
        print(f"{'call':{width}} {'signal after':>12} {'latency':>9}  outcome / still usable")
        worst = 0.0
        for name in chosen:
            setup, call, delay = CALLS[name]
            code = CHILD.format(
                setup=setup, call=call, delay=delay
            )
            proc = subprocess.run(
                [sys.executable, "-c", code, csv], capture_output=True, text=True, timeout=900
            )
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if not lines:
                print(f"{name:{width}} {delay:>11.1f}s {'-':>9}  child failed: {proc.stderr[-300:]}")
                worst = float("inf")
                continue
            r = json.loads(lines[-1][7:])
            lat = r.get("latency_s")
            shown = f"{lat:.3f}s" if lat is not None else "-"
            if lat is not None:
                worst = max(worst, lat)
            print(f"{name:{width}} {delay:>11.1f}s {shown:>9}  {r['outcome']} / {r['usable']}")
        print(f"worst latency: {worst:.3f}s")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
