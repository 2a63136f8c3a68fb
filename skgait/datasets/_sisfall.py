"""SisFall (Sucerquia et al., 2017): walking trials D01 (slow) and D02 (fast)."""

from pathlib import Path

import numpy as np

from ._base import CHANNELS, STANDARD_GRAVITY, Recording, activity_code
from ._download import download_dataset
from ._home import DatasetSource
from ._loading import (
    DEG_TO_RAD,
    bits_to_unit,
    load_dataset,
    read_subject_table,
    to_body_frame,
)
from ._parsing import read_numeric_table

__all__ = ["load_sisfall"]

SOURCE = DatasetSource(
    name="sisfall",
    folder="SisFall",
    expected="S[AE][0-9][0-9]/D0[12]_*_R*.txt",
    layout=(
        "<folder>/SA01 … SA23, SE01 … SE15/D01_<SUBJ>_R01.txt and D02_<SUBJ>_R01.txt "
        "(9 comma-separated integer columns, lines ending in ';'), plus "
        "<folder>/subjects.csv (subject_id, group, age, height_cm, weight_kg, gender)."
    ),
    url="http://sistemic.udea.edu.co/en/investigacion/proyectos/english-falls/ "
    "(also mirrored on GitHub, e.g. Brisabrin/FallDetectionAlgorithm, "
    "SisFall_dataset/)",
    citation=(
        "Sucerquia A., López J.D., Vargas-Bonilla J.F. SisFall: A Fall and "
        "Movement Dataset. Sensors 17(1):198, 2017."
    ),
)
_VERSION = 2
_RATE = 200.0
_SPEEDS = {"D01": "slow", "D02": "fast"}
# Read-me: [(2*Range)/(2^Resolution)] * value
_ADXL345 = (16.0, 13)  # ±16 g, 13 bit
_ITG3200 = (2000.0, 16)  # ±2000 °/s, 16 bit
_MMA8451Q = (8.0, 14)  # ±8 g, 14 bit
_ACCELEROMETERS = {"ADXL345": (slice(0, 3), _ADXL345), "MMA8451Q": (slice(6, 9), _MMA8451Q)}
#: Body x (forward), y (left), z (up) as signed device axes: gravity is on
#: the device's -y, its x is medio-lateral (stride-periodic) and its z
#: antero-posterior (step-periodic); see load_sisfall.
_AXES = "+z -x -y"


def _parser(accelerometer):
    columns, (g_range, g_bits) = _ACCELEROMETERS[accelerometer]

    def parse(file):
        raw = read_numeric_table(file, 9, delimiters=", \t", terminator=";")
        signal = np.empty((raw.shape[0], 6), dtype=np.float32)
        signal[:, :3] = bits_to_unit(raw[:, columns], g_range, g_bits) * STANDARD_GRAVITY
        signal[:, 3:] = bits_to_unit(raw[:, 3:6], *_ITG3200) * DEG_TO_RAD
        signal = to_body_frame(signal, _AXES)
        activity, subject, trial_no = Path(file).stem.split("_")
        return [
            Recording(
                signal=signal,
                channels=CHANNELS,
                rate=_RATE,
                dataset=SOURCE.name,
                subject=subject,
                recording=Path(file).stem,
                trial=activity,
                placement="waist",
                source_placement="waist",
                activity=np.full(len(signal), activity_code("walking"), np.int8),
                info={
                    "speed": _SPEEDS[activity],
                    "repetition": trial_no,
                    "accelerometer": accelerometer,
                    "frame": "body",
                    "axes": _AXES,
                },
            )
        ]

    return parse


def _subjects(folder):
    return read_subject_table(
        folder / "subjects.csv", rename={"subject_id": "subject", "gender": "sex"}
    )


def load_sisfall(path=None, *, accelerometer="ADXL345", data_home=None, cache=True, download=False):
    """Load SisFall's walking trials (200 Hz, one waist device).

    Each subject walked slowly (``trial="D01"``) and quickly (``"D02"``) for
    100 s; each is one recording. Raw counts are converted with the read-me's
    formula ``(2 * range / 2**resolution) * value``: ADXL345 (±16 g, 13 bit)
    or MMA8451Q (±8 g, 14 bit) to m/s², ITG3200 (±2000 °/s, 16 bit) to rad/s.

    Axes (``info["frame"]`` is ``"body"``, ``info["axes"]`` ``"+z -x -y"``):
    the read-me does not state the device's orientation, so it is read off
    the data. Gravity lies on the device's -y axis (the mean acceleration of
    a 100 s walk is -9.6 m/s² on y, median of the 76 files), so ``acc_z``
    is -y. Of the two horizontal axes, the device's x is medio-lateral: its
    acceleration repeats once per stride, not per step (autocorrelation at
    a lag of one step -0.53 for x, +0.76 for z, medians), and likewise the
    gyroscope: pitch about x repeats per step, yaw about y and roll about z
    per stride. The signs of x and z follow the SisFall paper's waist
    device worn in front, on the belt, with its z axis pointing away from
    the body: forward is +z (its mean is -1.9 m/s², the device tilted
    forward-down with the abdomen), left is then -x (right-handed). The
    gyroscope is mapped with the same axes as the accelerometer.

    Parameters
    ----------
    path : str or Path, optional
        The SisFall folder. Default: ``<data home>/SisFall``.
    accelerometer : {"ADXL345", "MMA8451Q"}, default="ADXL345"
        Which of the device's two accelerometers gives ``acc_x … acc_z``.
    data_home : str or Path, optional
        See :func:`~skgait.datasets.get_data_home`.
    cache : bool, default=True
        Reuse parsed files from the cache.
    download : bool, default=False
        Download the files of the public copy that are missing (pinned to
        a commit and checked by SHA-256) into ``path`` or
        ``<data home>/SisFall`` first; see
        :func:`~skgait.datasets.download_dataset`.

    Returns
    -------
    dataset : GaitDataset
        Placement ``"waist"``; ``info["speed"]`` is ``"slow"`` or ``"fast"``;
        the subject table has ``group`` (adult or elderly).

    Examples
    --------
    >>> from skgait.datasets import load_sisfall
    >>> ds = load_sisfall()
    >>> ds.placements
    ['waist']
    >>> [(r.trial, r.info["speed"], r.rate) for r in ds.select(subject="SE01")]
    [('D01', 'slow', 200.0), ('D02', 'fast', 200.0)]
    """
    if accelerometer not in _ACCELEROMETERS:
        raise ValueError(
            f"accelerometer must be one of {sorted(_ACCELEROMETERS)}, got {accelerometer!r}."
        )
    if download:
        path = download_dataset(SOURCE.name, path, data_home=data_home)
    return load_dataset(
        SOURCE,
        path,
        data_home,
        SOURCE.expected,
        _parser(accelerometer),
        f"{_VERSION}-{accelerometer}",
        _subjects,
        cache,
    )
