"""Feature transformers for windows ``(n_windows, n_channels, n_timepoints)``."""

from ._acf import ACFTransformer
from ._bandlimit import BandLimit
from ._correlation import CrossCorrelationFeatures
from ._crop import WindowCrop
from ._derivative import TimeDerivative
from ._entropy import SampleEntropy
from ._frame import WalkingFrame
from ._gait_parameters import GaitParameters
from ._gravity import GravityAlignment, GravityDirection
from ._rocket import MiniRocketFeatures
from ._spectral import FourierFeatures, WaveletFeatures
from ._stats import GaitStatistics

__all__ = [
    "ACFTransformer",
    "BandLimit",
    "CrossCorrelationFeatures",
    "FourierFeatures",
    "GaitParameters",
    "GaitStatistics",
    "GravityAlignment",
    "GravityDirection",
    "MiniRocketFeatures",
    "SampleEntropy",
    "TimeDerivative",
    "WalkingFrame",
    "WaveletFeatures",
    "WindowCrop",
]
