"""OU-ISIR Inertial Sensor gait database (Ngo et al., 2014): 744 subjects, 100 Hz.

File layout, as distributed by OU-ISIR and read by public code (no sample
file could be inspected; the layout below is what independent readers agree
on):

- ``AutomaticExtractionData_IMUZCenter/T0_ID<6 digits>_Center_seq<0|1>.csv``:
  two level-walk sequences per subject, centre IMUZ;
- ``ManualExtractionData/IMUZ{Center,Left,Right}/``
  ``T0_ID<6 digits>_<Walk1|Walk2|SlopeUp|SlopeDown>.csv``;
- each file: two header lines, then 6 comma-separated columns
  ``Gx, Gy, Gz`` (rad/s) and ``Ax, Ay, Az`` (g);
- ``IDGenderAgelist.csv``: ``ID, Gender(0:Female;1:Male), Age``.

Sources: github.com code reading the distribution, e.g. a loader whose
``GIVEN_FREQUENCY = 100`` and folder constants ``AutomaticExtractionData_IMUZCenter``,
``ManualExtractionData``, ``IMUZCenter/Left/Right`` and the file-name grammar
``T0_<user_id>_Center_seq<n>.csv`` / ``T0_<user_id>_<activity><n>.csv`` are
documented; a gait-authentication config documenting the columns as
``Gx, Gy, Gz [rad/s]; Ax, Ay, Az [g]``; and readers using
``pd.read_csv(..., skiprows=2, names=['Gx','Gy','Gz','Ax','Ay','Az'])`` and
``label_file["Gender(0:Female;1:Male)"]`` indexed by ``ID``. The database
page is http://www.am.sanken.osaka-u.ac.jp/BiometricDB/InertialGait.html.
"""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, STANDARD_GRAVITY, Recording, activity_code
from ._home import DatasetSource
from ._loading import load_dataset, normalise_subject_table
from ._parsing import read_numeric_table

__all__ = ["load_ou_isir"]

SOURCE = DatasetSource(
    name="ou_isir",
    folder="OU-InertialGaitData",
    expected="AutomaticExtractionData_IMUZCenter/T0_ID*_Center_seq*.csv",
    layout=(
        "<folder>/AutomaticExtractionData_IMUZCenter/T0_ID<6 digits>_Center_seq0.csv "
        "and _seq1.csv; <folder>/ManualExtractionData/IMUZCenter, IMUZLeft, "
        "IMUZRight/T0_ID<6 digits>_Walk1.csv, _Walk2, _SlopeUp, _SlopeDown; each "
        "with 2 header lines then columns Gx,Gy,Gz (rad/s),Ax,Ay,Az (g); plus "
        "<folder>/IDGenderAgelist.csv (ID, Gender(0:Female;1:Male), Age)."
    ),
    url=(
        "http://www.am.sanken.osaka-u.ac.jp/BiometricDB/InertialGait.html "
        "(research use only, after a signed release agreement with OU-ISIR)"
    ),
    citation=(
        "Ngo T.T., Makihara Y., Nagahara H., Mukaigawa Y., Yagi Y. The largest "
        "inertial sensor-based gait database and performance evaluation of "
        "gait-based personal authentication. Pattern Recognition 47(1):228-237, 2014."
    ),
)
_VERSION = 2
_RATE = 100.0
_SENSORS = ("IMUZCenter", "IMUZLeft", "IMUZRight")
_SUBSETS = {
    "automatic": "AutomaticExtractionData_IMUZCenter/T0_ID*_Center_seq*.csv",
    "manual": "ManualExtractionData/{sensor}/T0_ID*_*.csv",
}
_GROUND = {"seq": "level", "Walk": "level", "SlopeUp": "up_slope", "SlopeDown": "down_slope"}
_NAME = re.compile(r"T0_ID(\d+)_(?:Center_)?(seq|Walk|SlopeUp|SlopeDown)(\d?)$")
# Column order in the files: gyroscope first, then accelerometer.
_TO_SKGAIT = [3, 4, 5, 0, 1, 2]


def _parse_name(file):
    match = _NAME.match(Path(file).stem)
    if match is None:
        raise DataFormatError(
            f"{file}: file name does not follow OU-ISIR's T0_ID<digits>_Center_seq<n>.csv "
            "or T0_ID<digits>_<Walk1|Walk2|SlopeUp|SlopeDown>.csv."
        )
    subject, kind, number = match.groups()
    return str(int(subject)), kind, kind + number


def _parse(file):
    file = Path(file)
    subject, kind, trial = _parse_name(file)
    raw = read_numeric_table(file, 6, skip_lines=2, delimiters=", \t")
    signal = raw[:, _TO_SKGAIT].astype(np.float32)
    signal[:, :3] *= STANDARD_GRAVITY
    sensor = "IMUZCenter" if file.parent.name.startswith("Automatic") else file.parent.name
    return [
        Recording(
            signal=signal,
            channels=CHANNELS,
            rate=_RATE,
            dataset=SOURCE.name,
            subject=subject,
            recording=file.stem.replace("_Center", ""),
            trial=trial,
            placement="waist",
            source_placement=sensor,
            activity=np.full(len(signal), activity_code("walking"), np.int8),
            info={
                "ground": _GROUND[kind],
                "path": str(file),
                "frame": "sensor",
                "subset": "automatic" if file.parent.name.startswith("Automatic") else "manual",
            },
        )
    ]


def _subject_list(folder):
    """Read IDGenderAgelist.csv (root or anywhere below) into skgait's table."""
    files = (
        [folder / "IDGenderAgelist.csv"]
        if (folder / "IDGenderAgelist.csv").is_file()
        else (sorted(folder.glob("**/IDGenderAgelist.csv")))
    )
    if not files:
        return normalise_subject_table(pd.DataFrame({"subject": []}), str(folder))
    table = pd.read_csv(files[0], skipinitialspace=True)
    table.columns = [str(c).strip() for c in table.columns]
    gender = next((c for c in table.columns if c.lower().startswith("gender")), None)
    if "ID" not in table.columns or gender is None or "Age" not in table.columns:
        raise DataFormatError(
            f"{files[0]}: expected columns ID, Gender(0:Female;1:Male), Age; found "
            f"{', '.join(table.columns)}."
        )
    codes = pd.to_numeric(table[gender], errors="coerce")
    bad = ~codes.isin([0, 1]) & table[gender].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            f"{files[0]}: line {row + 2}, column {gender!r} must be 0 (female) or "
            f"1 (male), got {table[gender].iloc[row]!r}."
        )
    ids = pd.to_numeric(table["ID"], errors="coerce")
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataFormatError(
            f"{files[0]}: line {row + 2}, column 'ID' is not a number: {table['ID'].iloc[row]!r}."
        )
    renamed = pd.DataFrame(
        {
            "subject": ids.astype(int).astype(str),
            "age": table["Age"],
            "sex": codes.map({0: "F", 1: "M"}),
        }
    )
    return normalise_subject_table(renamed, str(files[0]))


def _subjects(folder, recordings):
    table = _subject_list(folder)
    seen = {r.subject for r in recordings}
    unlisted = sorted(seen - set(table["subject"]), key=int)
    if unlisted:  # recordings whose subject has no age/gender row
        extra = normalise_subject_table(pd.DataFrame({"subject": unlisted}), "")
        table = pd.concat([table, extra], ignore_index=True)
    return table


@fill_doc
def load_ou_isir(path=None, *, subset="automatic", sensor=None, data_home=None, cache=True):
    """Load the OU-ISIR Inertial Sensor gait database (100 Hz, waist IMUZ).

    The automatic subset has 744 subjects (2–78 years), two level-walk
    sequences each from the centre IMUZ (``trial="seq0"``, ``"seq1"``). The
    manual subset has 495 subjects and three IMUZ on the waist belt (centre,
    left, right) with two level walks (``"Walk1"``, ``"Walk2"``) and an
    up- and a down-slope walk (``"SlopeUp"``, ``"SlopeDown"``). Accelerations
    (stored in g) are converted to m/s²; angular rates are stored in rad/s.
    The axes are the IMUZ's own (``info["frame"]`` is ``"sensor"``): no file
    could be inspected to find the gravity axis, so they are not mapped
    onto skgait's body frame.

    Parameters
    ----------
    path : str or Path, optional
        The database folder (holding ``AutomaticExtractionData_IMUZCenter``
        and/or ``ManualExtractionData``). Default:
        ``<data home>/OU-InertialGaitData``.
    subset : {"automatic", "manual"}, default="automatic"
        Which extraction to load.
    sensor : {"IMUZCenter", "IMUZLeft", "IMUZRight"}, optional
        Manual subset only: load one sensor. Default: all three.
    {data_home}
    {cache}

    Returns
    -------
    dataset : GaitDataset
        Placement ``"waist"`` for every sensor; :attr:`Recording.source_placement`
        is ``"IMUZCenter"``, ``"IMUZLeft"`` or ``"IMUZRight"``. Activity is
        ``"walking"``; ``info["ground"]`` is ``"level"``, ``"up_slope"`` or
        ``"down_slope"``. Subjects are the numeric ids without leading zeros
        (``"104"`` for ``T0_ID000104_…``); subjects absent from
        ``IDGenderAgelist.csv`` get NaN age and sex.

    Examples
    --------
    >>> from skgait.datasets import load_ou_isir
    >>> ds = load_ou_isir()  # doctest: +SKIP
    >>> ds.subjects[["age", "sex"]].describe()  # doctest: +SKIP
    """
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {sorted(_SUBSETS)}, got {subset!r}.")
    if sensor is not None and (subset != "manual" or sensor not in _SENSORS):
        raise ValueError(
            f"sensor applies to subset='manual' and must be one of {_SENSORS}, "
            f"got {sensor!r} with subset={subset!r}."
        )
    pattern = _SUBSETS[subset].format(sensor=sensor or "IMUZ*")
    source = dataclasses.replace(SOURCE, expected=pattern)
    return load_dataset(source, path, data_home, _parse, _VERSION, _subjects, cache)
