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

__all__ = [
    "ACTIVITIES",
    "CHANNELS",
    "PLACEMENTS",
    "DataFormatError",
    "DatasetNotFoundError",
    "GaitDataset",
    "Recording",
]
