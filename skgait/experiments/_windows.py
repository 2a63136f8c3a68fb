"""How grids and searches cut windows: one specification, written once."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from ..datasets import ACTIVITIES, CHANNELS

__all__ = ["MAX_RATE", "WindowSpec"]

#: Highest ``rate`` in Hz: IMU recordings are sampled at tens to hundreds of
#: Hz, and a rate of 1e12 would ask for terabytes.
MAX_RATE = 10_000


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class WindowSpec:
    """The windows of a grid or a search: :func:`~skgait.datasets.make_windows`'s arguments.

    Its fields are the keys of a configuration's ``[windows]`` table and
    the parameters of :func:`~skgait.datasets.make_windows` of the same
    names.

    Parameters
    ----------
    rate : float, default=50.0
        Sampling rate in Hz every recording is resampled to.
    length : float, default=2.56
        Window length in seconds.
    overlap : float, default=0.5
        Fraction of a window shared with the next one, in [0, 1).
    activity : str, default="walking"
        Activity kept (a name of :data:`~skgait.datasets.ACTIVITIES`).
    channels : tuple of str, default=CHANNELS
        Channels kept, in order.

    Examples
    --------
    >>> from skgait.experiments import WindowSpec
    >>> spec = WindowSpec.from_value({"length": 5.12})
    >>> spec.length, spec.rate
    (5.12, 50.0)
    >>> WindowSpec(rate=-1).problems()
    [('rate', -1, 'expected a finite positive number of Hz, at most 10000.')]
    """

    rate: float = 50.0
    length: float = 2.56
    overlap: float = 0.5
    activity: str = "walking"
    channels: tuple = CHANNELS

    @classmethod
    def from_value(cls, value):
        """A spec from None (the defaults), a mapping of its fields, or a spec.

        Raises
        ------
        ValueError
            If ``value`` is none of these or names an unknown field.
        """
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(
                f"windows must be a WindowSpec or a dict of {', '.join(cls.names())}; "
                f"got {value!r}."
            )
        unknown = sorted(set(value) - set(cls.names()))
        if unknown:
            raise ValueError(
                f"windows: unknown key(s) {unknown}; expected {', '.join(cls.names())}."
            )
        value = dict(value)
        if isinstance(value.get("channels"), list):
            value["channels"] = tuple(value["channels"])
        return cls(**value)

    @classmethod
    def names(cls):
        """The field names, in order."""
        return tuple(f.name for f in fields(cls))

    def problems(self):
        """``[(field, value, message)]`` of every invalid field (empty if valid)."""
        out = []
        checks = (
            (
                "rate",
                lambda v: _number(v) and 0 < v <= MAX_RATE,
                f"expected a finite positive number of Hz, at most {MAX_RATE}.",
            ),
            (
                "length",
                lambda v: _number(v) and v > 0,
                "expected a finite positive number of seconds.",
            ),
            ("overlap", lambda v: _number(v) and 0 <= v < 1, "expected a number in [0, 1)."),
            ("activity", lambda v: v in ACTIVITIES, f"expected one of {', '.join(ACTIVITIES)}."),
            (
                "channels",
                lambda v: (
                    isinstance(v, (tuple, list)) and len(v) > 0 and all(c in CHANNELS for c in v)
                ),
                f"expected a non-empty list of {', '.join(CHANNELS)}.",
            ),
        )
        for name, check, message in checks:
            value = getattr(self, name)
            if not check(value):
                out.append((name, value, message))
        return out

    def check(self):
        """Raise a ValueError naming every invalid field; return the spec."""
        problems = self.problems()
        if problems:
            raise ValueError(
                "; ".join(
                    f"windows.{name} = {value!r}: {message}" for name, value, message in problems
                )
            )
        return self

    def kwargs(self):
        """Keyword arguments of :func:`~skgait.datasets.make_windows`."""
        return asdict(self)

    def params(self):
        """Flat values to log (MLflow parameters): channels joined by commas."""
        return {**asdict(self), "channels": ",".join(self.channels)}
