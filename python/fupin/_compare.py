"""``fupin compare``: the same budget spent different ways, side by side."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

import numpy as np
import pandas as pd

from . import datasets
from .engine import Scenario, read_scenarios, simulate
from .measures import WelfareFloor
from .policy import CAUSES, ByCause, Uniform
from .registry import Registry
from .results import Results

#: Taiqian county's industry funds, yuan (seed 000): the default yearly budget.
TAIQIAN_BUDGET = 111_650_000.0


def default_scenarios(budget: float) -> list[Scenario]:
    """The three scenarios of ``fupin compare``, each with ``budget`` yuan a year (carried over).

    * ``uniform`` — 大水漫灌: industry support, health and education for every registered
      household at one intensity (:class:`fupin.policy.Uniform`'s default mix).
    * ``by_cause`` — 对症下药: measures by cause of poverty, poorest households first, guarantees
      fixed (:class:`fupin.policy.ByCause`'s defaults).
    * ``floor_only`` — 兜底: the whole fund as a welfare floor at the poverty line for registered
      households, poorest first (every cause mapped to ``welfare_floor``, its eligibility opened
      to every registered household, no other measure).
    """
    floor = WelfareFloor(eligibility={"vulnerable": False})
    return [
        Scenario("uniform", policy=Uniform(), budget=budget),
        Scenario("by_cause", policy=ByCause(), budget=budget),
        Scenario("floor_only",
                 policy=ByCause(mapping={c: ["welfare_floor"] for c in CAUSES}, guarantees=False),
                 budget=budget, measures=[floor]),
    ]


def _years(text: str) -> range:
    try:
        if "-" in text or ":" in text:
            a, b = text.replace(":", "-").split("-")
            first, last = int(a), int(b)
        else:
            first = last = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2016-2020, got {text!r}") from None
    if last < first:
        raise argparse.ArgumentTypeError(f"years run backwards: {text!r}")
    return range(first, last + 1)


def _yuan(text: str) -> float:
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"budget must be yuan a year, got {text!r}") from None
    return value


def _load(args: argparse.Namespace) -> tuple[Registry, str]:
    if args.households:
        return Registry.read_csv(args.households, args.villages), args.households
    if args.villages:
        raise SystemExit("fupin: --villages needs --households")
    return (datasets.county(args.county, seed=args.county_seed),
            f"{args.county} (synthetic, seed {args.county_seed})")


def _scenarios(args: argparse.Namespace) -> list[Scenario]:
    if args.scenarios:
        scenarios = read_scenarios(args.scenarios)
        if args.budget is not None:
            scenarios = [_with_yearly_budget(s, args.budget) if s.policy is not None else s
                         for s in scenarios]
    else:
        budget = TAIQIAN_BUDGET if args.budget is None else args.budget
        scenarios = default_scenarios(budget)
    if args.baseline and all(s.name != "baseline" for s in scenarios):
        scenarios.append(Scenario("baseline"))
    return scenarios


def _with_yearly_budget(s: Scenario, yearly: float) -> Scenario:
    """``s`` with one pool of ``yearly`` yuan a year; the rest of its budget (carry-over, the
    guarantee fund) kept."""
    spec = s.to_dict()
    budget = {k: v for k, v in (spec.get("budget") or {}).items() if k != "by_county"}
    return Scenario.from_dict({**spec, "budget": {**budget, "yearly": yearly}})


def _describe(s: Scenario) -> str:
    p = s.policy
    if p is None:
        return "no measures"
    d = p.to_dict()
    if p.rule == "uniform":
        text = "uniform mix of " + ", ".join(d["mix"])
    elif p.rule == "by_cause":
        ranking = d["ranking"] if isinstance(d["ranking"], str) else "by score"
        targets = sorted({m for ms in d.get("mapping", {}).values() for m in ms})
        text = f"by cause, {ranking.replace('_', ' ')}"
        if d.get("mapping") and len(d["mapping"]) == len(CAUSES) and len(targets) == 1:
            text = f"{targets[0]} only, {ranking.replace('_', ' ')}"
    else:
        text = f"explicit table of {len(d['assignments'])} rows"
    b = s.budget
    if b is None:
        return text + ", unlimited budget"
    if isinstance(b.get("yearly"), float):
        text += f", {b['yearly']:,.0f} yuan a year"
    elif "yearly" in b:
        text += ", budget by year"
    else:
        text += f", budgets for {len(b['by_county'])} counties"
    return text


def _band(mean: float, low: float, high: float) -> str:
    return f"{mean:,.0f} ({low:,.0f}–{high:,.0f})"


def _fmt(quantity: str, x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if quantity == "fgt1":
        return f"{x:.4f}"
    return f"{x:,.0f}"


def _ci(quantity: str, low: float, high: float) -> str:
    return f"[{_fmt(quantity, low)}, {_fmt(quantity, high)}]"


_LABELS = {
    "poor_people": "poor people",
    "poor_households": "poor households",
    "fgt1": "poverty gap P1",
    "exits": "exits",
    "sustained_exits": "sustained exits",
    "programme_spending": "spending",
    "cost_per_exit": "cost per exit",
    "cost_per_sustained_exit": "cost per sustained exit",
}


def report(res: Results, reference: str, sustained_years: int, out: TextIO) -> None:
    """Print the comparison tables of ``res`` against ``reference``."""
    names = res.scenarios
    years = res.years
    last = years[-1]
    summary = res.summary()
    out.write("poor people by year (mean over replicates, 5–95 % band in brackets)\n")
    table = pd.DataFrame({
        name: [_band(*summary.loc[(name, y), ["poor_people", "poor_people_p5",
                                              "poor_people_p95"]]) for y in years]
        for name in names
    }, index=pd.Index(years, name="year"))
    out.write(table.to_string() + "\n\n")

    comparisons = {name: res.compare(reference, name, sustained_years=sustained_years)
                   for name in names}
    sustained = res.sustained_exits(sustained_years=sustained_years)
    totals = {}
    for name in names:
        s = summary.loc[name]
        final = comparisons[name].query("year == @last").set_index("quantity")["mean_b"]
        totals[name] = {
            f"exits {years[0]}–{last}": s["exits"].sum(),
            f"sustained exits ({sustained_years} y)": sustained.loc[name].sum(axis=1).mean(),
            "returns": s["returns"].sum(),
            f"poor people {last}": s.loc[last, "poor_people"],
            "spending, yuan": s["programme_spending"].sum(),
            "cost per exit, yuan": final["cost_per_exit"],
            "cost per sustained exit, yuan": final["cost_per_sustained_exit"],
        }
    frame = pd.DataFrame(totals)
    out.write(f"over {years[0]}–{last} (means over replicates)\n")
    out.write(frame.map(lambda x: "n/a" if not np.isfinite(x) else f"{x:,.0f}").to_string()
              + "\n\n")

    others = [n for n in names if n != reference]
    if not others:
        return
    level = 0.95
    out.write(f"differences against {reference} (other − {reference}; {level:.0%} intervals, "
              "paired: same draws, unpaired: as if independent)\n")
    rows = []
    for name in others:
        c = comparisons[name]
        picks = [("poor_people", y) for y in years] + [
            (q, last)
            for q in ("fgt1", "programme_spending", "cost_per_exit", "cost_per_sustained_exit")
        ]
        for q, y in picks:
            r = c[(c["quantity"] == q) & (c["year"] == y)].iloc[0]
            label = _LABELS[q] + (f" {y}" if q in ("poor_people", "fgt1", "programme_spending") else
                                  f" to {y}")
            rows.append({
                "scenario": name,
                "quantity": label,
                "difference": _fmt(q, r["difference"]),
                "paired": _ci(q, r["paired_low"], r["paired_high"]),
                "unpaired": _ci(q, r["unpaired_low"], r["unpaired_high"]),
            })
    diff = pd.DataFrame(rows).set_index(["scenario", "quantity"])
    out.write(diff.to_string() + "\n")


def plot(res: Results, path: str, title: str) -> None:
    """Poor people by year with 5–95 % bands, one line per scenario, written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    res.plot(ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    reg, source = _load(args)
    scenarios = _scenarios(args)
    names = [s.name for s in scenarios]
    reference = args.reference or names[0]
    if reference not in names:
        raise SystemExit(f"fupin: --reference {reference!r} is not a scenario ({', '.join(names)})")
    out = sys.stdout
    years = args.years
    out.write(f"fupin compare: {source}, {reg.n_households:,} households\n")
    out.write(f"years {years[0]}–{years[-1]}, {args.replications} replications, seed {args.seed}; "
              "all scenarios share their random draws\n")
    for s in scenarios:
        out.write(f"  {s.name}: {_describe(s)}\n")
    out.write("\n")
    res = simulate(reg, scenarios, years=years, replications=args.replications, seed=args.seed,
                   threads=args.threads, progress=sys.stderr.isatty(), household_outputs=False)
    report(res, reference, args.sustained_years, out)
    if args.plot:
        plot(res, args.plot, f"Poor people, {source}")
        out.write(f"\nchart: {args.plot}\n")
    out.write(f"({time.perf_counter() - started:.1f} s)\n")
    return 0


def add_compare_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="compare allocations of one budget (default: uniform, by cause, floor only on Taiqian)",
        description="Spend the same budget different ways and compare, with common random numbers.",
    )
    p.add_argument("--households", help="households CSV (default: the embedded county)")
    p.add_argument("--villages", help="villages CSV (optional)")
    p.add_argument("--county", default="taiqian", choices=datasets.COUNTIES,
                   help="embedded county to use without --households (default: taiqian)")
    p.add_argument("--county-seed", type=int, default=0,
                   help="seed of the embedded county (default 0)")
    p.add_argument("--scenarios", help="TOML file of [[scenario]] tables (default: the three "
                   "built-in scenarios)")
    p.add_argument("--budget", type=_yuan, help="yuan a year for every scenario with a policy "
                   f"(default {TAIQIAN_BUDGET:,.0f}, Taiqian's industry fund)")
    p.add_argument("--years", type=_years, default=range(2016, 2021),
                   help="years to simulate, e.g. 2016-2020 (the default)")
    p.add_argument("--replications", type=int, default=100, help="replications (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    p.add_argument("--threads", type=int, help="threads (default: FUPIN_NUM_THREADS or all cores)")
    p.add_argument("--reference", help="scenario the others are compared with (default: the first)")
    p.add_argument("--baseline", action="store_true", help="add a scenario without measures")
    p.add_argument("--sustained-years", type=int, default=2,
                   help="an exit is sustained if not followed by a return within this many years "
                   "(default 2)")
    p.add_argument("--plot", default="fupin-compare.png",
                   help="PNG chart of poor people by year (default fupin-compare.png)")
    p.add_argument("--no-plot", dest="plot", action="store_const", const=None,
                   help="do not draw the chart")
    p.set_defaults(run=run)

