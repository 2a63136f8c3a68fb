"""Feature transformers for windows ``(n_windows, n_channels, n_timepoints)``."""

from ._acf import ACFTransformer, ConstantSeriesWarning
from ._crop import WindowCrop
from ._gravity import GravityAlignment

__all__ = ["ACFTransformer", "ConstantSeriesWarning", "GravityAlignment", "WindowCrop"]
