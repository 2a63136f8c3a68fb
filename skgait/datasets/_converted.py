"""Seed datasets without a file layout skgait could verify: GEDS and EJUST-GINR-1.

Neither dataset's file layout could be found in public code or
documentation:

- GEDS (Miraldo, Watanabe and Duarte, 2020) is public; its page is the
  BMClab repository github.com/BMClab/datasets, but no file listing or
  reader of its files was found.
- EJUST-GINR-1 (Mostafa et al., 2020; Adel et al., 2020) is described in
  papers of the Cyber-Physical Systems Lab of E-JUST; no download page or
  reader was found.

So their loaders read the data once the user has converted it into
:func:`~skgait.datasets.load_directory`'s layout under the dataset's folder;
until then they raise :class:`~skgait.exceptions.DatasetNotFoundError` saying what to write
where and where to obtain the data.
"""

from ._directory import DIRECTORY_LAYOUT, load_converted
from ._home import DatasetSource

__all__ = ["load_ejust_ginr1", "load_geds"]

_NO_LAYOUT = "no published file layout is known to skgait; convert the data into "

GEDS_SOURCE = DatasetSource(
    name="geds",
    folder="GEDS",
    expected="*_*_*.csv",
    layout=(
        _NO_LAYOUT + "load_directory's layout in <folder>: one CSV per subject, speed and IMU, "
        "named <subject>_<speed>-<Ta|Tb>_<left_shin|right_shin>.csv, where speed is "
        "slow, comfortable or fast and Ta/Tb is the sensor over tibialis anterior "
        "or the tibia (TaL, TaR, TbL, TbR), with columns time (s), acc_x, acc_y, "
        "acc_z (m/s²), gyr_x, gyr_y, gyr_z (rad/s); plus <folder>/subjects.csv "
        "(subject, age, sex, height_cm, weight_kg). General layout: " + DIRECTORY_LAYOUT + "."
    ),
    url=("https://github.com/BMClab/datasets (GEDS; open data, cite the paper)"),
    citation=(
        "Miraldo D., Watanabe R.N., Duarte M. An open dataset for gait-event "
        "estimation with inertial, magnetic, foot-ground contact, and "
        "electromyographic signals during walking. 2020."
    ),
)

EJUST_SOURCE = DatasetSource(
    name="ejust_ginr1",
    folder="EJUST-GINR-1",
    expected="*_*_*.csv",
    layout=(
        _NO_LAYOUT + "load_directory's layout in <folder>: one CSV per subject, session and "
        "sensor, named <subject>_<session>_<placement>.csv with placement waist, "
        "left_upper_arm, right_upper_arm, left_shin, right_shin (the 'cube' "
        "sensors), left_wrist or right_wrist (the watches); the back sensor has no "
        "skgait placement and is left out; columns acc_x, acc_y, acc_z (m/s²), "
        "gyr_x, gyr_y, gyr_z (rad/s) at 50 Hz, optionally time (s); plus "
        "<folder>/subjects.csv (subject, age, sex, height_cm, weight_kg). General "
        "layout: " + DIRECTORY_LAYOUT + "."
    ),
    url=(
        "the authors, Cyber-Physical Systems Lab, Egypt-Japan University of "
        "Science and Technology (W. Gomaa); no public download page is known"
    ),
    citation=(
        "Mostafa A., Barghash T.O., Assaf A.A.-S., Gomaa W. Multi-sensor gait "
        "analysis for gender recognition. 2020. Adel O., Nafea Y., Hesham A., "
        "Gomaa W. Gait-based person identification using multiple inertial "
        "sensors. 2020."
    ),
)


def load_geds(path=None, *, rate=None, data_home=None, cache=True):
    """Load GEDS (22 subjects, four shank IMUs, three walking speeds), once converted.

    GEDS has no file layout skgait could verify, so it reads the data in
    :func:`load_directory`'s layout (see the module notes and the error
    message for the file names). Every sample is labelled ``"walking"``.

    Parameters
    ----------
    path : str or Path, optional
        The converted folder. Default: ``<data home>/GEDS``.
    rate : float, optional
        Sampling rate for files without a ``time`` column.
    data_home : str or Path, optional
        See :func:`~skgait.datasets.get_data_home`.
    cache : bool, default=True
        Reuse parsed files from the cache.

    Returns
    -------
    dataset : GaitDataset

    Raises
    ------
    DatasetNotFoundError
        Until the converted files are in place; the message gives the layout
        and where to obtain the data.

    Examples
    --------
    >>> from skgait.datasets import load_geds
    >>> ds = load_geds()  # doctest: +SKIP
    """
    return load_converted(GEDS_SOURCE, path, data_home, cache, rate=rate, activity="walking")


def load_ejust_ginr1(path=None, *, rate=50.0, data_home=None, cache=True):
    """Load EJUST-GINR-1 (20 subjects, 8 body-worn IMUs, 50 Hz), once converted.

    EJUST-GINR-1 has no public file layout, so it reads the data in
    :func:`load_directory`'s layout (see the module notes and the error
    message for the file names). Every sample is labelled ``"walking"``.

    Parameters
    ----------
    path : str or Path, optional
        The converted folder. Default: ``<data home>/EJUST-GINR-1``.
    rate : float, default=50.0
        Sampling rate of files without a ``time`` column, and the rate files
        with one are resampled to.
    data_home : str or Path, optional
        See :func:`~skgait.datasets.get_data_home`.
    cache : bool, default=True
        Reuse parsed files from the cache.

    Returns
    -------
    dataset : GaitDataset

    Raises
    ------
    DatasetNotFoundError
        Until the converted files are in place; the message gives the layout
        and whom to ask for the data.

    Examples
    --------
    >>> from skgait.datasets import load_ejust_ginr1
    >>> ds = load_ejust_ginr1()  # doctest: +SKIP
    """
    return load_converted(EJUST_SOURCE, path, data_home, cache, rate=rate, activity="walking")
