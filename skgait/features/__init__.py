"""Feature transformers for windows ``(n_windows, n_channels, n_timepoints)``."""

from ._acf import ACFTransformer, ConstantSeriesWarning
from ._correlation import CrossCorrelationFeatures
from ._crop import WindowCrop

__all__ = ["ACFTransformer", "ConstantSeriesWarning", "CrossCorrelationFeatures", "WindowCrop"]
