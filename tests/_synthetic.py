"""Small synthetic recordings and datasets for the tests of windowing and step maths.

Real formats are tested on the real files (``_data.py``); these builders only
give the windowing and step code signals whose answer is known.
"""

import numpy as np
import pandas as pd

from skgait.datasets import CHANNELS, GaitDataset, Recording

WALKING = 1


def make_recording(
    n_samples=500,
    rate=50.0,
    *,
    signal=None,
    channels=CHANNELS,
    activity=None,
    subject="1",
    recording="r1",
    placement="waist",
    dataset="synth",
    **kwargs,
):
    """A recording whose channel ``c`` is the constant ``c + 1`` unless given."""
    if signal is None:
        n_samples = n_samples if activity is None else len(activity)
        signal = np.tile(np.arange(1, len(channels) + 1, dtype=np.float32), (n_samples, 1))
    n_samples = signal.shape[0]
    if activity is None:
        activity = np.full(n_samples, WALKING, dtype=np.int8)
    return Recording(
        signal=signal,
        channels=channels,
        rate=rate,
        dataset=dataset,
        subject=subject,
        recording=recording,
        trial="1",
        placement=placement,
        source_placement=placement.upper(),
        activity=activity,
        **kwargs,
    )


def make_dataset(*recordings, name="synth"):
    subjects = sorted({r.subject for r in recordings})
    table = pd.DataFrame(
        {
            "subject": subjects,
            "age": [20 + i for i in range(len(subjects))],
            "sex": ["F", "M"] * (len(subjects) // 2) + ["F"] * (len(subjects) % 2),
            "height_cm": 170.0,
            "weight_kg": np.nan,
        }
    )
    return GaitDataset(name, list(recordings), table)
