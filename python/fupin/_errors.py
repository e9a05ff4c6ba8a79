"""The exception hierarchy of fupin, declared in one place; ``fupin._native`` raises these classes
(mapping each core error to one of them) and exports them, and ``fupin`` re-exports them.

.. code-block:: text

    Exception
    └── fupin.FupinError
        ├── fupin.ValidationError   (also a ValueError)       bad data or parameters
        ├── fupin.FupinIOError      (also an OSError)         files that cannot be read or written
        └── fupin.NumericalError    (also an ArithmeticError) singular systems, no convergence

Every error has ``column``, ``row`` (1-based, as in the message) and ``value`` attributes: set
where the error names a cell or a parameter, else None (class attributes of ``FupinError``, so
reading them never raises AttributeError, whoever raised the error). This module imports nothing
from fupin, so that the native module can import it while ``fupin`` is being imported.
"""

from __future__ import annotations


class FupinError(Exception):
    """Base class of every error raised by fupin. Attributes `column`, `row` (1-based) and `value` name the offending cell or parameter where there is one, else are None."""  # noqa: E501

    __module__ = "fupin"
    column: str | None = None
    row: int | None = None
    value: str | None = None


class ValidationError(FupinError, ValueError):
    """Bad input data or parameters. Attributes `column`, `row` (1-based) and `value` name the offending cell where there is one, else are None."""  # noqa: E501

    __module__ = "fupin"


class FupinIOError(FupinError, OSError):
    """A file could not be read or written."""

    __module__ = "fupin"


class NumericalError(FupinError, ArithmeticError):
    """A numerical procedure failed (singular system, no convergence)."""

    __module__ = "fupin"
