"""SisFall (Sucerquia et al., 2017): 19 daily activities and 15 falls, one waist device."""

import re
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, STANDARD_GRAVITY, Recording, activity_code
from ._home import DatasetSource
from ._loading import (
    DEG_TO_RAD,
    bits_to_unit,
    load_dataset,
    read_readme_table,
    subject_table,
    to_body_frame,
)
from ._parsing import read_numeric_table

__all__ = ["load_sisfall"]

SOURCE = DatasetSource(
    name="sisfall",
    folder="SisFall",
    expected="S[AE][0-9][0-9]/[DF][0-9][0-9]_S[AE][0-9][0-9]_R*.txt",
    layout=(
        "<folder>/Readme.txt (the release's read-me: its 'Subject | Age | Height | "
        "Weight | Gender' table is the subject table) and <folder>/SA01 … SA23, "
        "SE01 … SE15/<CODE>_<SUBJ>_R<NN>.txt, CODE D01 … D19 (activities of daily "
        "living) or F01 … F15 (falls): 9 comma-separated integer columns, lines "
        "ending in ';'. A <folder>/subjects.csv (subject_id, age, height_cm, "
        "weight_kg, gender) replaces the read-me's table."
    ),
    url="http://sistemic.udea.edu.co/en/investigacion/proyectos/english-falls/ "
    "(also mirrored on GitHub, e.g. Brisabrin/FallDetectionAlgorithm, "
    "SisFall_dataset/)",
    citation=(
        "Sucerquia A., López J.D., Vargas-Bonilla J.F. SisFall: A Fall and "
        "Movement Dataset. Sensors 17(1):198, 2017."
    ),
)
_VERSION = 3
_RATE = 200.0
#: The read-me's activity codes: (activity, speed the read-me states).
_CODES = {
    "D01": ("walking", "slow"),
    "D02": ("walking", "fast"),
    "D03": ("jogging", "slow"),
    "D04": ("jogging", "fast"),
    "D05": ("stairs", "slow"),  # up and down
    "D06": ("stairs", "fast"),
    "D07": ("sitting_down_and_up", "slow"),  # half height chair
    "D08": ("sitting_down_and_up", "fast"),
    "D09": ("sitting_down_and_up", "slow"),  # low height chair
    "D10": ("sitting_down_and_up", "fast"),
    "D11": ("sitting_down_and_up", None),  # trying to get up, collapse into the chair
    "D12": ("lying_down_and_up", "slow"),
    "D13": ("lying_down_and_up", "fast"),
    "D14": ("rolling_over", None),  # lying on the back, to the side and back
    "D15": ("bending", None),  # at the knees
    "D16": ("bending", None),  # without bending the knees
    "D17": ("car_entry_exit", None),
    "D18": ("stumbling", None),
    "D19": ("jumping", None),
    **{f"F{i:02d}": ("fall", None) for i in range(1, 16)},
}
_FILE_NAME = re.compile(r"([DF]\d\d)_(S[AE]\d\d)_(R\d+)")
#: The read-me's subject groups, by id prefix.
_GROUPS = {"SA": "adult_19-30", "SE": "elderly_60-75"}
_README = "Readme.txt"
_README_HEADER = re.compile(r"\|\s*Subject\s*\|\s*Age\s*\|\s*Height\s*\|\s*Weight\s*\|\s*Gender")
# Read-me: [(2*Range)/(2^Resolution)] * value
_ADXL345 = (16.0, 13)  # ±16 g, 13 bit
_ITG3200 = (2000.0, 16)  # ±2000 °/s, 16 bit
_MMA8451Q = (8.0, 14)  # ±8 g, 14 bit
_ACCELEROMETERS = {"ADXL345": (slice(0, 3), _ADXL345), "MMA8451Q": (slice(6, 9), _MMA8451Q)}
#: Body x (forward), y (left), z (up) as signed device axes: gravity is on
#: the device's -y, its x is medio-lateral (stride-periodic) and its z
#: antero-posterior (step-periodic); see load_sisfall.
_AXES = "+z -x -y"


def _name(file):
    """(activity code, subject, repetition) of a file name, or DataFormatError."""
    match = _FILE_NAME.fullmatch(Path(file).stem)
    if match is None or match.group(1) not in _CODES:
        raise DataFormatError(
            f"{file}: the name should be <CODE>_<SUBJECT>_R<NN>.txt with CODE one of "
            f"the read-me's D01 … D19 or F01 … F15."
        )
    return match.groups()


def _parser(accelerometer):
    columns, (g_range, g_bits) = _ACCELEROMETERS[accelerometer]

    def parse(file):
        raw = read_numeric_table(file, 9, delimiters=", \t", terminator=";")
        signal = np.empty((raw.shape[0], 6), dtype=np.float32)
        signal[:, :3] = bits_to_unit(raw[:, columns], g_range, g_bits) * STANDARD_GRAVITY
        signal[:, 3:] = bits_to_unit(raw[:, 3:6], *_ITG3200) * DEG_TO_RAD
        signal = to_body_frame(signal, _AXES)
        code, subject, trial_no = _name(file)
        activity, speed = _CODES[code]
        return [
            Recording(
                signal=signal,
                channels=CHANNELS,
                rate=_RATE,
                dataset=SOURCE.name,
                subject=subject,
                recording=Path(file).stem,
                trial=code,
                placement="waist",
                source_placement="waist",
                activity=np.full(len(signal), activity_code(activity), np.int8),
                info={
                    "source_activity": code,
                    "speed": speed,
                    "repetition": trial_no,
                    "accelerometer": accelerometer,
                    "frame": "body",
                    "axes": _AXES,
                },
            )
        ]

    return parse


def _readme_subjects(readme):
    table = read_readme_table(
        readme,
        _README_HEADER,
        ("subject", "age", "height_cm", "weight_kg", "sex"),
        re.compile(r"S[AE]\d\d"),
        "the 'Subject | Age | Height | Weight | Gender' table of SisFall's Readme.txt",
    )
    table["group"] = table["subject"].str[:2].map(_GROUPS)
    return table


def _subjects(folder, recordings):
    return subject_table(
        folder,
        lambda: _readme_subjects(folder / _README),
        rename={"subject_id": "subject", "gender": "sex"},
    )


@fill_doc
def load_sisfall(path=None, *, accelerometer="ADXL345", data_home=None, cache=True, download=False):
    """Load SisFall's trials (200 Hz, one waist device): every activity and fall.

    Every file of the release is one recording of one task, labelled with
    the read-me's activity code: ``trial`` and ``info["source_activity"]``
    are the code (``"D01"``), ``info["repetition"]`` the file's ``R01`` …
    ``R05``, and every sample's ``activity`` is the task's name in
    :data:`~skgait.datasets.ACTIVITIES`: D01, D02 walking (slowly, quickly;
    100 s), D03, D04 ``"jogging"``, D05, D06 ``"stairs"`` (up and down),
    D07–D11 ``"sitting_down_and_up"``, D12, D13 ``"lying_down_and_up"``,
    D14 ``"rolling_over"``, D15, D16 ``"bending"``, D17 ``"car_entry_exit"``,
    D18 ``"stumbling"``, D19 ``"jumping"``, F01–F15 ``"fall"``.
    ``info["speed"]`` is ``"slow"`` or ``"fast"`` where the read-me says
    (D01–D10, D12, D13), else None. A file labels its whole trial, which
    also holds standing before and after the task (and the walk before a
    fall): :func:`~skgait.datasets.make_windows` windows ``"walking"``, so
    D01 and D02, by default.

    The subject table (age, height, weight, sex) is the read-me's
    ``Subject | Age | Height | Weight | Gender`` table, with ``group`` from
    the id (SA adults aged 19–30, SE elderly aged 60–75); a
    ``subjects.csv`` in the folder replaces it.

    Raw counts are converted with the read-me's
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
    {data_home}
    {cache}
    {download}

    Returns
    -------
    dataset : GaitDataset
        Placement ``"waist"``; the subject table has ``group`` (adult or
        elderly).

    Raises
    ------
    DatasetNotFoundError
        If the folder holds no SisFall file, or neither ``Readme.txt`` nor
        ``subjects.csv``.
    DataFormatError
        If a file name has an unknown activity code, a row is malformed, the
        read-me has no subject table, or two files have the same bytes.

    Examples
    --------
    >>> from skgait.datasets import load_sisfall
    >>> ds = load_sisfall()
    >>> ds.placements
    ['waist']
    >>> [(r.trial, r.info["speed"], r.rate) for r in ds.select(subject="SE01")]
    [('D01', 'slow', 200.0), ('D02', 'fast', 200.0)]
    >>> row = ds.subjects.loc[0]
    >>> row["subject"], float(row["age"]), row["sex"], row["group"]
    ('SA01', 26.0, 'F', 'adult_19-30')
    """
    if accelerometer not in _ACCELEROMETERS:
        raise ValueError(
            f"accelerometer must be one of {sorted(_ACCELEROMETERS)}, got {accelerometer!r}."
        )
    return load_dataset(
        SOURCE,
        path,
        data_home,
        _parser(accelerometer),
        f"{_VERSION}-{accelerometer}",
        _subjects,
        cache,
        download=download,
    )
