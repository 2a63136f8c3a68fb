"""Loaders for public IMU gait datasets, and windowing.

Every loader returns a :class:`GaitDataset`: recordings in SI units (m/s²,
rad/s) with placements from one vocabulary, and a subject table.
"""

from ._base import (
    ACTIVITIES,
    CHANNELS,
    PLACEMENTS,
    DataFormatError,
    DatasetNotFoundError,
    GaitDataset,
    Recording,
)
from ._cache import get_cache_home
from ._home import get_data_home
from ._sisfall import load_sisfall

__all__ = [
    "ACTIVITIES",
    "CHANNELS",
    "PLACEMENTS",
    "DataFormatError",
    "DatasetNotFoundError",
    "GaitDataset",
    "Recording",
    "get_cache_home",
    "get_data_home",
    "load_sisfall",
]
