"""Zou et al.'s smartphone gait datasets "in the wild" (whuGAIT), 118 subjects, 50 Hz.

The datasets are distributed already cut into samples of 128 points (6
channels), split into ``train`` and ``test``. The file layout is the one the
authors' own code reads (github.com/qinnzou/Gait-Recognition-Using-Smartphones,
``code/identification/CNN/CNN.py``: ``load_X('./data(118)/train/record')``
over ``train_acc_x.txt … train_gyr_z.txt``, one sample of 128
space-separated values per line, and ``load_y('…/train/label.txt')``, one
1-based subject number per line):

- ``train/record/train_{acc,gyr}_{x,y,z}.txt`` and ``train/label.txt``;
- ``test/record/test_{acc,gyr}_{x,y,z}.txt`` and ``test/label.txt``.

Datasets #1 and #2 hold two-step gait cycles interpolated to 128 points
(the time axis is normalised, not 50 Hz); #3 and #4 hold 2.56 s windows at
50 Hz. The description does not state the units; skgait takes Android's
sensor units (m/s², rad/s) as stored, and no demographics are published.
"""

import dataclasses

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, Recording, activity_code, check_placement
from ._home import DatasetSource
from ._loading import load_dataset, normalise_subject_table
from ._parsing import read_numeric_table

__all__ = ["load_whu_gait"]

SOURCE = DatasetSource(
    name="whu_gait",
    folder="whuGAIT",
    expected="train/record/train_acc_x.txt",
    layout=(
        "<folder>/Dataset<n>/train/record/train_acc_x.txt, train_acc_y.txt, "
        "train_acc_z.txt, train_gyr_x.txt, train_gyr_y.txt, train_gyr_z.txt (one "
        "sample of 128 space-separated values per line) and <folder>/Dataset<n>/"
        "train/label.txt (one subject number per line); the same under test/ "
        "with the test_ prefix."
    ),
    url=(
        "https://github.com/qinnzou/Gait-Recognition-Using-Smartphones "
        "(download links: https://sites.google.com/site/qinzoucn/ or "
        "https://1drv.ms/f/s!AittnGm6vRKLyh3yWS7XaXfyUNQp; academic, "
        "non-commercial use only)"
    ),
    citation=(
        "Zou Q., Wang Y., Wang Q., Zhao Y., Li Q. Deep learning-based gait "
        "recognition using smartphones in the wild. IEEE Transactions on "
        "Information Forensics and Security 15:3197-3212, 2020 (arXiv:1811.00338)."
    ),
)
_VERSION = 2
_RATE = 50.0
_LENGTH = 128
_SUBSETS = (1, 2, 3, 4)
_TIME_NORMALISED = (1, 2)


def _parser(subset, placement):
    def parse(label_file):
        split_dir = label_file.parent
        split = split_dir.name
        labels = read_numeric_table(label_file, 1)[:, 0]
        if not np.array_equal(labels, np.round(labels)) or (labels < 1).any():
            raise DataFormatError(f"{label_file}: labels must be positive integer subject numbers.")
        channels = []
        for channel in CHANNELS:
            file = split_dir / "record" / f"{split}_{channel}.txt"
            if not file.is_file():
                raise DataFormatError(
                    f"{split_dir}: missing {file.name} in record/ (expected "
                    f"{', '.join(f'{split}_{c}.txt' for c in CHANNELS)})."
                )
            values = read_numeric_table(file, _LENGTH, delimiters=" \t,")
            if len(values) != len(labels):
                raise DataFormatError(
                    f"{file}: {len(values)} samples but {label_file.name} has {len(labels)} labels."
                )
            channels.append(values.astype(np.float32))
        signals = np.stack(channels, axis=-1)  # (n_samples, 128, 6)
        walking = np.full(_LENGTH, activity_code("walking"), np.int8)
        info = {
            "split": split,
            "subset": subset,
            "frame": "sensor",
            "time_normalised": subset in _TIME_NORMALISED,
        }
        return [
            Recording(
                signal=signal,
                channels=CHANNELS,
                rate=_RATE,
                dataset=SOURCE.name,
                subject=str(int(label)),
                recording=f"{split}_{i:05d}",
                trial=split,
                placement=placement,
                source_placement="smartphone",
                activity=walking,
                info={**info, "index": i},
            )
            for i, (signal, label) in enumerate(zip(signals, labels))
        ]

    return parse


def _subjects(folder, recordings):
    ids = sorted({int(r.subject) for r in recordings})
    return normalise_subject_table(pd.DataFrame({"subject": [str(i) for i in ids]}), str(folder))


@fill_doc
def load_whu_gait(path=None, *, subset=3, placement="pocket", data_home=None, cache=True):
    """Load one of Zou et al.'s smartphone gait datasets (118 subjects, 50 Hz).

    Each line of the distributed files is one sample of 128 points of a
    phone's accelerometer and gyroscope, labelled with its subject; each
    sample becomes one :class:`Recording` (``trial`` is ``"train"`` or
    ``"test"``, the authors' split). The channels are the phone's own axes
    (``info["frame"]`` is ``"sensor"``): the phones were carried freely, so
    their orientation on the body is unknown.

    Parameters
    ----------
    path : str or Path, optional
        The folder of one dataset, holding ``train/`` and ``test/``. Default:
        ``<data home>/whuGAIT/Dataset<subset>``.
    subset : {1, 2, 3, 4}, default=3
        Which identification dataset: #1 (118 subjects) and #2 (20 subjects)
        hold two-step cycles interpolated to 128 points, so their ``rate`` is
        nominal (``info["time_normalised"]`` is True); #3 (118) and #4 (20)
        hold 2.56 s windows at 50 Hz.
    placement : str, default="pocket"
        Placement to record: the phones were carried freely ("in the wild")
        and the dataset does not document where, so this is an assumption.
    {data_home}
    {cache}

    Returns
    -------
    dataset : GaitDataset
        One recording per sample; subjects are the label numbers (``"1"``
        … ``"118"``) with NaN age and sex (none are published).

    Examples
    --------
    >>> from skgait.datasets import load_whu_gait
    >>> ds = load_whu_gait(subset=4)  # doctest: +SKIP
    >>> len({r.subject for r in ds.recordings})  # doctest: +SKIP
    20
    """
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}.")
    check_placement(placement)
    source = dataclasses.replace(SOURCE, folder=f"{SOURCE.folder}/Dataset{subset}")
    return load_dataset(
        source,
        path,
        data_home,
        _parser(subset, placement),
        f"{_VERSION}-{subset}-{placement}",
        _subjects,
        cache,
        pattern="*/label.txt",
    )
