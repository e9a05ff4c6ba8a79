"""Poverty lines."""

from __future__ import annotations

from . import _args, _native

__all__ = ["poverty_line"]


def poverty_line(year: int) -> float:
    """China's national rural poverty line in ``year``, yuan per person per year (nominal).

    2,300 yuan a person a year at 2010 prices, at the current prices of each year (National Bureau
    of Statistics, rural poverty monitoring reports); 2,800 in 2014 rising to about 4,000 in 2020.
    The schedule covers 2010–2020; later years (to 2399) keep the 2020 line. A year before 2010
    (or not a whole number, or past 2399) raises :class:`fupin.ValidationError` naming the year
    and the schedule's range: no year silently takes the nearest scheduled line.
    """
    return float(_native.poverty_line(_args.year(year)))
