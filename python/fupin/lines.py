"""Poverty lines."""

from __future__ import annotations

from . import _native

__all__ = ["poverty_line"]


def poverty_line(year: int) -> float:
    """China's national rural poverty line in ``year``, yuan per person per year (nominal).

    2,300 yuan a person a year at 2010 prices, at the current prices of each year (National Bureau
    of Statistics, rural poverty monitoring reports); 2,800 in 2014 rising to about 4,000 in 2020.
    """
    return float(_native.poverty_line(int(year)))
