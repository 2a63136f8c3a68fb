"""Loaders for public IMU gait datasets, step detection, and windowing.

Every loader returns a :class:`GaitDataset`: recordings in SI units (m/s²,
rad/s) with placements from one vocabulary, and a subject table.
"""

from ..utils._cache import get_cache_home
from ._base import ACTIVITIES, CHANNELS, FRAMES, PLACEMENTS, GaitDataset, Recording
from ._directory import load_directory
from ._download import dataset_registry, download_dataset, downloadable_datasets
from ._home import get_data_home
from ._hugadb import load_hugadb
from ._ipol import load_ipol_healthy_gait
from ._loaders import DATASET_ALIASES, DATASET_LOADERS, get_loader
from ._names import canonical_name
from ._ou_isir import load_ou_isir
from ._remount import random_remount
from ._resample import resample_recording
from ._sequences import make_sequence_windows
from ._sisfall import load_sisfall
from ._speed import replay_at_speed
from ._steps import detect_steps, score_steps
from ._umafall import load_umafall
from ._whu_gait import load_whu_gait
from ._windows import make_step_windows, make_windows

__all__ = [
    "ACTIVITIES",
    "CHANNELS",
    "DATASET_ALIASES",
    "DATASET_LOADERS",
    "FRAMES",
    "PLACEMENTS",
    "GaitDataset",
    "Recording",
    "canonical_name",
    "dataset_registry",
    "detect_steps",
    "download_dataset",
    "downloadable_datasets",
    "get_cache_home",
    "get_data_home",
    "get_loader",
    "load_ipol_healthy_gait",
    "load_directory",
    "load_hugadb",
    "load_ou_isir",
    "load_sisfall",
    "load_umafall",
    "load_whu_gait",
    "make_sequence_windows",
    "make_step_windows",
    "make_windows",
    "random_remount",
    "replay_at_speed",
    "resample_recording",
    "score_steps",
]
