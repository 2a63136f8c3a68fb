"""Plausibility of a recording's values: finite, in range, in SI units.

A loader that converts units wrongly (g or mg where m/s² is expected, °/s
where rad/s is) or a file with garbage values (NaN, 1e27) still yields
arrays of the right shape; these checks make such recordings visible with
an :class:`~skgait.exceptions.ImplausibleSignalWarning` naming the file and the problem.
"""

import warnings

import numpy as np

from ..exceptions import ImplausibleSignalWarning
from ._base import STANDARD_GRAVITY

__all__ = ["check_plausibility", "signal_problems"]

#: The norm of a recording's mean acceleration is gravity (9.81 m/s²) plus
#: what the sensor's motion does not average out: 8.6-13.5 m/s² over the
#: shared files, a foot sensor's centripetal acceleration being the most.
#: Outside [g / 2, 2 g] lie the unit mix-ups: g read as m/s² (~1), m/s²
#: multiplied by g once more (~96), mg (~1000).
GRAVITY_RANGE = (STANDARD_GRAVITY / 2, 2 * STANDARD_GRAVITY)
#: Largest plausible |acceleration|, m/s² (50 g): body-worn IMUs measure
#: up to ±16 g (157 m/s²); the shared files peak at 100 m/s² (a foot).
MAX_ACCELERATION = 50 * STANDARD_GRAVITY
#: Largest plausible |angular rate|, rad/s: ±2000 °/s (34.9 rad/s) is the
#: widest range of common MEMS gyroscopes; walking in °/s reads hundreds.
MAX_ANGULAR_RATE = 35.0


def signal_problems(recording):
    """Return what is implausible about a recording's values (empty if nothing).

    Parameters
    ----------
    recording : Recording
        A recording in SI units (see :data:`~skgait.datasets.CHANNELS`).

    Returns
    -------
    problems : list of str
        One sentence per problem: non-finite values, accelerations or
        angular rates beyond any body-worn sensor's range, or a mean
        acceleration whose norm is not gravity (units g, mg, or m/s²
        converted twice).
    """
    signal = np.asarray(recording.signal, dtype=np.float64)
    channels = list(recording.channels)
    problems = []
    finite = np.isfinite(signal)
    if not finite.all():
        bad = ~finite.all(axis=1)
        problems.append(
            f"{int(bad.sum())} of {len(signal)} samples hold NaN or infinite values "
            f"(first at sample {int(np.argmax(bad))})"
        )
    acc = [i for i, c in enumerate(channels) if c.startswith("acc")]
    gyr = [i for i, c in enumerate(channels) if c.startswith("gyr")]
    for kind, idx, limit, unit in (
        ("acceleration", acc, MAX_ACCELERATION, "m/s²"),
        ("angular rate", gyr, MAX_ANGULAR_RATE, "rad/s"),
    ):
        values = np.abs(np.where(finite[:, idx], signal[:, idx], 0.0))
        if values.size and values.max() > limit:
            problems.append(
                f"|{kind}| reaches {values.max():.4g} {unit}, beyond the {limit:.4g} "
                f"{unit} of any body-worn sensor"
                + (
                    " (°/s instead of rad/s?)"
                    if kind == "angular rate" and values.max() < limit * 180 / np.pi
                    else ""
                )
            )
    if len(acc) == 3:
        rows = finite[:, acc].all(axis=1)
        if rows.any():
            gravity = float(np.linalg.norm(signal[rows][:, acc].mean(axis=0)))
            low, high = GRAVITY_RANGE
            if not low <= gravity <= high:
                problems.append(
                    f"the mean acceleration has a norm of {gravity:.4g} m/s², not gravity "
                    f"(9.81; expected {low:.3g}-{high:.3g}): " + _unit_hint(gravity)
                )
    return problems


def _unit_hint(gravity):
    ratios = {
        "in g, not m/s²": 1.0,
        "in m/s² multiplied by g once more": STANDARD_GRAVITY**2,
        "in mg": 1000.0,
        "in mg multiplied by g": 1000.0 * STANDARD_GRAVITY,
    }
    name, value = min(ratios.items(), key=lambda kv: abs(np.log(max(gravity, 1e-12) / kv[1])))
    if abs(np.log(max(gravity, 1e-12) / value)) < np.log(1.5):
        return f"the values look {name}"
    return "wrong units, a sensor that does not move with the body, or corrupt values"


def check_plausibility(recordings, source=None):
    """Warn, per recording, about implausible values.

    Parameters
    ----------
    recordings : list of Recording
        Recordings parsed from one file.
    source : str or Path, optional
        The file they come from, named in the warning; default
        ``recording.info["path"]`` or the recording id.

    Warns
    -----
    ImplausibleSignalWarning
        One per recording with problems (see :func:`signal_problems`),
        naming the file, placement and problems.
    """
    for rec in recordings:
        problems = signal_problems(rec)
        if problems:
            where = rec.info.get("path") or source or rec.recording
            warnings.warn(
                f"{where}: {rec.dataset} recording {rec.recording!r} ({rec.placement}) "
                f"looks implausible: {'; '.join(problems)}.",
                ImplausibleSignalWarning,
                stacklevel=3,
            )
