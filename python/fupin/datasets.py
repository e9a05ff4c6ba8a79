"""Embedded data: synthetic registries calibrated to published county figures.

The county presets reproduce the published counts of the seed reports exactly (registered poor
households, registered people, poor villages, villages where given) and fill in what the reports do
not publish with documented, plausible joint distributions. :func:`presets` lists every figure, its
source and how anything unpublished was derived.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from . import _args, _native
from .registry import Registry

__all__ = ["COUNTIES", "county", "presets", "synthetic"]

#: Names accepted by :func:`county`.
COUNTIES: tuple[str, ...] = ("taiqian", "taoyuan", "pingguo", "changle")


def county(name: str = "taiqian", seed: int = 0) -> Registry:
    """A synthetic registry of an embedded county, deterministic for ``seed``.

    ``taiqian`` (台前县, Henan, mid-2016: 13,710 households, 41,414 people, 108 poor villages),
    ``taoyuan`` (桃源县, Hunan: 451 villages, 66 poor villages, 80,460 poor people),
    ``pingguo`` (平果县, Guangxi, 2018: 181 villages, 19 poor villages, 12,621 people) and
    ``changle`` (长乐乡, Pinghe county, Fujian). The Chinese name is accepted too.

    >>> reg = county("taiqian")
    >>> reg.n_households, int(reg.registered_people), reg.poor_villages
    (13710, 41414, 108)
    """
    return Registry(_native.county(str(name), _args.seed(seed)))


def presets() -> pd.DataFrame:
    """The county presets: published figures, their source seed file and notes on derivations."""
    rows: list[dict[str, Any]] = json.loads(_native.county_presets())
    return pd.DataFrame(rows).set_index("name")


def synthetic(
    households: int,
    villages: int,
    seed: int = 0,
    *,
    threads: int | None = None,
    **config: Any,
) -> Registry:
    """A synthetic registry of any size, generated in parallel in Rust.

    Deterministic for ``seed`` whatever the number of ``threads`` (default: ``FUPIN_NUM_THREADS``
    or all cores). Further keyword arguments set fields of the generator's configuration, e.g.
    ``counties=10``, ``year=2016``, ``mean_size=3.04``, ``poor_village_share=0.3``,
    ``regions={"west": 0.5, "centre": 0.35, "east": 0.15}``.
    """
    households = _args.integer(households, "households", 0)
    villages = _args.integer(villages, "villages", 0)
    seed = _args.seed(seed)
    threads = _args.threads(threads)
    text = None
    if config:
        base = {"households": households, "villages": villages, "seed": seed}
        text = json.dumps({**base, **config})
    return Registry(_native.synthetic(households, villages, seed, text, threads))
