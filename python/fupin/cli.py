"""The ``fupin`` command.

``fupin compare`` spends the same budget three ways on the embedded Taiqian county (or a registry
given as CSV files) — uniform (大水漫灌), by cause (对症下药) and a welfare floor only (兜底) — and
prints poor people by year with bands, exits, spending, cost per (sustained) exit and the paired
differences against the first scenario, and draws poor people by year to a PNG.

``fupin profile`` prints the poverty profile of the embedded default county (Taiqian) or of a
registry given as CSV files: headcount, gap, the villages still above their exit threshold, and
the causes of poverty.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from . import datasets, metrics
from ._compare import add_compare_parser
from ._native import FupinError
from .lines import poverty_line
from .registry import Registry


def _load(args: argparse.Namespace) -> tuple[Registry, str]:
    if args.households:
        reg = Registry.read_csv(args.households, args.villages)
        return reg, args.households
    if args.villages:
        raise SystemExit("fupin: --villages needs --households")
    return datasets.county(args.county, seed=args.seed), f"{args.county} (synthetic, seed {args.seed})"


def _profile(args: argparse.Namespace) -> int:
    reg, source = _load(args)
    line = args.line if args.line is not None else poverty_line(args.year)
    prof = metrics.profile(reg, line)
    overall = prof.loc[("all", "all")]
    villages = prof.loc["village"]
    above = villages[villages["above_threshold"].fillna(False).astype(bool)]
    out = sys.stdout
    out.write(f"fupin poverty profile: {source}\n")
    out.write(f"poverty line {line:,.0f} yuan per person per year"
              f"{'' if args.line is not None else f' (national line, {args.year})'}\n\n")
    out.write(f"households            {overall['households']:>12,.0f}\n")
    out.write(f"people                {overall['people']:>12,.0f}\n")
    out.write(f"poor households       {overall['poor_households']:>12,.0f}\n")
    out.write(f"poor people           {overall['poor_people']:>12,.0f}\n")
    out.write(f"headcount ratio P0    {overall['fgt0']:>12.4f}\n")
    out.write(f"poverty gap P1        {overall['fgt1']:>12.4f}\n")
    out.write(f"squared gap P2        {overall['fgt2']:>12.4f}\n")
    out.write(f"incidence             {overall['incidence']:>12.4%}  (poor registered people / population)\n\n")
    out.write(f"villages above their exit threshold: {len(above):,} of {len(villages):,}\n")
    if len(above):
        worst = above.sort_values("incidence", ascending=False).head(args.top)
        table = pd.DataFrame({
            "population": worst["population"].map("{:,.0f}".format),
            "poor people": worst["poor_registered_people"].map("{:,.0f}".format),
            "incidence": worst["incidence"].map("{:.2%}".format),
            "threshold": worst["exit_threshold"].map("{:.0%}".format),
        })
        table.index.name = "village"
        out.write(table.to_string() + "\n")
        if len(above) > args.top:
            out.write(f"... and {len(above) - args.top:,} more (--top to show more)\n")
    causes = prof.loc["cause"].sort_values("households", ascending=False)
    total = overall["households"]
    out.write("\ncauses of poverty (households citing each; several per household):\n")
    table = pd.DataFrame({
        "households": causes["households"].map("{:,.0f}".format),
        "share": (causes["households"] / total).map("{:.1%}".format),
        "poor share": causes["fgt0"].map("{:.1%}".format),
    })
    table.index.name = "cause"
    out.write(table.to_string() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fupin", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add_compare_parser(sub)
    p = sub.add_parser("profile", help="poverty profile of a registry (default: embedded Taiqian county)")
    p.add_argument("--households", help="households CSV (default: the embedded county)")
    p.add_argument("--villages", help="villages CSV (optional)")
    p.add_argument("--county", default="taiqian", choices=datasets.COUNTIES,
                   help="embedded county to use without --households (default: taiqian)")
    p.add_argument("--seed", type=int, default=0, help="seed of the embedded county (default 0)")
    p.add_argument("--year", type=int, default=2016, help="year of the national line (default 2016)")
    p.add_argument("--line", type=float, help="poverty line, yuan per person per year (overrides --year)")
    p.add_argument("--top", type=int, default=15, help="villages to list (default 15)")
    p.set_defaults(run=_profile)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except FupinError as err:
        sys.stderr.write(f"fupin: {err}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
