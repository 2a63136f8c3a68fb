"""Feature transformers for windows ``(n_windows, n_channels, n_timepoints)``."""

from ._acf import ACFTransformer, ConstantSeriesWarning
from ._bandlimit import BandLimit
from ._correlation import CrossCorrelationFeatures
from ._crop import WindowCrop
from ._gravity import GravityAlignment
from ._rocket import MiniRocketFeatures
from ._stats import GaitStatistics

__all__ = [
    "ACFTransformer",
    "BandLimit",
    "ConstantSeriesWarning",
    "CrossCorrelationFeatures",
    "GaitStatistics",
    "GravityAlignment",
    "MiniRocketFeatures",
    "WindowCrop",
]
